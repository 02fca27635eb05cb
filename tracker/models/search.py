"""The portfolio's text search (title and purpose), index-accelerated on both databases, with one
meaning: the initiatives whose title or purpose contains the search text as a substring, case
ignored (Unicode: "redovisning" finds "Årsredovisning", "ÅR" finds "år" and "år" finds "ÅR").

``matches(q)`` is the one place that decides how, per dialect:

- PostgreSQL: ``lower(title) LIKE '%q%' OR lower(purpose) LIKE '%q%'``, which the GIN trigram
  indexes on ``lower(title)`` and ``lower(purpose)`` (extension ``pg_trgm``, trusted since
  PostgreSQL 13 so the database's owner may create it) answer with a bitmap index scan; the
  rows found are checked against the pattern again, so the result is exactly the LIKE's.
- SQLite: an FTS5 table ``initiative_search`` with the trigram tokenizer, an external-content
  table over ``initiative`` (title, purpose), kept by triggers on insert, delete and change of
  title or purpose. The search is a quoted phrase of the text's trigrams, which is a substring
  match on the case-folded text (the tokenizer folds Unicode case itself; its quotes make
  AND, OR, NEAR, ``*``, ``^`` and every other character literal). A text shorter than three
  characters has no trigram: it falls back to ``x LIKE '%q%'`` over every row (correct, only
  slower). SQLite's LIKE ignores the case of ASCII letters only (and its ``lower`` folds only
  ASCII), so a short text's other letters are tried in each case: "år" is
  ``x LIKE '%år%' OR x LIKE '%År%'`` (``case_variants``), all in SQLite's C code.

Creating the objects: with the models (``db.create_all``, by the ``after_create`` events below)
and by the migration ``i20search_trigram``, from the same statements. They are not models, so
the comparison of models with migrations leaves them out (``include_name``, used by the
migrations' env.py and tests/test_migrations.py).

Beware: an SQLite batch migration that rebuilds ``initiative`` (copy, drop, rename) drops the
triggers on it, and the FTS table would then silently go stale: such a migration must run
``SQLITE_DROP`` before and ``SQLITE_CREATE`` plus ``rebuild`` after, as with the tally triggers.
A bulk load that bypasses the triggers must call ``rebuild``.
"""

from __future__ import annotations

from sqlalchemy import DDL, column, event, func, literal_column, or_, select, table, text

from ..extensions import db
from .portfolio import Initiative

SEARCH_TABLE = "initiative_search"
# The shortest text the trigram indexes can serve.
MIN_INDEXED_LENGTH = 3

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS initiative_search USING fts5(title, purpose, "
    "content='initiative', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER initiative_search_insert AFTER INSERT ON initiative BEGIN "
    "INSERT INTO initiative_search (rowid, title, purpose) VALUES (NEW.id, NEW.title, NEW.purpose);"
    " END",
    "CREATE TRIGGER initiative_search_delete AFTER DELETE ON initiative BEGIN "
    "INSERT INTO initiative_search (initiative_search, rowid, title, purpose) "
    "VALUES ('delete', OLD.id, OLD.title, OLD.purpose); END",
    "CREATE TRIGGER initiative_search_update AFTER UPDATE OF id, title, purpose ON initiative "
    "BEGIN INSERT INTO initiative_search (initiative_search, rowid, title, purpose) "
    "VALUES ('delete', OLD.id, OLD.title, OLD.purpose); "
    "INSERT INTO initiative_search (rowid, title, purpose) VALUES (NEW.id, NEW.title, NEW.purpose);"
    " END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS initiative_search_insert",
    "DROP TRIGGER IF EXISTS initiative_search_delete",
    "DROP TRIGGER IF EXISTS initiative_search_update",
    "DROP TABLE IF EXISTS initiative_search",
)
POSTGRESQL_INDEXES = ("ix_initiative_title_trgm", "ix_initiative_purpose_trgm")
POSTGRESQL_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_initiative_title_trgm ON initiative "
    "USING gin (lower(title) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_initiative_purpose_trgm ON initiative "
    "USING gin (lower(purpose) gin_trgm_ops)",
)
# The extension stays: it is harmless, and something else may use it.
POSTGRESQL_DROP = tuple(f"DROP INDEX IF EXISTS {name}" for name in POSTGRESQL_INDEXES)

_search = table(SEARCH_TABLE, column("rowid"))


def escape_like(text_: str) -> str:
    return text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fts_phrase(q: str) -> str:
    """The text as one FTS5 phrase: in double quotes, its own double quotes doubled, so that no
    character of it is FTS5 syntax."""
    return '"' + q.replace('"', '""') + '"'


def matches(q: str):
    """The condition on Initiative: its title or purpose contains ``q`` (case ignored)."""
    pattern = "%" + escape_like(q.lower()) + "%"
    if db.engine.dialect.name != "sqlite":
        return or_(
            func.lower(Initiative.title).like(pattern, escape="\\"),
            func.lower(Initiative.purpose).like(pattern, escape="\\"),
        )
    if len(q) < MIN_INDEXED_LENGTH:
        return or_(
            *(
                column_.like("%" + escape_like(variant) + "%", escape="\\")
                for column_ in (Initiative.title, Initiative.purpose)
                for variant in case_variants(q.lower())
            )
        )
    return Initiative.id.in_(
        select(_search.c.rowid).where(literal_column(SEARCH_TABLE).op("MATCH")(fts_phrase(q)))
    )


def case_variants(folded: str) -> list[str]:
    """The spellings of a short lower-case text that SQLite's LIKE must try: it ignores the case
    of ASCII letters itself, so only each other letter's capitals are added (at most four
    spellings for the two letters a short text has)."""
    variants = [""]
    for char in folded:
        options = [char]
        if not char.isascii():
            options += [
                other
                for other in dict.fromkeys((char.upper(), char.title()))
                if len(other) == 1 and other != char and other.lower() == char
            ]
        variants = [variant + option for variant in variants for option in options]
    return variants


def rebuild(connection) -> None:
    """Index every initiative again (after a bulk load that bypassed the triggers)."""
    if connection.dialect.name == "sqlite":
        connection.execute(
            text("INSERT INTO initiative_search (initiative_search) VALUES ('rebuild')")
        )


def include_name(name, type_, parent_names) -> bool:
    """For Alembic's comparison of models with the database: leave out the search's objects,
    which are not models (the FTS5 table and its shadow tables, the trigram indexes)."""
    if type_ == "table":
        return not (name or "").startswith(SEARCH_TABLE)
    if type_ == "index":
        return name not in POSTGRESQL_INDEXES
    return True


# After the initiative table exists; the FTS table goes before the tables on drop_all (which
# knows only the models).
for _statement in SQLITE_CREATE:
    event.listen(db.metadata, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_CREATE:
    event.listen(db.metadata, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
event.listen(db.metadata, "before_drop", DDL(SQLITE_DROP[-1]).execute_if(dialect="sqlite"))
