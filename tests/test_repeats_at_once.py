"""Two copies of one form sent at the same instant are one record, on PostgreSQL too.

``tracker.repeats`` finds the record the first copy made and answers the second with it. That
only holds when the second looks after the first has committed: on SQLite every write request
holds the write lock, on PostgreSQL ``lock_initiative`` locks the initiative's row before
looking. These tests send both copies at once, from two threads with a database connection
each, and hold each copy just after it has looked for an earlier one until the other copy has
looked too, or is waiting for a lock. So without the lock both copies look before either
writes, every time, and both are written (``test_without_the_lock_both_copies_are_written``
shows that the tests would see it); with it the second copy waits at the lock, and looks once
the first has committed. No sleeping on chance: each step waits for the one it needs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from tracker import repeats
from tracker.extensions import db
from tracker.initiatives import services as initiative_services
from tracker.models import Decision, DecisionKind, Health, Initiative, Status, StatusUpdate, User
from tracker.portfolio.decisions import DecisionData, record_decision

from . import factories
from .conftest import TEST_DATABASE_URL
from .lock_support import LockWatcher

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgres"),
    reason="PostgreSQL's row lock; on SQLite every write request holds the write lock",
)

WAIT = 10  # seconds: only reached when something is wrong, never in a passing run


class Rendezvous:
    """Holds each copy right after it has looked for an earlier one (``repeats.latest_copy``),
    until the other copy has looked as well or is seen waiting for a lock in PostgreSQL."""

    def __init__(self, url) -> None:
        self.looked = 0
        self.changed = threading.Condition()
        self.watcher = LockWatcher(url)

    def wrap(self, latest_copy: Callable) -> Callable:
        def looked_then_held(*args, **kwargs):
            found = latest_copy(*args, **kwargs)
            with self.changed:
                self.looked += 1
                self.changed.notify_all()
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                with self.changed:
                    if self.changed.wait_for(lambda: self.looked >= 2, timeout=0.005):
                        break
                if self.watcher.someone_waits():
                    break
            return found

        return looked_then_held


@pytest.fixture
def at_once(app, monkeypatch):
    """``at_once(work)`` runs ``work()`` in two threads at the same instant, each in a request
    and a database session of its own that commits; returns what each returned."""
    rendezvous = Rendezvous(db.engine.url)
    monkeypatch.setattr(repeats, "latest_copy", rendezvous.wrap(repeats.latest_copy))

    def run_both(work: Callable[[], int]) -> list[int]:
        db.session.commit()  # the test's own transaction holds nothing while the copies run
        start = threading.Barrier(2, timeout=WAIT)
        results: list[int | None] = [None, None]
        errors: list[BaseException] = []

        def copy(index: int) -> None:
            try:
                with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.0.0.1"}):
                    start.wait()
                    results[index] = work()
                    db.session.commit()
            except BaseException as error:  # reported by the test, not lost in the thread
                errors.append(error)

        threads = [threading.Thread(target=copy, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT * 2)
        assert not any(t.is_alive() for t in threads), "a copy never finished"
        assert errors == []
        assert rendezvous.looked == 2
        return results

    yield run_both
    rendezvous.watcher.dispose()


def _send_status_update(at_once, manager: User, initiative_id: int) -> list[int]:
    manager_id = manager.id  # read here: the test's objects belong to the test's session

    def work() -> int:
        actor = db.session.get(User, manager_id)
        initiative = db.session.get(Initiative, initiative_id)
        data = initiative_services.UpdateData(
            Status.IN_PROGRESS, Health.AT_RISK, 40, happened="Upphandlingen är klar."
        )
        return initiative_services.post_update(actor, initiative, data).id

    return at_once(work)


def _send_decision(at_once, management: User, initiative_id: int) -> list[int]:
    management_id = management.id

    def work() -> int:
        actor = db.session.get(User, management_id)
        initiative = db.session.get(Initiative, initiative_id)
        data = DecisionData(date(2026, 5, 28), "KLG 2026-05-28", DecisionKind.PRIORITISE)
        return record_decision(actor, initiative, data).id

    return at_once(work)


def _count(model, initiative_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.initiative_id == initiative_id)
    )


@pytest.fixture
def initiative_id(org) -> int:
    initiative = factories.make_initiative(org.manager, principles=org.principles)
    db.session.add(initiative)
    db.session.commit()
    return initiative.id


def test_a_status_update_sent_twice_at_once_is_one(org, at_once, initiative_id):
    before = _count(StatusUpdate, initiative_id)
    first, second = _send_status_update(at_once, org.manager, initiative_id)
    assert first == second  # the second copy is answered with the first one's update
    assert _count(StatusUpdate, initiative_id) == before + 1
    assert db.session.get(Initiative, initiative_id).progress == 40


def test_a_decision_sent_twice_at_once_is_one(org, at_once, initiative_id):
    first, second = _send_decision(at_once, org.management, initiative_id)
    assert first == second
    assert _count(Decision, initiative_id) == 1


@pytest.mark.parametrize(
    "send, model", [(_send_status_update, StatusUpdate), (_send_decision, Decision)]
)
def test_without_the_lock_both_copies_are_written(
    org, at_once, initiative_id, monkeypatch, send, model
):
    """The tests above would fail without ``lock_initiative``: both copies look before either
    writes, and both are written."""
    monkeypatch.setattr(repeats, "lock_initiative", lambda _initiative_id: None)
    before = _count(model, initiative_id)
    author = org.manager if model is StatusUpdate else org.management
    first, second = send(at_once, author, initiative_id)
    assert first != second
    assert _count(model, initiative_id) == before + 2
