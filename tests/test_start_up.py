"""What a served application does once at start (issue 20: the cost of a page without the cache)."""

from __future__ import annotations

import gc

import pytest

from tracker import create_app

pytestmark = pytest.mark.database_independent


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_served_application_takes_its_start_up_objects_out_of_the_collector(
    monkeypatch, unfrozen
):
    """A full collection otherwise walks every module, mapper and rule again about every few
    dozen pages; a request's own garbage is still collected."""
    monkeypatch.setenv("TRACKER_SECRET_KEY", "x" * 32)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": False})
    assert gc.get_freeze_count() > 50_000
    assert gc.isenabled()

    class Cycle:
        pass

    garbage = Cycle()
    garbage.me = garbage
    del garbage
    assert gc.collect() >= 1
    assert app.url_map.bind("localhost").match("/healthz")


def test_tests_and_a_switched_off_setting_freeze_nothing(monkeypatch, unfrozen):
    """A test process makes hundreds of applications: freezing each would keep them all."""
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    assert gc.get_freeze_count() == 0
    monkeypatch.setenv("TRACKER_SECRET_KEY", "x" * 32)
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": False, "GC_FREEZE": False})
    assert gc.get_freeze_count() == 0
