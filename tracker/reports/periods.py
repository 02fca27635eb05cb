"""The reporting calendar: periods, their deadlines and the committees' meeting dates.

Periods never overlap, the last day for managers' reports lies inside the period, and its end is
not before its start. The rules live here; the form only checks the shape of the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from .. import audit, conflicts, repeats
from ..extensions import db
from ..models import AuditEvent, Committee, CommitteeMeeting, ReportingPeriod, User, utcnow
from ..permissions import can_manage_periods, require
from ..validators import has_control_characters
from .errors import PeriodConflict, PeriodError, PeriodNotOpen, ReportNotFound

NAME_MAX = 100
DNR_MAX = 60
# The largest id a database integer column holds: a larger one in a URL names nothing.
MAX_ID = 2**31 - 1
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class MeetingData:
    committee_id: int
    meets_on: date | None
    dnr: str = ""


@dataclass(frozen=True)
class PeriodData:
    name: str
    starts_on: date
    ends_on: date
    deadline: date
    meetings: list[MeetingData] = field(default_factory=list)


def bounds(period: ReportingPeriod, tz: tzinfo) -> tuple[datetime, datetime]:
    """The period as UTC times: from its first day's midnight up to (not including) the
    midnight after its last day, in the organisation's time zone."""
    start = datetime.combine(period.starts_on, time.min, tz).astimezone(UTC)
    end = datetime.combine(period.ends_on + timedelta(days=1), time.min, tz).astimezone(UTC)
    return start, end


def report_bounds(period: ReportingPeriod, tz: tzinfo) -> tuple[datetime, datetime]:
    """When a status update counts as the period's report: inside the period, or from the moment
    it was opened for reports when that came before its first day (``open_early``), and not
    after it was closed (a closed period's figures stay as they were; reopened, it takes the
    reports written meanwhile)."""
    start, end = bounds(period, tz)
    if period.opened_at is not None and period.opened_at < start:
        start = period.opened_at
    if period.closed_at is not None and period.closed_at < end:
        end = max(start, period.closed_at)
    return start, end


def all_periods() -> list[ReportingPeriod]:
    return list(db.session.scalars(periods_query()))


def periods_query():
    """The calendar, the newest period first, with each committee's meeting."""
    return (
        select(ReportingPeriod)
        .options(selectinload(ReportingPeriod.meetings).selectinload(CommitteeMeeting.committee))
        .order_by(ReportingPeriod.starts_on.desc(), ReportingPeriod.id.desc())
    )


def get_period(period_id: int, *, for_edit: bool = False) -> ReportingPeriod:
    """The period, or ReportNotFound; ``for_edit`` locks its row on PostgreSQL until the request
    commits, so that two saves cannot both pass the version check (SQLite's write requests hold
    the write lock already)."""
    if not 0 < period_id <= MAX_ID:
        raise ReportNotFound
    query = (
        select(ReportingPeriod)
        .where(ReportingPeriod.id == period_id)
        .options(selectinload(ReportingPeriod.meetings).selectinload(CommitteeMeeting.committee))
    )
    if for_edit and db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=ReportingPeriod)
    period = db.session.scalar(query)
    if period is None:
        raise ReportNotFound
    return period


def open_period(today: date) -> ReportingPeriod | None:
    """The period managers report in now, of those that have started (or been opened early)
    and are not closed: the one whose reports are due first, from today on; when every open
    period's last day for reports has passed, the latest one. So the next period opened early
    does not hide the current one before its deadline (the reminders name the current one)."""
    due_ahead = ReportingPeriod.deadline >= today
    return db.session.scalars(
        select(ReportingPeriod)
        .where(ReportingPeriod.closed_at.is_(None))
        .where((ReportingPeriod.opened_at.is_not(None)) | (ReportingPeriod.starts_on <= today))
        .order_by(
            case((due_ahead, 0), else_=1),
            case((due_ahead, ReportingPeriod.deadline)),
            ReportingPeriod.starts_on.desc(),
            ReportingPeriod.id.desc(),
        )
        .limit(1)
    ).first()


def reports_from(period: ReportingPeriod, tz: tzinfo) -> date:
    """The first day a status update counts as the period's report (``report_bounds``): its
    first day, or the day it was opened for reports when that came before."""
    return report_bounds(period, tz)[0].astimezone(tz).date()


