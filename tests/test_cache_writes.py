"""Invalidating only what a write changes: per kind of write, which cached pages it reaches.

Each test fills the cache with the board and the dashboard of three readers (the management group,
whose pages cover the whole portfolio; a reader of KS; a reader of BUN), makes one kind of write
to an initiative of KS (or a change that is not one committee's), and checks whose pages are then
computed afresh and whose are still served from the cache. A page served from the cache costs one
query (the counters); a recomputed one many more. The clock stands still, so a new minute never
empties the cache in the middle of a test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tracker import cache
from tracker.admin.services import settings as settings_services
from tracker.benefits import services as benefit_services
from tracker.benefits.services import MeasurementData
from tracker.extensions import db
from tracker.initiatives import services as initiative_services
from tracker.models import (
    DecisionKind,
    Health,
    Initiative,
    PrincipleLink,
    Role,
    Status,
    StatusUpdate,
    User,
)
from tracker.permissions import committee_scope
from tracker.portfolio import board, dashboard
from tracker.portfolio.decisions import DecisionData, record_decision
from tracker.portfolio.filters import PortfolioFilter

from . import factories
from .test_benefits import TODAY, _data
from .test_reports import freeze, period

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
READERS = ("management", "ks", "bun")


@pytest.fixture
def portfolio(org, monkeypatch):
    monkeypatch.setattr(cache, "utcnow", lambda: NOW)
    ks, bun = org.committees
    org.committee_reader.committee_id = ks.id
    bun_reader = factories.make_user(
        Role.COMMITTEE, None, email="bun@example.se", name="Britt Bun", committee_id=bun.id
    )
    ours = factories.make_initiative(
        org.manager, org.departments[0], principles=org.principles[:1], updates=1,
        title="Digital nämndhandling", status=Status.IN_PROGRESS,
    )  # fmt: skip
    theirs = factories.make_initiative(
        org.other_manager, org.departments[2], principles=org.principles[:1], updates=1,
        title="Läsplattor i förskolan", status=Status.IN_PROGRESS,
    )  # fmt: skip
    db.session.commit()
    return SimpleNamespace(
        org=org,
        ours=ours.id,
        theirs=theirs.id,
        readers={"management": org.management.id, "ks": org.committee_reader.id,
                 "bun": bun_reader.id},
    )  # fmt: skip


def _reader(portfolio, name: str) -> User:
    user = db.session.get(User, portfolio.readers[name])
    committee_scope(user)  # loaded before any query is counted
    return user


def _pages(user: User):
    return (
        board.columns(user, PortfolioFilter(), 30),
        dashboard.build(user, PortfolioFilter(), 30),
    )


def _fill(portfolio) -> None:
    db.session.rollback()  # a fresh transaction: it sees every commit so far
    for name in READERS:
        _pages(_reader(portfolio, name))


def _served_from_cache(portfolio, count_queries) -> dict[str, bool]:
    db.session.rollback()
    served = {}
    for name in READERS:
        user = _reader(portfolio, name)
        with count_queries() as counter:
            _pages(user)
        served[name] = counter.count == 2  # the counters, once per page
    return served


def _cards(portfolio, name: str) -> dict[int, tuple[str, Status, str]]:
    """What the reader's board shows of each initiative: its title, column and health."""
    return {
        card.id: (card.title, column.status, card.health.value)
        for column in board.columns(_reader(portfolio, name), PortfolioFilter(), 30)
        for card in column.cards
    }


def _ours(portfolio) -> Initiative:
    return db.session.get(Initiative, portfolio.ours)


def test_filled_pages_are_served_from_the_cache(portfolio, count_queries):
    _fill(portfolio)
    assert _served_from_cache(portfolio, count_queries) == dict.fromkeys(READERS, True)


def test_a_status_update_reaches_the_portfolio_and_its_committee_only(portfolio, count_queries):
    _fill(portfolio)
    before = _cards(portfolio, "ks")[portfolio.ours]
    manager = db.session.get(User, portfolio.org.manager.id)
    initiative_services.post_update(
        manager, _ours(portfolio), initiative_services.UpdateData(Status.PAUSED, Health.AT_RISK, 40)
    )
    db.session.commit()
    assert _served_from_cache(portfolio, count_queries) == {
        "management": False, "ks": False, "bun": True,
    }  # fmt: skip
    for name in ("management", "ks"):
        assert _cards(portfolio, name)[portfolio.ours] != before
        assert _cards(portfolio, name)[portfolio.ours][1:] == (Status.PAUSED, "at_risk")
    assert portfolio.ours not in _cards(portfolio, "bun")


