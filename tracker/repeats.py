"""The same form sent twice is one record, not two.

A double click, a browser that resends after a slow answer or a client that retries: the second
request carries exactly what the first did, moments later, from the same person. Each append-only
service (a status update, a decision, a measurement, a new initiative, a new benefit, a new
reporting period, a publication proposal) looks for the record the first request made before it
makes another, and answers with that one. The same words sent again later, or other words at
once, are a record of their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

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


def lock_kind(kind: str) -> None:
    """Serialise the writes of one kind of record, also one that has no row to lock yet (a new
    reporting period; a settings row, see ``conflicts.in_turn``): on PostgreSQL a lock on the
    name ``kind`` held until the request commits; on SQLite every write request already holds
    the write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(kind.encode()).digest()[:8], "big", signed=True)
        db.session.execute(select(func.pg_advisory_xact_lock(key)))


def latest_copy(model, scope, values: dict, held: Callable[[object], dict] | None = None):
    """The newest ``model`` row within ``scope`` (an SQL condition) when it is the one being
    written again: made moments ago and holding every one of ``values`` (column name: value;
    or, for a record whose values lie beyond its own columns, key: value of ``held(row)``).
    Else None, and the caller writes a record of its own."""
    latest = db.session.scalar(
        select(model).where(scope).order_by(model.created_at.desc(), model.id.desc()).limit(1)
    )
    if latest is None or not is_recent(latest.created_at):
        return None
    have = held(latest) if held is not None else {name: getattr(latest, name) for name in values}
    same = all(name in have and have[name] == value for name, value in values.items())
    return latest if same else None