def require_open(period: ReportingPeriod, today: date) -> None:
    """The one rule for what needs a period open for reports (marking an update as its report, a
    reminder to report in it): refused with the reason, closed or not open yet. ``today`` is the
    organisation's date."""
    if period.closed_at is not None:
        raise PeriodNotOpen(_l("The period is closed."), closed=True)
    if not period.is_open(today):
        raise PeriodNotOpen(
            _l("The period is not open yet: it has not started and has not been opened early."),
            closed=False,
        )


def meeting_of(period: ReportingPeriod, committee_id: int) -> CommitteeMeeting | None:
    return next((m for m in period.meetings if m.committee_id == committee_id), None)


def _check(data: PeriodData, period: ReportingPeriod | None, actor: User | None = None) -> None:
    """The period's rules; ``actor`` is who makes a new one (``period`` None)."""
    name = data.name.strip()
    if not name:
        raise PeriodError("name", _l("Enter a name for the period, e.g. Tertial 1 2027."))
    if len(name) > NAME_MAX:
        raise PeriodError("name", _l("The name can be at most 100 characters."))
    if has_control_characters(name):
        raise PeriodError("name", _l("Remove the control characters from the text."))
    for field_name in ("starts_on", "ends_on", "deadline"):
        if not EARLIEST <= getattr(data, field_name) <= LATEST:
            raise PeriodError(field_name, _l("Enter a date between the years 1900 and 2999."))
    if data.ends_on < data.starts_on:
        raise PeriodError("ends_on", _l("The period must end on or after its first day."))
    if not data.starts_on <= data.deadline <= data.ends_on:
        raise PeriodError("deadline", _l("The last day for reports must lie inside the period."))
    others = select(ReportingPeriod).where(
        ReportingPeriod.starts_on <= data.ends_on, ReportingPeriod.ends_on >= data.starts_on
    )
    same_name = select(ReportingPeriod.id).where(ReportingPeriod.name == name)
    if period is not None:
        others = others.where(ReportingPeriod.id != period.id)
        same_name = same_name.where(ReportingPeriod.id != period.id)
    clash = db.session.scalars(others.order_by(ReportingPeriod.starts_on).limit(1)).first()
    made = _made_by_another_just_now(actor, data) if clash and actor and not period else None
    if made is not None:
        raise PeriodError(
            "name",
            # gettext, not a lazy string: the name is user text and must be escaped on output.
            _(
                "%(name)s, with these dates, was made moments ago by someone else. It is in the "
                "list of periods: open it there to change it.",
                name=made.name,
            ),
        )
    if clash is not None:
        raise PeriodError(
            "starts_on",
            # gettext, not a lazy string: the name is user text and must be escaped on output.
            _(
                "The period overlaps %(name)s (%(start)s – %(end)s). Periods may not overlap.",
                name=clash.name,
                start=clash.starts_on.isoformat(),
                end=clash.ends_on.isoformat(),
            ),
        )
    if db.session.scalar(same_name.limit(1)) is not None:
        raise PeriodError("name", _l("Another period already has this name."))
    committees = set(db.session.scalars(select(Committee.id)))
    for meeting in data.meetings:
        if meeting.committee_id not in committees:
            raise PeriodError("name", _l("Unknown committee."))
        # The report goes to the meeting once the managers have reported: not before their
        # last day, and within a year of the period's end.
        if meeting.meets_on is not None and not (
            data.deadline <= meeting.meets_on <= data.ends_on + timedelta(days=366)
        ):
            raise PeriodError(
                f"meeting_{meeting.committee_id}",
                _l(
                    "The committee meeting must be on or after the last day for reports "
                    "(%(deadline)s) and within a year after the period's last day.",
                    deadline=data.deadline.isoformat(),
                ),
            )
        if has_control_characters(meeting.dnr):
            raise PeriodError(
                f"dnr_{meeting.committee_id}", _l("Remove the control characters from the text.")
            )
        if len(meeting.dnr) > DNR_MAX:
            raise PeriodError(
                f"dnr_{meeting.committee_id}", _l("The diary number can be at most 60 characters.")
            )


def _made_by_another_just_now(actor: User, data: PeriodData) -> ReportingPeriod | None:
    """The period with this name and these dates when someone else made it moments ago (two
    admins who both set up the next period); the same person's resend is answered with the
    period itself (``_repeated_period``)."""
    same = db.session.scalar(
        select(ReportingPeriod).where(
            ReportingPeriod.name == data.name.strip(),
            ReportingPeriod.starts_on == data.starts_on,
            ReportingPeriod.ends_on == data.ends_on,
            ReportingPeriod.deadline == data.deadline,
        )
    )
    if same is None or not repeats.is_recent(same.created_at):
        return None
    maker = db.session.scalar(
        select(AuditEvent.actor_id).where(
            AuditEvent.action == "period.create",
            AuditEvent.entity_type == ReportingPeriod.__tablename__,
            AuditEvent.entity_id == same.id,
        )
    )
    return same if maker != actor.id else None


