"""E-mail: reminders before a reporting period's deadline, notices of decisions and support
requests, the management group's weekly digest, and the outbox that sends each message once.

- ``outbox``: queue a message in the cause's transaction; claim and send queued messages.
- ``compose``: the message itself (standard library ``email``): plain text and simple HTML.
- ``transport``: SMTP (``smtplib``) or, without a mail server, ``.eml`` files in ``instance/mail/``.
- ``planning``: which reminders and digests are due now (``tracker send-reminders``).
- ``notices``: what a decision or a support request queues.
- ``services``: preferences, settings, the send log and the nudge, for the views.
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("mail", __name__)

# The kinds of mail; each can be turned off in "Mitt konto".
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

from . import views  # noqa: E402,F401
