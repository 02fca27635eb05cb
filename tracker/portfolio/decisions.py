"""Decisions of the management group. Append-only; every one is audited.

A decision on an initiative with an open support request is the management group's answer to it
and closes it, unless the decision says it keeps the request open (it is about something else).
The form names the request it showed, and the decision answers that one only: one withdrawn or
answered while the decision was being written stays as it is, one opened meanwhile stays open,
and the decision-maker is told (:func:`support_news`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit, repeats
from ..extensions import db
from ..initiatives import support
from ..models import (
    Decision,
    DecisionKind,
    Initiative,
    Status,
    StatusUpdate,
    SupportOutcome,
    SupportRequest,
    User,
    utcnow,
)
from ..permissions import can_record_decision, require


class DecisionError(ValueError):
    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


class DecisionErrors(DecisionError):
    """Several problems at once; ``errors`` holds each (the first is also this error)."""

    def __init__(self, errors: list[DecisionError]):
        super().__init__(errors[0].field, errors[0].message)
        self.errors = errors


# What a form that showed no support request names as the one it showed.
NO_REQUEST = 0


@dataclass
class DecisionData:
    # None only when a form could not read it (see check_decision); never recorded so.
    decided_on: date | None
    meeting: str
    kind: DecisionKind | None
    text: str = ""
    comment: str = ""
    keep_support_open: bool = False
    # The id of the support request the form showed, NO_REQUEST when it showed none: the decision
    # answers that one and no other. None, from a caller that shows none: the one open, if any.
    shown_request_id: int | None = None
    # The status the decision gives the initiative at once, or None to leave it as it is.
    new_status: Status | None = None


# The statuses a decision may set in the same transaction, per kind of decision.
STATUS_BY_KIND: dict[DecisionKind, tuple[Status, ...]] = {
    DecisionKind.PAUSE: (Status.PAUSED,),
    DecisionKind.CLOSE: (Status.DONE, Status.CANCELLED),
}


def earliest_decision_date(initiative: Initiative) -> date:
    """The earliest plausible date of a decision on the initiative: a year before it began (its
    start date or the day it was registered, whichever is earlier), for a decision taken before
    the initiative was entered here."""
    began = initiative.created_at.date()
    if initiative.start_date is not None:
        began = min(began, initiative.start_date)
    return began - timedelta(days=365)


def check_decision(data: DecisionData, initiative: Initiative | None = None) -> list[DecisionError]:
    """Every problem with the decision at once, each tied to its field. A form whose own checks
    failed passes what it could read (a date or kind it could not read is None), so that its
    field errors and these come together."""
    errors = []
    if not data.meeting.strip():
        errors.append(DecisionError("meeting", _l("Name the meeting that made the decision.")))
    if data.kind == DecisionKind.OTHER and not data.text.strip():
        errors.append(DecisionError("text", _l("Write the decision.")))
    latest = utcnow().date() + timedelta(days=1)  # Swedish time runs ahead of UTC
    if data.decided_on is not None and data.decided_on > latest:
        errors.append(DecisionError("decided_on", _l("The decision date cannot be in the future.")))
    if initiative is not None and data.decided_on is not None:
        earliest = earliest_decision_date(initiative)
        if data.decided_on < earliest:
            message = _(
                "Enter a decision date on or after %(date)s: a decision more than a year before "
                "the initiative began is not plausible.",
                date=earliest.isoformat(),
            )
            errors.append(DecisionError("decided_on", message))
    if (
        data.kind is not None
        and data.new_status is not None
        and data.new_status not in STATUS_BY_KIND.get(data.kind, ())
    ):
        if data.kind == DecisionKind.PAUSE:
            message = _l("A decision to pause can only set the status to paused.")
        elif data.kind == DecisionKind.CLOSE:
            message = _l("A decision to close can only set the status to done or cancelled.")
        else:
            message = _l(
                "Only a decision to pause or to close changes the status. Choose one of them, "
                "or leave the status as it is."
            )
        errors.append(DecisionError("new_status", message))
    return errors


def _set_status(actor: User, initiative: Initiative, status: Status, decision: Decision) -> None:
    """The decision's status as a status update of its own, so that the initiative's state still
    mirrors its latest update (health and progress stay as they were). Its latest report
    (``last_update_at``: "Senaste rapport", and when it turns silent) stays the owner's."""
    now = utcnow()
    before = initiative.status
    update = StatusUpdate(
        initiative_id=initiative.id,
        author_id=actor.id,
        created_at=now,
        status=status,
        health=initiative.health,
        progress=initiative.progress,
        happened=decision.summary + " (" + decision.meeting + ")",
        decision_id=decision.id,  # the state moved; nobody reported (not a period's report)
    )
    db.session.add(update)
    initiative.status = status
    db.session.flush()
    audit.record(
        actor,
        "initiative.status_update",
        initiative,
        {"status": [before.value, status.value], "status_update_id": update.id},
    )


