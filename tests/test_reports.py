"""Reporting periods and frozen committee reports: the services, called directly."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tracker.extensions import db
from tracker.initiatives import support as support_requests
from tracker.models import (
    Decision,
    DecisionKind,
    FrozenReport,
    FrozenReportImmutable,
    Health,
    Status,
    StatusUpdate,
)
from tracker.reports import compare, periods, reporting, services, snapshot
from tracker.reports.errors import FreezeError, PeriodError
from tracker.reports.periods import MeetingData, PeriodData

from . import factories

TZ = ZoneInfo("Europe/Stockholm")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def period(org, name="Tertial 1 2026", start="2026-01-01", end="2026-04-30", deadline=None):
    data = PeriodData(
        name=name,
        starts_on=date.fromisoformat(start),
        ends_on=date.fromisoformat(end),
        deadline=date.fromisoformat(deadline or end),
        meetings=[MeetingData(org.committees[0].id, date.fromisoformat(end), "KS 2026/17")],
    )
    return periods.create_period(org.management, data)


def update(initiative, when, status=Status.IN_PROGRESS, health=Health.ON_TRACK, progress=10,
           happened="", support=""):  # fmt: skip
    row = StatusUpdate(
        initiative=initiative,
        author=initiative.owner,
        created_at=when,
        status=status,
        health=health,
        progress=progress,
        happened=happened,
        support_needed=support,
    )
    db.session.add(row)
    initiative.status, initiative.health, initiative.progress = status, health, progress
    initiative.last_update_at = when
    db.session.flush()
    support_requests.after_update(initiative.owner, initiative, row)  # as the services do
    return row


def freeze(org, p, committee=None, reason="", expected=None, user=None, maturity=False):
    committee = committee or org.committees[0]
    return services.freeze(
        user or org.management,
        p,
        services.FreezeRequest(
            [committee.id], expected or {committee.id: 0}, reason, with_maturity=maturity
        ),
        tz=TZ,
        stale_days=30,
        organisation="Nykvarns kommun",
        locale="sv",
    )


def initiative(org, title, **fields):
    fields.setdefault("created_at", at("2025-12-01"))
    return factories.make_initiative(org.manager, org.departments[0], title=title, **fields)


# --- periods ------------------------------------------------------------------------------------


def test_a_period_is_saved_with_its_meetings(org):
    p = period(org)
    db.session.commit()
    assert p.name == "Tertial 1 2026"
    assert [(m.committee_id, m.dnr) for m in p.meetings] == [(org.committees[0].id, "KS 2026/17")]
    assert periods.bounds(p, TZ)[0] == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "deadline", "field"),
    [
        ("2027-05-01", "2027-04-30", "2027-04-30", "ends_on"),
        ("2027-01-01", "2027-04-30", "2027-05-10", "deadline"),
        ("2027-01-01", "2027-04-30", "2026-12-31", "deadline"),
        ("2026-04-30", "2026-08-31", "2026-08-31", "starts_on"),  # overlaps T1 by one day
        ("2025-06-01", "2027-06-01", "2026-06-01", "starts_on"),  # encloses it
    ],
)
def test_bad_dates_are_refused_with_the_field_named(org, start, end, deadline, field):
    period(org)
    with pytest.raises(PeriodError) as caught:
        period(org, "Annan", start, end, deadline)
    assert caught.value.field == field


def test_adjacent_periods_and_names(org):
    period(org)
    period(org, "Tertial 2 2026", "2026-05-01", "2026-08-31")
    with pytest.raises(PeriodError) as caught:
        period(org, "Tertial 1 2026", "2026-09-01", "2026-12-31")
    assert caught.value.field == "name"


def test_only_management_and_admins_keep_the_calendar(org):
    from tracker.permissions import PermissionDenied

    data = PeriodData("X", date(2030, 1, 1), date(2030, 2, 1), date(2030, 1, 20))
    for user in (org.manager, org.committee_reader):
        with pytest.raises(PermissionDenied):
            periods.create_period(user, data)
    assert periods.create_period(org.admin, data).id


def test_open_early_and_close(org):
    p = period(org, "Framtid", "2027-01-01", "2027-04-30")
    today = date(2026, 12, 1)
    assert periods.open_period(today) is None
    periods.open_early(org.management, p)
    assert periods.open_period(today) == p
    periods.close(org.management, p)
    assert periods.open_period(today) is None
    periods.reopen(org.management, p)
    assert periods.open_period(today) == p


def test_the_next_period_opened_early_does_not_hide_the_current_one(org):
    """Managers report in the open period whose reports are due first: the current one until
    its last day for reports, then the next one opened early (the reminders name the same)."""
    current = period(org, "Tertial 3 2026", "2026-09-01", "2026-12-31", "2026-12-21")
    following = period(org, "Tertial 1 2027", "2027-01-01", "2027-04-30", "2027-04-20")
    periods.open_early(org.management, following)
    assert periods.open_period(date(2026, 12, 7)) == current
    assert periods.open_period(date(2026, 12, 21)) == current
    assert periods.open_period(date(2026, 12, 22)) == following  # the current one's day passed
    periods.close(org.management, following)
    assert periods.open_period(date(2026, 12, 22)) == current  # the only one open, though late
    assert periods.reports_from(current, TZ) == date(2026, 9, 1)
    following.opened_at = datetime(2026, 12, 10, 9, tzinfo=UTC)
    following.closed_at = None
    assert periods.reports_from(following, TZ) == date(2026, 12, 10)


def test_a_period_opened_early_takes_reports_from_its_opening(org):
    """Opened before its first day, a period counts the updates written since then as its
    reports: what managers post after the opening is not lost as "missing"."""
    p = period(org, "Tertial 2 2026", "2026-05-01", "2026-08-31")
    a = initiative(org, "Tidig")
    before = update(a, at("2026-04-20"), happened="Före öppningen")
    p.opened_at = at("2026-04-25")
    assert reporting.reported_ids(p, [a.id], TZ) == set()
    early = update(a, at("2026-04-27"), happened="Tidig rapport")
    assert reporting.reported_ids(p, [a.id], TZ) == {a.id}
    assert reporting.missing(org.management, p, TZ) == []
    assert reporting.period_of_update_now(at("2026-04-27"), TZ) == p
    [entry] = snapshot.build(org.committees[0], p, TZ, 30, "K")["initiatives"]
    assert entry["report"]["happened"] == "Tidig rapport"
    reporting.mark_report(org.manager, p, a, early, TZ)
    with pytest.raises(PeriodError):
        reporting.mark_report(org.manager, p, a, before, TZ)


def test_an_update_marked_for_one_period_does_not_count_for_the_other(org):
    """The next period opened early overlaps the current one: an update the manager marks as
    one period's report is not the other's too (both counts rose by one, found by review); an
    unmarked update inside both still counts for both, as each period's rule says."""
    current = period(org, "Tertial 3 2026", "2026-09-01", "2026-12-31", "2026-12-21")
    following = period(org, "Tertial 1 2027", "2027-01-01", "2027-04-30", "2027-04-20")
    following.opened_at = at("2026-12-05")
    for_current, for_following, unmarked = (initiative(org, t) for t in ("A", "B", "C"))
    reporting.mark_report(
        org.manager, current, for_current, update(for_current, at("2026-12-07")), TZ,
        now=at("2026-12-07"),
    )  # fmt: skip
    early = update(for_following, at("2026-12-08"), happened="Tidigt för nästa")
    reporting.mark_report(org.manager, following, for_following, early, TZ, now=at("2026-12-08"))
    update(unmarked, at("2026-12-09"))
    ids = [for_current.id, for_following.id, unmarked.id]
    assert reporting.reported_ids(current, ids, TZ) == {for_current.id, unmarked.id}
    assert reporting.reported_ids(following, ids, TZ) == {for_following.id, unmarked.id}
    assert set(reporting.period_updates(current, ids, TZ)) == {for_current.id, unmarked.id}
    assert reporting.overview(org.management, current, TZ).total.reported == 2
    [entry] = [
        e
        for e in snapshot.build(org.committees[0], following, TZ, 30, "K")["initiatives"]
        if e["id"] == for_following.id
    ]
    assert entry["report"]["happened"] == "Tidigt för nästa"
    [entry] = [
        e
        for e in snapshot.build(org.committees[0], current, TZ, 30, "K")["initiatives"]
        if e["id"] == for_following.id
    ]
    assert entry["report"] is None or entry["report"]["happened"] != "Tidigt för nästa"


