"""What ``tracker send-reminders`` queues: reminders before and after a period's deadline, the
management group's summary of who is missing, and the weekly digest. Every day and hour is in the
organisation's time zone (Europe/Stockholm).

Which initiatives lack a report is the reporting service's own definition
(``tracker.reports.reporting.due_condition`` and ``reported_condition``), not a second one.

A stage is due from its first day until the next stage (or the deadline) comes: a run missed on
the exact day (the server was down) still sends it the day after, and the unique key makes every
later run a no-op. The after-deadline stage is due from the day after the deadline for
``AFTER_DEADLINE_DAYS`` days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import params
from .. import settings as org_settings
from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    Decision,
    Health,
    Initiative,
    MailMessage,
    MailSettings,
    ReportingPeriod,
    SupportRequest,
    User,
    utcnow,
)
from ..portfolio.services import stale_condition
from ..reports.reporting import due_condition, reported_condition
from . import DIGEST, MISSING_SUMMARY, REMINDER, outbox, recipient_roles
from .links import common, link

DEFAULT_REMINDER_DAYS = (14, 3)
DEFAULT_DIGEST_WEEKDAY = 0  # Monday
DEFAULT_DIGEST_HOUR = 7
AFTER_DEADLINE_DAYS = 3
DIGEST_LIMIT = 20
SETTINGS_ID = 1


def timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Stockholm")


def day_parts(text: str | None) -> list[str]:
    """The comma-separated parts of a list of days, each without the spaces around it ("3 3" is
    one part, and no number)."""
    return [part for part in (p.strip() for p in (text or "").split(",")) if part]


def days_problem(text: str | None):
    """What is wrong with a list of reminder days, or None: up to five numbers of days from 1 to
    90, separated by commas (the form's check, and the service's)."""
    days, parts = parse_days(text), day_parts(text)
    if not days or len(days) != len(set(parts)) or len(days) > 5:
        return _l("Enter up to five numbers of days from 1 to 90, separated by commas, e.g. 14, 3.")
    return None


def parse_days(text: str | None) -> list[int]:
    days = sorted({day for part in day_parts(text) if (day := params.plain_int(part)) is not None})
    return [d for d in days if 1 <= d <= 90]


@dataclass(frozen=True)
class Schedule:
    reminder_days: list[int]
    digest_weekday: int
    digest_hour: int


def schedule() -> Schedule:
    row = db.session.get(MailSettings, SETTINGS_ID)
    configured = current_app.config.get("MAIL_REMINDER_DAYS")
    days = parse_days(row.reminder_days if row and row.reminder_days is not None else configured)
    if row is None or row.reminder_days is None:
        days = days or list(DEFAULT_REMINDER_DAYS)
    weekday = row.digest_weekday if row and row.digest_weekday is not None else None
    hour = row.digest_hour if row and row.digest_hour is not None else None
    return Schedule(
        reminder_days=days,
        digest_weekday=DEFAULT_DIGEST_WEEKDAY if weekday is None else weekday,
        digest_hour=DEFAULT_DIGEST_HOUR if hour is None else hour,
    )


def stage(period: ReportingPeriod, today: date, days: list[int]) -> str | None:
    """The reminder stage due on ``today`` (Swedish date), or None. Nothing for a period that
    is closed, or not yet open for reports (a report written before it opens counts for none)."""
    if not period.is_open(today):
        return None
    after = period.deadline + timedelta(days=1)
    if after <= today < after + timedelta(days=AFTER_DEADLINE_DAYS):
        return "after"
    reached = [d for d in days if period.deadline - timedelta(days=d) <= today <= period.deadline]
    return f"before-{min(reached)}" if reached else None


def _missing_by_owner(period: ReportingPeriod, owner_id: int | None = None):
    """{owner: [(initiative id, title)]} of the initiatives owing a report: one query, plus one
    for the owners."""
    tz = timezone()
    query = (
        select(Initiative.id, Initiative.title, Initiative.owner_id)
        .where(due_condition(period, tz), ~reported_condition(period, tz))
        .order_by(Initiative.owner_id, Initiative.title, Initiative.id)
    )
    if owner_id is not None:
        query = query.where(Initiative.owner_id == owner_id)
    grouped: dict[int, list[tuple[int, str]]] = {}
    for id_, title, owner in db.session.execute(query):
        grouped.setdefault(owner, []).append((id_, title))
    owners = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(grouped)))}
    return {owners[o]: items for o, items in grouped.items() if o in owners}


def measurements_due(owner_ids, by: date) -> dict[int, list[dict]]:
    """{owner id: [benefit measurements due by ``by``]}, of the benefits each owns on active
    initiatives, by the benefits' own rule (``tracker.benefits.figures``): three queries."""
    from sqlalchemy.orm import selectinload

    from ..benefits.figures import figures
    from ..models import Benefit, Indicator

    if not owner_ids:
        return {}
    benefits = db.session.scalars(
        select(Benefit)
        .join(Initiative, Initiative.id == Benefit.initiative_id)
        .where(Benefit.owner_id.in_(owner_ids), Initiative.archived_at.is_(None))
        .options(
            selectinload(Benefit.indicator).selectinload(Indicator.measurements),
            selectinload(Benefit.initiative),
        )
        .order_by(Benefit.title, Benefit.id)
    ).all()
    due: dict[int, list[dict]] = {}
    for benefit in benefits:
        if benefit.indicator is None:
            continue
        fig = figures(benefit.indicator, benefit.initiative.status, by)
        if fig.next_due is not None and fig.next_due <= by:
            due.setdefault(benefit.owner_id, []).append(
                {
                    "title": f"{benefit.title} ({benefit.initiative.title}, "
                    f"{fig.next_due.isoformat()})",
                    "link": link("benefits.show", benefit_id=benefit.id),
                }
            )
    return due


def benefit_owners() -> list[User]:
    """The owners of benefits on initiatives not archived: those whose measurements may fall
    due, whether or not they owe a report (measuring goes on after an initiative is done)."""
    from ..models import Benefit

    owner_ids = (
        select(Benefit.owner_id)
        .join(Initiative, Initiative.id == Benefit.initiative_id)
        .where(Initiative.archived_at.is_(None))
    )
    return list(db.session.scalars(select(User).where(User.id.in_(owner_ids)).order_by(User.id)))


def queue_reminder(
    owner: User,
    period: ReportingPeriod,
    items,
    stage_name: str,
    key: str,
    measurements: list[dict] | None = None,
):
    initiatives = [
        {"title": title, "link": link("initiatives.show", initiative_id=id_, _anchor="new-update")}
        for id_, title in items
    ]
    count = len(initiatives)

    def subject() -> str:
        if not initiatives:
            return ngettext(
                "Reminder: %(num)d benefit measurement is due",
                "Reminder: %(num)d benefit measurements are due",
                len(measurements or []),
            )
        if stage_name == "after":
            return ngettext(
                "Overdue: %(num)d initiative has no report for %(period)s",
                "Overdue: %(num)d initiatives have no report for %(period)s",
                count,
                period=period.name,
            )
        return ngettext(
            "Reminder: report on %(num)d initiative for %(period)s by %(deadline)s",
            "Reminder: report on %(num)d initiatives for %(period)s by %(deadline)s",
            count,
            period=period.name,
            deadline=period.deadline.isoformat(),
        )

    return outbox.queue(
        owner,
        REMINDER,
        f"period:{period.id}",
        key,
        "reminder",
        subject,
        period=period,
        stage=stage_name,
        initiatives=initiatives,
        measurements=measurements or [],
        **common(),
    )


