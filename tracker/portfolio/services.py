"""Queries over the whole portfolio. Every figure is an SQL aggregate, never a Python loop."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    Department,
    Initiative,
    Principle,
    PrincipleLink,
    Status,
    StatusUpdate,
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
        query = query.where(
            Initiative.department_id.in_(
                select(Department.id).where(Department.committee_id == scope)
            )
        )
    return query


def initiatives_of(user: User, *, finished: bool = False) -> list[Initiative]:
    """The user's own and co-owned initiatives that still owe reports (not done or cancelled),
    the most urgent first; with ``finished``, the done and cancelled ones instead."""
    co_owned = select(initiative_co_owner.c.initiative_id).where(
        initiative_co_owner.c.user_id == user.id
    )
    finished_statuses = (Status.DONE, Status.CANCELLED)
    query = (
        select(Initiative)
        .where(
            Initiative.archived_at.is_(None),
            or_(Initiative.owner_id == user.id, Initiative.id.in_(co_owned)),
            Initiative.status.in_(finished_statuses)
            if finished
            else Initiative.status.not_in(finished_statuses),
        )
        .options(
            selectinload(Initiative.department),
            selectinload(Initiative.decisions),
            selectinload(Initiative.open_support_request),
        )
        .order_by(Initiative.last_update_at.asc().nulls_first(), Initiative.title)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Report:
    """What the latest status report said: why an initiative needs the management group."""

    created_at: datetime
    happened: str
    next_steps: str
    support_needed: str


def latest_reports(initiative_ids: Iterable[int]) -> dict[int, Report]:
    """The latest status report of each initiative, in one query whatever their number."""
    ids = sorted(set(initiative_ids))
    if not ids:
        return {}
    ranked = (
        select(
            StatusUpdate.initiative_id,
            StatusUpdate.created_at,
            StatusUpdate.happened,
            StatusUpdate.next_steps,
            StatusUpdate.support_needed,
            func.row_number()
            .over(
                partition_by=StatusUpdate.initiative_id,
                order_by=(StatusUpdate.created_at.desc(), StatusUpdate.id.desc()),
            )
            .label("rank"),
        )
        .where(StatusUpdate.initiative_id.in_(ids))
        .subquery()
    )
    rows = db.session.execute(
        select(
            ranked.c.initiative_id,
            ranked.c.created_at,
            ranked.c.happened,
            ranked.c.next_steps,
            ranked.c.support_needed,
        ).where(ranked.c.rank == 1)
    )
    return {
        row.initiative_id: Report(
            row.created_at, row.happened or "", row.next_steps or "", row.support_needed or ""
        )
        for row in rows
    }


def principle_ids(ids: list[int]) -> dict[int, tuple[int, ...]]:
    """The principle ids of each initiative, in principle order (``principle_links`` without
    the motivations, which a spreadsheet and a board card do not show), as plain rows: no
    object per link."""
    links: dict[int, list[int]] = {}
    query = (
        select(PrincipleLink.initiative_id, PrincipleLink.principle_id)
        .join(Principle, Principle.id == PrincipleLink.principle_id)
        .where(PrincipleLink.initiative_id.in_(ids))
        .order_by(PrincipleLink.initiative_id, Principle.sort_order, Principle.id)
    )
    for initiative_id, principle_id in db.session.connection().execute(query):
        links.setdefault(initiative_id, []).append(principle_id)
    return {k: tuple(v) for k, v in links.items()}