def test_a_closed_period_takes_no_more_reports_until_it_is_reopened(org):
    """Closed, a period's "who has reported" stays as it was (it rose with every late report,
    found by review); reopened, it counts what was written meanwhile."""
    p = period(org, "Tertial 3 2026", "2026-09-01", "2026-12-31", "2026-12-21")
    on_time, late = initiative(org, "I tid"), initiative(org, "Sent")
    update(on_time, at("2026-12-01"))
    p.closed_at = at("2026-12-05")
    update(late, at("2026-12-06"))
    assert reporting.reported_ids(p, [on_time.id, late.id], TZ) == {on_time.id}
    assert reporting.overview(org.management, p, TZ).total.reported == 1
    p.closed_at = None
    assert reporting.reported_ids(p, [on_time.id, late.id], TZ) == {on_time.id, late.id}


# --- who has reported ---------------------------------------------------------------------------


def test_who_has_reported_per_department_and_owner(org):
    p = period(org)
    hr = org.departments[1]
    a = initiative(org, "A")
    update(a, at("2026-02-01"))
    b = initiative(org, "B")
    update(b, at("2025-12-15"))  # before the period
    c = factories.make_initiative(org.other_manager, hr, title="C", created_at=at("2025-12-01"))
    update(c, at("2026-04-30", 21))  # 23:00 Swedish time on the last day: inside
    finished = initiative(org, "Done", status=Status.DONE)  # owes nothing
    late = initiative(org, "Late", created_at=at("2026-06-01"))  # did not exist yet
    del finished, late
    overview = reporting.overview(org.management, p, TZ)
    assert (overview.total.reported, overview.total.due) == (2, 3)
    assert [(t.key, t.reported, t.due, t.share) for t in overview.departments] == [
        ("HR", 1, 1, 100),
        ("IT", 1, 2, 50),
    ]
    assert [m.title for m in reporting.missing(org.management, p, TZ)] == ["B"]
    assert reporting.missing(org.management, p, TZ, department="HR") == []
    assert reporting.reported_ids(p, [a.id, b.id, c.id], TZ) == {a.id, c.id}


def test_a_marked_update_is_the_report(org):
    p = period(org)
    a = initiative(org, "A")
    first = update(a, at("2026-02-01"), happened="Den riktiga rapporten")
    update(a, at("2026-03-01"), happened="Ett tillägg")
    reporting.mark_report(org.manager, p, a, first, TZ)
    [entry] = snapshot.build(org.committees[0], p, TZ, 30, "K")["initiatives"]
    assert entry["report"]["happened"] == "Den riktiga rapporten"
    assert entry["report"]["marked"] is True
    outside = update(a, at("2026-06-01"))
    with pytest.raises(PeriodError):
        reporting.mark_report(org.manager, p, a, outside, TZ)


def test_no_update_is_marked_as_the_report_of_a_period_not_open(org):
    """Closed, or not started and not opened early: the mark is refused with the reason (the
    rule a reminder obeys too), and nothing is marked."""
    from tracker.models import PeriodReportMark
    from tracker.reports.errors import PeriodNotOpen

    p = period(org)
    a = initiative(org, "A")
    inside = update(a, at("2026-02-01"))
    periods.close(org.management, p)
    with pytest.raises(PeriodNotOpen) as refused:
        reporting.mark_report(org.manager, p, a, inside, TZ, now=at("2026-03-01"))
    assert refused.value.closed is True
    periods.reopen(org.management, p)
    reporting.mark_report(org.manager, p, a, inside, TZ, now=at("2026-03-01"))
    later = period(org, "Tertial 2 2026", "2026-05-01", "2026-08-31")
    with pytest.raises(PeriodNotOpen) as early:
        reporting.mark_report(org.manager, later, a, inside, TZ, now=at("2026-04-20"))
    assert early.value.closed is False
    assert [m.period_id for m in db.session.query(PeriodReportMark)] == [p.id]


# --- freezing -----------------------------------------------------------------------------------


def test_the_snapshot_holds_the_report_as_of_the_period_end(org):
    p = period(org)
    a = initiative(org, "Digital post", principles=org.principles[:2], benefit="Snabbare svar")
    update(a, at("2026-02-01"), progress=20, happened="Upphandlat", support="Hjälp med avtal")
    update(a, at("2026-06-01"), status=Status.DONE, progress=100)  # after the period
    db.session.add(
        Decision(initiative_id=a.id, author_id=org.management.id, decided_on=date(2026, 3, 2),
                 meeting="LG 2026-03-02", kind=DecisionKind.SUPPORT, comment="Ja")
    )  # fmt: skip
    db.session.add(
        Decision(initiative_id=a.id, author_id=org.management.id, decided_on=date(2026, 6, 2),
                 meeting="LG 2026-06-02", kind=DecisionKind.CLOSE)
    )  # fmt: skip
    [report] = freeze(org, p)
    db.session.commit()
    content = json.loads(report.content)
    assert report.version == 1 and report.frozen_by_name == "Lena Ledning"
    assert report.sha256 == hashlib.sha256(report.content.encode()).hexdigest()
    assert report.content == snapshot.canonical(content)
    assert content["period"]["name"] == "Tertial 1 2026"
    assert content["meeting"] == {"date": "2026-04-30", "dnr": "KS 2026/17"}
    [entry] = content["initiatives"]
    assert entry["status"] == "in_progress" and entry["progress"] == 20
    assert entry["benefit"] == "Snabbare svar"
    assert entry["report"] == {
        "date": "2026-02-01",
        "happened": "Upphandlat",
        "next_steps": "",
        "support_needed": "Hjälp med avtal",
        "marked": False,
    }
    assert [p["key"] for p in entry["principles"]] == ["tillganglighet", "trygghet"]
    assert entry["principles"][0]["motivation"] == "Bidrar till Tillgänglighet"
    assert [d["meeting"] for d in entry["decisions"]] == ["LG 2026-03-02"]
    assert content["changes"]["previous"] is None
    assert content["changes"]["support_asked"][0]["text"] == "Hjälp med avtal"


def test_only_the_committees_own_initiatives(org):
    p = period(org)
    initiative(org, "KS-initiativ")
    factories.make_initiative(org.other_manager, title="BUN-initiativ", created_at=at("2025-12-01"))
    [report] = freeze(org, p)
    assert [e["title"] for e in json.loads(report.content)["initiatives"]] == ["KS-initiativ"]


def test_later_edits_never_change_a_frozen_report(org, client, auth):
    p = period(org)
    a = initiative(org, "A")
    update(a, at("2026-02-01"))
    [report] = freeze(org, p)
    db.session.commit()
    before = report.content
    auth.login("ledning@example.se")
    csv_before = client.get(f"/reports/{report.id}.csv").data
    a.title = "Nytt namn"
    update(a, at("2026-03-15"), status=Status.PAUSED, progress=90)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(FrozenReport, report.id).content == before
    assert client.get(f"/reports/{report.id}.csv").data == csv_before
    assert "Nytt namn" not in client.get(f"/reports/{report.id}").get_data(as_text=True)


def test_a_correction_is_a_new_version_with_a_reason(org):
    p = period(org)
    initiative(org, "A")
    [first] = freeze(org, p)
    committee = org.committees[0]
    with pytest.raises(FreezeError):  # the same click again
        freeze(org, p)
    with pytest.raises(FreezeError):  # a reason, but from a stale view
        freeze(org, p, reason="Rättelse", expected={committee.id: 0})
    [second] = freeze(org, p, reason="Fel status", expected={committee.id: 1})
    db.session.commit()
    assert (first.version, second.version) == (1, 2)
    assert json.loads(second.content)["reason"] == "Fel status"
    assert [v.version for v in services.versions(first)] == [2, 1]
    assert db.session.get(FrozenReport, first.id).content == first.content


def test_two_freezes_at_once_give_one_version(org):
    """The unique constraint settles a race the version check cannot see."""
    p = period(org)
    [report] = freeze(org, p)
    db.session.commit()
    twin = FrozenReport(
        period_id=p.id, committee_id=report.committee_id, version=1, frozen_by_name="X",
        content="{}", sha256="0" * 64,
    )  # fmt: skip
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.query(FrozenReport).count() == 1


def test_freezing_all_committees_at_once(org):
    p = period(org)
    ids = [c.id for c in org.committees]
    frozen = services.freeze(
        org.admin, p, services.FreezeRequest(ids, {}), tz=TZ, stale_days=30, organisation="K",
        locale="en",
    )  # fmt: skip
    assert sorted(r.committee_id for r in frozen) == sorted(ids)


def test_all_at_once_freezes_only_the_active_committees(org):
    """An inactive committee gets no report from "Fastställ alla"; it can still be frozen on its
    own (a committee closed down mid-period may need its last report)."""
    p = period(org)
    retired = factories.make_committee("GN", "Gamla nämnden")
    retired.active = False
    ids = [c.id for c in (*org.committees, retired)]
    request = services.FreezeRequest(ids, dict.fromkeys(ids, 0), only_unfrozen=True)
    frozen = services.freeze(
        org.management, p, request, tz=TZ, stale_days=30, organisation="K", locale="sv"
    )
    assert sorted(r.committee_id for r in frozen) == sorted(c.id for c in org.committees)
    # Nothing left but the inactive one: refused, not frozen.
    expected = {**dict.fromkeys(ids, 1), retired.id: 0}
    with pytest.raises(FreezeError) as nothing_left:
        services.freeze(
            org.management, p, services.FreezeRequest(ids, expected, only_unfrozen=True),
            tz=TZ, stale_days=30, organisation="K", locale="en",
        )  # fmt: skip
    assert nothing_left.value.field == "committee"
    [own] = freeze(org, p, committee=retired)
    assert own.committee_id == retired.id and own.version == 1


def test_a_failed_freeze_leaves_nothing(org):
    p = period(org)
    [done] = freeze(org, p)
    db.session.commit()
    ids = [c.id for c in org.committees]
    with pytest.raises(FreezeError):  # the second committee is new, the first is not expected
        services.freeze(
            org.admin, p, services.FreezeRequest(ids, {}), tz=TZ, stale_days=30, organisation="K",
            locale="sv",
        )  # fmt: skip
    db.session.rollback()
    assert [r.id for r in db.session.query(FrozenReport)] == [done.id]


def test_the_application_never_changes_or_deletes_a_frozen_report(org):
    p = period(org)
    [report] = freeze(org, p)
    db.session.commit()
    report.reason = "Ändrad i efterhand"
    with pytest.raises(FrozenReportImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(FrozenReport, report.id))
    with pytest.raises(FrozenReportImmutable):
        db.session.flush()
    db.session.rollback()
    # Past the ORM, the database's triggers refuse as well.
    for statement in ("UPDATE frozen_report SET reason = 'x'", "DELETE FROM frozen_report"):
        with pytest.raises(DBAPIError):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.get(FrozenReport, report.id).reason == ""


# --- the comparison, on a hand-built pair where every cell is known -------------------------------


def entry(id_, title, status="in_progress", health="on_track", progress=10, report=True,
          support="", decisions=()):  # fmt: skip
    return {
        "id": id_,
        "title": title,
        "department": "IT",
        "owner": "Cecilia",
        "status": status,
        "health": health,
        "progress": progress,
        "report": {"date": "2026-02-01", "happened": "", "next_steps": "",
                   "support_needed": support, "marked": False} if report else None,
        "decisions": list(decisions),
    }  # fmt: skip


def test_the_comparison_of_two_known_reports():
    previous = {
        "period": {"name": "T1", "ends_on": "2026-04-30"},
        "version": 1,
        "frozen_at": "2026-05-05T10:00:00+00:00",
        "initiatives": [
            entry(1, "Oförändrad"),
            entry(2, "Blir klar", progress=80),
            entry(3, "Pausas", health="at_risk"),
            entry(4, "Avbryts", health="off_track", support="Pengar"),
            entry(5, "Försvinner"),
            entry(6, "Bättre", health="off_track", support="Folk"),
        ],
    }
    decision = {"date": "2026-06-01", "meeting": "LG", "kind": "support", "text": "",
                "comment": "Beviljat"}  # fmt: skip
    current = {
        "initiatives": [
            entry(1, "Oförändrad"),
            entry(2, "Blir klar", status="done", progress=100),
            entry(3, "Pausas", status="paused", health="off_track", report=False),
            entry(4, "Avbryts", status="cancelled", health="off_track", progress=10,
                  support="Pengar", decisions=[decision]),
            entry(6, "Bättre", health="on_track", progress=35),
            entry(7, "Ny", status="planned", progress=0, support="Stöd"),
            entry(8, "Tyst", status="planned", progress=0, report=False),
        ],
    }  # fmt: skip
    result = compare.compare(previous, current)
    ref = lambda i, t: {"id": i, "title": t, "department": "IT"}  # noqa: E731
    assert result["previous"] == {
        "period": "T1", "ends_on": "2026-04-30", "version": 1,
        "frozen_at": "2026-05-05T10:00:00+00:00",
    }  # fmt: skip
    assert result["new"] == [
        {**ref(7, "Ny"), "status": "planned", "health": "on_track"},
        {**ref(8, "Tyst"), "status": "planned", "health": "on_track"},
    ]
    assert result["gone"] == [ref(5, "Försvinner")]
    assert result["finished"] == [{**ref(2, "Blir klar"), "from": "in_progress", "to": "done"}]
    assert result["paused"] == [{**ref(3, "Pausas"), "from": "in_progress", "to": "paused"}]
    assert result["cancelled"] == [{**ref(4, "Avbryts"), "from": "in_progress", "to": "cancelled"}]
    assert [c["id"] for c in result["status_changes"]] == [2, 3, 4]
    assert result["assessment_changes"] == [
        {**ref(3, "Pausas"), "from": "at_risk", "to": "off_track", "direction": "worse"},
        {**ref(6, "Bättre"), "from": "off_track", "to": "on_track", "direction": "better"},
    ]
    assert result["progress_changes"] == [
        {**ref(2, "Blir klar"), "from": 80, "to": 100, "delta": 20},
        {**ref(6, "Bättre"), "from": 10, "to": 35, "delta": 25},
    ]
    assert result["decisions"] == [{**ref(4, "Avbryts"), **decision}]
    assert result["support_asked"] == [{**ref(7, "Ny"), "text": "Stöd"}]
    assert result["support_answered"] == [
        {**ref(4, "Avbryts"), "text": "Pengar"},  # a support decision in the period
        {**ref(6, "Bättre"), "text": "Folk"},  # no longer asked for
    ]
    assert result["without_report"] == [
        {**ref(3, "Pausas"), "owner": "Cecilia"},
        {**ref(8, "Tyst"), "owner": "Cecilia"},
    ]
    assert compare.has_changes(result)


def test_the_next_frozen_report_compares_with_the_previous_one(org):
    t1 = period(org)
    t2 = period(org, "Tertial 2 2026", "2026-05-01", "2026-08-31")
    a = initiative(org, "A")
    update(a, at("2026-02-01"), progress=20)
    [first] = freeze(org, t1)
    update(a, at("2026-06-01"), health=Health.AT_RISK, progress=45)
    initiative(org, "B", created_at=at("2026-07-01"))
    [second] = freeze(org, t2)
    changes = json.loads(second.content)["changes"]
    assert changes["previous"]["period"] == "Tertial 1 2026"
    assert [c["title"] for c in changes["new"]] == ["B"]
    assert changes["progress_changes"][0]["delta"] == 25
    assert changes["assessment_changes"][0]["direction"] == "worse"
    assert [c["title"] for c in changes["without_report"]] == ["B"]
    assert first.id != second.id


