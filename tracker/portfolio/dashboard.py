"""The dashboard's figures. Each is one SQL aggregate over the selection (GROUP BY), never a loop
over initiatives in Python, so the number of queries is the same for 10 or 10,000 initiatives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, case, false, func, select
from sqlalchemy.orm import joinedload

from ..cache import cached
from ..extensions import db
from ..initiatives import support as support_requests
from ..models import (
    ACTIVE_STATUSES,
    Committee,
    Department,
    FrozenReportEntry,
    Health,
    Initiative,
    Principle,
    PrincipleCoverage,
    PrincipleLink,
    Status,
    StatusUpdate,
    StatusUpdateTally,
    SupportRequest,
    User,
    utcnow,
)
from ..permissions import committee_scope
from . import since as since_report
from .filters import PortfolioFilter
from .services import Report, latest_reports, stale_condition, stale_cutoff, visible_initiatives
from .since import HEALTH_ORDER

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
    departments = db.session.execute(
        select(Department, Committee)
        .join(Committee, Department.committee_id == Committee.id)
        .order_by(Committee.name, Department.name)
    ).all()
    committee_of = {department.id: department.committee_id for department, _c in departments}
    baselines = since_report.baselines(set(committee_of.values()), entries=False)
    per_department, since = _figures(selection, stale_days, committee_of, baselines)
    _add_coverage(user, filters, selection, per_department)
    committees = _group(user, filters, departments, per_department)
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
        since=since,
    )


def _figures(
    selection: Select,
    stale_days: int,
    committee_of: dict[int, int],
    baselines: dict[int, since_report.Baseline],
) -> tuple[dict[int, Counts], since_report.Summary]:
    """The counts per department and what changed since each committee's last frozen report, in
    one scan of the selection: grouped by status, department and health (the figures index's
    order, so without sorting), each initiative compared with its entry in its committee's
    report (``FrozenReportEntry``). The few groups are added up here."""
    active_values = {s.value for s in ACTIVE_STATUSES}
    last_seen = func.coalesce(Initiative.last_update_at, Initiative.created_at)
    columns = [
        Initiative.status,
        Initiative.department_id,
        Initiative.health,
        func.count(),
        func.sum(Initiative.progress),
        func.sum(case((last_seen < stale_cutoff(stale_days), 1), else_=0)),
        func.sum(case((Initiative.id.in_(support_requests.open_initiative_ids()), 1), else_=0)),
    ]
    report_of = {
        department_id: baselines[committee_id].report_id
        for department_id, committee_id in committee_of.items()
        if committee_id in baselines
    }
    entry = FrozenReportEntry
    if report_of:
        columns += [
            func.count(entry.initiative_id),
            func.sum(case((entry.status != Initiative.status, 1), else_=0)),
            func.sum(case((entry.progress != Initiative.progress, 1), else_=0)),
        ]
        columns += [func.sum(case((entry.health == h.value, 1), else_=0)) for h in Health]
    query = selection.with_only_columns(*columns)
    if report_of:
        report = case(report_of, value=Initiative.department_id)
        # The IN lets PostgreSQL read only the latest reports' entries into its hash, not
        # every report's (it cannot see through the CASE).
        query = query.outerjoin(
            entry,
            and_(
                entry.report_id == report,
                entry.initiative_id == Initiative.id,
                entry.report_id.in_(sorted(set(report_of.values()))),
            ),
        )
    query = query.group_by(Initiative.status, Initiative.department_id, Initiative.health)
    result: dict[int, Counts] = {}
    lines = {cid: since_report.CommitteeSince(b) for cid, b in baselines.items()}
    seen: set[int] = set()
    for row in db.session.connection().execute(query):
        status, department_id, health, total, progress_sum, n_stale, n_support, *since = row
        status, health = Status(status), Health(health)
        counts = result.get(department_id)
        if counts is None:
            counts = result[department_id] = Counts()
        counts.total += total
        counts.by_status[status] += total
        if status.value in active_values:
            counts.active += total
            counts.progress_sum += int(progress_sum or 0)
            counts.stale += int(n_stale or 0)
            counts.support += int(n_support or 0)
            counts.by_health[health] += total
        committee_id = committee_of[department_id]
        seen.add(committee_id)
        line = lines.get(committee_id)
        if line is None:
            continue
        found, status_changed, progress_changed, *then_health = since
        line.new += total - found
        line.status += int(status_changed or 0)
        line.progress += int(progress_changed or 0)
        for then, n in zip(Health, then_health, strict=True):
            if then is not health and n:
                if HEALTH_ORDER[health.value] > HEALTH_ORDER[then.value]:
                    line.worse += int(n)
                else:
                    line.better += int(n)
    ordered = sorted(
        (line for cid, line in lines.items() if cid in seen),
        key=lambda line: line.baseline.committee_name,
    )
    return result, since_report.Summary(ordered, len(seen - set(lines)))


def _add_coverage(
    user: User, filters: PortfolioFilter, selection: Select, per_department: dict[int, Counts]
) -> None:
    """How many initiatives of each department are linked to each principle: from the coverage
    kept per department (see ``tracker.models.tally``) when the selection is whole departments,
    else counted from the links."""
    if filters.whole_departments:
        query = select(
            PrincipleCoverage.department_id,
            PrincipleCoverage.principle_id,
            PrincipleCoverage.initiatives,
        ).where(
            PrincipleCoverage.initiatives > 0,
            *_departments_in_scope(user, filters, PrincipleCoverage.department_id),
        )
    else:
        ids = selection.with_only_columns(Initiative.id, Initiative.department_id).subquery()
        query = (
            select(ids.c.department_id, PrincipleLink.principle_id, func.count())
            .join(PrincipleLink, PrincipleLink.initiative_id == ids.c.id)
            .group_by(ids.c.department_id, PrincipleLink.principle_id)
        )
    for department_id, principle_id, count in db.session.connection().execute(query):
        if department_id in per_department:
            per_department[department_id].coverage[principle_id] = count


def _departments_in_scope(user: User, filters: PortfolioFilter, department_id) -> list:
    """The conditions that keep a table kept per department (``department_id``, its column) to
    the user's committee and the filter's committee and department: the whole-department
    selections of ``PortfolioFilter.whole_departments``."""
    conditions = []
    scope = committee_scope(user)
    committee_ids = {c for c in (scope, filters.committee_id) if c is not None}
    if len(committee_ids) > 1:  # two different committees: nothing
        conditions.append(false())
    elif committee_ids:
        conditions.append(
            department_id.in_(
                select(Department.id).where(Department.committee_id.in_(committee_ids))
            )
        )
    if filters.department_id is not None:
        conditions.append(department_id == filters.department_id)
    return conditions


def _group(user: User, filters: PortfolioFilter, departments, per_department: dict[int, Counts]):
    """Committees with their departments: every active department in scope, so that one with no
    initiative (or none for a principle) shows as such."""
    scope = committee_scope(user)
    groups: dict[int, CommitteeGroup] = {}
    for department, committee in departments:
        if not (department.active and committee.active):
            continue
        if scope is not None and department.committee_id != scope:
            continue
        if filters.committee_id is not None and department.committee_id != filters.committee_id:
            continue
        if filters.department_id is not None and department.id != filters.department_id:
            continue
        counts = per_department.get(department.id, Counts())
        group = groups.setdefault(department.committee_id, CommitteeGroup(committee, Counts(), []))
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
    return (
        select(
            StatusUpdateTally.month, StatusUpdateTally.health, func.sum(StatusUpdateTally.updates)
        )
        .where(
            StatusUpdateTally.month >= first_month,
            *_departments_in_scope(user, filters, StatusUpdateTally.department_id),
        )
        .group_by(StatusUpdateTally.month, StatusUpdateTally.health)
    )


def _attention(selection: Select, stale_days: int) -> list[Attention]:
    """Red, asking for support or silent, the most urgent first."""
    off_track = Initiative.health == Health.OFF_TRACK.value
    support = SupportRequest.id.is_not(None)  # at most one open request per initiative
    stale = func.coalesce(Initiative.last_update_at, Initiative.created_at) < stale_cutoff(
        stale_days
    )
    # The most urgent ids first, over the figures index (each active initiative's open request
    # looked up once); then only those rows are read whole, with what the table shows of them.
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
        .outerjoin(
            SupportRequest,
            and_(SupportRequest.initiative_id == Initiative.id, SupportRequest.closed_at.is_(None)),
        )
        .where(
            Initiative.status.in_([s.value for s in ACTIVE_STATUSES]), off_track | support | stale
        )
        .order_by("o1", "o2", "o3", Initiative.id)
        .limit(ATTENTION_LIMIT)
        .subquery()
    )
    query = (
        select(Initiative, urgent.c.red, urgent.c.help, urgent.c.silent)
        .join(urgent, urgent.c.id == Initiative.id)
        .options(
            joinedload(Initiative.department),
            joinedload(Initiative.owner),
            joinedload(Initiative.open_support_request),
        )
        .order_by(urgent.c.o1, urgent.c.o2, urgent.c.o3, Initiative.id)
    )
    rows = db.session.execute(query).all()
    reports = latest_reports(initiative.id for initiative, *_flags in rows)
    return [
        Attention(initiative, bool(red), bool(help_), bool(silent), reports.get(initiative.id))
        for initiative, red, help_, silent in rows
    ]
