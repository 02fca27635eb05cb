"""personal access tokens for the API

Revision ID: i17_api_tokens
Revises: i16_oidc
Create Date: 2026-12-01 21:55:00

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types


# revision identifiers, used by Alembic.
revision = 'i17_api_tokens'
down_revision = 'i16_oidc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.Enum('read', 'read_write', name='token_scope', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('created_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_access_token_revoked_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_access_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_token')),
    sa.UniqueConstraint('digest', name=op.f('uq_access_token_digest'))
    )
    with op.batch_alter_table('access_token', schema=None) as batch_op:
        batch_op.create_index('ix_access_token_user_created', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('access_token', schema=None) as batch_op:
        batch_op.drop_index('ix_access_token_user_created')
    op.drop_table('access_token')