def _apply(period: ReportingPeriod, data: PeriodData) -> None:
    period.name = data.name.strip()
    period.starts_on = data.starts_on
    period.ends_on = data.ends_on
    period.deadline = data.deadline
    existing = {m.committee_id: m for m in period.meetings}
    for meeting in data.meetings:
        row = existing.get(meeting.committee_id)
        if meeting.meets_on is None and not meeting.dnr.strip():
            if row is not None:
                period.meetings.remove(row)
            continue
        if row is None:
            row = CommitteeMeeting(committee_id=meeting.committee_id)
            period.meetings.append(row)
        row.meets_on = meeting.meets_on
        row.dnr = meeting.dnr.strip()


def _snapshot(period: ReportingPeriod) -> dict:
    return {
        "name": period.name,
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
        "deadline": period.deadline.isoformat(),
        "meetings": {
            str(m.committee_id): [m.meets_on.isoformat() if m.meets_on else None, m.dnr]
            for m in period.meetings
        },
    }


def _repeated_period(actor: User, period: ReportingPeriod) -> ReportingPeriod | None:
    """The newest period when ``period`` (not yet added) is it sent again (a double click):
    created by the same person, moments ago, with the same name, dates and meetings. Its resend
    answers with it rather than with "overlaps itself". See :mod:`tracker.repeats`."""
    created_by_actor = select(AuditEvent.entity_id).where(
        AuditEvent.action == "period.create",
        AuditEvent.entity_type == ReportingPeriod.__tablename__,
        AuditEvent.actor_id == actor.id,
    )
    scope = ReportingPeriod.id.in_(created_by_actor)
    return repeats.latest_copy(ReportingPeriod, scope, _snapshot(period), held=_snapshot)


def create_period(actor: User, data: PeriodData) -> ReportingPeriod:
    """A new period; the same one sent again at once is the one made first."""
    require(can_manage_periods(actor))
    # One new period at a time, so that the rules below see the one made just before.
    repeats.lock_kind("reporting_period.create")
    period = ReportingPeriod()
    _apply(period, data)
    repeated = _repeated_period(actor, period)
    if repeated is not None:
        return repeated
    _check(data, None, actor)
    db.session.add(period)
    db.session.flush()
    audit.record(actor, "period.create", period, changes=_snapshot(period))
    return period


def version_of(period: ReportingPeriod) -> str:
    """The period as its form shows it, as a short digest: a period has no version counter, so
    the form sends this back and a save made to an older one is a conflict, not an overwrite."""
    return conflicts.version_of(_snapshot(period))


def update_period(
    actor: User, period: ReportingPeriod, data: PeriodData, expected_version: str | None = None
) -> ReportingPeriod:
    """Save an edit made to ``expected_version`` (from :func:`version_of`); raise
    PeriodConflict when someone saved the period since. Without one (a hand-made request that
    names no version) the edit applies to the period as it is."""
    require(can_manage_periods(actor))
    conflicts.in_turn(f"reporting_period:{period.id}", period)
    conflicts.check_version(expected_version, _snapshot(period), lambda: PeriodConflict(period))
    _check(data, period)
    before = _snapshot(period)
    _apply(period, data)
    db.session.flush()
    audit.record(actor, "period.update", period, changes=audit.diff(before, _snapshot(period)))
    return period


def open_early(actor: User, period: ReportingPeriod) -> None:
    """Managers may report in a period before its first day once it is opened."""
    require(can_manage_periods(actor))
    if period.opened_at is None:
        period.opened_at = utcnow()
    period.closed_at = None
    db.session.flush()
    audit.record(actor, "period.open", period)


def close(actor: User, period: ReportingPeriod) -> None:
    require(can_manage_periods(actor))
    if period.closed_at is None:
        period.closed_at = utcnow()
        db.session.flush()
        audit.record(actor, "period.close", period)


def reopen(actor: User, period: ReportingPeriod) -> None:
    require(can_manage_periods(actor))
    if period.closed_at is not None:
        period.closed_at = None
        db.session.flush()
        audit.record(actor, "period.reopen", period)