def test_an_edited_initiative_reaches_its_committee(portfolio, count_queries):
    _fill(portfolio)
    _ours(portfolio).title = "Digitala nämndhandlingar för alla"
    db.session.commit()
    assert _served_from_cache(portfolio, count_queries) == {
        "management": False, "ks": False, "bun": True,
    }  # fmt: skip
    assert _cards(portfolio, "ks")[portfolio.ours][0] == "Digitala nämndhandlingar för alla"
    assert _cards(portfolio, "management")[portfolio.ours][0] == "Digitala nämndhandlingar för alla"


def test_an_initiative_moved_to_another_committee_reaches_both(portfolio, count_queries):
    _fill(portfolio)
    _ours(portfolio).department_id = portfolio.org.departments[2].id  # KS -> BUN
    db.session.commit()
    assert _served_from_cache(portfolio, count_queries) == dict.fromkeys(READERS, False)
    assert portfolio.ours not in _cards(portfolio, "ks")
    assert portfolio.ours in _cards(portfolio, "bun")


def test_a_decision_reaches_its_committee(portfolio, count_queries):
    _fill(portfolio)
    management = db.session.get(User, portfolio.org.management.id)
    record_decision(
        management,
        _ours(portfolio),
        DecisionData(date(2026, 5, 28), "KS 2026/12", DecisionKind.PAUSE, new_status=Status.PAUSED),
    )
    db.session.commit()
    assert _served_from_cache(portfolio, count_queries) == {
        "management": False, "ks": False, "bun": True,
    }  # fmt: skip
    assert _cards(portfolio, "ks")[portfolio.ours][1] == Status.PAUSED


def test_a_principle_link_reaches_its_committee(portfolio, count_queries):
    _fill(portfolio)
    principle = portfolio.org.principles[1]
    db.session.add(
        PrincipleLink(initiative_id=portfolio.ours, principle_id=principle.id, motivation="Ja")
    )
    db.session.commit()
    assert _served_from_cache(portfolio, count_queries) == {
        "management": False, "ks": False, "bun": True,
    }  # fmt: skip
    ks = dashboard.build(_reader(portfolio, "ks"), PortfolioFilter(), 30)
    department = portfolio.org.departments[0].id
    coverage = next(
        d for c in ks.committees for d in c.departments if d.department.id == department
    )
    assert coverage.counts.coverage.get(principle.id) == 1


def test_a_benefit_measurement_reaches_every_committee(portfolio, count_queries):
    """A measurement belongs to a benefit, not straight to an initiative: counted as shared."""
    org = portfolio.org
    benefit = benefit_services.create_benefit(org.manager, _ours(portfolio), _data(org.manager.id))
    db.session.commit()
    _fill(portfolio)
    manager = db.session.get(User, org.manager.id)
    benefit_services.add_measurement(
        manager, benefit, MeasurementData(Decimal("20"), date(2026, 1, 1)), TODAY
    )
    db.session.commit()
    assert _served_from_cache(portfolio, count_queries) == dict.fromkeys(READERS, False)


def test_a_frozen_report_reaches_every_committee(portfolio, count_queries):
    p = period(portfolio.org)
    db.session.commit()
    _fill(portfolio)
    freeze(portfolio.org, p)
    db.session.commit()
    assert _served_from_cache(portfolio, count_queries) == dict.fromkeys(READERS, False)


def test_a_renamed_owner_reaches_every_committee(portfolio, count_queries):
    _fill(portfolio)
    db.session.get(User, portfolio.org.manager.id).name = "Cecilia Chefsdotter"
    db.session.commit()
    assert _served_from_cache(portfolio, count_queries) == dict.fromkeys(READERS, False)
    columns = board.columns(_reader(portfolio, "ks"), PortfolioFilter(), 30)
    card = next(card for c in columns for card in c.cards if card.id == portfolio.ours)
    assert card.owner.name == "Cecilia Chefsdotter"


def test_organisation_settings_reach_every_committee(portfolio, count_queries):
    _fill(portfolio)
    admin = db.session.get(User, portfolio.org.admin.id)
    settings_services.save_settings(admin, organisation_name="Nykvarns kommun", stale_days=45)
    db.session.commit()
    assert _served_from_cache(portfolio, count_queries) == dict.fromkeys(READERS, False)


def test_a_bulk_statement_reaches_every_committee(portfolio, count_queries):
    from sqlalchemy import update

    _fill(portfolio)
    db.session.execute(
        update(StatusUpdate).where(StatusUpdate.initiative_id == portfolio.ours).values(progress=5)
    )
    db.session.commit()
    assert _served_from_cache(portfolio, count_queries) == dict.fromkeys(READERS, False)


def test_counters_per_committee_move_with_their_writes(portfolio):
    ks, bun = (c.id for c in portfolio.org.committees)
    before = cache.current_versions()
    _ours(portfolio).progress = 55
    db.session.commit()
    after = cache.current_versions()
    assert after[cache.ALL_ROW] == before[cache.ALL_ROW] + 1
    assert after[cache.COMMITTEE_ROW + ks] == before.get(cache.COMMITTEE_ROW + ks, 0) + 1
    assert after.get(cache.COMMITTEE_ROW + bun) == before.get(cache.COMMITTEE_ROW + bun)
    assert after.get(cache.SHARED_ROW) == before.get(cache.SHARED_ROW)


