"""support requests: open items instead of the latest update's flag

Revision ID: i11a_support_requests
Revises: i18_initiative_import
Create Date: 2026-12-01 22:00:00

An initiative whose ``support_requested`` flag is set gets an open support request from the
update that set it (its latest update with support text); then the flag goes. Downgrading sets the
flag again for every initiative with an open request.
"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types


# revision identifiers, used by Alembic.
revision = 'i11a_support_requests'
down_revision = 'i18_initiative_import'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('support_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('opened_by_update_id', sa.Integer(), nullable=False),
    sa.Column('latest_update_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('closed_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('withdrawn', 'answered', name='support_outcome', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_support_request_closed_by_id_user_account')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_support_request_decision_id_decision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_support_request_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['latest_update_id'], ['status_update.id'], name=op.f('fk_support_request_latest_update_id_status_update'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'], name=op.f('fk_support_request_opened_by_id_user_account')),
    sa.ForeignKeyConstraint(['opened_by_update_id'], ['status_update.id'], name=op.f('fk_support_request_opened_by_update_id_status_update'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_request'))
    )
    with op.batch_alter_table('support_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_request_closed_by_id'), ['closed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_request_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_request_initiative_id'), ['initiative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_request_latest_update_id'), ['latest_update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_request_opened_by_id'), ['opened_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_request_opened_by_update_id'), ['opened_by_update_id'], unique=False)
        batch_op.create_index('uq_support_request_open', ['initiative_id'], unique=True, sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))

    # The flag was set from the latest update's support text: that update opens the request.
    op.execute(
        "INSERT INTO support_request (initiative_id, opened_at, opened_by_id,"
        " opened_by_update_id, latest_update_id, text)"
        " SELECT su.initiative_id, su.created_at, su.author_id, su.id, su.id, su.support_needed"
        " FROM status_update su JOIN initiative i ON i.id = su.initiative_id"
        " WHERE i.support_requested AND su.support_needed <> ''"
        " AND su.id = (SELECT s2.id FROM status_update s2"
        "  WHERE s2.initiative_id = i.id AND s2.support_needed <> ''"
        "  ORDER BY s2.created_at DESC, s2.id DESC LIMIT 1)"
    )

    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.drop_column('support_requested')


def downgrade():
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('support_requested', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE initiative SET support_requested = EXISTS ("
        " SELECT 1 FROM support_request sr WHERE sr.initiative_id = initiative.id"
        " AND sr.closed_at IS NULL)"
    )

    with op.batch_alter_table('support_request', schema=None) as batch_op:
        batch_op.drop_index('uq_support_request_open', sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_support_request_opened_by_update_id'))
        batch_op.drop_index(batch_op.f('ix_support_request_opened_by_id'))
        batch_op.drop_index(batch_op.f('ix_support_request_latest_update_id'))
        batch_op.drop_index(batch_op.f('ix_support_request_initiative_id'))
        batch_op.drop_index(batch_op.f('ix_support_request_decision_id'))
        batch_op.drop_index(batch_op.f('ix_support_request_closed_by_id'))

    op.drop_table('support_request')
