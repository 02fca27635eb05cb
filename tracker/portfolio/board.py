"""The board: one column per status, the most urgent cards first, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import defer, selectinload

from ..cache import cached
from ..extensions import db
from ..models import Health, Initiative, PrincipleLink, Status, User
from ..permissions import committee_scope
from . import since as since_report
from .filters import PortfolioFilter
from .services import Report, latest_reports, stale_condition, visible_initiatives

# A card costs its share of the page to draw; "show more" brings the next ones.
CARDS_PER_COLUMN = 20
COLLAPSED = frozenset({Status.DONE, Status.CANCELLED})


@dataclass
class Column:
    status: Status
    total: int
    cards: list[Initiative]
    # initiative id -> its latest status report, for the "why" on each card
    reports: dict[int, Report] = field(default_factory=dict)
    # initiative id -> what changed since its committee's last frozen report
    since: dict[int, since_report.CardChange] = field(default_factory=dict)

    @property
    def collapsed(self) -> bool:
        return self.status in COLLAPSED

    @property
    def more(self) -> int:
        return self.total - len(self.cards)


def urgency(stale_days: int) -> list:
    """Red first, then silent, then the oldest update."""
    return [
        case((Initiative.health == Health.OFF_TRACK.value, 0), else_=1),
        case((stale_condition(stale_days), 0), else_=1),
        func.coalesce(Initiative.last_update_at, Initiative.created_at),
        Initiative.id,
    ]


def _selection(user: User, filters: PortfolioFilter, stale_days: int) -> Select:
    return filters.apply(visible_initiatives(user), stale_condition(stale_days))


def _with_card_data(query: Select, entity=Initiative) -> Select:
    """What a card shows, and not the long texts it never shows (a template that reads one
    raises, rather than loading it card by card)."""
    return query.options(
        defer(entity.purpose, raiseload=True),
        defer(entity.benefit, raiseload=True),
        defer(entity.risks, raiseload=True),
        defer(entity.target_group, raiseload=True),
        defer(entity.funding_source, raiseload=True),
        selectinload(entity.department),
        selectinload(entity.owner),
        selectinload(entity.principle_links).selectinload(PrincipleLink.principle),
        selectinload(entity.open_support_request),
    )


def columns(user: User, filters: PortfolioFilter, stale_days: int) -> list[Column]:
    """Every status column with its count and its first cards: one count query and one query
    for the cards of all columns (a window function numbers the cards within each status).
    Cached until anything changes (see ``tracker.cache``)."""
    key = ("board", committee_scope(user), filters, stale_days, CARDS_PER_COLUMN)
    return cached(key, lambda: _columns(user, filters, stale_days), scope=key[1])


def _columns(user: User, filters: PortfolioFilter, stale_days: int) -> list[Column]:
    selection = _selection(user, filters, stale_days)
    sub = selection.subquery()
    counts = {
        Status(status): count
        for status, count in db.session.execute(
            select(sub.c.status, func.count()).group_by(sub.c.status)
        )
    }
    # Ranked over the few columns the order needs (the figures index holds them all), then
    # only the cards shown are read whole.
    ranked = selection.with_only_columns(
        Initiative.id,
        Initiative.status,
        func.row_number()
        .over(partition_by=Initiative.status, order_by=urgency(stale_days))
        .label("rank"),
    ).subquery()
    cards = db.session.scalars(
        _with_card_data(select(Initiative))
        .join(ranked, ranked.c.id == Initiative.id)
        .where(ranked.c.rank <= CARDS_PER_COLUMN)
        .order_by(ranked.c.status, ranked.c.rank)
    ).all()
    by_status: dict[Status, list[Initiative]] = {s: [] for s in Status}
    for initiative in cards:
        by_status[initiative.status].append(initiative)
    reports = latest_reports(initiative.id for initiative in cards)
    changes = since_report.card_changes(cards)
    return [
        Column(status, counts.get(status, 0), by_status[status], reports, changes)
        for status in Status
    ]


def more_cards(
    user: User, filters: PortfolioFilter, stale_days: int, status: Status, offset: int
) -> Column:
    """The next cards of one column, for "show more"."""
    selection = _selection(user, filters, stale_days).where(Initiative.status == status.value)
    total = db.session.scalar(select(func.count()).select_from(selection.subquery()))
    cards = db.session.scalars(
        _with_card_data(selection)
        .order_by(*urgency(stale_days))
        .offset(offset)
        .limit(CARDS_PER_COLUMN)
    ).all()
    return Column(
        status,
        total,
        list(cards),
        latest_reports(i.id for i in cards),
        since_report.card_changes(cards),
    )
