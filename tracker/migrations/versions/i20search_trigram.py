"""index-accelerated text search: an FTS5 trigram table kept by triggers on SQLite, GIN trigram indexes (pg_trgm) on PostgreSQL

Revision ID: i20search_trigram
Revises: i20dash_frozen_entries
Create Date: 2026-12-02 15:10:00

"""
from alembic import op

from tracker.models import search

# revision identifiers, used by Alembic.
revision = 'i20search_trigram'
down_revision = 'i20dash_frozen_entries'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in {'sqlite': search.SQLITE_CREATE, 'postgresql': search.POSTGRESQL_CREATE}.get(dialect, ()):
        op.execute(statement)
    search.rebuild(op.get_bind())


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in {'sqlite': search.SQLITE_DROP, 'postgresql': search.POSTGRESQL_DROP}.get(dialect, ()):
        op.execute(statement)
