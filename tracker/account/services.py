"""A user's own account. The acting user is the account: nobody changes someone else's here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..auth.passwords import hash_password, password_problem, verify_password
from ..extensions import db
from ..models import AuditEvent, User
from ..permissions import require

LANGUAGES = ("sv", "en")
# Every way a sign-in succeeds or fails: with a password, with the municipality's account.
SIGNED_IN_ACTIONS = ("auth.login", "auth.sso_login")
SIGN_IN_ACTIONS = (
    *SIGNED_IN_ACTIONS,
    "auth.login_failed",
    "auth.login_refused",
    "auth.sso_refused",
)


class AccountError(ValueError):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def update_profile(user: User, *, name: str, language: str) -> dict:
    require(user.is_authenticated and user.active)
    name = " ".join((name or "").split())
    if not name:
        raise AccountError(_l("Enter your name."), "name")
    if len(name) > 200:
        raise AccountError(_l("The name may be at most 200 characters long."), "name")
    if language not in LANGUAGES:
        raise AccountError(_l("Choose a language."), "language")
    before = {"name": user.name, "language": user.language}
    user.name, user.language = name, language
    changes = audit.diff(before, {"name": name, "language": language})
    if changes:
        db.session.flush()
        audit.record(user, "account.update", user, changes)
    return changes


def change_password(user: User, *, current: str, new: str) -> None:
    """Check the current password (ASVS 6.2.3) and the policy; end every other session."""
    require(user.is_authenticated and user.active)
    if not verify_password(user.password_hash, current or ""):
        raise AccountError(_l("The current password is wrong."), "current_password")
    problem = password_problem(new or "")
    if problem is not None:
        raise AccountError(problem, "new_password")
    if new == current:
        raise AccountError(_l("Choose a password other than the current one."), "new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.end_sessions()  # the caller starts a fresh session for this browser
    db.session.flush()
    audit.record(user, "account.password_change", user)


def recent_sign_ins(user: User, limit: int = 20) -> list[AuditEvent]:
    """The user's own latest sign-ins and failed attempts, newest first."""
    require(user.is_authenticated)
    query = (
        select(AuditEvent)
        .where(AuditEvent.actor_id == user.id, AuditEvent.action.in_(SIGN_IN_ACTIONS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
