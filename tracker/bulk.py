"""Loading many rows at once, without the ORM, in the session's transaction: COPY on PostgreSQL
(psycopg 3's ``cursor.copy``), ``executemany`` on the raw connection on SQLite.

The caller gives every column, ids included (``next_ids`` hands them out), so that the rows of
one table can name the rows of another without a round trip; Python-side column defaults are not
applied. Values go through the columns' own types (enums, UTC times) as in any statement.
``finish`` moves PostgreSQL's id sequences past the ids used; ``analyze`` (once everything is
loaded) runs ANALYZE, so that the planner knows every table's size at once: SQLite never
gathers statistics by itself, and without them it guesses a table it has none for (the few
benefits) to be large and walks every initiative to find them.

``Plain`` writes the same rows with ordinary INSERT statements (triggers and all): the reference
the bulk path is tested against.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

ROWS_PER_BATCH = 2000


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterable[list[Sequence[Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class Plain:
    """Rows by INSERT statements through SQLAlchemy Core (executemany), in batches."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.dialect = connection.dialect.name
        self._next: dict[str, int] = {}

    def next_ids(self, table: Table, count: int) -> range:
        """``count`` unused ids of ``table``, ascending."""
        if table.name not in self._next:
            highest = self.connection.scalar(select(func.max(table.c.id)))
            self._next[table.name] = (highest or 0) + 1
        first = self._next[table.name]
        self._next[table.name] = first + count
        return range(first, first + count)

    def write(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        written = 0
        for batch in _batches(rows, ROWS_PER_BATCH):
            values = [dict(zip(columns, row, strict=True)) for row in batch]
            self.connection.execute(insert(table), values)
            written += len(batch)
        return written

    def finish(self) -> None:
        if self.dialect == "postgresql":
            # Names from the models' tables, never from input.
            for name in self._next:
                self.connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 1) FROM {name}))"
                )

    def analyze(self) -> None:
        self.connection.exec_driver_sql("ANALYZE")


class Bulk(Plain):
    """Rows by COPY (PostgreSQL) or the raw connection's ``executemany`` (SQLite)."""

    def write(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        dialect = self.connection.dialect
        processors = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        ]
        converters = [(i, p) for i, p in enumerate(processors) if p is not None]

        def converted(row: Sequence[Any]) -> Sequence[Any]:
            if not converters:
                return row
            values = list(row)
            for i, process in converters:
                values[i] = process(values[i])
            return values

        raw = self.connection.connection.dbapi_connection
        names = ", ".join(f'"{name}"' for name in columns)
        written = 0
        if self.dialect == "postgresql":
            cursor = raw.cursor()
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(converted(row))
                    written += 1
            cursor.close()
            return written
        marks = ", ".join("?" * len(columns))
        statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608
        cursor = raw.cursor()
        for batch in _batches(rows, ROWS_PER_BATCH):
            cursor.executemany(statement, [converted(row) for row in batch])
            written += len(batch)
        cursor.close()
        return written
