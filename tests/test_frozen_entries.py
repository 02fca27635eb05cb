"""Each frozen report's initiatives as rows (``FrozenReportEntry``), which the dashboard's
"since the last report" counts in SQL: the database fills them from the report's JSON in the same
transaction, on SQLite and PostgreSQL, and the dashboard's counts agree with the board's
comparison of each initiative (``since.change_of``) whatever changed."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from tracker.extensions import db
from tracker.models import (
    Department,
    FrozenReport,
    FrozenReportEntry,
    Health,
    Initiative,
    Status,
    User,
    frozen_entries,
)
from tracker.portfolio import dashboard, since
from tracker.portfolio.filters import PortfolioFilter

from .test_reports import at, freeze, initiative, period, update


def _entries() -> dict:
    rows = db.session.execute(
        select(
            FrozenReportEntry.report_id,
            FrozenReportEntry.initiative_id,
            FrozenReportEntry.status,
            FrozenReportEntry.health,
            FrozenReportEntry.progress,
        )
    )
    return {(r, i): (s, h, p) for r, i, s, h, p in rows}


def _from_content() -> dict:
    result = {}
    for report_id, content in db.session.execute(select(FrozenReport.id, FrozenReport.content)):
        for e in json.loads(content)["initiatives"]:
            result[(report_id, e["id"])] = (e["status"], e["health"], e["progress"] or 0)
    return result


def test_every_frozen_report_has_its_entries(org):
    first = period(org)
    a = initiative(org, "Digital post", principles=org.principles[:1])
    update(a, at("2026-02-01"), progress=30)
    b = initiative(org, "E-arkiv")
    update(b, at("2026-02-03"), health=Health.AT_RISK, progress=55)
    initiative(org, "Utan rapport")  # no update in the period: still in the report
    [report] = freeze(org, first)
    db.session.commit()
    kept = _entries()
    assert len(kept) == report.initiative_count == 3
    assert kept[(report.id, b.id)] == ("in_progress", "at_risk", 55)
    # A correction is a new version with its own entries; the first keeps its own.
    update(b, at("2026-02-04"), status=Status.PAUSED, health=Health.OFF_TRACK, progress=60)
    [correction] = freeze(org, first, reason="Rättelse", expected={org.committees[0].id: 1})
    db.session.commit()
    kept = _entries()
    assert kept == _from_content() and len(kept) == 6
    assert kept[(correction.id, b.id)] == ("paused", "off_track", 60)
    assert kept[(report.id, b.id)] == ("in_progress", "at_risk", 55)
    # Read again from the JSON (as the migration does), in the same transaction: the same rows.
    frozen_entries.rebuild(db.session.connection())
    assert _entries() == kept
    db.session.rollback()


def _by_card(user) -> dict:
    """The board's rule, initiative by initiative: what the dashboard must count."""
    rows = db.session.execute(
        select(Initiative, Department.committee_id)
        .join(Department)
        .where(Initiative.archived_at.is_(None))
    ).all()
    by_committee = since.baselines({c for _i, c in rows})
    counts: dict = {}
    for i, committee_id in rows:
        change = since.change_of(
            by_committee.get(committee_id), i.id, i.status.value, i.health.value, i.progress
        )
        if committee_id not in by_committee:
            continue
        line = counts.setdefault(committee_id, [0, 0, 0, 0, 0])
        if change is None:
            continue
        if change.new:
            line[0] += 1
            continue
        if change.health is not None:
            line[2 if change.worse else 1] += 1
        line[3] += change.status is not None
        line[4] += bool(change.progress)
    return counts


def test_the_dashboard_counts_what_the_cards_show(org):
    first = period(org)
    made = []
    for n in range(12):
        item = initiative(org, f"I{n}", principles=org.principles[:1])
        update(item, at("2026-02-01"), health=list(Health)[n % 3], progress=5 * n)
        made.append(item)
    freeze(org, first)
    # Every kind of change since: better, worse, status, progress, several at once, new, and
    # an initiative moved to another committee's department (compared with that one's report).
    now = datetime.now(UTC) - timedelta(hours=1)
    for n, item in enumerate(made):
        health = list(Health)[(n + n // 3) % 3]
        status = Status.PAUSED if n % 4 == 0 else Status.IN_PROGRESS
        update(item, now, status=status, health=health, progress=5 * n + (n % 2) * 10)
    initiative(org, "Ny")
    other = next(d for d in org.departments if d.committee_id != org.departments[0].committee_id)
    made[5].department_id = other.id
    db.session.commit()
    user = db.session.scalar(select(User).where(User.email == "ledning@example.se"))
    view = dashboard._build(user, PortfolioFilter(), 30, None)
    got = {
        line.baseline.committee_id: [
            line.new, line.better, line.worse, line.status, line.progress
        ]
        for line in view.since.committees
    }  # fmt: skip
    expected = _by_card(user)
    assert got == expected and sum(sum(v) for v in got.values()) > 10, (got, expected)
    assert view.since.without_report == 1  # the other committee has no report


def test_plain_sql_cannot_skip_the_entries(org):
    """The trigger, not the application, fills them: an insert by hand gets its rows too."""
    first = period(org)
    freeze(org, first)
    db.session.commit()
    report = db.session.scalar(select(FrozenReport))
    content = json.dumps({"initiatives": [{"id": 999, "status": "idea", "health": "on_track",
                                           "progress": None}]})  # fmt: skip
    db.session.execute(
        text(
            "INSERT INTO frozen_report (period_id, committee_id, version, frozen_at, "
            "frozen_by_name, reason, initiative_count, content, sha256) VALUES "
            "(:p, :c, 9, :at, 'SQL', '', 1, :content, 'x')"
        ),
        {
            "p": report.period_id,
            "c": report.committee_id,
            "at": datetime.now(UTC),
            "content": content,
        },  # fmt: skip
    )
    new_id = db.session.scalar(select(FrozenReport.id).where(FrozenReport.version == 9))
    assert _entries()[(new_id, 999)] == ("idea", "on_track", 0)
    db.session.rollback()
