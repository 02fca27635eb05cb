"""status update tally (updates per department, month and health, kept by triggers); the figures and trend indexes

Revision ID: i20perf_tally
Revises: i14_mail
Create Date: 2026-12-02 01:40:00

"""
from alembic import op
import sqlalchemy as sa

from tracker.models import tally

# revision identifiers, used by Alembic.
revision = 'i20perf_tally'
down_revision = 'i14_mail'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('status_update_tally',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('health', sa.String(length=20), nullable=False),
    sa.Column('updates', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_status_update_tally_department_id_department')),
    sa.PrimaryKeyConstraint('department_id', 'month', 'health', name=op.f('pk_status_update_tally'))
    )
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.create_index('ix_initiative_figures', ['archived_at', 'status', 'department_id', 'health', 'progress', 'last_update_at', 'created_at'], unique=False)
        batch_op.drop_index('ix_initiative_active_status')
    with op.batch_alter_table('status_update', schema=None) as batch_op:
        batch_op.create_index('ix_status_update_trend', ['initiative_id', 'created_at', 'health'], unique=False)
        batch_op.drop_index('ix_status_update_initiative_created')
    dialect = op.get_bind().dialect.name
    statements = {'sqlite': tally.SQLITE_TRIGGERS, 'postgresql': tally.POSTGRESQL_TRIGGERS}.get(dialect, ())
    for statement in statements:
        op.execute(statement)
    tally.rebuild(op.get_bind())


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in {'sqlite': tally.SQLITE_DROP, 'postgresql': tally.POSTGRESQL_DROP}.get(dialect, ()):
        op.execute(statement)
    op.drop_table('status_update_tally')
    with op.batch_alter_table('status_update', schema=None) as batch_op:
        batch_op.create_index('ix_status_update_initiative_created', ['initiative_id', 'created_at'], unique=False)
        batch_op.drop_index('ix_status_update_trend')
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.create_index('ix_initiative_active_status', ['archived_at', 'status'], unique=False)
        batch_op.drop_index('ix_initiative_figures')
