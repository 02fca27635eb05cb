"""status_update.decision_id for the status updates decisions made before the column existed

A decision to pause or to close set the status with a status update of its own, by the decision's
author, in the same transaction, its text the decision's summary followed by the meeting in
brackets. Those made before i32update_decision carry no decision_id and so counted as the
owner's report. This finds each one by those marks (same initiative and author, the status the
kind sets, the text ending with " (<meeting>)", made within a minute after the decision) and
links it. Nothing else changes; the downgrade leaves the links (the column goes with i32).

Revision ID: i33decision_updates_backfill
Revises: i32update_decision
Create Date: 2026-12-06 23:00:00

"""
from datetime import UTC, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'i33decision_updates_backfill'
down_revision = 'i32update_decision'
branch_labels = None
depends_on = None

STATUSES = {'pause': ('paused',), 'close': ('done', 'cancelled')}
WINDOW = timedelta(minutes=1)

decision = sa.table(
    'decision',
    sa.column('id', sa.Integer),
    sa.column('initiative_id', sa.Integer),
    sa.column('author_id', sa.Integer),
    sa.column('created_at', sa.DateTime),
    sa.column('meeting', sa.String),
    sa.column('kind', sa.String),
)
status_update = sa.table(
    'status_update',
    sa.column('id', sa.Integer),
    sa.column('initiative_id', sa.Integer),
    sa.column('author_id', sa.Integer),
    sa.column('created_at', sa.DateTime),
    sa.column('status', sa.String),
    sa.column('happened', sa.String),
    sa.column('decision_id', sa.Integer),
)


def _utc(moment):
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def upgrade():
    bind = op.get_bind()
    pairs = bind.execute(
        sa.select(
            decision.c.id,
            decision.c.created_at,
            decision.c.meeting,
            decision.c.kind,
            status_update.c.id,
            status_update.c.created_at,
            status_update.c.status,
            status_update.c.happened,
        )
        .join(
            status_update,
            sa.and_(
                status_update.c.initiative_id == decision.c.initiative_id,
                status_update.c.author_id == decision.c.author_id,
                status_update.c.created_at >= decision.c.created_at,
                status_update.c.decision_id.is_(None),
            ),
        )
        .where(decision.c.kind.in_(tuple(STATUSES)))
        .order_by(decision.c.id, status_update.c.created_at, status_update.c.id)
    ).all()
    taken, linked = set(), set()
    for d_id, d_at, meeting, kind, u_id, u_at, status, happened in pairs:
        if d_id in linked or u_id in taken:
            continue
        if status not in STATUSES[kind] or not (happened or '').endswith(f' ({meeting})'):
            continue
        if _utc(u_at) - _utc(d_at) > WINDOW:
            continue
        bind.execute(
            status_update.update().where(status_update.c.id == u_id).values(decision_id=d_id)
        )
        taken.add(u_id)
        linked.add(d_id)


def downgrade():
    pass
