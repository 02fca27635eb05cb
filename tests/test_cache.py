"""The figures cache: served while nothing changed, recomputed as soon as anything did."""

from sqlalchemy import select, text

from tracker import cache
from tracker.extensions import db
from tracker.models import Health, Status, User
from tracker.portfolio import dashboard
from tracker.portfolio.filters import PortfolioFilter

from . import factories


def _red(org):
    user = db.session.get(User, org.management.id)
    return dashboard.build(user, PortfolioFilter(), 30).totals.by_health[Health.OFF_TRACK]


def test_version_moves_on_with_every_committed_change_only(org):
    before = cache.current_version()
    db.session.commit()  # nothing changed
    assert cache.current_version() == before
    factories.make_initiative(org.manager, principles=org.principles[:1])
    db.session.commit()
    assert cache.current_version() == before + 1
    factories.make_initiative(org.manager, principles=org.principles[:1])
    db.session.rollback()
    assert cache.current_version() == before + 1


def test_bulk_statements_move_the_version_on(org):
    from sqlalchemy import update

    from tracker.models import Initiative

    factories.make_initiative(org.manager, principles=org.principles[:1])
    db.session.commit()
    before = cache.current_version()
    db.session.execute(update(Initiative).values(progress=50))
    db.session.commit()
    assert cache.current_version() == before + 1


def test_a_change_from_anywhere_is_seen_at_once(org):
    initiative = factories.make_initiative(
        org.manager, principles=org.principles[:1], status=Status.IN_PROGRESS
    )
    db.session.commit()
    assert _red(org) == 0
    assert _red(org) == 0  # now from the cache
    # Another process changes the data with plain SQL and moves the version on.
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE initiative SET health = 'off_track' WHERE id = :id"), {"id": initiative.id}
        )
        conn.execute(text("UPDATE data_version SET version = version + 1 WHERE id = 1"))
    db.session.rollback()
    assert _red(org) == 1


def test_a_cached_page_needs_fewer_queries(org, client, auth, count_queries, monkeypatch):
    now = cache.utcnow()
    monkeypatch.setattr(cache, "utcnow", lambda: now)  # no new minute between the requests
    factories.make_initiative(org.manager, principles=org.principles[:1], updates=2)
    db.session.commit()
    auth.login("ledning@example.se")
    client.get("/dashboard")  # the sign-in moved the version on; this fills the cache
    with count_queries() as first:
        client.get("/dashboard")
    assert db.session.scalar(select(cache.DataVersion.version))  # the row exists
    factories.make_initiative(org.manager, principles=org.principles[:1])
    db.session.commit()
    with count_queries() as after_change:
        html = client.get("/dashboard").get_data(as_text=True)
    assert first.count < after_change.count
    assert "2 initiativ i urvalet" in html


def test_cached_fragments_are_not_shared_across_rights_or_languages(org, app, auth):
    factories.make_initiative(org.manager, principles=org.principles[:1], status=Status.IN_PROGRESS)
    db.session.commit()
    from .conftest import AuthActions

    management, reader = app.test_client(), app.test_client()
    AuthActions(management).login("ledning@example.se")
    AuthActions(reader).login("namnd@example.se")
    assert "Registrera ett beslut" in management.get("/board").get_data(as_text=True)
    assert "Registrera ett beslut" not in reader.get("/board").get_data(as_text=True)
    assert "Record a decision" in management.get("/board?lang=en").get_data(as_text=True)
    assert "Registrera ett beslut" in management.get("/board?lang=sv").get_data(as_text=True)


def test_tracker_cache_off_turns_every_page_cache_off(app):
    calls = []
    for setting in ("off", False, "false"):
        app.config["CACHE"] = setting
        assert not cache.enabled()
        cache.cached("k", lambda: calls.append(1))
        cache.cached("k", lambda: calls.append(1))
    assert len(calls) == 6
    app.config["CACHE"] = True
    app.config["FIGURES_CACHE"] = False  # the older name still works
    assert not cache.enabled()
    app.config["FIGURES_CACHE"] = True
    assert cache.enabled()


def test_tracker_cache_off_from_the_environment(monkeypatch):
    from tracker import create_app

    monkeypatch.setenv("TRACKER_CACHE", "off")
    off = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with off.app_context():
        assert not cache.enabled()


def test_a_newer_generation_drops_every_older_entry():
    figures = cache.FiguresCache(max_entries=10)
    for n in range(5):
        figures.get_or_compute(("page", n), lambda: "old", generation=(1, 0))
    assert len(figures) == 5
    assert figures.get_or_compute(("page", 0), lambda: "new", generation=(2, 0)) == "new"
    assert len(figures) == 1  # only the current entry is kept
    # A request still reading the older generation computes, but stores nothing.
    assert figures.get_or_compute(("page", 1), lambda: "stale", generation=(1, 0)) == "stale"
    assert len(figures) == 1
    assert figures.get_or_compute(("page", 0), lambda: "again", generation=(2, 0)) == "new"


def test_writes_leave_one_generation_in_the_cache(org, app, client, auth):
    factories.make_initiative(org.manager, principles=org.principles[:1], updates=1)
    db.session.commit()
    auth.login("ledning@example.se")
    for n in range(4):
        client.get("/dashboard")
        client.get("/board")
        factories.make_initiative(org.manager, principles=org.principles[:1], title=f"Ny {n}")
        db.session.commit()
    client.get("/dashboard")
    # The dashboard's figures, its fragment and the benefits: one page's entries, not five.
    assert len(app.extensions["figures_cache"]) <= 4
