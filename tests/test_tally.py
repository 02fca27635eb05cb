"""The status update tally that the dashboard's trend reads, and the principle coverage its table
reads: the database keeps them right through every kind of write, on SQLite and PostgreSQL."""

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text, update

from tracker.extensions import db
from tracker.models import (
    Health,
    Initiative,
    PrincipleCoverage,
    PrincipleLink,
    StatusUpdate,
    StatusUpdateTally,
    User,
    tally,
)
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


def _coverage() -> dict:
    rows = db.session.execute(
        select(
            PrincipleCoverage.department_id,
            PrincipleCoverage.principle_id,
            PrincipleCoverage.initiatives,
        )
    )
    return {(d, p): n for d, p, n in rows if n}


def _coverage_afresh() -> dict:
    """The coverage the triggers kept, checked against the coverage counted from every link in
    the same transaction (and against a plain count of the links)."""
    kept = _coverage()
    tally.rebuild_coverage(db.session.connection())
    assert _coverage() == kept
    links = db.session.execute(
        select(Initiative.department_id, PrincipleLink.principle_id)
        .join(PrincipleLink, PrincipleLink.initiative_id == Initiative.id)
        .where(Initiative.archived_at.is_(None))
    ).all()
    assert sum(kept.values()) == len(links)
    return kept


def test_the_coverage_follows_every_write(org):
    a, b, c = org.principles[:3]
    first = factories.make_initiative(org.manager, principles=[a, b])
    second = factories.make_initiative(org.manager, principles=[a])
    db.session.commit()
    department = first.department_id
    assert _coverage_afresh() == {(department, a.id): 2, (department, b.id): 1}
    # A link added and one removed through the form's way (the ORM), one moved by plain SQL.
    first.principle_links.append(PrincipleLink(principle=c, motivation="Och trygghet"))
    db.session.commit()
    assert _coverage_afresh()[(department, c.id)] == 1
    first.principle_links.remove(next(k for k in first.principle_links if k.principle_id == b.id))
    db.session.commit()
    assert (department, b.id) not in _coverage_afresh()
    db.session.execute(
        update(PrincipleLink)
        .where(PrincipleLink.initiative_id == second.id)
        .values(principle_id=b.id)
    )
    assert _coverage_afresh() == {
        (department, a.id): 1,
        (department, b.id): 1,
        (department, c.id): 1,
    }
    # Moved to another department, archived, brought back, deleted (by SQL and by the ORM).
    other = next(d for d in org.departments if d.id != department)
    first.department = other
    db.session.commit()
    assert _coverage_afresh() == {(other.id, a.id): 1, (department, b.id): 1, (other.id, c.id): 1}
    first.archived_at = datetime.now(UTC)
    db.session.commit()
    assert _coverage_afresh() == {(department, b.id): 1}
    first.archived_at = None
    db.session.commit()
    assert sum(_coverage_afresh().values()) == 3
    db.session.execute(text("DELETE FROM initiative WHERE id = :id"), {"id": second.id})
    db.session.commit()
    assert _coverage_afresh() == {(other.id, a.id): 1, (other.id, c.id): 1}
    db.session.delete(first)
    db.session.commit()
    assert _coverage_afresh() == {}


def _coverage_of(view) -> dict:
    return {
        (row.department.id, principle_id): n
        for group in view.committees
        for row in group.departments
        for principle_id, n in row.counts.coverage.items()
    }


def test_the_coverage_from_the_table_is_the_coverage_counted(app, org):
    it, hr, school = org.departments[:3]
    a, b, _c = org.principles[:3]
    for department, principles in ((it, [a, b]), (it, [a]), (hr, [b]), (school, [a, b])):
        factories.make_initiative(org.manager, department=department, principles=principles)
    factories.make_initiative(
        org.manager, department=hr, principles=[a], archived_at=datetime.now(UTC)
    )
    reader = db.session.get(User, org.committee_reader.id)
    reader.committee_id = it.committee_id  # a reader limited to KS
    db.session.commit()
    ks = PortfolioFilter(committee="KS", committee_id=it.committee_id)
    grs = PortfolioFilter(department="GRS", department_id=school.id)
    both = dataclasses.replace(ks, department="GRS", department_id=school.id)  # nothing
    found = {}
    for name, reader, filters in (
        ("all", org.management, PortfolioFilter()),
        ("ks", org.management, ks),
        ("grs", org.management, grs),
        ("both", org.management, both),
        ("scoped", org.committee_reader, PortfolioFilter()),
        ("scoped grs", org.committee_reader, grs),
    ):
        user = db.session.get(User, reader.id)
        assert filters.whole_departments
        kept = _coverage_of(dashboard.build(user, filters, 30))
        # The same selection through a filter on the initiatives' own values: counted.
        counted = _coverage_of(
            dashboard.build(user, dataclasses.replace(filters, q="Ett syfte"), 30)
        )
        assert kept == counted, name
        found[name] = kept
    assert found["all"] == {
        (it.id, a.id): 2,
        (it.id, b.id): 1,
        (hr.id, b.id): 1,
        (school.id, a.id): 1,
        (school.id, b.id): 1,
    }
    in_ks = {key: n for key, n in found["all"].items() if key[0] in (it.id, hr.id)}
    assert found["ks"] == found["scoped"] == in_ks
    assert found["grs"] == {(school.id, a.id): 1, (school.id, b.id): 1}
    assert found["both"] == found["scoped grs"] == {}
    # The whole-department dashboard reads the kept coverage, not the links (the cache off).
    app.config["CACHE"] = False
    db.session.execute(
        update(PrincipleCoverage).values(initiatives=PrincipleCoverage.initiatives + 5)
    )
    kept = _coverage_of(
        dashboard.build(db.session.get(User, org.management.id), PortfolioFilter(), 30)
    )
    assert kept == {key: n + 5 for key, n in found["all"].items()}
