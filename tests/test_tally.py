"""The status update tally that the dashboard's trend reads: the database keeps it right through
every kind of write, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text, update

from tracker.extensions import db
from tracker.models import Health, Initiative, StatusUpdate, StatusUpdateTally, User, tally
from tracker.portfolio import dashboard
from tracker.portfolio.filters import PortfolioFilter

from . import factories


def _tally() -> dict:
    rows = db.session.execute(
        select(
            StatusUpdateTally.department_id,
            StatusUpdateTally.month,
            StatusUpdateTally.health,
            StatusUpdateTally.updates,
        )
    )
    return {(d, m, h): n for d, m, h, n in rows if n}


def _counted_afresh() -> dict:
    kept = _tally()
    tally.rebuild(db.session.connection())  # in the same transaction
    fresh = _tally()
    assert kept == fresh
    return fresh


def test_the_tally_follows_every_write(org):
    first = factories.make_initiative(org.manager, principles=org.principles[:1], updates=3)
    second = factories.make_initiative(org.manager, principles=org.principles[:1], updates=2)
    db.session.commit()
    assert sum(_counted_afresh().values()) == 5
    # A status update with another health, in another month.
    db.session.add(
        StatusUpdate(
            initiative=first,
            author=org.manager,
            created_at=datetime.now(UTC) - timedelta(days=70),
            status=first.status,
            health=Health.OFF_TRACK,
            progress=10,
        )
    )
    db.session.commit()
    assert sum(_counted_afresh().values()) == 6
    # Changed in place, by plain SQL (the ORM never does), and removed.
    db.session.execute(
        update(StatusUpdate)
        .where(StatusUpdate.initiative_id == first.id)
        .values(health=Health.AT_RISK.value)
    )
    _counted_afresh()
    db.session.execute(delete(StatusUpdate).where(StatusUpdate.id == first.updates[-1].id))
    db.session.commit()
    assert sum(_counted_afresh().values()) == 5
    # Moved to another department, archived, brought back, deleted.
    other = next(d for d in org.departments if d.id != first.department_id)
    first.department = other
    db.session.commit()
    _counted_afresh()
    first.archived_at = datetime.now(UTC)
    db.session.commit()
    assert sum(_counted_afresh().values()) == 2
    first.archived_at = None
    db.session.commit()
    assert sum(_counted_afresh().values()) == 5
    db.session.execute(text("DELETE FROM initiative WHERE id = :id"), {"id": second.id})
    db.session.commit()
    assert sum(_counted_afresh().values()) == 3


def test_the_trend_from_the_tally_is_the_trend_counted(org):
    for n in range(3):
        factories.make_initiative(org.manager, principles=org.principles[:1], updates=n + 1)
    db.session.commit()
    user = db.session.get(User, org.management.id)
    whole = dashboard.build(user, PortfolioFilter(), 30).trend
    # A filter on the initiatives' own values counts the updates themselves.
    counted = dashboard.build(user, PortfolioFilter(q="Ett syfte"), 30).trend
    assert [(m.label, m.updates, m.by_health) for m in whole] == [
        (m.label, m.updates, m.by_health) for m in counted
    ]
    assert sum(m.updates for m in whole) == 6
    assert db.session.scalar(select(Initiative.id).limit(1))
