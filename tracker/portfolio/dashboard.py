"""The dashboard's figures. Each is one SQL aggregate over the selection (GROUP BY), never a loop
over initiatives in Python, so the number of queries is the same for 10 or 10,000 initiatives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, case, false, func, select
from sqlalchemy.orm import selectinload

from ..cache import cached
from ..extensions import db
from ..initiatives import support as support_requests
from ..models import (
    ACTIVE_STATUSES,
    Committee,
    Department,
    Health,
    Initiative,
    Principle,
    PrincipleLink,
    Status,
    StatusUpdate,
    StatusUpdateTally,
    User,
    utcnow,
)
from ..permissions import committee_scope
from . import since as since_report
from .filters import PortfolioFilter
from .services import Report, latest_reports, stale_condition, stale_cutoff, visible_initiatives

ATTENTION_LIMIT = 15
TREND_MONTHS = 12


@dataclass
class Counts:
    """How many initiatives, split by status and health, how many are stale or ask for support,
    and how many serve each principle (by principle id)."""

    total: int = 0
    by_status: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    by_health: dict[Health, int] = field(default_factory=lambda: dict.fromkeys(Health, 0))
    stale: int = 0
    support: int = 0
    progress_sum: int = 0
    active: int = 0
    coverage: dict[int, int] = field(default_factory=dict)

    @property
    def average_progress(self) -> int | None:
        return round(self.progress_sum / self.active) if self.active else None

    def add(self, other: Counts) -> None:
        self.total += other.total
        self.stale += other.stale
        self.support += other.support
        self.progress_sum += other.progress_sum
        self.active += other.active
        for key, value in other.by_status.items():
            self.by_status[key] += value
        for key, value in other.by_health.items():
            self.by_health[key] += value
        for key, value in other.coverage.items():
            self.coverage[key] = self.coverage.get(key, 0) + value


@dataclass
class DepartmentRow:
    department: Department
    counts: Counts


@dataclass
class CommitteeGroup:
    committee: Committee
    counts: Counts
    departments: list[DepartmentRow]


@dataclass
class Month:
    label: str  # YYYY-MM
    updates: int
    by_health: dict[Health, int]


@dataclass
class Attention:
    initiative: Initiative
    off_track: bool
    support: bool
    stale: bool
    report: Report | None = None  # the latest status report: why it needs attention


@dataclass
class Dashboard:
    totals: Counts
    committees: list[CommitteeGroup]
    principles: list[Principle]
    trend: list[Month]
    attention: list[Attention]
    # what changed since each committee's last frozen report
    since: since_report.Summary | None = None


def build(user: User, filters: PortfolioFilter, stale_days: int, today: date | None = None):
    """The dashboard for the user's scope and the filter: from the cache when nothing has changed
    since it was computed (see ``tracker.cache``)."""
    key = ("dashboard", committee_scope(user), filters, stale_days, today)
    return cached(key, lambda: _build(user, filters, stale_days, today), scope=key[1])


def _build(user: User, filters: PortfolioFilter, stale_days: int, today: date | None):
    selection = filters.apply(visible_initiatives(user), stale_condition(stale_days))
    per_department = _counts_per_department(selection, stale_days)
    _add_coverage(selection, per_department)
    committees = _group(user, filters, per_department)
    totals = Counts()
    for counts in per_department.values():
        totals.add(counts)
    principles = list(
        db.session.scalars(
            select(Principle).where(Principle.retired_at.is_(None)).order_by(Principle.sort_order)
        )
    )
    return Dashboard(
        totals=totals,
        committees=committees,
        principles=principles,
        trend=_trend(user, filters, selection, today or utcnow().date()),
        attention=_attention(selection, stale_days),
        since=since_report.summary(selection),
    )


def _counts_per_department(selection: Select, stale_days: int) -> dict[int, Counts]:
    i = selection.subquery()
    active = i.c.status.in_([s.value for s in ACTIVE_STATUSES])
    cutoff = stale_cutoff(stale_days)
    stale = and_(active, func.coalesce(i.c.last_update_at, i.c.created_at) < cutoff)
    columns = [
        i.c.department_id,
        func.count(),
        func.sum(case((stale, 1), else_=0)),
        func.sum(
            case((and_(active, i.c.id.in_(support_requests.open_initiative_ids())), 1), else_=0)
        ),
        func.sum(case((active, i.c.progress), else_=0)),
        func.sum(case((active, 1), else_=0)),
    ]
    columns += [func.sum(case((i.c.status == s.value, 1), else_=0)) for s in Status]
    columns += [func.sum(case((and_(active, i.c.health == h.value), 1), else_=0)) for h in Health]
    result: dict[int, Counts] = {}
    for row in db.session.execute(select(*columns).group_by(i.c.department_id)):
        department_id, total, n_stale, n_support, progress_sum, n_active, *rest = row
        counts = Counts(
            total=total,
            stale=int(n_stale or 0),
            support=int(n_support or 0),
            progress_sum=int(progress_sum or 0),
            active=int(n_active or 0),
        )
        for status, value in zip(Status, rest[: len(Status)], strict=True):
            counts.by_status[status] = int(value or 0)
        for health, value in zip(Health, rest[len(Status) :], strict=True):
            counts.by_health[health] = int(value or 0)
        result[department_id] = counts
    return result


def _add_coverage(selection: Select, per_department: dict[int, Counts]) -> None:
    ids = selection.with_only_columns(Initiative.id, Initiative.department_id).subquery()
    query = (
        select(ids.c.department_id, PrincipleLink.principle_id, func.count())
        .join(PrincipleLink, PrincipleLink.initiative_id == ids.c.id)
        .group_by(ids.c.department_id, PrincipleLink.principle_id)
    )
    for department_id, principle_id, count in db.session.execute(query):
        per_department[department_id].coverage[principle_id] = count


def _group(user: User, filters: PortfolioFilter, per_department: dict[int, Counts]):
    """Committees with their departments: every active department in scope, so that one with no
    initiative (or none for a principle) shows as such."""
    query = (
        select(Department)
        .join(Committee, Department.committee_id == Committee.id)
        .where(Department.active.is_(True), Committee.active.is_(True))
        .options(selectinload(Department.committee))
        .order_by(Committee.name, Department.name)
    )
    scope = committee_scope(user)
    if scope is not None:
        query = query.where(Department.committee_id == scope)
    if filters.committee_id is not None:
        query = query.where(Department.committee_id == filters.committee_id)
    if filters.department_id is not None:
        query = query.where(Department.id == filters.department_id)
    groups: dict[int, CommitteeGroup] = {}
    for department in db.session.scalars(query):
        counts = per_department.get(department.id, Counts())
        group = groups.setdefault(
            department.committee_id, CommitteeGroup(department.committee, Counts(), [])
        )
        group.departments.append(DepartmentRow(department, counts))
        group.counts.add(counts)
    return list(groups.values())


def month_of(column):
    """The calendar month (YYYY-MM) of a timestamp, in SQL, on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.substr(column, 1, 7)  # stored as 'YYYY-MM-DD HH:MM:SS…' (UTC)


