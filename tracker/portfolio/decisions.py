"""Decisions of the management group. Append-only; every one is audited.

A decision on an initiative with an open support request is the management group's answer to it
and closes it, unless the decision says it keeps the request open (it is about something else).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from .. import audit
from ..extensions import db
from ..initiatives import support
from ..models import Decision, DecisionKind, Initiative, User, utcnow
from ..permissions import can_record_decision, require


class DecisionError(ValueError):
    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass
class DecisionData:
    decided_on: date
    meeting: str
    kind: DecisionKind
    text: str = ""
    comment: str = ""
    keep_support_open: bool = False


def record_decision(actor: User, initiative: Initiative, data: DecisionData) -> Decision:
    require(can_record_decision(actor))
    if not data.meeting.strip():
        raise DecisionError("meeting", _l("Name the meeting that made the decision."))
    if data.kind == DecisionKind.OTHER and not data.text.strip():
        raise DecisionError("text", _l("Write the decision."))
    if data.decided_on > utcnow().date() + timedelta(days=1):  # Swedish time runs ahead of UTC
        raise DecisionError("decided_on", _l("The decision date cannot be in the future."))
    decision = Decision(
        initiative_id=initiative.id,
        author_id=actor.id,
        decided_on=data.decided_on,
        meeting=data.meeting.strip(),
        kind=data.kind,
        text=data.text.strip(),
        comment=data.comment.strip(),
    )
    db.session.add(decision)
    db.session.flush()
    audit.record(
        actor,
        "initiative.decision",
        initiative,
        {
            "decision_id": decision.id,
            "decided_on": data.decided_on.isoformat(),
            "meeting": decision.meeting,
            "kind": data.kind.value,
            "text": decision.text,
            "comment": decision.comment,
        },
    )
    if not data.keep_support_open:
        support.answer(actor, initiative, decision)
    return decision
