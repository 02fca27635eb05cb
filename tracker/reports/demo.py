"""The demo's reporting calendar: the two tertials before the current one, each frozen for every
committee (so the second report shows what changed since the first), and the current tertial
open, with its deadline ahead and some managers' reports still missing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..models import Committee, User
from . import periods, services

TZ = ZoneInfo("Europe/Stockholm")
TERTIALS = ((1, 4), (5, 8), (9, 12))


def _tertial(day: date) -> tuple[int, int]:
    """(year, 1–3) of the tertial the day lies in."""
    return day.year, 1 + (day.month - 1) // 4


def _shift(year: int, number: int, back: int) -> tuple[int, int]:
    index = year * 3 + number - 1 - back
    return index // 3, index % 3 + 1


def _bounds(year: int, number: int) -> tuple[date, date]:
    first, last = TERTIALS[number - 1]
    start = date(year, first, 1)
    end = (date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)) - timedelta(days=1)
    return start, end


def load(
    management: User,
    organisation: str,
    stale_days: int,
    now: datetime,
    progress: Callable[[str, int, int], None] | None = None,
) -> int:
    """Add three periods and freeze the two past ones for every committee; returns the number
    of frozen reports. ``progress("reports", done, total)`` follows the freezing."""
    today = now.astimezone(TZ).date()
    committees = list(db_committees())
    frozen = 0
    progress = progress or (lambda _phase, _done, _total: None)
    progress("reports", 0, 2 * len(committees))
    year, number = _tertial(today)
    for back in (2, 1, 0):
        y, n = _shift(year, number, back)
        start, end = _bounds(y, n)
        deadline = min(end, max(start, today + timedelta(days=14))) if back == 0 else end
        data = periods.PeriodData(
            name=f"Tertial {n} {y}",
            starts_on=start,
            ends_on=end,
            deadline=deadline if back == 0 else end - timedelta(days=10),
            meetings=[
                periods.MeetingData(
                    c.id, end + timedelta(days=21 + i), f"{c.short_name} {y}/{100 + 10 * n + i}"
                )
                for i, c in enumerate(committees)
            ],
        )
        period = periods.create_period(management, data)
        if back == 0:
            continue
        frozen_at = datetime.combine(end + timedelta(days=12), time(9, 0), TZ)
        request = services.FreezeRequest([c.id for c in committees], {})
        frozen += len(
            services.freeze(
                management,
                period,
                request,
                tz=TZ,
                stale_days=stale_days,
                organisation=organisation,
                locale="sv",
                now=min(frozen_at, now),
            )
        )
        periods.close(management, period)
        progress("reports", frozen, 2 * len(committees))
    return frozen


def db_committees():
    from ..extensions import db

    return db.session.scalars(select(Committee).order_by(Committee.name))