def _months(today: date) -> list[str]:
    year, month = today.year, today.month
    labels = []
    for _ in range(TREND_MONTHS):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return labels[::-1]


def _trend(user: User, filters: PortfolioFilter, selection: Select, today: date) -> list[Month]:
    """Status updates per month and health: from the tally kept per department (see
    ``tracker.models.tally``) when the selection is whole departments, else counted."""
    labels = _months(today)
    if filters.whole_departments:
        query = _tally_query(user, filters, labels[0])
    else:
        since = datetime.fromisoformat(labels[0] + "-01T00:00:00+00:00")
        ids = selection.with_only_columns(Initiative.id)
        month = month_of(StatusUpdate.created_at).label("month")
        query = (
            select(month, StatusUpdate.health, func.count())
            .where(StatusUpdate.initiative_id.in_(ids), StatusUpdate.created_at >= since)
            .group_by(month, StatusUpdate.health)
        )
    by_month = {label: Month(label, 0, dict.fromkeys(Health, 0)) for label in labels}
    for label, health, count in db.session.execute(query):
        if label in by_month:
            by_month[label].updates += count
            by_month[label].by_health[Health(health)] += count
    return [by_month[label] for label in labels]


def _tally_query(user: User, filters: PortfolioFilter, first_month: str) -> Select:
    query = (
        select(
            StatusUpdateTally.month, StatusUpdateTally.health, func.sum(StatusUpdateTally.updates)
        )
        .where(StatusUpdateTally.month >= first_month)
        .group_by(StatusUpdateTally.month, StatusUpdateTally.health)
    )
    scope = committee_scope(user)
    committee_ids = {c for c in (scope, filters.committee_id) if c is not None}
    if committee_ids:
        query = query.where(
            StatusUpdateTally.department_id.in_(
                select(Department.id).where(Department.committee_id.in_(committee_ids))
            )
        )
        if len(committee_ids) > 1:  # two different committees: nothing
            query = query.where(false())
    if filters.department_id is not None:
        query = query.where(StatusUpdateTally.department_id == filters.department_id)
    return query


def _attention(selection: Select, stale_days: int) -> list[Attention]:
    """Red, asking for support or silent, the most urgent first."""
    active = Initiative.status.in_([s.value for s in ACTIVE_STATUSES])
    off_track = and_(active, Initiative.health == Health.OFF_TRACK.value)
    support = and_(active, Initiative.id.in_(support_requests.open_initiative_ids()))
    stale = stale_condition(stale_days)
    # The most urgent ids first, over the figures index; then only those rows are read whole.
    urgent = (
        selection.with_only_columns(
            Initiative.id,
            off_track.label("red"),
            support.label("help"),
            stale.label("silent"),
            case((off_track, 0), else_=1).label("o1"),
            case((support, 0), else_=1).label("o2"),
            func.coalesce(Initiative.last_update_at, Initiative.created_at).label("o3"),
        )
        .where(active, off_track | support | stale)
        .order_by("o1", "o2", "o3", Initiative.id)
        .limit(ATTENTION_LIMIT)
        .subquery()
    )
    query = (
        select(Initiative, urgent.c.red, urgent.c.help, urgent.c.silent)
        .join(urgent, urgent.c.id == Initiative.id)
        .options(
            selectinload(Initiative.department),
            selectinload(Initiative.owner),
            selectinload(Initiative.open_support_request),
        )
        .order_by(urgent.c.o1, urgent.c.o2, urgent.c.o3, Initiative.id)
    )
    rows = db.session.execute(query).all()
    reports = latest_reports(initiative.id for initiative, *_flags in rows)
    return [
        Attention(initiative, bool(red), bool(help_), bool(silent), reports.get(initiative.id))
        for initiative, red, help_, silent in rows
    ]
