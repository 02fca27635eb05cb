"""The portfolio list: filters, an allow-listed sort and pagination, in fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sqlalchemy import asc, case, desc, func, select
from sqlalchemy.orm import selectinload

from ..cache import cached
from ..extensions import db
from ..models import Department, Health, Initiative, PrincipleLink, Status, User
from ..permissions import committee_scope
from ..portfolio.filters import PortfolioFilter
from ..portfolio.services import stale_condition, visible_initiatives

PER_PAGE = 25

# Health sorts by severity, not alphabetically.
_HEALTH_ORDER = {Health.ON_TRACK.value: 0, Health.AT_RISK.value: 1, Health.OFF_TRACK.value: 2}
_STATUS_ORDER = {s.value: n for n, s in enumerate(Status)}

SORTS = {
    "title": lambda: Initiative.title,
    "department": lambda: Department.name,
    "status": lambda: _case(Initiative.status, _STATUS_ORDER),
    "health": lambda: _case(Initiative.health, _HEALTH_ORDER),
    "progress": lambda: Initiative.progress,
    "updated": lambda: func.coalesce(Initiative.last_update_at, Initiative.created_at),
}
DEFAULT_SORT = "-updated"


def _case(column, order: dict[str, int]):
    return case(order, value=column, else_=99)


def normalise_sort(sort: str | None) -> str:
    """The sort the user asked for when it is on the allow-list, else the default."""
    if sort and sort.lstrip("-") in SORTS:
        return sort
    return DEFAULT_SORT


@dataclass(frozen=True)
class Page:
    items: list[Initiative]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search(
    user: User,
    filters: PortfolioFilter,
    stale_days: int,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of the filtered, sorted list; cached until anything changes."""
    key = ("list", committee_scope(user), filters, stale_days, sort, page, per_page)
    return cached(
        key, lambda: _search(user, filters, stale_days, sort, page, per_page), scope=key[1]
    )


def _search(
    user: User,
    filters: PortfolioFilter,
    stale_days: int,
    sort: str,
    page: int,
    per_page: int,
) -> Page:
    query = filters.apply(visible_initiatives(user), stale_condition(stale_days))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    sort = normalise_sort(sort)
    key = SORTS[sort.lstrip("-")]()
    # Ties go by id in the sort's direction, so that one index serves an order both ways
    # (ix_initiative_recent for the default).
    direction = desc if sort.startswith("-") else asc
    order = (direction(key), direction(Initiative.id))
    if sort.lstrip("-") == "department":
        query = query.join(Department, Initiative.department_id == Department.id)
    # The page's ids over as few columns as the order needs; then only its rows are read whole.
    ids = (
        query.with_only_columns(Initiative.id, key.label("sort_key"))
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery()
    )
    sort_key = (direction(ids.c.sort_key), direction(Initiative.id))
    items = db.session.scalars(
        select(Initiative)
        .join(ids, ids.c.id == Initiative.id)
        .options(
            selectinload(Initiative.department),
            selectinload(Initiative.owner),
            selectinload(Initiative.open_support_request),
            selectinload(Initiative.principle_links).selectinload(PrincipleLink.principle),
        )
        .order_by(*sort_key)
    ).all()
    return Page(list(items), total, page, per_page)
