"""Support requests: opened by a status update that asks for support, open until the owner
withdraws it or the management group answers it with a decision.

A later update without support text leaves an open request as it is: only an explicit withdrawal
or a decision closes one. An update that asks again keeps the same request open (its age runs from
the first ask) and records the new wording, audited; the same wording changes nothing.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import (
    Decision,
    Initiative,
    StatusUpdate,
    SupportOutcome,
    SupportRequest,
    User,
    utcnow,
)
from ..permissions import can_answer_support, can_withdraw_support, require


class SupportError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def open_initiative_ids():
    """SQL: the ids of the initiatives with an open request (for ``Initiative.id.in_(...)``)."""
    return select(SupportRequest.initiative_id).where(SupportRequest.closed_at.is_(None))


def open_request(initiative: Initiative) -> SupportRequest | None:
    query = select(SupportRequest).where(
        SupportRequest.initiative_id == initiative.id, SupportRequest.closed_at.is_(None)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalar(query)


def after_update(actor: User, initiative: Initiative, update: StatusUpdate) -> None:
    """What a new status update (already flushed) does to the initiative's support request."""
    text = update.support_needed
    if not text:
        return  # silence is not a withdrawal
    current = open_request(initiative)
    if current is None:
        current = SupportRequest(
            initiative_id=initiative.id,
            opened_at=update.created_at,
            opened_by_id=actor.id,
            opened_by_update_id=update.id,
            latest_update_id=update.id,
            text=text,
        )
        db.session.add(current)
        db.session.flush()
        audit.record(
            actor,
            "support_request.open",
            initiative,
            {"support_request_id": current.id, "status_update_id": update.id, "text": text},
        )
        from ..mail import notices  # the management group hears of it, in this transaction

        notices.support_requested(actor, initiative, current)
    elif current.text != text:
        changes = {
            "support_request_id": current.id,
            "status_update_id": update.id,
            "text": [current.text, text],
        }
        current.text = text
        current.latest_update_id = update.id
        db.session.flush()
        audit.record(actor, "support_request.update", initiative, changes)


def withdraw(actor: User, initiative: Initiative) -> SupportRequest:
    """The owner takes the request back: management need not answer it any more."""
    require(can_withdraw_support(actor, initiative))
    current = open_request(initiative)
    if current is None:
        raise SupportError(_l("The initiative has no open support request."))
    _close(actor, initiative, current, SupportOutcome.WITHDRAWN, None)
    return current


def answer(
    actor: User, initiative: Initiative, decision: Decision, request_id: int | None = None
) -> SupportRequest | None:
    """Close the open request as answered by ``decision``: the one with ``request_id`` (the one
    the decision-maker was shown), if it is still open; without an id, whichever is open."""
    require(can_answer_support(actor))
    current = open_request(initiative)
    if current is not None and request_id is not None and current.id != request_id:
        return None  # the one they saw has been closed; one they never saw stays open
    if current is not None:
        _close(actor, initiative, current, SupportOutcome.ANSWERED, decision)
    return current


def _close(
    actor: User,
    initiative: Initiative,
    request: SupportRequest,
    outcome: SupportOutcome,
    decision: Decision | None,
) -> None:
    now = utcnow()
    request.closed_at = now
    request.closed_by_id = actor.id
    request.outcome = outcome
    request.decision_id = decision.id if decision is not None else None
    db.session.flush()
    action = (
        "support_request.withdraw"
        if outcome is SupportOutcome.WITHDRAWN
        else "support_request.answer"
    )
    changes = {
        "support_request_id": request.id,
        "text": request.text,
        "open_days": request.age_days(now),
    }
    if decision is not None:
        changes["decision_id"] = decision.id
    audit.record(actor, action, initiative, changes)
