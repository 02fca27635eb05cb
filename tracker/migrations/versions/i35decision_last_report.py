"""initiative.last_update_at is the owner's latest report, not a decision's status

A decision to pause or to close set last_update_at as if the owner had reported, so the
initiative left "needs updating" and its "Senaste rapport" said the decision's day. This sets it
again, for the initiatives whose latest status update is a decision's, from their latest status
update that is a report (none: NULL, silent since it was registered). The downgrade leaves the
dates as they are.

Revision ID: i35decision_last_report
Revises: i34coverage
Create Date: 2026-12-07 16:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'i35decision_last_report'
down_revision = 'i34coverage'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE initiative SET last_update_at = ("
        "SELECT max(s.created_at) FROM status_update s "
        "WHERE s.initiative_id = initiative.id AND s.decision_id IS NULL) "
        "WHERE EXISTS (SELECT 1 FROM status_update d WHERE d.initiative_id = initiative.id "
        "AND d.decision_id IS NOT NULL AND d.created_at >= initiative.last_update_at)"
    )


def downgrade():
    pass
