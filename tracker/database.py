"""Engine settings that the ORM cannot express: SQLite pragmas and write transactions.

SQLite runs in WAL mode so that readers never wait for the writer. A request that may write (any
method except GET, HEAD and OPTIONS) opens its transaction with ``BEGIN IMMEDIATE``: it takes the
write lock at the start and waits for it (busy timeout) instead of failing with "database is
locked" when it tries to upgrade a read lock half-way through.

A read (GET) that must write something small of its own, such as the audit row of an export or of a
refused request, does so in a short transaction on a connection of its own (``write_transaction``),
which also begins with ``BEGIN IMMEDIATE``: the read's own transaction never asks for the write
lock, so it cannot fail because a writer committed first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "tracker_write"


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record) -> None:
    if not _is_sqlite(dbapi_connection):
        return
    # Let SQLAlchemy's "begin" event below emit BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    writing = conn.get_execution_options().get(WRITE_OPTION) or (
        has_request_context() and request.method not in SAFE_METHODS
    )
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A short write transaction on a connection of its own, apart from the request's session;
    committed when the block ends (on SQLite it begins with ``BEGIN IMMEDIATE``)."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn
