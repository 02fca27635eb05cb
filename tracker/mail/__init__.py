"""E-mail: reminders before a reporting period's deadline, notices of decisions and support
requests, the management group's weekly digest, and the outbox that sends each message once.

- ``outbox``: queue a message in the cause's transaction; claim and send queued messages.
- ``compose``: the message itself (standard library ``email``): plain text and simple HTML.
- ``transport``: SMTP (``smtplib``) or, without a mail server, ``.eml`` files in ``instance/mail/``.
- ``planning``: which reminders and digests are due now (``tracker send-reminders``).
- ``notices``: what a decision or a support request queues.
- ``services``: preferences, settings, the send log and the nudge, for the views.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..benefits.services import OWNER_ROLES as BENEFIT_OWNER_ROLES
from ..models import Role, User
from ..permissions import OWNER_ROLES

bp = Blueprint("mail", __name__)

# The kinds of mail; each can be turned off in "Mitt konto" by those who can get it.
REMINDER = "reminder"
MISSING_SUMMARY = "missing_summary"
DECISION = "decision"
SUPPORT_REQUEST = "support_request"
DIGEST = "digest"

KIND_LABELS = {
    REMINDER: _l("Reminders to report on my initiatives"),
    DECISION: _l("Decisions recorded on my initiatives"),
    SUPPORT_REQUEST: _l("Support requests from managers"),
    MISSING_SUMMARY: _l("Summary of who has not reported after a deadline"),
    DIGEST: _l("Weekly digest of the portfolio"),
}

# The management group: the support requests, the summary of who is missing and the digest.
MANAGEMENT_GROUP = (Role.MANAGEMENT,)

# Who can get each kind, by role: the one rule for the choices in "Mitt konto" and for whom the
# planner and the notices send to (``outbox.queue`` refuses any other recipient).
RECIPIENT_ROLES: dict[str, tuple[Role, ...]] = {
    # The owners of initiatives (their reports) and of benefits (measurements that fall due).
    REMINDER: tuple(dict.fromkeys((*OWNER_ROLES, *BENEFIT_OWNER_ROLES))),
    DECISION: OWNER_ROLES,  # the owner and co-owners of the initiative decided on
    SUPPORT_REQUEST: MANAGEMENT_GROUP,
    MISSING_SUMMARY: MANAGEMENT_GROUP,
    DIGEST: MANAGEMENT_GROUP,
}


def kinds_for(role: Role) -> list[str]:
    """The kinds of mail a user with ``role`` can get (and so turn off), in the form's order."""
    return [kind for kind in KIND_LABELS if role in RECIPIENT_ROLES[kind]]


def receives(user: User, kind: str) -> bool:
    """Whether the user's role gets this kind of mail at all."""
    return user.role in RECIPIENT_ROLES.get(kind, ())


def recipient_roles(kind: str) -> list[str]:
    """The roles that get ``kind``, as the values an SQL ``IN`` compares ``User.role`` with."""
    return [role.value for role in RECIPIENT_ROLES[kind]]


from . import views  # noqa: E402,F401
