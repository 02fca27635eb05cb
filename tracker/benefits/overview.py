"""The benefits overview: every benefit the user may see with its figures, planned against
realised, overdue measurements, and a roll-up per guiding principle and per department. The same
view feeds the page, the dashboard's summary and the CSV, so they cannot disagree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import get_timezone

from ..exports.services import local_today
from ..models import Benefit, User
from ..portfolio.filters import PortfolioFilter
from . import services
from .figures import BenefitState, Figures, figures


@dataclass(frozen=True)
class BenefitRow:
    benefit: Benefit
    figures: Figures


@dataclass
class Rollup:
    """Counts for one principle or department."""

    key: str
    label: str
    href_args: dict
    total: int = 0
    by_state: dict[BenefitState, int] = field(
        default_factory=lambda: {state: 0 for state in BenefitState}
    )
    overdue: int = 0
    shares: list[Decimal] = field(default_factory=list)

    def add(self, row: BenefitRow) -> None:
        self.total += 1
        self.by_state[row.figures.state] += 1
        if row.figures.overdue:
            self.overdue += 1
        if row.figures.share is not None:
            self.shares.append(row.figures.share)

    @property
    def average_percent(self) -> int | None:
        """The average share of the way to target, over the measured benefits, in percent."""
        if not self.shares:
            return None
        return int((sum(self.shares) / len(self.shares) * 100).to_integral_value())


@dataclass
class Overview:
    rows: list[BenefitRow]
    totals: Rollup
    by_principle: list[Rollup]
    by_department: list[Rollup]

    @property
    def overdue_rows(self) -> list[BenefitRow]:
        return [r for r in self.rows if r.figures.overdue]


def build(
    user: User,
    filters: PortfolioFilter,
    stale_days: int,
    today: date,
    locale: str,
    *,
    summary: bool = False,
    of_selection: bool = False,
) -> Overview:
    """The overview; with ``summary`` (the dashboard's) the benefits are loaded only for the
    figures and roll-ups, not for the rows' people; ``of_selection``: see ``services.search``."""
    found = services.search(user, filters, stale_days, summary=summary, of_selection=of_selection)
    rows = [BenefitRow(b, figures(b.indicator, b.initiative.status, today)) for b in found]
    totals = Rollup("all", "", {})
    principles: dict[str, Rollup] = {}
    departments: dict[str, Rollup] = {}
    for row in rows:
        totals.add(row)
        for principle in row.benefit.principles:
            if principle.key not in principles:
                principles[principle.key] = Rollup(
                    principle.key, principle.name(locale), {"principle": principle.key}
                )
            principles[principle.key].add(row)
        department = row.benefit.initiative.department
        if department.code not in departments:
            departments[department.code] = Rollup(
                department.code, department.name, {"department": department.code}
            )
        departments[department.code].add(row)
    order = defaultdict(int)
    for row in rows:
        for principle in row.benefit.principles:
            order[principle.key] = principle.sort_order
    return Overview(
        rows=rows,
        totals=totals,
        by_principle=sorted(principles.values(), key=lambda r: (order[r.key], r.label)),
        by_department=sorted(departments.values(), key=lambda r: r.label),
    )


def rows_of(initiative) -> list[BenefitRow]:
    """One initiative's benefits with their figures, for its page."""
    today = local_today(get_timezone())
    return [
        BenefitRow(b, figures(b.indicator, initiative.status, today))
        for b in services.benefits_of(initiative)
    ]
