"""The heavy portfolio queries read the indexes made for them, on SQLite and PostgreSQL: the
statements the pages really send are captured and explained."""

import pytest
from sqlalchemy import event, text

from tracker.extensions import db

from . import factories


@pytest.fixture
def captured(app):
    statements: list[tuple[str, object]] = []

    def on_execute(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", on_execute)
    yield statements
    event.remove(db.engine, "before_cursor_execute", on_execute)


def _plan(statement: str, parameters) -> str:
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    if db.engine.dialect.name == "sqlite":
        rows = raw.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
        return "\n".join(str(row[-1]) for row in rows)
    # A test database is tiny, so PostgreSQL would rightly scan the table: ask whether the
    # index serves the query when a scan is not an option.
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    with raw.cursor() as cursor:
        cursor.execute("EXPLAIN " + statement, parameters)
        return "\n".join(row[0] for row in cursor.fetchall())


def _the(statements, *needles: str) -> tuple[str, object]:
    found = [(s, p) for s, p in statements if all(n in s for n in needles)]
    assert found, f"no statement with {needles}"
    return found[0]


def test_the_heavy_queries_use_their_indexes(org, client, auth, captured):
    for n in range(3):
        factories.make_initiative(org.manager, principles=org.principles[:1], updates=n + 1)
    db.session.commit()
    auth.login("ledning@example.se")
    captured.clear()
    assert client.get("/board").status_code == 200
    assert client.get("/dashboard").status_code == 200
    assert client.get("/dashboard?status=in_progress").status_code == 200
    db.session.rollback()

    ranking = _plan(*_the(captured, "row_number()", "FROM initiative"))
    assert "ix_initiative_figures" in ranking, ranking
    per_department = _plan(*_the(captured, "GROUP BY anon_1.department_id"))
    assert "ix_initiative_figures" in per_department, per_department
    trend = _plan(*_the(captured, "status_update.health, count(*)"))
    assert "ix_status_update_trend" in trend, trend
    tally = _plan(*_the(captured, "FROM status_update_tally"))
    assert "status_update" not in tally.replace("status_update_tally", ""), tally
