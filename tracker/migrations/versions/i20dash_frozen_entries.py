"""frozen report entries (each frozen report's initiatives as rows, kept by a trigger); a covering index for each committee's latest report

Revision ID: i20dash_frozen_entries
Revises: i20perf_tally
Create Date: 2026-12-02 09:50:00

"""
from alembic import op
import sqlalchemy as sa

from tracker.models import frozen_entries

# revision identifiers, used by Alembic.
revision = 'i20dash_frozen_entries'
down_revision = 'i20perf_tally'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('frozen_report_entry',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('health', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['frozen_report.id'], name=op.f('fk_frozen_report_entry_report_id_frozen_report')),
    sa.PrimaryKeyConstraint('report_id', 'initiative_id', name=op.f('pk_frozen_report_entry')),
    sqlite_with_rowid=False,
    )
    # Not in a batch: rebuilding frozen_report would drop its immutability triggers.
    op.create_index('ix_frozen_report_latest', 'frozen_report', ['committee_id', 'period_id', 'version', 'frozen_at', 'sha256'], unique=False)
    dialect = op.get_bind().dialect.name
    statements = {'sqlite': frozen_entries.SQLITE_TRIGGERS, 'postgresql': frozen_entries.POSTGRESQL_TRIGGERS}.get(dialect, ())
    for statement in statements:
        op.execute(statement)
    frozen_entries.rebuild(op.get_bind())


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in {'sqlite': frozen_entries.SQLITE_DROP, 'postgresql': frozen_entries.POSTGRESQL_DROP}.get(dialect, ()):
        op.execute(statement)
    op.drop_table('frozen_report_entry')
    op.drop_index('ix_frozen_report_latest', table_name='frozen_report')