def _repeated_decision(actor: User, initiative: Initiative, data: DecisionData) -> Decision | None:
    """The initiative's latest decision when this one is it sent again (a double click): by the
    same author, moments ago, with the same date, meeting, kind and words."""
    repeats.lock_initiative(initiative.id)
    values = {
        "author_id": actor.id,
        "decided_on": data.decided_on,
        "meeting": data.meeting.strip(),
        "kind": data.kind,
        "text": data.text.strip(),
        "comment": data.comment.strip(),
    }
    return repeats.latest_copy(Decision, Decision.initiative_id == initiative.id, values)


def record_decision(actor: User, initiative: Initiative, data: DecisionData) -> Decision:
    """Record the decision and, when it says so, set the initiative's status: one transaction
    (the request commits). Text written with a kind that needs none is kept as its wording."""
    require(can_record_decision(actor))
    errors = check_decision(data, initiative)
    if errors:
        raise errors[0] if len(errors) == 1 else DecisionErrors(errors)
    repeated = _repeated_decision(actor, initiative, data)
    if repeated is not None:
        return repeated
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
    if data.new_status is not None and data.new_status != initiative.status:
        _set_status(actor, initiative, data.new_status, decision)
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
            **({"status": data.new_status.value} if data.new_status else {}),
        },
    )
    if not data.keep_support_open and data.shown_request_id != NO_REQUEST:
        support.answer(actor, initiative, decision, data.shown_request_id)
    from ..mail import notices  # the owners hear of it: queued in this transaction

    notices.decision_recorded(actor, initiative, decision)
    return decision


def support_news(
    initiative: Initiative, data: DecisionData, decision: Decision | None = None
) -> str | None:
    """What became of the initiative's support request while the decision was being written,
    which the decision-maker has not seen: the request the form showed was withdrawn, or
    answered by another decision, or a new one was opened. ``decision``: the one just recorded
    (the message then says what it did not answer); None when the form is shown again. None
    when nothing changed, or the caller did not say which request it showed."""
    shown_id = data.shown_request_id
    if shown_id is None:
        return None
    news = []
    if shown_id != NO_REQUEST:
        # Read afresh: another request closed it, perhaps after this one first loaded it.
        shown = db.session.scalar(
            select(SupportRequest)
            .where(SupportRequest.id == shown_id, SupportRequest.initiative_id == initiative.id)
            .execution_options(populate_existing=True)
        )
        closed_by_other = (
            shown is not None
            and not shown.is_open
            and (decision is None or shown.decision_id != decision.id)
        )
        if closed_by_other:
            name = shown.closed_by.name if shown.closed_by is not None else "–"
            if shown.outcome is SupportOutcome.WITHDRAWN:
                news.append(
                    _(
                        "The support request was withdrawn by %(name)s while you were writing "
                        "the decision. The decision does not answer it, and the request stays "
                        "withdrawn.",
                        name=name,
                    )
                    if decision is not None
                    else _(
                        "The support request was withdrawn by %(name)s while you were writing "
                        "the decision.",
                        name=name,
                    )
                )
            else:
                news.append(
                    _(
                        "The support request was answered by a decision that %(name)s recorded "
                        "while you were writing yours. Your decision does not answer it.",
                        name=name,
                    )
                    if decision is not None
                    else _(
                        "The support request was answered by a decision that %(name)s recorded "
                        "while you were writing yours.",
                        name=name,
                    )
                )
    current = db.session.scalar(
        select(SupportRequest.id).where(
            SupportRequest.initiative_id == initiative.id, SupportRequest.closed_at.is_(None)
        )
    )
    if current is not None and current != shown_id:
        news.append(
            _(
                "A new support request was opened while you were writing the decision. The "
                "decision does not answer it, and the request stays open."
            )
            if decision is not None
            else _(
                "A new support request was opened while you were writing the decision. It is "
                "shown below: recording the decision answers it, unless you keep it open."
            )
        )
    return " ".join(news) or None
