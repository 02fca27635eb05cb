"""Notices queued in the transaction of their cause: a decision, a support request."""

from __future__ import annotations

from flask_babel import gettext as _

from ..models import Decision, Initiative, SupportRequest, User
from . import DECISION, SUPPORT_REQUEST, outbox
from .links import common, link
from .planning import management_group


def decision_recorded(actor: User, initiative: Initiative, decision: Decision) -> int:
    """The owner and the co-owners hear of a decision on their initiative (not whoever
    recorded it)."""
    recipients = {initiative.owner_id: initiative.owner}
    for co_owner in initiative.co_owners:
        recipients.setdefault(co_owner.id, co_owner)
    recipients.pop(actor.id, None)
    queued = 0
    title = initiative.title
    for user in recipients.values():
        if user is None:
            continue
        queued += bool(
            outbox.queue(
                user,
                DECISION,
                f"decision:{decision.id}",
                "",
                "decision",
                lambda: _("Decision on %(title)s", title=title),
                initiative=initiative,
                decision=decision,
                link=link("initiatives.show", initiative_id=initiative.id),
                **common(),
            )
        )
    return queued


def support_requested(actor: User, initiative: Initiative, request: SupportRequest) -> int:
    """The management group hears that a manager asks for support."""
    managers = management_group(SUPPORT_REQUEST)
    queued = 0
    title = initiative.title
    for user in managers:
        if user.id == actor.id:
            continue
        queued += bool(
            outbox.queue(
                user,
                SUPPORT_REQUEST,
                f"support:{request.id}",
                "",
                "support_request",
                lambda: _("Support requested: %(title)s", title=title),
                initiative=initiative,
                text=request.text,
                asked_by=actor.name,
                link=link("initiatives.show", initiative_id=initiative.id),
                **common(),
            )
        )
    return queued