def reminded_on(period: ReportingPeriod, day: date) -> set[int]:
    """The owners who got a reminder for the period on ``day`` (Swedish date): a nudge or a
    scheduled one. One query."""
    tz = timezone()
    start = datetime.combine(day, time(0), tz)
    query = select(MailMessage.recipient_id).where(
        MailMessage.kind == REMINDER,
        MailMessage.cause == f"period:{period.id}",
        MailMessage.created_at >= start,
        MailMessage.created_at < start + timedelta(days=1),
    )
    return set(db.session.scalars(query))


def plan_period(period: ReportingPeriod, stage_name: str, today: date | None = None) -> int:
    """The stage's reminder to every owner with missing reports, but for one reminded today
    already (nudged by the management group): theirs waits for the next day of the stage."""
    queued = 0
    missing = _missing_by_owner(period)
    # Benefit owners with nothing to report still hear of the measurements that fall due.
    recipients = {o.id: o for o in missing}
    for owner in benefit_owners():
        recipients.setdefault(owner.id, owner)
    due = measurements_due(list(recipients), period.deadline)
    reminded = reminded_on(period, today or timezone_today())
    for owner_id, owner in recipients.items():
        items = missing.get(owner, [])
        if owner_id in reminded or not (items or due.get(owner_id)):
            continue
        if queue_reminder(owner, period, items, stage_name, stage_name, due.get(owner_id)):
            queued += 1
    if stage_name == "after" and missing:
        owners = sorted(
            ({"name": o.name, "missing": len(items)} for o, items in missing.items()),
            key=lambda o: (-o["missing"], o["name"]),
        )
        total = sum(o["missing"] for o in owners)
        for manager in management_group(MISSING_SUMMARY):
            queued += bool(
                outbox.queue(
                    manager,
                    MISSING_SUMMARY,
                    f"period:{period.id}",
                    "after",
                    "missing_summary",
                    lambda: _("Missing reports for %(period)s", period=period.name),
                    period=period,
                    owners=owners,
                    total=total,
                    period_link=link("reports.period", period_id=period.id),
                    **common(),
                )
            )
    return queued


