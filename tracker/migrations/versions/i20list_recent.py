"""an index for the list in its default order: latest activity first

Revision ID: i20list_recent
Revises: i20board_first_cards
Create Date: 2026-12-02 20:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'i20list_recent'
down_revision = 'i20board_first_cards'
branch_labels = None
depends_on = None


def upgrade():
    # Not in a batch: on SQLite a batch would rebuild initiative and drop its triggers.
    op.create_index('ix_initiative_recent', 'initiative', [sa.text('coalesce(last_update_at, created_at)'), 'id', 'archived_at', 'department_id'], unique=False)
    # SQLite chooses an index by its statistics; without them it would rather sort the list
    # from the figures' index (whose first column has an equality) than walk this one.
    op.execute('ANALYZE initiative')


def downgrade():
    op.drop_index('ix_initiative_recent', table_name='initiative')
