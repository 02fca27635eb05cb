"""Seeding in bulk (COPY on PostgreSQL, executemany on SQLite, the tally's triggers suspended and
the tally counted once afterwards) writes exactly what plain INSERT statements with the triggers
live write, and leaves the database as the product expects it: triggers back, sequences past
the ids used, the pages working."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from tracker import demo
from tracker.cli import ProgressBar
from tracker.extensions import db
from tracker.models import (
    FrozenReport,
    FrozenReportEntry,
    Health,
    Initiative,
    PrincipleLink,
    Status,
    StatusUpdate,
    StatusUpdateTally,
    SupportRequest,
    initiative_co_owner,
    tally,
)
from tracker.models.frozen_entries import rebuild as rebuild_entries

PASSWORD = "demo-password-for-tests"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TABLES = (
    Initiative.__table__,
    StatusUpdate.__table__,
    PrincipleLink.__table__,
    initiative_co_owner,
    SupportRequest.__table__,
    StatusUpdateTally.__table__,
    FrozenReport.__table__,
    FrozenReportEntry.__table__,
)


def _rows(table) -> list[tuple]:
    return [tuple(r) for r in db.session.execute(select(table).order_by(*table.primary_key))]


def _snapshot() -> dict[str, list[tuple]]:
    return {table.name: _rows(table) for table in TABLES}


def _tally() -> dict:
    return {
        (r.department_id, r.month, r.health): r.updates
        for r in db.session.scalars(select(StatusUpdateTally))
        if r.updates
    }


def _seed(bulk_load: bool, progress=None) -> str:
    summary = demo.seed(
        password=PASSWORD, initiatives=300, now=NOW, bulk_load=bulk_load, progress=progress
    )
    db.session.commit()
    return summary


def _fresh_database() -> None:
    db.session.remove()
    db.drop_all()
    db.create_all()


def test_the_bulk_load_writes_what_plain_inserts_and_the_triggers_write(app):
    plain_summary = _seed(bulk_load=False)
    plain = _snapshot()
    _fresh_database()
    phases: list[tuple[str, int, int]] = []
    bulk_summary = _seed(bulk_load=True, progress=lambda *call: phases.append(call))
    assert bulk_summary == plain_summary
    bulk = _snapshot()
    assert len(bulk["initiative"]) == 300
    assert len(bulk["status_update"]) > 6 * 300
    assert bulk["support_request"] and bulk["initiative_co_owner"]
    assert len(bulk["frozen_report"]) == 10
    for name in plain:
        assert bulk[name] == plain[name], name
    # The tally kept by the triggers (plain) is the tally counted afresh, and so is the bulk one.
    kept = _tally()
    tally.rebuild(db.session.connection())
    rebuild_entries(db.session.connection())
    assert _tally() == kept and sum(kept.values()) == len(bulk["status_update"])
    assert _rows(FrozenReportEntry.__table__) == bulk["frozen_report_entry"]
    # Progress: every phase starts at 0 and ends at its total, in order.
    assert [p for p, done, _ in phases if done == 0] == ["initiatives", "reports", "analyze"]
    assert ("reports", 10, 10) in phases and phases[-1] == ("analyze", 1, 1)
    assert ("initiatives", 300, 300) in phases


def test_after_a_bulk_load_the_triggers_and_sequences_work(app, auth):
    _seed(bulk_load=True)
    before = _tally()
    initiative = db.session.scalar(
        select(Initiative).where(Initiative.archived_at.is_(None)).order_by(Initiative.id)
    )
    at = NOW - timedelta(days=1)
    db.session.add(
        StatusUpdate(
            initiative_id=initiative.id,
            author_id=initiative.owner_id,
            created_at=at,
            status=Status.IN_PROGRESS,
            health=Health.OFF_TRACK,
            progress=50,
        )
    )
    new = Initiative(
        title="Ny efter seedningen",
        purpose="p",
        department_id=initiative.department_id,
        owner_id=initiative.owner_id,
    )
    db.session.add(new)
    db.session.flush()  # PostgreSQL: the sequence was moved past the ids the load gave out
    assert new.id == 301
    db.session.commit()
    key = (initiative.department_id, at.strftime("%Y-%m"), "off_track")
    after = _tally()
    assert after[key] == before.get(key, 0) + 1  # the insert trigger is live again
    initiative.archived_at = NOW
    db.session.commit()
    archived = _tally()
    assert sum(archived.values()) < sum(after.values())  # and the initiative's trigger
    tally.rebuild(db.session.connection())
    assert _tally() == archived
    # The pages read the seeded data.
    auth.login("ledning@nykvarn.example", PASSWORD)
    for path in ("/dashboard", "/board", "/initiatives?q=e", f"/initiatives/{initiative.id}"):
        assert auth.client.get(path).status_code == 200, path


def _analyzed_tables() -> set[str]:
    """The tables the planner has statistics for: SQLite's sqlite_stat1; PostgreSQL's
    pg_class.reltuples (-1 until the table is first analyzed; ANALYZE sets it in its
    transaction)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        return set(connection.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
    return set(
        connection.scalars(
            text(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= 0 "
                "AND relnamespace = 'public'::regnamespace"
            )
        )
    )


def test_seeding_leaves_statistics_for_every_table_it_loaded_the_benefits_and_reports_too(app):
    _seed(bulk_load=True)
    analyzed = _analyzed_tables()
    loaded_last = {"benefit", "benefit_indicator", "frozen_report", "frozen_report_entry"}
    assert {*loaded_last, "initiative", "status_update", "principle_link"} <= analyzed
    # With them, the dashboard's benefits are found from the few benefits, not by walking
    # every initiative (SQLite's plan; PostgreSQL plans by the same statistics).
    if db.session.connection().dialect.name == "sqlite":
        from tracker.benefits.services import search_query
        from tracker.models import User
        from tracker.portfolio.filters import PortfolioFilter

        user = db.session.scalar(select(User).where(User.email == "ledning@nykvarn.example"))
        query = search_query(user, PortfolioFilter(), 30)
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = [row[3] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
        assert plan[0].startswith("SCAN benefit"), plan


def test_the_progress_bar_draws_in_a_terminal_and_writes_each_phase_once_elsewhere():
    terminal = io.StringIO()
    bar = ProgressBar(terminal, tty=True)
    for done in (0, 500, 1000):
        bar("initiatives", done, 1000)
    bar("reports", 0, 10)
    bar("reports", 10, 10)
    lines = terminal.getvalue().split("\n")
    assert lines[0].startswith("\r  initiatives [----")
    assert lines[0].endswith("\r  initiatives [" + "#" * 30 + "] 1,000/1,000 0 s")
    assert lines[1].endswith("reports     [" + "#" * 30 + "] 10/10 0 s")
    plain = io.StringIO()
    bar = ProgressBar(plain, tty=False)
    for done in range(0, 1001, 100):
        bar("initiatives", done, 1000)
    assert plain.getvalue() == "  initiatives [" + "#" * 30 + "] 1,000/1,000 0 s\n"
