"""an index for the board's first cards: per status, by last activity

Revision ID: i20board_first_cards
Revises: i20search_trigram
Create Date: 2026-12-02 15:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'i20board_first_cards'
down_revision = 'i20search_trigram'
branch_labels = None
depends_on = None


def upgrade():
    # Not in a batch: on SQLite a batch would rebuild initiative and drop its triggers.
    op.create_index('ix_initiative_board', 'initiative', ['status', sa.text('coalesce(last_update_at, created_at)'), 'id', 'archived_at', 'health', 'department_id'], unique=False)


def downgrade():
    op.drop_index('ix_initiative_board', table_name='initiative')
