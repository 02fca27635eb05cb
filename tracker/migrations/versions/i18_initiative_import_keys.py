"""initiative import keys

Revision ID: i18_initiative_import
Revises: i17_api_tokens
Create Date: 2026-12-01 21:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i18_initiative_import'
down_revision = 'i17_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('initiative_import_key',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_initiative_import_key_initiative_id_initiative'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('initiative_id', name=op.f('pk_initiative_import_key')),
    sa.UniqueConstraint('key', name=op.f('uq_initiative_import_key_key'))
    )


def downgrade():
    op.drop_table('initiative_import_key')
