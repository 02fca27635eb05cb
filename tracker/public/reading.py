"""What residents see: published initiatives, as plain values built from an allow-list.

Nothing here writes. Every public page and file is built from ``PublicInitiative`` only, so a field
that is not in it (risks, support, decisions, report texts, users) cannot reach a resident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import get_timezone
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..models import Department, Initiative, PrincipleLink, Publication, User
from ..portfolio import filters as portfolio_filters
from .services import Allowed, allowed, published_condition

PAGE_SIZE = 50
MAX_ID = 2**31 - 1  # an INTEGER column on every database
PUBLIC_FILTERS = ("committee", "department", "principle", "status", "health", "q")


class NotPublished(LookupError):
    """No published initiative with this id (unknown or unpublished alike: 404)."""


@dataclass(frozen=True)
class PublicPrinciple:
    key: str
    name: str
    motivation: str


@dataclass(frozen=True)
class PublicInitiative:
    id: int
    title: str
    purpose: str
    benefit: str
    target_group: str
    department: str
    committee: str
    committee_code: str
    principles: tuple[PublicPrinciple, ...]
    status: str
    status_label: str
    health: str
    health_label: str
    health_symbol: str
    progress: int
    start_date: date | None
    target_date: date | None
    public_summary: str
    latest_report: date | None
    cost_estimate: int | None = None
    owner_name: str | None = None
    owner_title: str | None = None


def parse_filters(args: MultiDict) -> portfolio_filters.PortfolioFilter:
    """The portfolio's filters, only those the public pages offer."""
    only = MultiDict([(k, printable(v)) for k, v in args.items(multi=True) if k in PUBLIC_FILTERS])
    return portfolio_filters.parse(only)


def printable(value: str) -> str:
    """Control characters (NUL among them, which PostgreSQL refuses in text) name nothing."""
    return "".join(c for c in value if c >= " " and c != "\x7f")


def _query(rules: Allowed):
    return (
        select(Initiative, Publication)
        .outerjoin(Publication, Publication.initiative_id == Initiative.id)
        .where(published_condition(rules))
        .options(
            joinedload(Initiative.department).joinedload(Department.committee),
            selectinload(Initiative.principle_links).joinedload(PrincipleLink.principle),
            joinedload(Initiative.owner).joinedload(User.department),
        )
    )


def _public(initiative: Initiative, publication: Publication | None, rules: Allowed, locale: str):
    owner = initiative.owner
    return PublicInitiative(
        id=initiative.id,
        title=initiative.title,
        purpose=initiative.purpose,
        benefit=initiative.benefit or "",
        target_group=initiative.target_group or "",
        department=initiative.department.name,
        committee=initiative.department.committee.name,
        committee_code=initiative.department.committee.short_name,
        principles=tuple(
            PublicPrinciple(link.principle.key, link.principle.name(locale), link.motivation)
            for link in initiative.links_in_order
        ),
        status=initiative.status.value,
        status_label=str(initiative.status.label),
        health=initiative.health.value,
        health_label=str(initiative.health.label),
        health_symbol=initiative.health.symbol,
        progress=initiative.progress,
        start_date=initiative.start_date,
        target_date=initiative.target_date,
        public_summary=publication.summary_for_residents if publication is not None else "",
        latest_report=_local_day(initiative.last_update_at),
        cost_estimate=initiative.cost_estimate if rules.show_cost else None,
        owner_name=owner.name if rules.show_owner else None,
        owner_title=_title(owner) if rules.show_owner else None,
    )


def _local_day(moment) -> date | None:
    """The organisation's calendar day of a UTC moment, as on the other pages and in the
    frozen reports (not the UTC date, a day early after midnight in Sweden)."""
    return moment.astimezone(get_timezone()).date() if moment else None


def _title(user) -> str:
    role = str(user.role.label)
    return f"{role}, {user.department.name}" if user.department else role


def published(
    filters: portfolio_filters.PortfolioFilter,
    locale: str,
    limit: int | None = None,
    offset: int = 0,
) -> list[PublicInitiative]:
    rules = allowed()
    query = filters.apply(_query(rules), None).order_by(Initiative.title, Initiative.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = db.session.execute(query).unique().all()
    return [_public(i, p, rules, locale) for i, p in rows]


def published_ids() -> set[int]:
    query = (
        select(Initiative.id)
        .outerjoin(Publication, Publication.initiative_id == Initiative.id)
        .where(published_condition(allowed()))
    )
    return set(db.session.scalars(query))


def count(filters: portfolio_filters.PortfolioFilter) -> int:
    query = (
        select(func.count(Initiative.id))
        .select_from(Initiative)
        .outerjoin(Publication, Publication.initiative_id == Initiative.id)
        .where(published_condition(allowed()))
    )
    return db.session.scalar(filters.apply(query, None)) or 0


def page_number(value: str | None) -> int:
    """``?page=``: a whole number from 1, anything else the first page."""
    try:
        return min(max(int(value or 1), 1), 100_000)
    except ValueError:
        return 1


def one(initiative_id: int, locale: str) -> PublicInitiative:
    if not 0 < initiative_id <= MAX_ID:
        raise NotPublished(initiative_id)
    rules = allowed()
    row = db.session.execute(_query(rules).where(Initiative.id == initiative_id)).unique().first()
    if row is None:
        raise NotPublished(initiative_id)
    return _public(row[0], row[1], rules, locale)
