"""The portfolio filters of the interface contract, shared by lists, board, dashboard and exports.

``committee`` and ``department`` are codes, ``principle`` a key, ``status`` and ``health`` codes
(each may repeat), ``stale=1``, ``support=1`` (an open support request) and ``q`` a text searched
in title and purpose. Unknown values are
refused with a message rather than silently giving an empty result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..models import (
    Committee,
    Department,
    Health,
    Initiative,
    Principle,
    PrincipleLink,
    Status,
    SupportRequest,
    search,
)
from ..models.search import escape_like  # noqa: F401 - imported from here by other modules

MAX_QUERY_LENGTH = 200


class FilterError(ValueError):
    """A filter value that names nothing; the message is for the user, ``field`` the query
    parameter it is about."""

    def __init__(self, message, field: str = "query"):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class PortfolioFilter:
    committee: str | None = None
    department: str | None = None
    principle: str | None = None
    statuses: tuple[Status, ...] = ()
    healths: tuple[Health, ...] = ()
    stale: bool = False
    q: str = ""
    support: bool = False
    # Resolved ids, filled by ``parse`` so that queries need no further look-ups.
    committee_id: int | None = field(default=None, compare=False)
    department_id: int | None = field(default=None, compare=False)
    principle_id: int | None = field(default=None, compare=False)

    def active_status_values(self) -> list[str]:
        """The statuses of the selection that count as active (planned, in progress, paused):
        the dashboard's health, support and progress figures are over these alone, and so are
        the lists they link to."""
        from ..models import ACTIVE_STATUSES

        return [s.value for s in (self.statuses or tuple(Status)) if s in ACTIVE_STATUSES]

    @property
    def active(self) -> bool:
        return any(
            (
                self.committee,
                self.department,
                self.principle,
                self.statuses,
                self.healths,
                self.stale,
                self.q,
                self.support,
            )
        )

    @property
    def whole_departments(self) -> bool:
        """Whether the selection is every initiative of some departments (at most a committee
        or a department is chosen), so that figures kept per department answer for it."""
        return not any(
            (self.principle, self.statuses, self.healths, self.stale, self.q, self.support)
        )

    def as_args(self) -> MultiDict:
        """The filter as query parameters, to carry it to another page or an export."""
        args = MultiDict()
        for name in ("committee", "department", "principle"):
            if getattr(self, name):
                args.add(name, getattr(self, name))
        for status in self.statuses:
            args.add("status", status.value)
        for health in self.healths:
            args.add("health", health.value)
        if self.stale:
            args.add("stale", "1")
        if self.support:
            args.add("support", "1")
        if self.q:
            args.add("q", self.q)
        return args

    def apply(self, query: Select, stale_condition) -> Select:
        """Narrow a query over Initiative (which must already join Department where
        ``committee`` is used: this adds the join itself)."""
        if self.committee_id is not None:
            query = query.where(
                Initiative.department_id.in_(
                    select(Department.id).where(Department.committee_id == self.committee_id)
                )
            )
        if self.department_id is not None:
            query = query.where(Initiative.department_id == self.department_id)
        if self.principle_id is not None:
            query = query.where(
                Initiative.id.in_(
                    select(PrincipleLink.initiative_id).where(
                        PrincipleLink.principle_id == self.principle_id
                    )
                )
            )
        if self.statuses:
            query = query.where(Initiative.status.in_([s.value for s in self.statuses]))
        if self.healths:
            query = query.where(Initiative.health.in_([h.value for h in self.healths]))
        if self.stale:
            query = query.where(stale_condition)
        if self.support:
            query = query.where(
                Initiative.id.in_(
                    select(SupportRequest.initiative_id).where(SupportRequest.closed_at.is_(None))
                )
            )
        if self.q:
            query = query.where(search.matches(self.q))
        return query


def parse_keeping_the_rest(args: MultiDict) -> tuple[PortfolioFilter, list]:
    """The filters of a page's query string, without the values that name nothing: each such
    parameter is left out (with its message) and the others still apply, as a person who
    mistyped one choice expects (``committee=XYZ&status=done`` shows the done ones, and says
    that XYZ is no committee). The files and the API refuse such a request instead (``parse``)."""
    args = MultiDict(args)
    messages = []
    while True:
        try:
            return parse(args), messages
        except FilterError as error:
            messages.append(error.message)
            if error.field not in args:  # nothing named to leave out: no filter at all
                return PortfolioFilter(), messages
            args.poplist(error.field)


def for_page(args: MultiDict) -> PortfolioFilter:
    """A page's filters (``parse_keeping_the_rest``), each value left out told to the user as an
    error message above the page."""
    filters, problems = parse_keeping_the_rest(args)
    for message in problems:
        flash(message, "error")
    return filters


def parse(args: MultiDict) -> PortfolioFilter:
    """Read and check the filters of a request's query string."""
    committee = _text(args, "committee")
    department = _text(args, "department")
    principle = _text(args, "principle")
    committee_id = department_id = principle_id = None
    if committee:
        committee_id = db.session.scalar(
            select(Committee.id).where(Committee.short_name == committee)
        )
        if committee_id is None:
            raise FilterError(
                _l("There is no committee with the code %(code)s.", code=committee), "committee"
            )
    if department:
        department_id = db.session.scalar(
            select(Department.id).where(Department.code == department)
        )
        if department_id is None:
            raise FilterError(
                _l("There is no department with the code %(code)s.", code=department), "department"
            )
    if principle:
        principle_id = db.session.scalar(select(Principle.id).where(Principle.key == principle))
        if principle_id is None:
            raise FilterError(
                _l("There is no principle called %(key)s.", key=principle), "principle"
            )
    try:
        statuses = tuple(dict.fromkeys(Status(v) for v in args.getlist("status") if v))
    except ValueError:
        raise FilterError(_l("Unknown status."), "status") from None
    try:
        healths = tuple(dict.fromkeys(Health(v) for v in args.getlist("health") if v))
    except ValueError:
        raise FilterError(_l("Unknown health."), "health") from None
    stale = args.get("stale", "") in ("1", "true", "on")
    support = args.get("support", "") in ("1", "true", "on")
    q = " ".join(args.get("q", "").split())[:MAX_QUERY_LENGTH]
    return PortfolioFilter(
        committee=committee,
        department=department,
        principle=principle,
        statuses=statuses,
        healths=healths,
        stale=stale,
        q=q,
        support=support,
        committee_id=committee_id,
        department_id=department_id,
        principle_id=principle_id,
    )


def _text(args: MultiDict, name: str) -> str | None:
    value = (args.get(name) or "").strip()
    return value[:60] or None


@dataclass(frozen=True)
class FilterChoices:
    committees: list[Committee]
    departments: list[Department]
    principles: list[Principle]


def choices() -> FilterChoices:
    """What the filter form offers: active committees, departments and principles."""
    return FilterChoices(
        committees=list(
            db.session.scalars(
                select(Committee).where(Committee.active.is_(True)).order_by(Committee.name)
            )
        ),
        departments=list(
            db.session.scalars(
                select(Department).where(Department.active.is_(True)).order_by(Department.name)
            )
        ),
        principles=list(
            db.session.scalars(
                select(Principle)
                .where(Principle.retired_at.is_(None))
                .order_by(Principle.sort_order)
            )
        ),
    )
