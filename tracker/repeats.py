"""The same form sent twice is one record, not two.

A double click, a browser that resends after a slow answer or a client that retries: the second
request carries exactly what the first did, moments later, from the same person. Each append-only
service (a status update, a decision, a measurement, a new initiative) looks for the record the
first request made before it makes another, and answers with that one. The same words sent
again later, or other words at once, are a record of their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from .extensions import db
from .models import Initiative, utcnow

REPEAT_WINDOW = timedelta(seconds=60)


def is_recent(created_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether a record made at ``created_at`` is recent enough for a copy of it to be a resend."""
    if created_at is None:
        return False
    return (now or utcnow()) - created_at < REPEAT_WINDOW


def lock_initiative(initiative_id: int) -> None:
    """Serialise appends to one initiative, so that two copies sent at once cannot both find
    nothing and both be written: on PostgreSQL the initiative's row is locked until the request
    commits; on SQLite every write request already holds the write lock (``BEGIN IMMEDIATE``)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(Initiative.id).where(Initiative.id == initiative_id).with_for_update()
        )


def latest_copy(model, scope, values: dict):
    """The newest ``model`` row within ``scope`` (an SQL condition) when it is the one being
    written again: made moments ago and holding every one of ``values`` (column name: value).
    Else None, and the caller writes a record of its own."""
    latest = db.session.scalar(
        select(model).where(scope).order_by(model.created_at.desc(), model.id.desc()).limit(1)
    )
    if latest is None or not is_recent(latest.created_at):
        return None
    same = all(getattr(latest, name) == value for name, value in values.items())
    return latest if same else None
