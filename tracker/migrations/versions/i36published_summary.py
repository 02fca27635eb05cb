"""publication.published_summary: the approved summary stays public while a new one waits

Until now a published initiative whose owner proposed a new summary went off the public pages
until the management group approved it. The summary residents see is now kept apart from the
one proposed: approving copies the proposed summary to it, taking the initiative off the pages
clears it. Filled for the initiatives published now from their summary.

Revision ID: i36published_summary
Revises: i35decision_last_report
Create Date: 2026-12-08 02:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'i36published_summary'
down_revision = 'i35decision_last_report'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('publication', sa.Column('published_summary', sa.Text(), nullable=True))
    op.execute(
        "UPDATE publication SET published_summary = public_summary WHERE state = 'published'"
    )


def downgrade():
    # A plain ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): no batch copy of the table.
    op.drop_column('publication', 'published_summary')
