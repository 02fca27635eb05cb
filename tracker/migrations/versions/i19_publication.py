"""publication: initiatives published to residents, and what an admin allows on the public pages

Revision ID: i19_publication
Revises: i11a_support_requests
Create Date: 2026-12-01 23:05:00

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types


# revision identifiers, used by Alembic.
revision = 'i19_publication'
# A merge point: main has two heads (i13_reporting_periods and i15_benefits, both from
# befe855c21c7); this revision follows both so that `upgrade` reaches one head.
down_revision = 'i11a_support_requests'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('proposed', 'published', 'withdrawn', name='publication_state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('public_summary', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_publication_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_publication_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name=op.f('fk_publication_proposed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
    sa.UniqueConstraint('initiative_id', name=op.f('uq_publication_initiative_id'))
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publication_proposed_by_id'), ['proposed_by_id'], unique=False)

    op.create_table('publication_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publish_all_active', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('show_cost', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('show_owner', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_settings'))
    )


def downgrade():
    op.drop_table('publication_settings')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_proposed_by_id'))
        batch_op.drop_index(batch_op.f('ix_publication_decided_by_id'))
    op.drop_table('publication')
