"""The board's first cards per column are the most urgent ones (red, then silent, then the oldest
update), found by walking an index per status instead of ranking the whole portfolio: the
cards equal what a full ranking of every visible initiative gives, for every filter and scope."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tracker.extensions import db
from tracker.models import Health, Initiative, Status
from tracker.portfolio import board
from tracker.portfolio import filters as portfolio_filters

from . import factories

STALE_DAYS = 30


def _full_ranking(user, filters) -> dict[Status, list[int]]:
    """The reference: every visible initiative numbered by the urgency order, per status."""
    selection = board._selection(user, filters, STALE_DAYS)
    ranked = selection.with_only_columns(
        Initiative.id,
        Initiative.status,
        func.row_number()
        .over(partition_by=Initiative.status, order_by=board.urgency(STALE_DAYS))
        .label("rank"),
    ).subquery()
    rows = db.session.execute(
        select(ranked.c.status, ranked.c.id)
        .where(ranked.c.rank <= board.CARDS_PER_COLUMN)
        .order_by(ranked.c.status, ranked.c.rank)
    )
    result: dict[Status, list[int]] = {status: [] for status in Status}
    for status, initiative_id in rows:
        result[Status(status)].append(initiative_id)
    return result


@pytest.fixture
def portfolio(org):
    """About a hundred initiatives in every status and health, some silent, some archived, some
    updated at the very same moment (ties are broken by id), in both committees."""
    rng = random.Random(20)
    now = datetime.now(UTC).replace(microsecond=0)
    same_moment = now - timedelta(days=40)
    owners = [org.manager, org.other_manager]
    for n in range(110):
        owner = owners[n % 2]
        last = same_moment if n % 9 == 0 else now - timedelta(days=rng.randint(0, 90), hours=n)
        factories.make_initiative(
            owner,
            department=org.departments[n % len(org.departments)],
            title=f"Initiativ {n}",
            principles=org.principles[: n % 3],
            status=rng.choice(list(Status)),
            health=rng.choice(list(Health)),
            progress=rng.randint(0, 100),
            last_update_at=None if n % 13 == 0 else last,
            created_at=last - timedelta(days=1)
            if n % 13
            else now - timedelta(days=rng.randint(0, 90)),
            archived_at=now if n % 17 == 0 else None,
        )
    db.session.commit()
    return org


@pytest.mark.parametrize("per_column", [3, 20])
@pytest.mark.parametrize(
    "args",
    [
        {},
        {"health": "off_track"},
        {"stale": "1"},
        {"status": ["in_progress", "paused"]},
        {"q": "initiativ 1"},
    ],
)
def test_first_cards_equal_a_full_ranking(portfolio, monkeypatch, per_column, args):
    monkeypatch.setattr(board, "CARDS_PER_COLUMN", per_column)
    for user in (portfolio.management, portfolio.committee_reader):
        filters = portfolio_filters.parse(MultiDict(args))
        expected = _full_ranking(user, filters)
        columns = board._columns(user, filters, STALE_DAYS)
        assert {c.status: [i.id for i in c.cards] for c in columns} == expected
        # Not vacuous: the columns hold cards, and more than fit in some of them.
        assert sum(len(ids) for ids in expected.values()) >= min(per_column, 3)
    if per_column == 3 and not args:
        assert all(c.more > 0 for c in board._columns(portfolio.management, filters, STALE_DAYS))
