"""The board: one column per status, the most urgent cards first, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import Select, case, func, literal, select, union_all
from sqlalchemy.orm import defer, raiseload, selectinload

from ..cache import cached
from ..extensions import db
from ..models import Health, Initiative, Principle, Status, User
from ..permissions import committee_scope
from . import since as since_report
from .filters import PortfolioFilter
from .services import (
    Report,
    latest_reports,
    principle_ids,
    stale_condition,
    visible_initiatives,
)

# The most urgent 50 of a column, as the board was specified (issue 4): a card costs its share of
# the page to draw, and "show more" brings the next ones.
CARDS_PER_COLUMN = 50
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
    # initiative id -> its guiding principles, in their order
    principles: dict[int, tuple[Principle, ...]] = field(default_factory=dict)

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
        last_activity(),
        Initiative.id,
    ]


def last_activity():
    """When the initiative last changed: its latest update, or its registration."""
    return func.coalesce(Initiative.last_update_at, Initiative.created_at)


def _selection(user: User, filters: PortfolioFilter, stale_days: int) -> Select:
    return filters.apply(visible_initiatives(user), stale_condition(stale_days))


def _with_card_data(query: Select, entity=Initiative) -> Select:
    """What a card shows, and not the long texts it never shows (a template that reads one
    raises, rather than loading it card by card). The principles come as rows
    (``card_principles``): an object per link was a fifth of the board's time."""
    return query.options(
        defer(entity.purpose, raiseload=True),
        defer(entity.benefit, raiseload=True),
        defer(entity.risks, raiseload=True),
        defer(entity.target_group, raiseload=True),
        defer(entity.funding_source, raiseload=True),
        selectinload(entity.department),
        selectinload(entity.owner),
        raiseload(entity.principle_links),
        selectinload(entity.open_support_request),
    )


def columns(user: User, filters: PortfolioFilter, stale_days: int) -> list[Column]:
    """Every status column with its count and its first cards: one count query, one query for
    the first cards' ids of all columns and one for the cards (see ``_first_cards``).
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
    cards = _first_cards(selection, [status for status in Status if counts.get(status)])
    by_status: dict[Status, list[Initiative]] = {s: [] for s in Status}
    for initiative in cards:
        by_status[initiative.status].append(initiative)
    reports = latest_reports(initiative.id for initiative in cards)
    changes = since_report.card_changes(cards)
    principles = card_principles(cards)
    return [
        Column(status, counts.get(status, 0), by_status[status], reports, changes, principles)
        for status in Status
    ]


def card_principles(cards: list[Initiative]) -> dict[int, tuple[Principle, ...]]:
    """The guiding principles of each card, in their order: two queries whatever the number
    of cards (the links as rows, then the few principles they name)."""
    links = principle_ids([initiative.id for initiative in cards])
    named = {principle_id for ids in links.values() for principle_id in ids}
    if not named:
        return {}
    principles = {
        principle.id: principle
        for principle in db.session.scalars(select(Principle).where(Principle.id.in_(named)))
    }
    return {
        initiative_id: tuple(principles[principle_id] for principle_id in ids)
        for initiative_id, ids in links.items()
    }


def _first_cards(selection: Select, statuses: list[Status]) -> list[Initiative]:
    """The first ``CARDS_PER_COLUMN`` cards of each status, in ``urgency`` order, in two queries.

    Within one status "silent" is the same as "older than the cut-off", so the urgency order is
    the red cards by last activity, then the others by last activity. Each of the two halves of
    each status is one ``ORDER BY last activity LIMIT 20`` walk of ``ix_initiative_board``,
    which stops after twenty rows, instead of numbering every visible initiative with a window
    function (a sort of the whole portfolio on every board)."""
    if not statuses:
        return []
    off_track = Initiative.health == Health.OFF_TRACK.value
    parts = [
        select(
            selection.where(Initiative.status == status.value, red)
            .with_only_columns(
                Initiative.status,
                literal(rank).label("red"),
                last_activity().label("last_activity"),
                Initiative.id,
            )
            .order_by(last_activity(), Initiative.id)
            .limit(CARDS_PER_COLUMN)
            .subquery()
        )
        for status in statuses
        for rank, red in ((0, off_track), (1, ~off_track))
    ]
    shown: dict[Status, list[int]] = {status: [] for status in statuses}
    ranked = union_all(*parts) if len(parts) > 1 else parts[0]
    # A union keeps no order: the rows carry their sort key.
    for status, _red, _last_activity, initiative_id in sorted(db.session.execute(ranked)):
        ids = shown[Status(status)]
        if len(ids) < CARDS_PER_COLUMN:
            ids.append(initiative_id)
    order = {initiative_id: n for n, initiative_id in enumerate(chain(*shown.values()))}
    cards = db.session.scalars(
        _with_card_data(select(Initiative)).where(Initiative.id.in_(order))
    ).all()
    return sorted(cards, key=lambda initiative: order[initiative.id])


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
        card_principles(list(cards)),
    )
