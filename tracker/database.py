"""Engine settings that the ORM cannot express: SQLite pragmas and write transactions.

SQLite runs in WAL mode so that readers never wait for the writer. A request that may write (any
method except GET, HEAD and OPTIONS) opens its transaction with ``BEGIN IMMEDIATE``: it takes the
write lock at the start and waits for it (busy timeout) instead of failing with "database is
locked" when it tries to upgrade a read lock half-way through.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 10_000


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
    writing = has_request_context() and request.method not in SAFE_METHODS
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
