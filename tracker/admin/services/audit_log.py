"""The audit log, read-only: filter by who, what and when."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import AuditEvent, User
from ...permissions import can_administer, require

PER_PAGE = 50
LOCAL = ZoneInfo("Europe/Stockholm")


def actions(actor: User) -> list[str]:
    require(can_administer(actor))
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def actors(actor: User) -> list[User]:
    """The users who appear in the log, for the filter."""
    require(can_administer(actor))
    ids = select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))


def local_day_start(day: date) -> datetime:
    """Midnight in Swedish time, as the users read dates, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def events(
    actor: User,
    actor_id: int | None = None,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Pagination:
    """Events, newest first; the dates are whole days in Swedish time, both included."""
    require(can_administer(actor))
    query = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if date_from is not None:
        query = query.where(AuditEvent.at >= local_day_start(date_from))
    if date_to is not None:
        query = query.where(AuditEvent.at < local_day_start(date_to + timedelta(days=1)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
