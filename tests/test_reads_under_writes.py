"""A read never fails because others write: the audit row of an export or of a refused request is
written in a short write transaction of its own, never in the read's (deferred) transaction.

The load test with 32 writers is in tests/test_resilience.py; these show the cause directly.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

import pytest
from sqlalchemy import event, func, select

from tracker.exports import services as export_services
from tracker.extensions import db
from tracker.models import AuditEvent

from . import factories
from .conftest import TEST_DATABASE_URL


@pytest.fixture
def statements_per_connection(app):
    """Every statement the engine runs, grouped by the DBAPI connection that ran it."""
    seen: dict[int, list[str]] = defaultdict(list)

    def on_execute(conn, _cursor, statement, *_args):
        seen[id(conn.connection.dbapi_connection)].append(statement.strip())

    event.listen(db.engine, "before_cursor_execute", on_execute)
    yield seen
    event.remove(db.engine, "before_cursor_execute", on_execute)


@pytest.mark.parametrize(
    "who,path,action",
    [
        ("ledning@example.se", "/exports/initiatives.csv", "export.initiatives"),
        ("ledning@example.se", "/exports/initiatives.xlsx", "export.initiatives"),
        ("ledning@example.se", "/exports/initiatives.docx", "export.initiatives"),
        ("chef@example.se", "/admin/users", "access.denied"),
        ("namnd@example.se", "/admin/audit", "access.denied"),
    ],
)
def test_the_audit_row_of_a_read_is_written_apart_from_the_read(
    org, client, auth, statements_per_connection, who, path, action
):
    factories.make_initiative(org.manager, principles=org.principles[:1], updates=1)
    db.session.commit()
    auth.login(who)
    statements_per_connection.clear()
    response = client.get(path)
    assert response.status_code in (200, 403)
    response.get_data()  # a streamed file is read to its end
    response.close()
    inserts = [
        conn
        for conn, statements in statements_per_connection.items()
        if any(s.startswith("INSERT INTO audit_event") for s in statements)
    ]
    assert len(inserts) == 1
    audit_connection = statements_per_connection[inserts[0]]
    for conn, statements in statements_per_connection.items():
        if conn != inserts[0]:
            assert not any(s.startswith(("INSERT", "UPDATE", "DELETE")) for s in statements)
    if not TEST_DATABASE_URL:
        # The read's own transaction began deferred; the audit row's took the write lock at once.
        begin = [s for s in audit_connection if s.startswith("BEGIN")]
        assert begin[-1] == "BEGIN IMMEDIATE"
        assert audit_connection.index(begin[-1]) < next(
            i for i, s in enumerate(audit_connection) if s.startswith("INSERT INTO audit_event")
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == action)) == 1


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's snapshot rule: WAL readers")
def test_an_export_survives_a_writer_committing_half_way(
    org, client, auth, app, monkeypatch, tmp_path
):
    """What made 50 of 344 answers fail: the export has read (its snapshot is taken) when another
    process commits a write; writing the audit row in the read's transaction then fails at once
    with "database is locked" (SQLITE_BUSY_SNAPSHOT)."""
    factories.make_initiative(org.manager, principles=org.principles[:1], updates=1)
    db.session.commit()
    auth.login("ledning@example.se")
    path = db.engine.url.database
    counted = export_services.count

    def count_then_someone_writes(query):
        total = counted(query)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE initiative SET progress = 42")
        other.execute("COMMIT")
        other.close()
        return total

    monkeypatch.setattr(export_services, "count", count_then_someone_writes)
    for extension in ("csv", "xlsx", "pdf", "docx"):
        response = client.get(f"/exports/initiatives.{extension}")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        response.get_data()
        response.close()
