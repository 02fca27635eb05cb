"""The digital maturity comparison as a part of an export (issue 8): a sheet in the XLSX file and
a section in the PDF and Word reports, when the user asks for it with ``maturity=1``.

``section`` builds the data once, for all three writers: the latest round against the previous
one, as the maturity page shows it (``maturity.page`` picks the rounds and the departments with
values), grouped dimension → category → question. The writers only format.

Which figures: the whole organisation's, unless the export's filter names one department that has
values of its own in the latest round; then that department's. A committee has no figures of its
own, so a committee-scoped export shows the whole organisation's.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..maturity import page
from ..maturity.figures import Figure, RoundInfo, comparison
from ..permissions import can_read_portfolio, require
from ..portfolio.filters import FilterError, PortfolioFilter

PARAMETER = "maturity"


def requested(args: MultiDict) -> bool:
    """``maturity=1`` asks for the comparison; absent or empty does not; anything else is refused
    like every other filter value that names nothing."""
    value = (args.get(PARAMETER) or "").strip()
    if value not in ("", "1"):
        raise FilterError(
            _(
                "Unknown value for maturity: use maturity=1 to include the digital maturity "
                "comparison, or leave it out."
            )
        )
    return value == "1"


@dataclass(frozen=True)
class Line:
    """One figure: a dimension, a category or a question, in percent and percentage points."""

    name: str
    latest: float | None
    previous: float | None
    change: float | None
    weak: bool = False
    capability: str = ""  # questions only

    @property
    def latest_text(self) -> str:
        return percent_text(self.latest)

    @property
    def previous_text(self) -> str:
        return percent_text(self.previous)

    @property
    def change_text(self) -> str:
        return change_text(self.change)


@dataclass(frozen=True)
class CategoryBlock:
    line: Line
    questions: list[Line]


@dataclass(frozen=True)
class DimensionBlock:
    line: Line
    categories: list[CategoryBlock]


@dataclass(frozen=True)
class Section:
    """The comparison as the exports show it; ``latest`` is None when no round is recorded."""

    latest: RoundInfo | None
    previous: RoundInfo | None
    scope: str  # "The whole organisation" or the department's name
    dimensions: list[DimensionBlock]
    weakest: list[Line]  # the three weakest categories, the weakest first

    @property
    def introduction(self) -> str:
        if self.latest is None:
            return _("No maturity measurement has been recorded.")
        if self.previous is None:
            return _(
                "The DiMiOS survey: %(latest)s, in percent. There is no earlier round to compare "
                "with yet.",
                latest=round_label(self.latest),
            )
        return _(
            "The DiMiOS survey: %(latest)s compared with %(previous)s, in percent. Changes are "
            "in percentage points.",
            latest=round_label(self.latest),
            previous=round_label(self.previous),
        )


def section(user, filters: PortfolioFilter, locale: str) -> Section:
    """The maturity comparison for an export with ``filters``, checked as the maturity page is."""
    require(can_read_portfolio(user))
    latest, previous = page.latest_rounds()
    whole = _("The whole organisation")
    if latest is None:
        return Section(None, None, whole, [], [])
    department = None
    if filters.department_id is not None:
        readable = page.departments_with_values(latest, user)
        department = next((d for d in readable if d.id == filters.department_id), None)
    result = comparison(latest, previous, department)

    def line(figure: Figure, **extra) -> Line:
        return Line(figure.name(locale), figure.latest, figure.previous, figure.change, **extra)

    dimensions = [
        DimensionBlock(
            line(dimension),
            [
                CategoryBlock(
                    line(category, weak=category.weak),
                    [
                        line(question, capability=question.capability(locale))
                        for question in result.questions
                        if question.category_key == category.key
                    ],
                )
                for category in result.categories
                if category.dimension is dimension.dimension
            ],
        )
        for dimension in result.dimensions
    ]
    return Section(
        result.latest,
        result.previous,
        department.name if department else whole,
        dimensions,
        [line(category, weak=True) for category in result.weakest],
    )


def round_label(info: RoundInfo) -> str:
    return f"{info.name} ({info.measured_on.isoformat()})"


def percent_text(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, format="0.0")


def change_text(value: float | None) -> str:
    """A change with its sign: +4,0, −2,0 or ±0,0."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + format_decimal(abs(value), format="0.0")
