"""What the API reads, in the user's scope, each list in a fixed number of queries.

Initiatives come from the same listing and dashboard services as the browser pages; the rest are
small queries that use the same scope rule (``visible_initiatives``, ``committee_scope``).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Committee,
    Decision,
    Department,
    Initiative,
    Principle,
    PrincipleLink,
    StatusUpdate,
    User,
)
from ..permissions import can_read_portfolio, require
from ..portfolio.services import visible_initiatives


def page_of(query, page: int, per_page: int):
    """One page of a query and how many rows it has in all: two queries (and its loaders)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return items, total


def committees(user: User, page: int, per_page: int):
    require(can_read_portfolio(user))
    return page_of(select(Committee).order_by(Committee.short_name, Committee.id), page, per_page)


def departments(user: User, page: int, per_page: int):
    require(can_read_portfolio(user))
    query = (
        select(Department)
        .options(selectinload(Department.committee), selectinload(Department.parent))
        .order_by(Department.code, Department.id)
    )
    return page_of(query, page, per_page)


def principles(user: User, page: int, per_page: int):
    require(can_read_portfolio(user))
    return page_of(select(Principle).order_by(Principle.sort_order, Principle.id), page, per_page)


def status_updates(user: User, initiative_id: int, page: int, per_page: int):
    """The initiative's status updates, newest first (the caller has checked the initiative)."""
    require(can_read_portfolio(user))
    query = (
        select(StatusUpdate)
        .where(StatusUpdate.initiative_id == initiative_id)
        .options(selectinload(StatusUpdate.author))
        .order_by(StatusUpdate.created_at.desc(), StatusUpdate.id.desc())
    )
    return page_of(query, page, per_page)


def decisions(user: User, page: int, per_page: int, initiative_id: int | None = None):
    """Decisions on the initiatives the user may read, newest first."""
    require(can_read_portfolio(user))
    visible = visible_initiatives(user).with_only_columns(Initiative.id)
    query = (
        select(Decision)
        .where(Decision.initiative_id.in_(visible))
        .options(selectinload(Decision.author))
        .order_by(Decision.created_at.desc(), Decision.id.desc())
    )
    if initiative_id is not None:
        query = query.where(Decision.initiative_id == initiative_id)
    return page_of(query, page, per_page)


def initiatives_by_id(ids: list[int]) -> list[Initiative]:
    """These initiatives, in this order, with what a summary shows (the caller checked scope)."""
    if not ids:
        return []
    found = db.session.scalars(
        select(Initiative)
        .where(Initiative.id.in_(ids))
        .options(
            selectinload(Initiative.department),
            selectinload(Initiative.owner),
            selectinload(Initiative.open_support_request),
            selectinload(Initiative.principle_links).selectinload(PrincipleLink.principle),
        )
    )
    by_id = {i.id: i for i in found}
    return [by_id[i] for i in ids if i in by_id]


def committee_codes() -> dict[int, str]:
    return dict(db.session.execute(select(Committee.id, Committee.short_name)).all())
