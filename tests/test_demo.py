"""The demo municipality: what it contains, and that every initiative mirrors its latest update."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tracker import demo
from tracker.auth.passwords import verify_password
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Committee,
    Department,
    FrozenReport,
    Health,
    Initiative,
    Principle,
    PrincipleLink,
    Role,
    Status,
    StatusUpdate,
    User,
)

PASSWORD = "demo-password-for-tests"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def seeded(app) -> str:
    summary = demo.seed(password=PASSWORD, now=NOW)
    db.session.commit()
    return summary


def test_is_empty_before_and_not_after(app):
    assert demo.is_empty()
    demo.seed(password=PASSWORD)
    db.session.commit()
    assert not demo.is_empty()


def test_organisation(seeded):
    assert count(Committee) == 5
    assert count(Department) >= 10
    keys = db.session.scalars(select(Principle.key).order_by(Principle.sort_order)).all()
    assert keys == ["tillganglighet", "trygghet", "effektivitet"]
    assert seeded.startswith("5 committees, 11 departments, 14 users, 40 initiatives, ")


def test_departments_report_to_committees_and_some_have_parents(seeded):
    departments = db.session.scalars(select(Department)).all()
    assert all(d.committee is not None and d.code.isupper() for d in departments)
    assert any(d.parent is not None for d in departments)


def test_demo_accounts_have_their_roles_and_the_password(seeded):
    users = {u.email: u for u in db.session.scalars(select(User))}
    expected = {
        "admin@nykvarn.example": Role.ADMIN,
        "ledning@nykvarn.example": Role.MANAGEMENT,
        "namnd@nykvarn.example": Role.COMMITTEE,
        "chef@nykvarn.example": Role.MANAGER,
    }
    assert [email for email, _, _ in demo.DEMO_ACCOUNTS[:4]] == list(expected)
    for email, role in expected.items():
        assert users[email].role is role
    assert users["chef@nykvarn.example"].department is not None
    assert {email for email, _, _ in demo.DEMO_ACCOUNTS} == set(users)
    assert verify_password(users["chef@nykvarn.example"].password_hash, PASSWORD)
    assert not verify_password(users["chef@nykvarn.example"].password_hash, "wrong password")


def test_every_department_has_a_manager_who_owns_its_initiatives(seeded):
    managers = {
        u.department_id: u.id for u in db.session.scalars(select(User)) if u.role is Role.MANAGER
    }
    assert set(managers) == set(db.session.scalars(select(Department.id)))
    for initiative in db.session.scalars(select(Initiative)):
        assert initiative.owner_id == managers[initiative.department_id]


def test_the_demo_manager_owns_some_and_co_owns_one(seeded):
    chef = db.session.scalar(select(User).where(User.email == "chef@nykvarn.example"))
    owned = count_where(Initiative.owner_id == chef.id)
    assert 2 <= owned <= 3
    co_owned = [i for i in db.session.scalars(select(Initiative)) if chef in i.co_owners]
    assert len(co_owned) == 1


def count_where(condition) -> int:
    return db.session.scalar(select(func.count()).select_from(Initiative).where(condition))


def test_the_portfolio_has_the_mix_the_demo_needs(seeded):
    initiatives = db.session.scalars(select(Initiative)).all()
    assert 35 <= len(initiatives) <= 45
    assert count(StatusUpdate) > 4 * len(initiatives)
    statuses = {i.status for i in initiatives}
    assert statuses == set(Status)
    assert sum(i.health is Health.OFF_TRACK for i in initiatives) >= 4
    assert sum(i.health is Health.AT_RISK for i in initiatives) >= 3
    assert sum(i.is_stale(30, NOW) for i in initiatives) >= 5
    assert sum(not i.updates for i in initiatives) >= 2


def test_support_is_asked_for_in_some_latest_updates(seeded):
    latest = [i.updates[0] for i in db.session.scalars(select(Initiative)) if i.updates]
    assert sum(bool(u.support_needed) for u in latest) >= 3


def test_support_requests_follow_the_updates_so_earlier_reports_show_them(seeded):
    """Earlier updates that asked for support made requests too, withdrawn with the owner's
    next update that did not ask: the frozen reports of earlier periods have support asked and
    withdrawn, each request's dates those of its updates."""
    from tracker.models import SupportOutcome, SupportRequest

    requests = db.session.scalars(select(SupportRequest)).all()
    closed = [r for r in requests if r.closed_at is not None]
    assert closed and all(r.outcome is SupportOutcome.WITHDRAWN for r in closed)
    moments = {(u.initiative_id, u.created_at) for u in db.session.scalars(select(StatusUpdate))}
    for request in requests:
        assert (request.initiative_id, request.opened_at) in moments
        if request.closed_at is not None:
            assert (request.initiative_id, request.closed_at) in moments
            assert request.closed_at > request.opened_at
    reports = [json.loads(r.content) for r in db.session.scalars(select(FrozenReport))]
    assert any(e.get("support") for r in reports for e in r["initiatives"])
    assert any(r["changes"]["support_answered"] for r in reports)


def test_every_initiative_has_motivated_principle_links(seeded):
    links = defaultdict(list)
    for link in db.session.scalars(select(PrincipleLink)):
        links[link.initiative_id].append(link)
    for initiative_id in db.session.scalars(select(Initiative.id)):
        assert 1 <= len(links[initiative_id]) <= 3
        assert all(len(link.motivation) > 20 for link in links[initiative_id])


def test_initiatives_mirror_their_latest_update(seeded):
    assert_consistent(expected=40)


def test_the_seed_is_recorded_in_the_audit_trail(seeded):
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "demo.seed"))
    assert event.changes == {"initiatives": 40}
    assert event.actor_id is None


def test_the_demo_is_deterministic(app):
    def portfolio():
        columns = (Initiative.title, Initiative.status, Initiative.progress, Initiative.created_at)
        return db.session.execute(select(*columns).order_by(Initiative.id)).all()

    demo.seed(password=PASSWORD, initiatives=60, now=NOW)
    db.session.commit()
    first = portfolio()
    db.session.remove()
    db.drop_all()
    db.create_all()
    demo.seed(password=PASSWORD, initiatives=60, now=NOW)
    assert portfolio() == first
    assert first[0].title == demo.PLANS[0].title


def test_scaled_demo(app):
    calls: list[tuple[int, int]] = []
    summary = demo.seed(
        password=PASSWORD,
        initiatives=300,
        progress=lambda phase, done, total: phase == "initiatives" and calls.append((done, total)),
        now=NOW,
    )
    db.session.commit()
    assert "300 initiatives" in summary
    assert calls[-1] == (300, 300)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert_consistent(expected=300)
    updates = count(StatusUpdate)
    assert 6 * 300 <= updates <= 14 * 300
    titles = db.session.scalars(select(Initiative.title)).all()
    assert len(set(titles)) == 300
    assert any(" – " in title for title in titles)


def assert_consistent(expected: int) -> None:
    """Status, health, progress and times of each initiative follow from its updates."""
    history = defaultdict(list)
    for update in db.session.scalars(select(StatusUpdate).order_by(StatusUpdate.created_at)):
        history[update.initiative_id].append(update)
    initiatives = db.session.scalars(select(Initiative)).all()
    assert len(initiatives) == expected
    for initiative in initiatives:
        updates = history[initiative.id]
        assert initiative.target_date >= initiative.start_date
        if not updates:
            assert (initiative.status, initiative.progress) == (Status.IDEA, 0)
            assert initiative.last_update_at is None
            continue
        latest = updates[-1]
        assert initiative.status is latest.status
        assert initiative.health is latest.health
        assert initiative.progress == latest.progress
        assert initiative.last_update_at == latest.created_at
        request = initiative.open_support_request
        assert (request is not None) == bool(latest.support_needed)
        if request is not None:
            assert (request.text, request.latest_update_id) == (latest.support_needed, latest.id)
        assert initiative.updated_at == latest.created_at
        assert initiative.created_at < updates[0].created_at
        assert latest.created_at < NOW
        assert all(u.author_id == initiative.owner_id for u in updates)
        assert len({u.created_at for u in updates}) == len(updates)
        progresses = [u.progress for u in updates]
        assert progresses == sorted(progresses)


def test_the_demo_has_benefits_in_every_state_and_one_overdue(seeded):
    from tracker.benefits import overview
    from tracker.benefits.figures import BenefitState
    from tracker.models import User
    from tracker.portfolio.filters import PortfolioFilter

    reader = db.session.query(User).filter_by(email="ledning@nykvarn.example").one()
    view = overview.build(reader, PortfolioFilter(), 30, NOW.date(), "sv")
    assert view.totals.total >= 8
    states = {row.figures.state for row in view.rows}
    assert states == set(BenefitState)
    assert view.overdue_rows, "the demo shows an overdue measurement"
    bygglov = next(r for r in view.rows if r.benefit.indicator.name.startswith("Andel bygglov"))
    assert bygglov.benefit.indicator.baseline_value == 12
    assert len(bygglov.figures.measurements) >= 4
    done = [r for r in view.rows if r.benefit.initiative.status.value == "done"]
    assert done and all(r.figures.next_due for r in done), "measuring goes on after delivery"


def test_the_demo_publishes_some_initiatives_and_leaves_one_proposal(seeded, client):
    """The public page of the demo shows initiatives with their summaries for residents (the
    owner proposed, the management group approved), and one proposal waits for approval."""
    from tracker.models import Publication, PublicationState

    states = {
        title: state
        for title, state in db.session.execute(
            select(Initiative.title, Publication.state).join(
                Publication, Publication.initiative_id == Initiative.id
            )
        )
    }
    assert list(states.values()).count(PublicationState.PUBLISHED) == 6
    assert states["Bibliotekets e-tjänster och meröppet bibliotek"] == PublicationState.PROPOSED
    assert "6 initiatives on the public page" in seeded
    page = client.get("/public").get_data(as_text=True)
    assert "Digital bygglovsprocess" in page and "6 initiativ" in page
    assert "Bibliotekets e-tjänster" not in page  # not approved yet
    approvals = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("publication.%"))
    ).all()
    assert approvals.count("publication.propose") == 7
    assert approvals.count("publication.approve") == 6