def test_the_reports_show_the_support_requests_as_they_stood_not_the_update_text(org, monkeypatch):
    """Support lives in the request, not in one update's text: a request asked in T1 and
    answered in T2 is open in T1's report and answered in T2's; one withdrawn is withdrawn, not
    asked; one still open after an update with an empty field stays open (silence is not an
    answer); what a request asked is what it asked at the period's end."""
    t1 = period(org)
    t2 = period(org, "Tertial 2 2026", "2026-05-01", "2026-08-31")
    answered = initiative(org, "Besvaras")
    withdrawn = initiative(org, "Dras tillbaka")
    still_open = initiative(org, "Fortsatt öppen")
    update(answered, at("2026-02-01"), support="Pengar till licenser")
    update(withdrawn, at("2026-02-02"), support="Hjälp med juridik")
    update(still_open, at("2026-02-03"), support="En projektledare")
    [first] = freeze(org, t1)
    one = {e["title"]: e for e in json.loads(first.content)["initiatives"]}
    assert one["Besvaras"]["support"] == {"text": "Pengar till licenser", "since": "2026-02-01",
                                          "days": 88}  # fmt: skip
    assert [c["text"] for c in json.loads(first.content)["changes"]["support_asked"]] == [
        "Pengar till licenser", "Hjälp med juridik", "En projektledare",
    ]  # fmt: skip

    decision = Decision(
        initiative_id=answered.id,
        author_id=org.management.id,
        decided_on=date(2026, 6, 10),
        meeting="LG",
        kind=DecisionKind.SUPPORT,
    )
    db.session.add(decision)
    db.session.flush()
    monkeypatch.setattr(support_requests, "utcnow", lambda: at("2026-06-10"))
    support_requests.answer(org.management, answered, decision)
    monkeypatch.setattr(support_requests, "utcnow", lambda: at("2026-06-11"))
    support_requests.withdraw(org.manager, withdrawn)
    update(still_open, at("2026-06-12"), happened="Rekrytering pågår")  # the field left empty
    update(still_open, at("2026-09-15"), support="Två projektledare")  # after T2's end
    [second] = freeze(org, t2)
    content = json.loads(second.content)
    two = {e["title"]: e for e in content["initiatives"]}
    assert two["Besvaras"]["support"] is None
    assert two["Besvaras"]["support_closed"] == [
        {"text": "Pengar till licenser", "outcome": "answered", "date": "2026-06-10"}
    ]
    assert two["Dras tillbaka"]["support"] is None
    assert two["Fortsatt öppen"]["support"]["text"] == "En projektledare"
    assert two["Fortsatt öppen"]["report"]["support_needed"] == ""
    changes = content["changes"]
    assert changes["support_asked"] == []  # nothing new was asked in T2
    assert [(c["title"], c["outcome"]) for c in changes["support_answered"]] == [
        ("Besvaras", "answered"), ("Dras tillbaka", "withdrawn"),
    ]  # fmt: skip

    # What the next user does with it: reads the frozen report and its exports.
    from tracker.reports import render

    rows = {r.title: r for r in render.rows(content, "sv")}
    assert rows["Fortsatt öppen"].support.text == "En projektledare"
    assert rows["Besvaras"].support is None and rows["Dras tillbaka"].support is None
    department = org.departments[0].name
    tables = render.change_tables(changes)
    [table] = [t for t in tables if "Återtagen av initiativets ägare" in str(t.rows)]
    assert table.title == "Stöd som besvarats eller dragits tillbaka"
    assert table.rows == [
        ["Besvaras", department, "Pengar till licenser", "Besvarad med ett beslut"],
        ["Dras tillbaka", department, "Hjälp med juridik", "Återtagen av initiativets ägare"],
    ]


def test_a_report_frozen_before_support_requests_compares_by_its_text():
    """A schema-1 report (no "support" in its entries) is compared by its reports' text, as
    before, with a schema-2 report after it."""
    previous = {"period": {"name": "T1", "ends_on": "2026-04-30"},
                "initiatives": [entry(1, "A", support="Pengar")]}  # fmt: skip
    current = {"initiatives": [{**entry(1, "A"), "support": None, "support_closed": []}]}
    result = compare.compare(previous, current)
    # Asked then, not open now and not closed in this period: dealt with in between.
    assert result["support_answered"] == [
        {"id": 1, "title": "A", "department": "IT", "text": "Pengar", "outcome": ""}
    ]
    current["initiatives"][0]["support"] = {"text": "Pengar", "since": "2026-02-01", "days": 1}
    assert compare.compare(previous, current)["support_asked"] == []
    assert compare.compare(previous, current)["support_answered"] == []


def test_an_answer_is_listed_once_since_the_report_compared_with():
    """A live comparison against a report of the same period, frozen on 2026-06-15: a request
    withdrawn on the 10th was in that report already (not open there), one withdrawn on the
    20th is new."""
    closed = [
        {"text": "Förra", "outcome": "withdrawn", "date": "2026-06-10"},
        {"text": "Nya", "outcome": "withdrawn", "date": "2026-06-20"},
    ]
    open_then = {"text": "Nya", "since": "2026-06-01", "days": 14}
    previous = {
        "period": {"name": "T2", "ends_on": "2026-08-31"},
        "frozen_at": "2026-06-15T10:00:00+00:00",
        "initiatives": [{**entry(1, "A"), "support": open_then, "support_closed": []}],
    }
    current = {"initiatives": [{**entry(1, "A"), "support": None, "support_closed": closed}]}
    answered = compare.compare(previous, current)["support_answered"]
    assert [(c["text"], c["outcome"]) for c in answered] == [("Nya", "withdrawn")]