def management_group(kind: str) -> list[User]:
    """The active users who get ``kind`` of the management group's mail, by the one rule
    (``tracker.mail.RECIPIENT_ROLES``) that also decides what "Mitt konto" offers."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(recipient_roles(kind)), User.active.is_(True))
            .order_by(User.id)
        )
    )


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_due(local: datetime, plan: Schedule) -> bool:
    return local.weekday() == plan.digest_weekday and local.hour >= plan.digest_hour


def digest_context(now: datetime) -> dict:
    since = now - timedelta(days=7)
    limit = DIGEST_LIMIT
    changes = db.session.execute(
        select(Initiative.id, Initiative.title, Initiative.status)
        .where(Initiative.archived_at.is_(None), Initiative.last_update_at >= since)
        .order_by(Initiative.last_update_at.desc(), Initiative.id)
        .limit(limit + 1)
    ).all()
    attention = db.session.execute(
        select(Initiative.id, Initiative.title, Initiative.health)
        .where(
            Initiative.archived_at.is_(None),
            Initiative.status.in_(ACTIVE_STATUSES),
            (Initiative.health == Health.OFF_TRACK)
            | stale_condition(org_settings.stale_days(), now),
        )
        .order_by(Initiative.title, Initiative.id)
        .limit(limit + 1)
    ).all()
    support = db.session.execute(
        select(Initiative.id, Initiative.title, SupportRequest.opened_at)
        .join(SupportRequest, SupportRequest.initiative_id == Initiative.id)
        .where(SupportRequest.closed_at.is_(None))
        .order_by(SupportRequest.opened_at, Initiative.id)
        .limit(limit + 1)
    ).all()
    decisions = db.session.scalars(
        select(Decision).where(Decision.created_at >= since).order_by(Decision.id).limit(limit + 1)
    ).all()
    titles = dict(
        db.session.execute(
            select(Initiative.id, Initiative.title).where(
                Initiative.id.in_({d.initiative_id for d in decisions})
            )
        ).all()
    )

    def show(id_):
        return link("initiatives.show", initiative_id=id_)

    return {
        "changes": [
            {"title": t, "status": s.label, "link": show(i)} for i, t, s in changes[:limit]
        ],
        "attention": [
            {
                "title": t,
                "why": h.label if h == Health.OFF_TRACK else _("no status update for a long time"),
                "link": show(i),
            }
            for i, t, h in attention[:limit]
        ],
        "support": [
            {"title": t, "age": max(0, (now - at).days), "link": show(i)}
            for i, t, at in support[:limit]
        ],
        "decisions": [
            {
                "title": titles.get(d.initiative_id, ""),
                "summary": d.summary,
                "link": show(d.initiative_id),
            }
            for d in decisions[:limit]
        ],  # fmt: skip
        "more": any(len(rows) > limit for rows in (changes, attention, support, decisions)),
        "limit": limit,
        "dashboard_link": link("portfolio.dashboard"),
    }


def plan_digest(now: datetime) -> int:
    local = now.astimezone(timezone())
    if not digest_due(local, schedule()):
        return 0
    week = iso_week(local.date())
    recipients = management_group(DIGEST)
    if not recipients:
        return 0
    queued = 0
    for manager in recipients:
        if not outbox.wants(manager, DIGEST):
            continue
        with_labels = None
        # The labels (status, health) are translated per recipient: build the lists in their
        # language inside the queue's locale.
        from flask_babel import force_locale

        with force_locale(manager.language if manager.language in ("sv", "en") else "sv"):
            with_labels = digest_context(now)
        queued += bool(
            outbox.queue(
                manager,
                DIGEST,
                "digest",
                week,
                "digest",
                lambda: _("Weekly digest of the portfolio, week %(week)s", week=week[-2:]),
                **with_labels,
                **common(),
            )
        )
    return queued


def plan(now: datetime | None = None) -> int:
    """Queue every reminder and digest due now; returns how many messages were queued. Planning
    twice, or in two processes at once, queues each message once (the unique key)."""
    now = now or utcnow()
    for attempt in range(2):
        try:
            outbox.begin_write()
            queued = _plan(now)
            db.session.commit()
            return queued
        except IntegrityError:
            # Another run queued the same key first: the second attempt sees its rows.
            db.session.rollback()
            if attempt:
                raise
    return 0


def _plan(now: datetime) -> int:
    today = now.astimezone(timezone()).date()
    plan_ = schedule()
    horizon = max(plan_.reminder_days or [0])
    periods = db.session.scalars(
        select(ReportingPeriod).where(
            ReportingPeriod.closed_at.is_(None),
            ReportingPeriod.deadline >= today - timedelta(days=AFTER_DEADLINE_DAYS),
            ReportingPeriod.deadline <= today + timedelta(days=horizon),
        )
    ).all()
    queued = 0
    for period in periods:
        stage_name = stage(period, today, plan_.reminder_days)
        if stage_name:
            queued += plan_period(period, stage_name, today)
    queued += plan_digest(now)
    return queued


# What became of a nudge (``nudge``): queued, or why not.
NUDGED, NOTHING_MISSING, REMINDED_TODAY, TURNED_OFF = "queued", "nothing", "today", "off"


def nudge(period: ReportingPeriod, owner: User, now: datetime | None = None) -> str:
    """One reminder to one owner now (the management group's button): at most one a day.
    Returns NUDGED, or why nothing was queued."""
    today = (now or utcnow()).astimezone(timezone()).date()
    missing = _missing_by_owner(period, owner.id)
    items = missing.get(owner)
    if not items:
        return NOTHING_MISSING
    if owner.id in reminded_on(period, today):
        return REMINDED_TODAY  # one reminder a day, the scheduled one included
    due = measurements_due([owner.id], period.deadline).get(owner.id)
    key = f"nudge-{today.isoformat()}"
    queued = queue_reminder(owner, period, items, "nudge", key, due) is not None
    return NUDGED if queued else TURNED_OFF


def timezone_today() -> date:
    return utcnow().astimezone(timezone()).date()
