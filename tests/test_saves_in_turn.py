"""Two people saving one record at the same instant: the second save is a conflict, on
PostgreSQL too, never an overwrite of the first.

The records without a version counter (the settings, the mail schedule, what is published,
a committee, a department, a guiding principle, a user's details, a maturity round and its
values, a reporting period) carry their form's values as a digest (``conflicts.check_version``);
a benefit has a counter, compared in its service. Either check only holds when the second save
reads the record after the first has committed: on SQLite every write request holds the write
lock, on PostgreSQL ``conflicts.in_turn`` takes a lock on the record's name before reading it.

Each test opens the form once (one version), then sends two saves of other values from two
threads with a database connection each: the first one checks its version and is held there,
before it writes, until the second is seen waiting for a lock, or has checked too. So without
the lock both check before either writes, every time, and both are saved, one of them lost
(``test_without_the_lock_one_save_is_lost`` shows that the tests would see it); with it
the second waits, reads what the first saved, and is answered with a conflict.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from tracker import conflicts
from tracker import settings as current_settings
from tracker.admin.services import AdminConflict, organisation, principles, sso, users
from tracker.admin.services import settings as organisation_settings
from tracker.benefits import services as benefits
from tracker.extensions import db
from tracker.mail import services as mail
from tracker.maturity import rounds
from tracker.models import (
    Benefit,
    Committee,
    Department,
    MaturityRound,
    MaturityValue,
    Principle,
    ReportingPeriod,
    Role,
    User,
)
from tracker.public import services as public
from tracker.reports import periods
from tracker.reports.errors import PeriodConflict

from . import factories
from .conftest import TEST_DATABASE_URL
from .lock_support import LockWatcher

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgres"),
    reason="PostgreSQL's locks; on SQLite every write request holds the write lock",
)

WAIT = 10  # seconds: only reached when something is wrong, never in a passing run


class FirstHeld:
    """Holds the first save just after its version check, until the second save has checked
    too or is seen waiting for a lock in PostgreSQL."""

    def __init__(self, url) -> None:
        self.checked = 0
        self.changed = threading.Condition()
        self.watcher = LockWatcher(url)

    def wrap(self, check: Callable) -> Callable:
        def checked_then_held(*args, **kwargs):
            result = check(*args, **kwargs)  # a conflict raises here
            if threading.current_thread().name not in ("first", "second"):
                return result  # the test making its record, not one of the two saves
            with self.changed:
                self.checked += 1
                self.changed.notify_all()
            if threading.current_thread().name != "first":
                return result
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                with self.changed:
                    if self.changed.wait_for(lambda: self.checked >= 2, timeout=0.005):
                        break
                if self.watcher.someone_waits():
                    break
            return result

        return checked_then_held

    def wait_for_the_first(self) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.checked >= 1, timeout=WAIT)


@pytest.fixture
def one_after_the_other(app, monkeypatch):
    """``run(save)`` runs ``save(0)`` and, once it has checked its version, ``save(1)``, each
    in a thread with a request and a database session of its own that commits; returns what
    became of each: "saved", "conflict" or "failed" (a database error)."""
    held = FirstHeld(db.engine.url)
    monkeypatch.setattr(conflicts, "check_version", held.wrap(conflicts.check_version))
    # A benefit has a version counter, compared in its service: held at the check after it.
    monkeypatch.setattr(benefits, "_check", held.wrap(benefits._check))

    def run(save: Callable[[int], object]) -> list[str]:
        db.session.commit()  # the test's own transaction holds nothing while the saves run
        outcome: list[str | None] = [None, None]
        errors: list[BaseException] = []

        def send(index: int) -> None:
            try:
                with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.0.0.1"}):
                    try:
                        save(index)
                        db.session.commit()
                        outcome[index] = "saved"
                    except (
                        conflicts.StaleVersion,
                        AdminConflict,
                        rounds.MaturityConflict,
                        PeriodConflict,
                        benefits.BenefitConflict,
                    ):
                        db.session.rollback()
                        outcome[index] = "conflict"
                    except IntegrityError:  # both made the settings row: a 500 for one
                        db.session.rollback()
                        outcome[index] = "failed"
            except BaseException as error:  # reported by the test, not lost in the thread
                errors.append(error)

        first = threading.Thread(target=send, args=(0,), name="first")
        second = threading.Thread(target=send, args=(1,), name="second")
        first.start()
        held.wait_for_the_first()
        second.start()
        for thread in (first, second):
            thread.join(WAIT * 2)
        assert not first.is_alive() and not second.is_alive(), "a save never finished"
        assert errors == []
        db.session.rollback()
        return outcome

    yield run
    held.watcher.dispose()


def _admin(org) -> Callable[[], User]:
    admin_id = org.admin.id
    return lambda: db.session.get(User, admin_id)


def _settings(org):
    admin, version = _admin(org), organisation_settings.settings_version()

    def save(i):
        organisation_settings.save_settings(
            admin(), organisation_name=f"Kommun {i}", stale_days=20 + i, expected_version=version
        )

    def shown():
        current_settings.forget()  # kept for the request
        return organisation_settings.settings_values()

    return save, shown, {"organisation_name": "Kommun 0", "stale_days": 20}


def _sso(org):
    admin = _admin(org)
    version = sso.settings_version(admin())

    def save(i):  # the first turns it on; the second, opened when it was off, leaves it off
        sso.save_settings(admin(), create_unknown_users=i == 0, expected_version=version)

    return save, lambda: sso.settings_values(admin()), {"create_unknown_users": "yes"}


def _mail_schedule(org):
    admin, version = _admin(org), mail.schedule_version()

    def save(i):
        mail.save_schedule(
            admin(),
            reminder_days=("10, 2", "7")[i],
            digest_weekday=1 + i,
            digest_hour=8 + i,
            expected_version=version,
        )

    first = {"reminder_days": "10, 2", "digest_weekday": "1", "digest_hour": 8}
    return save, mail.schedule_values, first


def _publication(org):
    admin, version = _admin(org), public.allowed_version()

    def save(i):
        wanted = public.Allowed(show_cost=True) if i == 0 else public.Allowed(show_owner=True)
        public.set_allowed(admin(), wanted, version)

    return save, public.allowed, public.Allowed(show_cost=True)


def _committee(org):
    admin, committee_id = _admin(org), org.committees[0].id
    version = organisation.committee_version(org.committees[0])

    def save(i):
        organisation.save_committee(
            admin(),
            db.session.get(Committee, committee_id),
            name=f"Kommunstyrelsen {i}",
            short_name="KS",
            expected_version=version,
        )

    return save, lambda: db.session.get(Committee, committee_id).name, "Kommunstyrelsen 0"


def _department(org):
    admin, department = _admin(org), org.departments[0]
    department_id, committee_id = department.id, department.committee_id
    version = organisation.department_version(department)

    def save(i):
        organisation.save_department(
            admin(),
            db.session.get(Department, department_id),
            name=f"IT-avdelningen {i}",
            code="IT",
            committee_id=committee_id,
            parent_id=None,
            expected_version=version,
        )

    return save, lambda: db.session.get(Department, department_id).name, "IT-avdelningen 0"


def _principle(org):
    admin, principle = _admin(org), org.principles[0]
    principle_id, version = principle.id, principles.principle_version(principle)
    values = {field: getattr(principle, field) for field in principles.FIELDS}

    def save(i):
        principles.update_principle(
            admin(),
            db.session.get(Principle, principle_id),
            version,
            **{**values, "description_sv": f"Beskrivning {i}"},
        )

    return save, lambda: db.session.get(Principle, principle_id).description_sv, "Beskrivning 0"


def _user(org):
    admin, manager = _admin(org), org.manager
    manager_id, department_id = manager.id, manager.department_id
    version = users.user_version(manager)

    def save(i):
        users.update_user(
            admin(),
            db.session.get(User, manager_id),
            name=f"Cecilia Chef {i}",
            role=Role.MANAGER.value,
            department_id=department_id,
            committee_id=None,
            expected_version=version,
        )

    return save, lambda: db.session.get(User, manager_id).name, "Cecilia Chef 0"


def _maturity(org):
    from .test_maturity import make_rounds

    new, _old = make_rounds(org)
    db.session.commit()
    return new.id, new.values[0].id


def _maturity_round(org):
    admin, (round_id, _value_id) = _admin(org), _maturity(org)
    version = rounds.round_version(db.session.get(MaturityRound, round_id))

    def save(i):
        data = rounds.RoundData(f"Mätning 2021 {i}", date(2021, 10, 1), 220, "68,5")
        rounds.update_round(admin(), db.session.get(MaturityRound, round_id), data, version)

    return save, lambda: db.session.get(MaturityRound, round_id).name, "Mätning 2021 0"


def _maturity_value(org):
    admin, (_round_id, value_id) = _admin(org), _maturity(org)
    version = rounds.value_version(db.session.get(MaturityValue, value_id))

    def save(i):
        rounds.correct_value(
            admin(), db.session.get(MaturityValue, value_id), ("12", "13")[i], version
        )

    return save, lambda: db.session.get(MaturityValue, value_id).percent, 12


def _period(org):
    admin = _admin(org)
    period = ReportingPeriod(
        name="Tertial 1 2027",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 4, 30),
        deadline=date(2027, 4, 20),
    )
    db.session.add(period)
    db.session.commit()
    period_id, version = period.id, periods.version_of(period)

    def save(i):
        data = periods.PeriodData(
            f"Tertial 1 2027 ({i})", date(2027, 1, 1), date(2027, 4, 30), date(2027, 4, 20 + i)
        )
        periods.update_period(admin(), db.session.get(ReportingPeriod, period_id), data, version)

    return save, lambda: db.session.get(ReportingPeriod, period_id).name, "Tertial 1 2027 (0)"


def _benefit(org):
    from .test_benefits import _data

    initiative = factories.make_initiative(org.manager, principles=org.principles[:1])
    db.session.add(initiative)
    db.session.flush()
    benefit = benefits.create_benefit(org.manager, initiative, _data(org.manager.id))
    db.session.commit()
    manager_id, benefit_id, version = org.manager.id, benefit.id, benefit.version

    def save(i):
        manager = db.session.get(User, manager_id)
        data = _data(manager_id, title=f"Fler ansöker digitalt {i}")
        benefits.update_benefit(manager, db.session.get(Benefit, benefit_id), data, version)

    return save, lambda: db.session.get(Benefit, benefit_id).title, "Fler ansöker digitalt 0"


CASES = {
    "settings": _settings,
    "sso": _sso,
    "mail schedule": _mail_schedule,
    "publication": _publication,
    "committee": _committee,
    "department": _department,
    "principle": _principle,
    "user": _user,
    "maturity round": _maturity_round,
    "maturity value": _maturity_value,
    "reporting period": _period,
    "benefit": _benefit,
}


@pytest.mark.parametrize("opened", CASES.values(), ids=CASES.keys())
def test_the_second_of_two_saves_at_once_is_a_conflict(org, one_after_the_other, opened):
    save, shown, first = opened(org)
    assert shown() != first
    assert one_after_the_other(save) == ["saved", "conflict"]
    assert shown() == first  # what the first saved, not overwritten


@pytest.mark.parametrize("opened", CASES.values(), ids=CASES.keys())
def test_without_the_lock_one_save_is_lost(org, one_after_the_other, monkeypatch, opened):
    """The test above would fail without ``conflicts.in_turn``: both saves check the version
    they were opened on before either writes, and both are saved: one of the two is lost. Or,
    for a settings row that no save has made yet, both insert it, and one fails."""
    monkeypatch.setattr(conflicts, "in_turn", lambda *_names: None)
    save, _shown, _first = opened(org)
    outcome = one_after_the_other(save)
    assert sorted(outcome) in (["saved", "saved"], ["failed", "saved"])  # no conflict
