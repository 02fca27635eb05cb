"""Queries over the whole portfolio. Every figure is an SQL aggregate, never a Python loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    Committee,
    Department,
    Health,
    Initiative,
    Status,
    User,
    initiative_co_owner,
    utcnow,
)
from ..permissions import committee_scope


def stale_cutoff(stale_days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=stale_days)


def stale_condition(stale_days: int, now: datetime | None = None):
    """SQL for "active and silent for ``stale_days`` days"; the one definition of stale."""
    cutoff = stale_cutoff(stale_days, now)
    return and_(
        Initiative.status.in_([s.value for s in ACTIVE_STATUSES]),
        func.coalesce(Initiative.last_update_at, Initiative.created_at) < cutoff,
    )


def visible_initiatives(user: User) -> Select:
    """The active (not archived) initiatives the user may read."""
    query = select(Initiative).where(Initiative.archived_at.is_(None))
    scope = committee_scope(user)
    if scope is not None:
        query = query.join(Department, Initiative.department_id == Department.id).where(
            Department.committee_id == scope
        )
    return query


def initiatives_of(user: User) -> list[Initiative]:
    """The user's own and co-owned active initiatives, the most urgent first."""
    co_owned = select(initiative_co_owner.c.initiative_id).where(
        initiative_co_owner.c.user_id == user.id
    )
    query = (
        select(Initiative)
        .where(
            Initiative.archived_at.is_(None),
            or_(Initiative.owner_id == user.id, Initiative.id.in_(co_owned)),
        )
        .options(selectinload(Initiative.department))
        .order_by(Initiative.last_update_at.asc().nulls_first(), Initiative.title)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class KeyFigures:
    total: int
    by_status: dict[Status, int]
    by_health: dict[Health, int]
    stale: int
    average_progress: int | None


def key_figures(user: User, stale_days: int) -> KeyFigures:
    base = visible_initiatives(user).subquery()
    i = aliased(Initiative, base)
    active = i.status.in_([s.value for s in ACTIVE_STATUSES])
    cutoff = stale_cutoff(stale_days)
    stale = and_(active, func.coalesce(i.last_update_at, i.created_at) < cutoff)
    row = db.session.execute(
        select(
            func.count(),
            func.sum(case((stale, 1), else_=0)),
            func.avg(case((active, i.progress), else_=None)),
        ).select_from(i)
    ).one()
    by_status = dict.fromkeys(Status, 0)
    for status, count in db.session.execute(select(i.status, func.count()).group_by(i.status)):
        by_status[Status(status)] = count
    by_health = dict.fromkeys(Health, 0)
    for health, count in db.session.execute(
        select(i.health, func.count()).where(active).group_by(i.health)
    ):
        by_health[Health(health)] = count
    return KeyFigures(
        total=row[0],
        by_status=by_status,
        by_health=by_health,
        stale=int(row[1] or 0),
        average_progress=round(row[2]) if row[2] is not None else None,
    )


@dataclass(frozen=True)
class CommitteeRow:
    committee: Committee
    total: int
    off_track: int
    stale: int


def committee_rollup(user: User, stale_days: int) -> list[CommitteeRow]:
    """Initiatives per committee: how many, how many off track, how many stale."""
    base = visible_initiatives(user).subquery()
    i = aliased(Initiative, base)
    active = i.status.in_([s.value for s in ACTIVE_STATUSES])
    stale = and_(active, func.coalesce(i.last_update_at, i.created_at) < stale_cutoff(stale_days))
    counts = (
        select(
            Department.committee_id.label("committee_id"),
            func.count().label("total"),
            func.sum(case((and_(active, i.health == Health.OFF_TRACK.value), 1), else_=0)).label(
                "off_track"
            ),
            func.sum(case((stale, 1), else_=0)).label("stale"),
        )
        .select_from(i)
        .join(Department, i.department_id == Department.id)
        .group_by(Department.committee_id)
        .subquery()
    )
    query = (
        select(Committee, counts.c.total, counts.c.off_track, counts.c.stale)
        .outerjoin(counts, counts.c.committee_id == Committee.id)
        .where(Committee.active.is_(True))
        .order_by(Committee.name)
    )
    scope = committee_scope(user)
    if scope is not None:
        query = query.where(Committee.id == scope)
    return [
        CommitteeRow(committee, int(total or 0), int(off or 0), int(st or 0))
        for committee, total, off, st in db.session.execute(query)
    ]
