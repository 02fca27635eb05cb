"""The heavy portfolio queries read the indexes made for them, on SQLite and PostgreSQL: the
statements the pages really send are captured and explained."""

import pytest
from sqlalchemy import event, text

from tracker.extensions import db
from tracker.models import Status

from . import factories


@pytest.fixture
def captured(app):
    statements: list[tuple[str, object]] = []

    def on_execute(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", on_execute)
    yield statements
    event.remove(db.engine, "before_cursor_execute", on_execute)


def _plan(statement: str, parameters, ordered: bool = False) -> str:
    """The plan of a captured statement. ``ordered``: on PostgreSQL, with sorting made
    prohibitively expensive too, so that the plan shows whether an index gives the order."""
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    if db.engine.dialect.name == "sqlite":
        rows = raw.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
        return "\n".join(str(row[-1]) for row in rows)
    # A test database is tiny, so PostgreSQL would rightly scan the table: ask whether the
    # index serves the query when a scan is not an option. The statistics are taken afresh:
    # the tables are emptied between tests, not dropped, so the planner would otherwise judge
    # these rows by an earlier test's (it then took any index that gives the order, at random).
    connection.execute(text("ANALYZE"))
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    connection.execute(text(f"SET LOCAL enable_sort = {'off' if ordered else 'on'}"))
    with raw.cursor() as cursor:
        cursor.execute("EXPLAIN " + statement, parameters)
        return "\n".join(row[0] for row in cursor.fetchall())


def _the(statements, *needles: str) -> tuple[str, object]:
    found = [(s, p) for s, p in statements if all(n in s for n in needles)]
    assert found, f"no statement with {needles}"
    return found[0]


def test_the_heavy_queries_use_their_indexes(org, client, auth, captured):
    # A portfolio in every status, as a real one is: with one status only, every index that
    # gives the order costs the same, and PostgreSQL took either.
    for n, status in enumerate(list(Status) * 2):
        factories.make_initiative(
            org.manager, principles=org.principles[:1], updates=n % 3 + 1, status=status
        )
    db.session.commit()
    auth.login("ledning@example.se")
    captured.clear()
    assert client.get("/board").status_code == 200
    assert client.get("/dashboard").status_code == 200
    assert client.get("/dashboard?status=in_progress").status_code == 200
    db.session.rollback()

    # The board's first cards: per status and half, a walk of its index in the order asked for
    # (no sort of the portfolio: SQLite says "USE TEMP B-TREE FOR ORDER BY" when it sorts).
    first_cards = _plan(*_the(captured, "UNION ALL", "AS last_activity"), ordered=True)
    assert "ix_initiative_board" in first_cards, first_cards
    assert "TEMP B-TREE FOR ORDER BY" not in first_cards and "Sort" not in first_cards, first_cards
    per_department = _plan(*_the(captured, "GROUP BY initiative.status, initiative.department_id"))
    if db.engine.dialect.name == "sqlite":
        assert "ix_initiative_figures" in per_department, per_department
    else:
        # On a table of three rows PostgreSQL's costs for its indexes of initiative are a
        # toss-up that depends on leftover statistics; what matters is that none is scanned.
        assert "ix_initiative_" in per_department, per_department
        assert "Seq Scan on initiative" not in per_department, per_department
    trend = _plan(*_the(captured, "status_update.health, count(*)"))
    assert "ix_status_update_trend" in trend, trend
    tally = _plan(*_the(captured, "FROM status_update_tally"))
    assert "status_update" not in tally.replace("status_update_tally", ""), tally


def test_the_dashboard_compares_with_the_reports_over_indexes(org, client, auth, captured):
    """The one scan behind the dashboard's counts and its "since the last report": the figures
    index in its own order (no sort for the GROUP BY on SQLite), each initiative's entry in its
    committee's report by primary key, and the latest report from a covering index (never the
    report's row, whose content SQLite would read through)."""
    from .test_reports import at, freeze, initiative, period, update

    for n in range(3):
        update(initiative(org, f"I{n}", principles=org.principles[:1]), at("2026-02-01"))
    freeze(org, period(org))
    db.session.commit()
    auth.login("ledning@example.se")
    captured.clear()
    assert client.get("/dashboard").status_code == 200
    db.session.rollback()

    figures = _plan(*_the(captured, "GROUP BY initiative.status", "frozen_report_entry"))
    # (PostgreSQL's index holds no id, which the join needs: any index of initiative, or at a
    # region's scale a scan with a hash join, is its choice.)
    assert "ix_initiative_" in figures, figures
    assert "pk_frozen_report_entry" in figures or "PRIMARY KEY" in figures, figures
    latest = _plan(*_the(captured, "row_number()", "FROM frozen_report"))
    if db.engine.dialect.name == "sqlite":
        assert "ix_initiative_figures" in figures, figures
        assert "TEMP B-TREE FOR GROUP BY" not in figures, figures
        assert "COVERING INDEX ix_frozen_report_latest" in latest, latest
    else:
        assert "ix_frozen_report_" in latest, latest
    assert not any("frozen_report.content" in s for s, _p in captured)  # nothing parsed


@pytest.mark.parametrize("sort", ["", "sort=updated&page=2", "sort=-updated"])
def test_the_list_in_its_default_order_walks_an_index(org, client, auth, captured, sort):
    """A page of the list by latest activity, either way, is read from ix_initiative_recent in
    its order and stops after the page (no sort of every visible initiative)."""
    for _n in range(3):
        factories.make_initiative(org.manager, principles=org.principles[:1], updates=1)
    db.session.commit()
    # SQLite without statistics takes the first index with an equality on it (the figures');
    # with them, as every database that has seen ANALYZE (seeding runs it), the walk.
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    auth.login("ledning@example.se")
    captured.clear()
    assert client.get(f"/initiatives?{sort}").status_code == 200
    db.session.rollback()
    plan = _plan(*_the(captured, "AS sort_key"), ordered=True)
    assert "ix_initiative_recent" in plan, plan
    if db.engine.dialect.name == "sqlite":
        # The page's 25 rows are put in order once more after they are read whole: one sort.
        assert plan.count("TEMP B-TREE FOR ORDER BY") <= 1, plan
    else:
        assert "Sort" not in plan.replace("Sort Key", ""), plan
