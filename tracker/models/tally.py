"""What the dashboard counts per department, kept so that it need not read every row: how many
status updates each department's initiatives received, per month and health (the trend), and
how many of its initiatives are linked to each guiding principle (the coverage).

The database keeps it in the same transaction as every write, by triggers (SQLite and
PostgreSQL), so nothing that writes status updates (the forms, the status round, the API, the
import, seeding, plain SQL) can forget it: a status update added, removed or changed, an
initiative moved to another department, archived or brought back, or deleted. Archived
initiatives do not count, as on the dashboard. The same statements are in the migrations.

The coverage is kept the same way through every write of a principle link (added, removed,
moved) and of its initiative (moved to another department, archived, brought back, deleted).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import DDL, ForeignKey, Integer, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class StatusUpdateTally(db.Model):
    __tablename__ = "status_update_tally"

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, UTC
    health: Mapped[str] = mapped_column(String(20), primary_key=True)
    updates: Mapped[int] = mapped_column(Integer, default=0)


class PrincipleCoverage(db.Model):
    """How many of a department's (not archived) initiatives are linked to a principle."""

    __tablename__ = "principle_coverage"

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    principle_id: Mapped[int] = mapped_column(ForeignKey("principle.id"), primary_key=True)
    initiatives: Mapped[int] = mapped_column(Integer, default=0)


_SQLITE_MONTH = "strftime('%Y-%m', {})"
_SQLITE_ADD = (
    "INSERT INTO status_update_tally (department_id, month, health, updates) "
    "SELECT department_id, strftime('%Y-%m', {row}.created_at), {row}.health, 1 FROM initiative "
    "WHERE id = {row}.initiative_id AND archived_at IS NULL "
    "ON CONFLICT (department_id, month, health) DO UPDATE SET updates = updates + 1;"
)
_SQLITE_REMOVE = (
    "UPDATE status_update_tally SET updates = updates - 1 "
    "WHERE month = strftime('%Y-%m', {row}.created_at) AND health = {row}.health "
    "AND department_id = (SELECT department_id FROM initiative "
    "WHERE id = {row}.initiative_id AND archived_at IS NULL);"
)
# An initiative's updates leave its old bucket or enter its new one.
_SQLITE_LEAVE = (
    "UPDATE status_update_tally SET updates = updates - (SELECT count(*) FROM status_update s "
    "WHERE s.initiative_id = OLD.id AND s.health = status_update_tally.health "
    "AND strftime('%Y-%m', s.created_at) = status_update_tally.month) "
    "WHERE department_id = OLD.department_id;"
)
_SQLITE_ENTER = (
    "INSERT INTO status_update_tally (department_id, month, health, updates) "
    "SELECT NEW.department_id, strftime('%Y-%m', created_at), health, count(*) "
    "FROM status_update WHERE initiative_id = NEW.id GROUP BY 2, 3 "
    "ON CONFLICT (department_id, month, health) DO UPDATE SET updates = updates + excluded.updates;"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER status_update_tally_insert AFTER INSERT ON status_update "
    f"BEGIN {_SQLITE_ADD.format(row='NEW')} END",
    "CREATE TRIGGER status_update_tally_delete AFTER DELETE ON status_update "
    f"BEGIN {_SQLITE_REMOVE.format(row='OLD')} END",
    "CREATE TRIGGER status_update_tally_update "
    "AFTER UPDATE OF initiative_id, created_at, health ON status_update "
    f"BEGIN {_SQLITE_REMOVE.format(row='OLD')} {_SQLITE_ADD.format(row='NEW')} END",
    "CREATE TRIGGER initiative_tally_leave "
    "AFTER UPDATE OF department_id, archived_at ON initiative "
    "WHEN OLD.archived_at IS NULL "
    "AND (NEW.archived_at IS NOT NULL OR NEW.department_id IS NOT OLD.department_id) "
    f"BEGIN {_SQLITE_LEAVE} END",
    "CREATE TRIGGER initiative_tally_enter "
    "AFTER UPDATE OF department_id, archived_at ON initiative "
    "WHEN NEW.archived_at IS NULL "
    "AND (OLD.archived_at IS NOT NULL OR NEW.department_id IS NOT OLD.department_id) "
    f"BEGIN {_SQLITE_ENTER} END",
    # Its updates go first, through their own trigger, while the initiative is still there.
    "CREATE TRIGGER initiative_tally_delete BEFORE DELETE ON initiative "
    "BEGIN DELETE FROM status_update WHERE initiative_id = OLD.id; END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS status_update_tally_insert",
    "DROP TRIGGER IF EXISTS status_update_tally_delete",
    "DROP TRIGGER IF EXISTS status_update_tally_update",
    "DROP TRIGGER IF EXISTS initiative_tally_leave",
    "DROP TRIGGER IF EXISTS initiative_tally_enter",
    "DROP TRIGGER IF EXISTS initiative_tally_delete",
)

