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


def test_a_cached_page_needs_fewer_queries(org, client, auth, count_queries):
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