def test_a_decision_that_pauses_an_initiative_is_not_its_owners_report(org):
    """A management decision with a status moves the initiative's state, but the owner still
    owes the period's report: it stays missing, the reminders still count it, it cannot be
    marked as the report, and the frozen report shows the owner's own report, not the decision
    as if it were one."""
    from tracker.mail.planning import _missing_by_owner
    from tracker.models import DecisionKind
    from tracker.portfolio.decisions import DecisionData, record_decision

    today = datetime.now(TZ).date()
    p = period(
        org,
        "Nu",
        (today - timedelta(days=20)).isoformat(),
        (today + timedelta(days=20)).isoformat(),
    )
    a = initiative(org, "Pausas", status=Status.IN_PROGRESS)
    db.session.commit()
    record_decision(
        org.management,
        a,
        DecisionData(today, "Ledningsgruppen", DecisionKind.PAUSE, new_status=Status.PAUSED),
    )
    db.session.commit()
    assert a.status is Status.PAUSED
    # Its latest report is still the owner's (none): it stays silent, as before the decision.
    assert a.last_update_at is None and a.is_stale(30, datetime.now(UTC) + timedelta(days=31))
    decided = db.session.scalar(
        select(StatusUpdate)
        .where(StatusUpdate.initiative_id == a.id)
        .order_by(StatusUpdate.id.desc())
    )
    assert decided.decision_id is not None
    assert reporting.reported_ids(p, [a.id], TZ) == set()
    assert [m.id for m in reporting.missing(org.management, p, TZ)] == [a.id]
    assert _missing_by_owner(p) == {org.manager: [(a.id, "Pausas")]}  # still reminded
    assert reporting.period_updates(p, [a.id], TZ) == {}
    with pytest.raises(PeriodError):
        reporting.mark_report(org.manager, p, a, decided, TZ)
    [frozen] = freeze(org, p)
    [entry] = json.loads(frozen.content)["initiatives"]
    assert entry["status"] == "paused" and entry["report"] is None
    # The owner reports: now it counts, and a correction shows that report.
    own = update(a, datetime.now(UTC), status=Status.PAUSED, happened="Pausat i väntan på beslut")
    db.session.commit()
    assert reporting.reported_ids(p, [a.id], TZ) == {a.id}
    assert reporting.missing(org.management, p, TZ) == [] and _missing_by_owner(p) == {}
    [correction] = freeze(org, p, reason="Ägarens rapport", expected={org.committees[0].id: 1})
    [entry] = json.loads(correction.content)["initiatives"]
    assert entry["report"]["happened"] == "Pausat i väntan på beslut" and own.decision_id is None


def test_a_report_frozen_before_support_requests_still_shows_what_it_asked():
    """Schema 1 kept the ask in the report's text only: the page and the files show it."""
    from tracker.reports import render

    content = {
        "committee": {"name": "KS"},
        "period": {"ends_on": "2026-04-30"},
        "initiatives": [
            {**entry(1, "A", support="Pengar"), "purpose": "", "start_date": None,
             "target_date": None, "last_update": "2026-02-01", "stale": False,
             "principles": []},
        ],
    }  # fmt: skip
    [row] = render.rows(content, "sv")
    assert (row.support.text, row.support.since.isoformat(), row.support.days) == (
        "Pengar",
        "2026-02-01",
        88,
    )


@pytest.mark.parametrize(
    "name", ["Tertial\u202e 1", "Tertial\u200b 1", "Tertial\t1", "Ter\x00tial"]
)
def test_a_period_name_is_held_to_the_one_character_rule(org, name):
    """The period's own check is the forms' rule (tracker.validators), not a narrower copy of
    it: a character that turns the text around, an invisible one or a tab is refused too."""
    from tracker.reports.errors import PeriodError

    with pytest.raises(PeriodError) as refused:
        period(org, name=name)
    assert refused.value.field == "name"
