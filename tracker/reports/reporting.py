"""Who has reported in a period: an initiative's report for a period is its latest status update
dated inside the period, or the one its manager marked.

Every figure is one SQL query whatever the number of initiatives or periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from .. import audit
from ..extensions import db
from ..initiatives import services as initiative_services
from ..initiatives.services import UpdateData
from ..models import (
    Committee,
    Department,
    Initiative,
    PeriodReportMark,
    ReportingPeriod,
    Status,
    StatusUpdate,
    User,
    utcnow,
)
from ..permissions import can_edit_initiative, can_manage_periods, require
from ..portfolio.services import visible_initiatives
from .errors import PeriodError
from .periods import bounds, open_period, report_bounds, require_open

# Finished and cancelled initiatives owe no report, unless they reported anyway.
NO_REPORT_DUE = (Status.DONE.value, Status.CANCELLED.value)


def is_report():
    """SQL: the status update is someone's report on the initiative, not the status a decision
    of the management group set (which moves the state, but reports nothing)."""
    return StatusUpdate.decision_id.is_(None)


def counts_for(period_id: int):
    """SQL: the status update may count for the period: it is not marked as another period's
    report (unless as this one's too). One update is one period's report when the next period
    is opened early and the two overlap: the manager's mark says which."""
    mark = aliased(PeriodReportMark)
    elsewhere = exists().where(
        mark.status_update_id == StatusUpdate.id, mark.period_id != period_id
    )
    here = exists().where(mark.status_update_id == StatusUpdate.id, mark.period_id == period_id)
    return or_(~elsewhere, here)


def reported_condition(period: ReportingPeriod, tz: tzinfo):
    """SQL: the initiative has a report (a status update, not a decision's) dated inside the
    period."""
    start, end = report_bounds(period, tz)
    return exists().where(
        StatusUpdate.initiative_id == Initiative.id,
        StatusUpdate.created_at >= start,
        StatusUpdate.created_at < end,
        is_report(),
        counts_for(period.id),
    )


def due_condition(period: ReportingPeriod, tz: tzinfo):
    """SQL: the initiative is expected to report in the period."""
    _start, end = bounds(period, tz)
    return and_(
        Initiative.archived_at.is_(None),
        Initiative.created_at < end,
        or_(Initiative.status.not_in(NO_REPORT_DUE), reported_condition(period, tz)),
    )


def reported_ids(period: ReportingPeriod, ids: list[int], tz: tzinfo) -> set[int]:
    """Which of ``ids`` have a report in the period, in one query."""
    if not ids:
        return set()
    start, end = report_bounds(period, tz)
    query = (
        select(StatusUpdate.initiative_id)
        .where(
            StatusUpdate.initiative_id.in_(ids),
            StatusUpdate.created_at >= start,
            StatusUpdate.created_at < end,
            is_report(),
            counts_for(period.id),
        )
        .distinct()
    )
    return set(db.session.scalars(query))


@dataclass(frozen=True)
class Tally:
    key: str  # department code or owner id, for the link to what is missing
    name: str
    reported: int
    due: int

    @property
    def missing(self) -> int:
        return self.due - self.reported

    @property
    def share(self) -> int:
        return round(100 * self.reported / self.due) if self.due else 100


@dataclass(frozen=True)
class Overview:
    total: Tally
    departments: list[Tally]
    owners: list[Tally]


def _due_query(user: User, period: ReportingPeriod, tz: tzinfo) -> Select:
    return visible_initiatives(user).where(due_condition(period, tz))


def overview(user: User, period: ReportingPeriod, tz: tzinfo) -> Overview:
    """Counts and shares of reported initiatives, per department and per owner: two queries."""
    require(can_manage_periods(user))
    reported = case((reported_condition(period, tz), 1), else_=0)
    base = _due_query(user, period, tz).order_by(None)
    by_department = db.session.execute(
        base.with_only_columns(Department.code, Department.name, func.count(), func.sum(reported))
        .select_from(Initiative)
        .join(Department, Department.id == Initiative.department_id)
        .group_by(Department.code, Department.name)
        .order_by(Department.name)
    ).all()
    by_owner = db.session.execute(
        base.with_only_columns(User.id, User.name, func.count(), func.sum(reported))
        .select_from(Initiative)
        .join(User, User.id == Initiative.owner_id)
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    ).all()
    departments = [Tally(code, name, int(r or 0), n) for code, name, n, r in by_department]
    owners = [Tally(str(uid), name, int(r or 0), n) for uid, name, n, r in by_owner]
    total = Tally("", "", sum(t.reported for t in departments), sum(t.due for t in departments))
    return Overview(total, departments, owners)


@dataclass(frozen=True)
class Missing:
    id: int
    title: str
    department: str
    owner: str
    committee: str
    status: Status


def missing(
    user: User,
    period: ReportingPeriod,
    tz: tzinfo,
    department: str | None = None,
    owner: int | None = None,
    limit: int = 500,
) -> list[Missing]:
    """The initiatives that owe a report in the period and have none, optionally of one
    department (code) or one owner (user id): one query."""
    require(can_manage_periods(user))
    query = (
        _due_query(user, period, tz)
        .where(~reported_condition(period, tz))
        .with_only_columns(
            Initiative.id,
            Initiative.title,
            Department.name,
            User.name,
            Committee.short_name,
            Initiative.status,
        )
        .select_from(Initiative)
        .join(Department, Department.id == Initiative.department_id)
        .join(Committee, Committee.id == Department.committee_id)
        .join(User, User.id == Initiative.owner_id)
        .order_by(Department.name, User.name, Initiative.title, Initiative.id)
        .limit(limit)
    )
    if department:
        query = query.where(Department.code == department)
    if owner is not None:
        query = query.where(Initiative.owner_id == owner)
    return [Missing(*row[:5], Status(row[5])) for row in db.session.execute(query)]


def period_of_update_now(now: datetime, tz: tzinfo) -> ReportingPeriod | None:
    """The open period that an update written at ``now`` counts for (the one it can be marked
    as the report of), or None: none is open, or ``now`` lies outside its reports' times."""
    period = open_period(now.astimezone(tz).date())
    if period is None:
        return None
    start, end = report_bounds(period, tz)
    return period if start <= now < end else None


def mark_report(
    actor: User,
    period: ReportingPeriod,
    initiative: Initiative,
    update: StatusUpdate,
    tz: tzinfo,
    now: datetime | None = None,
) -> PeriodReportMark:
    """The manager names which of the period's updates is the initiative's report, while the
    period is open (``PeriodNotOpen`` otherwise)."""
    require(can_edit_initiative(actor, initiative))
    require_open(period, (now or utcnow()).astimezone(tz).date())
    start, end = report_bounds(period, tz)
    if (
        update.initiative_id != initiative.id
        or not start <= update.created_at < end
        or update.decision_id is not None
    ):
        raise PeriodError("update", _l("Choose a status update dated inside the period."))
    mark = db.session.scalar(
        select(PeriodReportMark).where(
            PeriodReportMark.period_id == period.id,
            PeriodReportMark.initiative_id == initiative.id,
        )
    )
    if mark is not None and mark.status_update_id == update.id:
        return mark  # marked already (the same update sent twice): nothing changes
    if mark is None:
        mark = PeriodReportMark(period_id=period.id, initiative_id=initiative.id)
        db.session.add(mark)
    mark.status_update_id = update.id
    mark.marked_by_id = actor.id
    db.session.flush()
    audit.record(
        actor, "period.mark_report", initiative, changes={"period": period.id, "update": update.id}
    )
    return mark


def post_updates(
    actor: User,
    entries: list[tuple[Initiative, UpdateData, bool, str | None]],
    period: ReportingPeriod | None,
    tz: tzinfo,
) -> tuple[list[StatusUpdate], int]:
    """Post each status update (all or, on an error, none: the request commits) and mark those
    asked for as the period's report. Each entry: the initiative, the update, whether to mark it,
    and the state its form was drawn on (``initiative_services.post_update``). Returns the
    updates and how many were marked."""
    updates = initiative_services.status_round(
        actor, [(i, data, drawn_on) for i, data, _mark, drawn_on in entries]
    )
    marked = 0
    for (initiative, _data, mark, _drawn_on), update in zip(entries, updates, strict=True):
        if mark and period is not None:
            mark_report(actor, period, initiative, update, tz)
            marked += 1
    return updates, marked


@dataclass(frozen=True)
class PeriodUpdate:
    id: int
    day: str
    happened: str
    marked: bool


def period_updates(
    period: ReportingPeriod, ids: list[int], tz: tzinfo
) -> dict[int, list[PeriodUpdate]]:
    """Each initiative's reports (status updates, not a decision's) dated inside the period,
    newest first, with the one its manager marked as the report: two queries."""
    if not ids:
        return {}
    start, end = report_bounds(period, tz)
    marked = set(
        db.session.scalars(
            select(PeriodReportMark.status_update_id).where(
                PeriodReportMark.period_id == period.id, PeriodReportMark.initiative_id.in_(ids)
            )
        )
    )
    result: dict[int, list[PeriodUpdate]] = {}
    query = (
        select(
            StatusUpdate.id, StatusUpdate.initiative_id, StatusUpdate.created_at,
            StatusUpdate.happened,
        )
        .where(
            StatusUpdate.initiative_id.in_(ids),
            StatusUpdate.created_at >= start,
            StatusUpdate.created_at < end,
            is_report(),
            counts_for(period.id),
        )
        .order_by(StatusUpdate.created_at.desc(), StatusUpdate.id.desc())
    )  # fmt: skip
    for id_, initiative_id, created_at, happened in db.session.execute(query):
        result.setdefault(initiative_id, []).append(
            PeriodUpdate(id_, created_at.astimezone(tz).date().isoformat(), happened or "",
                         id_ in marked)
        )  # fmt: skip
    return result
