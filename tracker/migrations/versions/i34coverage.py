"""principle coverage (initiatives per department and principle, kept by triggers)

The dashboard's coverage of the guiding principles read from a table kept by the database in the
same transaction as every write of a principle link or its initiative (see tracker.models.tally),
instead of counted from every link on each request. Filled from the links as they are.

Revision ID: i34coverage
Revises: i33decision_updates_backfill
Create Date: 2026-12-07 15:00:00

"""
import sqlalchemy as sa
from alembic import op

from tracker.models import tally

# revision identifiers, used by Alembic.
revision = 'i34coverage'
down_revision = 'i33decision_updates_backfill'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('principle_coverage',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.Column('initiatives', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_principle_coverage_department_id_department')),
    sa.ForeignKeyConstraint(['principle_id'], ['principle.id'], name=op.f('fk_principle_coverage_principle_id_principle')),
    sa.PrimaryKeyConstraint('department_id', 'principle_id', name=op.f('pk_principle_coverage'))
    )
    dialect = op.get_bind().dialect.name
    statements = {
        'sqlite': tally.COVERAGE_SQLITE_TRIGGERS,
        'postgresql': tally.COVERAGE_POSTGRESQL_TRIGGERS,
    }.get(dialect, ())
    for statement in statements:
        op.execute(statement)
    tally.rebuild_coverage(op.get_bind())


def downgrade():
    dialect = op.get_bind().dialect.name
    statements = {
        'sqlite': tally.COVERAGE_SQLITE_DROP,
        'postgresql': tally.COVERAGE_POSTGRESQL_DROP,
    }.get(dialect, ())
    for statement in statements:
        op.execute(statement)
    op.drop_table('principle_coverage')