def test_a_scope_whose_counters_moved_on_is_dropped_at_the_next_lookup():
    scoped = cache.ScopedCache()
    versions = {cache.ALL_ROW: 1, cache.SHARED_ROW: 1, cache.COMMITTEE_ROW + 7: 1}
    for scope in (None, 7, 8):
        for n in range(3):
            scoped.get_or_compute(scope, n, lambda: "old", versions, 0)
    assert len(scoped) == 9
    # Committee 7 changes: row 1 and its row move on; committee 8 keeps its entries.
    versions = {**versions, cache.ALL_ROW: 2, cache.COMMITTEE_ROW + 7: 2}
    assert scoped.get_or_compute(8, 0, lambda: "new", versions, 0) == "old"
    assert len(scoped) == 3  # only committee 8's current entries are left
    assert scoped.get_or_compute(7, 0, lambda: "new", versions, 0) == "new"
    # A shared change empties every committee; a new minute empties everything.
    versions = {**versions, cache.ALL_ROW: 3, cache.SHARED_ROW: 2}
    assert scoped.get_or_compute(None, 0, lambda: "newer", versions, 0) == "newer"
    assert len(scoped) == 1
    assert scoped.get_or_compute(None, 0, lambda: "next minute", versions, 1) == "next minute"
    assert len(scoped) == 1


def test_a_committee_readers_page_is_kept_while_another_committee_writes(
    portfolio, app, count_queries
):
    """Ten status updates in BUN: KS's cached pages stay, and stay one generation."""
    _fill(portfolio)
    other = db.session.get(User, portfolio.org.other_manager.id)
    for n in range(10):
        theirs = db.session.get(Initiative, portfolio.theirs)
        initiative_services.post_update(
            other, theirs, initiative_services.UpdateData(Status.IN_PROGRESS, Health.ON_TRACK, n)
        )
        db.session.commit()
        _fill(portfolio)
    assert _served_from_cache(portfolio, count_queries)["ks"] is True
    scopes = app.extensions["figures_cache"]._scopes
    assert set(scopes) == {None, *(c.id for c in portfolio.org.committees)}
    assert (
        db.session.scalar(select(Initiative.progress).where(Initiative.id == portfolio.theirs)) == 9
    )


def test_threads_asking_for_one_missing_value_compute_it_once():
    import threading
    import time

    figures = cache.FiguresCache()
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.2)
        return "value"

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(figures.get_or_compute("k", compute, 1)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert results == ["value"] * 4
    assert len(calls) == 1


def test_a_failed_computation_lets_a_waiting_thread_compute():
    import threading
    import time

    figures = cache.FiguresCache()
    started = threading.Event()

    def failing():
        started.set()
        time.sleep(0.1)
        raise RuntimeError("the database went away")

    errors = []

    def first():
        try:
            figures.get_or_compute("k", failing, 1)
        except RuntimeError as error:
            errors.append(str(error))

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(2)
    assert figures.get_or_compute("k", lambda: "second", 1) == "second"
    thread.join(5)
    assert errors == ["the database went away"]
    assert figures.get_or_compute("k", lambda: "third", 1) == "second"


def test_posting_a_status_update_costs_the_same_queries_however_much_there_is(
    org, client, auth, count_queries
):
    """The write loads what it needs (not the page's relations), reloads nothing after its
    commit for the redirect, and finds the committee it changes in the session."""
    from .conftest import csrf_from

    small = factories.make_initiative(org.manager, principles=org.principles[:1], updates=1)
    big = factories.make_initiative(
        org.manager, principles=org.principles, updates=30, co_owners=[org.admin]
    )
    db.session.commit()
    ids = (small.id, big.id, small.id)
    auth.login("chef@example.se")
    token = csrf_from(client.get("/accessibility").get_data(as_text=True))
    form = {"csrf_token": token, "status": "in_progress", "health": "at_risk", "progress": "45",
            "happened": "Klart", "next_steps": "", "support_needed": ""}  # fmt: skip
    counts, statements = [], []
    for n, initiative_id in enumerate(ids):
        # Each says something new: the same words again at once would be a resend (one update).
        with count_queries() as counter:
            response = client.post(
                f"/initiatives/{initiative_id}/updates", data={**form, "happened": f"Klart {n}"}
            )
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/initiatives/{initiative_id}#timeline")
        counts.append(counter.count)
        statements.append([s[:60] for s in counter.statements])
    assert counts[0] == counts[1] == counts[2], (counts, statements)
    assert counts[0] <= 15, statements
