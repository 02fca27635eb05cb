"""Writing the audit trail, and the security log beside it.

Every change of state and every sign-in event passes through ``record``. The row is written in the
caller's transaction, so an operation and its audit event are committed, or rolled back, together.

A read that changes nothing but must leave a trace (an export, a refused request) uses
``record_apart``: the row is written and committed in a short write transaction of its own, so the
read never takes the write lock and never fails because others write.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import has_request_context, request
from sqlalchemy import insert
from sqlalchemy import inspect as sa_inspect

from .database import write_transaction
from .extensions import db
from .models import AuditEvent, User, utcnow

log = logging.getLogger("tracker.audit")


def record(
    actor: User | None,
    action: str,
    entity: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    remote_addr = request.remote_addr if has_request_context() else None
    actor_id = actor.id if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        entity_type=entity.__tablename__ if entity is not None else None,
        entity_id=entity.id if entity is not None else None,
        changes=_jsonable(changes or {}),
        remote_addr=remote_addr,
    )
    db.session.add(event)
    db.session.flush()
    _log(event)
    return event


def record_apart(
    actor: User | None,
    action: str,
    entity: Any = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Write the event in a short write transaction of its own and commit it at once, whatever
    becomes of the request's transaction. For reads (GET) only: a change of state belongs with
    its operation (``record``)."""
    actor_id = _id_without_loading(actor) if actor is not None and actor.is_authenticated else None
    values = {
        "at": utcnow(),
        "actor_id": actor_id,
        "action": action,
        "entity_type": entity.__tablename__ if entity is not None else None,
        "entity_id": _id_without_loading(entity) if entity is not None else None,
        "changes": _jsonable(changes or {}),
        "remote_addr": request.remote_addr if has_request_context() else None,
    }
    with write_transaction(db.engine) as conn:
        conn.execute(insert(AuditEvent.__table__).values(**values))
    _log(AuditEvent(**values))


def _id_without_loading(obj: Any) -> Any:
    """The primary key, without a query: after a rollback, reading ``obj.id`` would begin a new
    transaction in the request's session (on SQLite a POST's takes the write lock)."""
    state = sa_inspect(obj, raiseerr=False)
    if state is not None and state.identity:
        return state.identity[0]
    return obj.id


def _log(event: AuditEvent) -> None:
    # json.dumps escapes newlines and control characters, so user text cannot forge log lines.
    log.info(
        "%s actor=%s entity=%s:%s addr=%s %s",
        event.action,
        event.actor_id,
        event.entity_type,
        event.entity_id,
        event.remote_addr,
        json.dumps(event.changes, ensure_ascii=True, default=str),
    )


def record_many(actor: User | None, events: list[tuple[str, Any, dict[str, Any] | None]]) -> None:
    """``record`` for many events at once, ``(action, entity, changes)`` each, in one statement
    (an import of a thousand rows). ``entity`` may be a model or ``(table name, id)``."""
    remote_addr = request.remote_addr if has_request_context() else None
    actor_id = actor.id if actor is not None and actor.is_authenticated else None
    if not events:
        return
    now = utcnow()
    rows = []
    for action, entity, changes in events:
        if isinstance(entity, tuple):
            entity_type, entity_id = entity
        else:
            entity_type = entity.__tablename__ if entity is not None else None
            entity_id = entity.id if entity is not None else None
        rows.append(
            {
                "actor_id": actor_id,
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "changes": _jsonable(changes or {}),
                "remote_addr": remote_addr,
                "at": now,
            }
        )
    db.session.execute(insert(AuditEvent), rows)
    for row in rows:
        log.info(
            "%s actor=%s entity=%s:%s addr=%s %s",
            row["action"],
            actor_id,
            row["entity_type"],
            row["entity_id"],
            remote_addr,
            json.dumps(row["changes"], ensure_ascii=True, default=str),
        )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as {"field": [old, new]}."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
