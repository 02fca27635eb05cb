"""What the views do with mail: preferences, the admin's schedule, the send log, the nudge."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from .. import audit, conflicts
from ..extensions import db
from ..models import MailMessage, MailOptOut, MailSettings, ReportingPeriod, User
from ..permissions import can_administer, can_manage_periods, require
from ..reports.errors import PeriodNotOpen
from ..reports.periods import require_open
from . import KIND_LABELS, planning
from . import kinds_for as mail_kinds_for
from .planning import SETTINGS_ID, parse_days

MAX_ID = 2**31 - 1
PER_PAGE = 50


class MailError(ValueError):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def kinds_for(user: User) -> list[str]:
    """The kinds of mail the user can get (and so turn off): their role's, by the one rule the
    planner and the notices send by (``tracker.mail.RECIPIENT_ROLES``)."""
    return mail_kinds_for(user.role)


def preferences(user: User) -> dict[str, bool]:
    off = set(db.session.scalars(select(MailOptOut.kind).where(MailOptOut.user_id == user.id)))
    return {kind: kind not in off for kind in kinds_for(user)}


def save_preferences(user: User, enabled: set[str]) -> None:
    kinds = kinds_for(user)
    db.session.execute(
        delete(MailOptOut).where(MailOptOut.user_id == user.id, MailOptOut.kind.in_(kinds))
    )
    for kind in kinds:
        if kind not in enabled:
            db.session.add(MailOptOut(user_id=user.id, kind=kind))
    db.session.flush()


def labels(kinds: list[str]) -> list[tuple[str, str]]:
    return [(kind, KIND_LABELS[kind]) for kind in kinds]


def schedule_values() -> dict:
    """The schedule as its form shows it (form data, by field name)."""
    plan = planning.schedule()
    return _shown_schedule(plan.reminder_days, plan.digest_weekday, plan.digest_hour)


def _shown_schedule(reminder_days, digest_weekday: int, digest_hour: int) -> dict:
    return {
        "reminder_days": ", ".join(str(d) for d in sorted(reminder_days, reverse=True)),
        "digest_weekday": str(digest_weekday),
        "digest_hour": digest_hour,
    }


def schedule_version() -> str:
    """The schedule as its form shows it, as a short digest (see ``conflicts.check_version``)."""
    return conflicts.version_of(schedule_values())


def save_schedule(
    actor: User,
    *,
    reminder_days: str,
    digest_weekday: int,
    digest_hour: int,
    expected_version: str | None = None,
):
    """Save the schedule; a save made to another version than ``expected_version`` raises
    ``conflicts.StaleVersion``."""
    require(can_administer(actor))
    days = parse_days(reminder_days)
    wanted = _shown_schedule(days, digest_weekday, digest_hour)
    conflicts.in_turn("settings.mail", db.session.get(MailSettings, SETTINGS_ID))
    conflicts.check_version(expected_version, schedule_values(), wanted=wanted)
    problem = planning.days_problem(reminder_days)
    if problem:
        raise MailError(problem, "reminder_days")
    if not 0 <= digest_weekday <= 6:
        raise MailError(_l("Choose a day of the week."), "digest_weekday")
    if not 0 <= digest_hour <= 23:
        raise MailError(_l("Enter an hour from 0 to 23."), "digest_hour")
    before = planning.schedule()
    row = db.session.get(MailSettings, SETTINGS_ID)
    if row is None:
        row = MailSettings(id=SETTINGS_ID)
        db.session.add(row)
    text = ", ".join(str(d) for d in sorted(days, reverse=True))
    row.reminder_days, row.digest_weekday, row.digest_hour = text, digest_weekday, digest_hour
    db.session.flush()
    changes = audit.diff(
        {
            "reminder_days": ", ".join(str(d) for d in sorted(before.reminder_days, reverse=True)),
            "digest_weekday": before.digest_weekday,
            "digest_hour": before.digest_hour,
        },
        {"reminder_days": text, "digest_weekday": digest_weekday, "digest_hour": digest_hour},
    )
    if changes:
        audit.record(actor, "mail.settings_update", None, changes)
    return changes


@dataclass(frozen=True)
class LogCounts:
    queued: int
    sent: int
    failed: int


def send_log(actor: User, page: int, status: str = ""):
    require(can_administer(actor))
    query = select(MailMessage).options(joinedload(MailMessage.recipient))
    if status in ("queued", "sending", "sent", "failed"):
        query = query.where(MailMessage.status == status)
    query = query.order_by(MailMessage.created_at.desc(), MailMessage.id.desc())
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False, count=True)


def counts(actor: User) -> LogCounts:
    require(can_administer(actor))
    rows = dict(
        db.session.execute(
            select(MailMessage.status, func.count()).group_by(MailMessage.status)
        ).all()
    )
    return LogCounts(
        queued=rows.get("queued", 0) + rows.get("sending", 0),
        sent=rows.get("sent", 0),
        failed=rows.get("failed", 0),
    )


def resend(actor: User, message_id: int) -> MailMessage:
    require(can_administer(actor))
    row = db.session.get(MailMessage, message_id) if 0 < message_id <= MAX_ID else None
    if row is None or row.status != "failed":
        raise MailError(_l("Only a message that failed can be sent again."))
    from .outbox import requeue

    requeue(row)
    db.session.flush()
    audit.record(
        actor,
        "mail.resend",
        None,
        {"recipient": row.recipient_id, "mail_subject": row.subject, "mail_kind": row.kind},
    )
    return row


# Why a reminder was not queued, by planning.nudge's answer.
NOT_NUDGED = {
    planning.NOTHING_MISSING: _l("No reminder was queued: the owner has no missing reports."),
    planning.REMINDED_TODAY: _l(
        "No reminder was queued: the owner has already been reminded of the period today. "
        "The next one can go tomorrow."
    ),
    planning.TURNED_OFF: _l("No reminder was queued: the owner has turned reminders off."),
}


def nudge(actor: User, period: ReportingPeriod, owner_id: int) -> User:
    """The management group reminds one owner now; it goes out with the next send run."""
    require(can_manage_periods(actor))
    owner = db.session.get(User, owner_id) if 0 < owner_id <= MAX_ID else None
    if owner is None:
        raise MailError(_l("Unknown owner."))
    try:
        require_open(period, planning.timezone_today())  # the rule marking a report obeys too
    except PeriodNotOpen as error:
        raise MailError(error.message) from error
    if not owner.active:
        raise MailError(_l("The owner's account is deactivated."))
    outcome = planning.nudge(period, owner)
    if outcome != planning.NUDGED:
        raise MailError(NOT_NUDGED[outcome])
    audit.record(actor, "mail.nudge", period, {"recipient": owner.id})
    return owner