_PG_MONTH = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM')"
POSTGRESQL_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION status_update_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
    UPDATE status_update_tally t SET updates = t.updates - 1 FROM initiative i
    WHERE i.id = OLD.initiative_id AND i.archived_at IS NULL AND t.department_id = i.department_id
      AND t.month = to_char(OLD.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AND t.health = OLD.health;
  END IF;
  IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
    INSERT INTO status_update_tally (department_id, month, health, updates)
    SELECT i.department_id, to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM'), NEW.health, 1
    FROM initiative i WHERE i.id = NEW.initiative_id AND i.archived_at IS NULL
    ON CONFLICT (department_id, month, health)
    DO UPDATE SET updates = status_update_tally.updates + 1;
  END IF;
  RETURN NULL;
END; $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER status_update_tally AFTER INSERT OR DELETE "
    "OR UPDATE OF initiative_id, created_at, health ON status_update "
    "FOR EACH ROW EXECUTE FUNCTION status_update_tally()",
    """CREATE OR REPLACE FUNCTION initiative_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM status_update WHERE initiative_id = OLD.id;
    RETURN OLD;
  END IF;
  IF OLD.archived_at IS NULL AND (NEW.archived_at IS NOT NULL
      OR NEW.department_id IS DISTINCT FROM OLD.department_id) THEN
    UPDATE status_update_tally t SET updates = t.updates - s.n
    FROM (SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, health,
                 count(*) AS n
          FROM status_update WHERE initiative_id = OLD.id GROUP BY 1, 2) s
    WHERE t.department_id = OLD.department_id AND t.month = s.month AND t.health = s.health;
  END IF;
  IF NEW.archived_at IS NULL AND (OLD.archived_at IS NOT NULL
      OR NEW.department_id IS DISTINCT FROM OLD.department_id) THEN
    INSERT INTO status_update_tally (department_id, month, health, updates)
    SELECT NEW.department_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM'), health, count(*)
    FROM status_update WHERE initiative_id = NEW.id GROUP BY 2, 3
    ON CONFLICT (department_id, month, health)
    DO UPDATE SET updates = status_update_tally.updates + excluded.updates;
  END IF;
  RETURN NULL;
END; $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER initiative_tally AFTER UPDATE OF department_id, archived_at ON initiative "
    "FOR EACH ROW EXECUTE FUNCTION initiative_tally()",
    "CREATE TRIGGER initiative_tally_delete BEFORE DELETE ON initiative "
    "FOR EACH ROW EXECUTE FUNCTION initiative_tally()",
)
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS status_update_tally ON status_update",
    "DROP TRIGGER IF EXISTS initiative_tally ON initiative",
    "DROP TRIGGER IF EXISTS initiative_tally_delete ON initiative",
    "DROP FUNCTION IF EXISTS status_update_tally()",
    "DROP FUNCTION IF EXISTS initiative_tally()",
)

_COVERAGE_ADD = (
    "INSERT INTO principle_coverage (department_id, principle_id, initiatives) "
    "SELECT department_id, {row}.principle_id, 1 FROM initiative "
    "WHERE id = {row}.initiative_id AND archived_at IS NULL "
    "ON CONFLICT (department_id, principle_id) "
    "DO UPDATE SET initiatives = principle_coverage.initiatives + 1;"
)
_COVERAGE_REMOVE = (
    "UPDATE principle_coverage SET initiatives = initiatives - 1 "
    "WHERE principle_id = {row}.principle_id AND department_id = (SELECT department_id "
    "FROM initiative WHERE id = {row}.initiative_id AND archived_at IS NULL);"
)
# An initiative's links leave its old department or enter its new one.
_COVERAGE_LEAVE = (
    "UPDATE principle_coverage SET initiatives = initiatives - 1 "
    "WHERE department_id = OLD.department_id AND principle_id IN "
    "(SELECT principle_id FROM principle_link WHERE initiative_id = OLD.id);"
)
_COVERAGE_ENTER = (
    "INSERT INTO principle_coverage (department_id, principle_id, initiatives) "
    "SELECT NEW.department_id, principle_id, 1 FROM principle_link WHERE initiative_id = NEW.id "
    "ON CONFLICT (department_id, principle_id) "
    "DO UPDATE SET initiatives = principle_coverage.initiatives + 1;"
)
# {differs}: SQLite's IS NOT, PostgreSQL's IS DISTINCT FROM.
_MOVED_OUT = (
    "OLD.archived_at IS NULL "
    "AND (NEW.archived_at IS NOT NULL OR NEW.department_id {differs} OLD.department_id)"
)
_MOVED_IN = (
    "NEW.archived_at IS NULL "
    "AND (OLD.archived_at IS NOT NULL OR NEW.department_id {differs} OLD.department_id)"
)
_SQLITE_MOVED_OUT = _MOVED_OUT.format(differs="IS NOT")
_SQLITE_MOVED_IN = _MOVED_IN.format(differs="IS NOT")
_PG_MOVED_OUT = _MOVED_OUT.format(differs="IS DISTINCT FROM")
_PG_MOVED_IN = _MOVED_IN.format(differs="IS DISTINCT FROM")
COVERAGE_SQLITE_TRIGGERS = (
    "CREATE TRIGGER principle_coverage_insert AFTER INSERT ON principle_link "
    f"BEGIN {_COVERAGE_ADD.format(row='NEW')} END",
    "CREATE TRIGGER principle_coverage_delete AFTER DELETE ON principle_link "
    f"BEGIN {_COVERAGE_REMOVE.format(row='OLD')} END",
    "CREATE TRIGGER principle_coverage_update "
    "AFTER UPDATE OF initiative_id, principle_id ON principle_link "
    f"BEGIN {_COVERAGE_REMOVE.format(row='OLD')} {_COVERAGE_ADD.format(row='NEW')} END",
    "CREATE TRIGGER initiative_coverage_leave "
    f"AFTER UPDATE OF department_id, archived_at ON initiative WHEN {_SQLITE_MOVED_OUT} "
    f"BEGIN {_COVERAGE_LEAVE} END",
    "CREATE TRIGGER initiative_coverage_enter "
    f"AFTER UPDATE OF department_id, archived_at ON initiative WHEN {_SQLITE_MOVED_IN} "
    f"BEGIN {_COVERAGE_ENTER} END",
    # Its links go first, through their own trigger, while the initiative is still there (the
    # foreign key's cascade would remove them after it).
    "CREATE TRIGGER initiative_coverage_delete BEFORE DELETE ON initiative "
    "BEGIN DELETE FROM principle_link WHERE initiative_id = OLD.id; END",
)
COVERAGE_SQLITE_DROP = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "principle_coverage_insert",
        "principle_coverage_delete",
        "principle_coverage_update",
        "initiative_coverage_leave",
        "initiative_coverage_enter",
        "initiative_coverage_delete",
    )
)
COVERAGE_POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION principle_coverage() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
    {_COVERAGE_REMOVE.format(row="OLD")}
  END IF;
  IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
    {_COVERAGE_ADD.format(row="NEW")}
  END IF;
  RETURN NULL;
END; $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER principle_coverage AFTER INSERT OR DELETE "
    "OR UPDATE OF initiative_id, principle_id ON principle_link "
    "FOR EACH ROW EXECUTE FUNCTION principle_coverage()",
    # A trigger function made of the constants above.
    f"""CREATE OR REPLACE FUNCTION initiative_coverage() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM principle_link WHERE initiative_id = OLD.id;
    RETURN OLD;
  END IF;
  IF {_PG_MOVED_OUT} THEN
    {_COVERAGE_LEAVE}
  END IF;
  IF {_PG_MOVED_IN} THEN
    {_COVERAGE_ENTER}
  END IF;
  RETURN NULL;
END; $$ LANGUAGE plpgsql""",  # noqa: S608
    "CREATE TRIGGER initiative_coverage AFTER UPDATE OF department_id, archived_at ON initiative "
    "FOR EACH ROW EXECUTE FUNCTION initiative_coverage()",
    "CREATE TRIGGER initiative_coverage_delete BEFORE DELETE ON initiative "
    "FOR EACH ROW EXECUTE FUNCTION initiative_coverage()",
)
COVERAGE_POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS principle_coverage ON principle_link",
    "DROP TRIGGER IF EXISTS initiative_coverage ON initiative",
    "DROP TRIGGER IF EXISTS initiative_coverage_delete ON initiative",
    "DROP FUNCTION IF EXISTS principle_coverage()",
    "DROP FUNCTION IF EXISTS initiative_coverage()",
)
COVERAGE_REBUILD = (
    "DELETE FROM principle_coverage",
    "INSERT INTO principle_coverage (department_id, principle_id, initiatives) "
    "SELECT i.department_id, l.principle_id, count(*) FROM principle_link l "
    "JOIN initiative i ON i.id = l.initiative_id WHERE i.archived_at IS NULL "
    "GROUP BY i.department_id, l.principle_id",
)


def rebuild_coverage(connection) -> None:
    """Count the coverage again from every principle link (after a bulk load without triggers)."""
    for statement in COVERAGE_REBUILD:
        connection.execute(text(statement))


# Counted afresh from the status updates (the migration fills the table with it).
REBUILD = (
    "DELETE FROM status_update_tally",
    "INSERT INTO status_update_tally (department_id, month, health, updates) "
    "SELECT i.department_id, {month}, s.health, count(*) FROM status_update s "
    "JOIN initiative i ON i.id = s.initiative_id WHERE i.archived_at IS NULL "
    "GROUP BY i.department_id, {month}, s.health",
)


def month_sql(dialect: str, column: str) -> str:
    return (_PG_MONTH if dialect == "postgresql" else _SQLITE_MONTH).format(column)


def rebuild(connection) -> None:
    """Count the tally again from every status update (after a bulk load without triggers)."""
    month = month_sql(connection.dialect.name, "s.created_at")
    for statement in REBUILD:
        connection.execute(text(statement.format(month=month)))


_POSTGRESQL_SUSPEND = (
    ("status_update", "status_update_tally"),
    ("initiative", "initiative_tally"),
    ("initiative", "initiative_tally_delete"),
    ("principle_link", "principle_coverage"),
    ("initiative", "initiative_coverage"),
    ("initiative", "initiative_coverage_delete"),
)


@contextmanager
def suspended(connection) -> Iterator[None]:
    """The tally's and the coverage's triggers off for a bulk load in this transaction, and both
    counted afresh after it (one INSERT … SELECT each instead of one upsert per row).

    PostgreSQL disables them (ALTER TABLE … DISABLE TRIGGER), SQLite drops them; both are part
    of the transaction, so a rollback brings them back too. When the block raises, the caller
    must roll back.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        for table, trigger in _POSTGRESQL_SUSPEND:
            connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    elif dialect == "sqlite":
        for statement in SQLITE_DROP + COVERAGE_SQLITE_DROP:
            connection.exec_driver_sql(statement)
    yield
    if dialect == "postgresql":
        for table, trigger in _POSTGRESQL_SUSPEND:
            connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    elif dialect == "sqlite":
        for statement in SQLITE_TRIGGERS + COVERAGE_SQLITE_TRIGGERS:
            connection.exec_driver_sql(statement)
    rebuild(connection)
    rebuild_coverage(connection)


# After every table exists: the triggers name status_update, principle_link and initiative.
for _statement in SQLITE_TRIGGERS + COVERAGE_SQLITE_TRIGGERS:
    _ddl = DDL(_statement.replace("%", "%%"))  # DDL formats with %
    event.listen(db.metadata, "after_create", _ddl.execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_TRIGGERS + COVERAGE_POSTGRESQL_TRIGGERS:
    event.listen(db.metadata, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
