"""Each frozen report's initiatives as rows (id, status, assessment, progress), so that the
dashboard counts what changed since a committee's last report in SQL instead of reading the
report's JSON and every initiative into Python.

The database fills it in the same transaction as the report, by a trigger that reads the
report's canonical JSON (SQLite ``json_each``, PostgreSQL ``jsonb_array_elements``): nothing that
freezes a report can forget it. Frozen reports are never changed or deleted, so neither are
their entries. The same statements are in the migration.
"""

from __future__ import annotations

from sqlalchemy import DDL, ForeignKey, Integer, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class FrozenReportEntry(db.Model):
    __tablename__ = "frozen_report_entry"
    # SQLite keeps the rows in the primary key's b-tree: a look-up reads no second page.
    __table_args__ = {"sqlite_with_rowid": False}

    report_id: Mapped[int] = mapped_column(ForeignKey("frozen_report.id"), primary_key=True)
    # No foreign key: a report keeps naming an initiative deleted since.
    initiative_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20))
    health: Mapped[str] = mapped_column(String(20))
    progress: Mapped[int] = mapped_column(Integer)


_SQLITE_SELECT = (
    "SELECT {report}, json_extract(e.value, '$.id'), json_extract(e.value, '$.status'), "
    "json_extract(e.value, '$.health'), coalesce(json_extract(e.value, '$.progress'), 0) "
    "FROM json_each({content}, '$.initiatives') e"
)
_PG_SELECT = (
    "SELECT {report}, (e->>'id')::integer, e->>'status', e->>'health', "
    "coalesce((e->>'progress')::integer, 0) "
    "FROM jsonb_array_elements(({content})::jsonb -> 'initiatives') e"
)
_INSERT = "INSERT INTO frozen_report_entry (report_id, initiative_id, status, health, progress) "

SQLITE_TRIGGERS = (
    "CREATE TRIGGER frozen_report_entries AFTER INSERT ON frozen_report BEGIN "
    + _INSERT
    + _SQLITE_SELECT.format(report="NEW.id", content="NEW.content")
    + "; END",
)
SQLITE_DROP = ("DROP TRIGGER IF EXISTS frozen_report_entries",)
POSTGRESQL_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION frozen_report_entries() RETURNS trigger AS $$ BEGIN "
    + _INSERT
    + _PG_SELECT.format(report="NEW.id", content="NEW.content")
    + "; RETURN NULL; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER frozen_report_entries AFTER INSERT ON frozen_report "
    "FOR EACH ROW EXECUTE FUNCTION frozen_report_entries()",
)
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS frozen_report_entries ON frozen_report",
    "DROP FUNCTION IF EXISTS frozen_report_entries()",
)


def rebuild(connection) -> None:
    """Read every frozen report's entries again (the migration fills the table with it)."""
    select_sql = _PG_SELECT if connection.dialect.name == "postgresql" else _SQLITE_SELECT
    connection.execute(text("DELETE FROM frozen_report_entry"))
    connection.execute(
        text(
            _INSERT
            + select_sql.format(report="r.id", content="r.content").replace(
                " FROM ", " FROM frozen_report r, ", 1
            )
        )
    )


# After every table exists: the trigger names both tables.
for _statement in SQLITE_TRIGGERS:
    event.listen(db.metadata, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_TRIGGERS:
    event.listen(db.metadata, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
