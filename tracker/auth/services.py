"""Sign-in and accounts. Services flush; the request commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import Department, Role, User, normalise_email, utcnow
from ..validators import has_control_characters
from .passwords import hash_password, needs_rehash, password_problem, verify_password


class AccountError(ValueError):
    """Input that breaks a rule about accounts; the message is for the user."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Unknown e-mail and wrong password look
    the same to the caller and take the same time (a hash is verified either way)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    user_id, stored_hash = (user.id, user.password_hash) if user else (None, None)
    # The hash is slow on purpose. End the transaction first: on SQLite a sign-in (a POST) holds
    # the write lock from its first query, and every writer would wait for each hash.
    db.session.rollback()
    ok = verify_password(stored_hash, password)
    new_hash = hash_password(password) if ok and needs_rehash(stored_hash) else None
    user = db.session.get(User, user_id) if user_id is not None else None
    if not ok or user is None or not user.active or user.password_hash != stored_hash:
        audit.record(
            user if user and user.active else None,
            "auth.login_failed",
            changes={"email": normalise_email(email)[:254]},
        )
        return None
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    audit.record(user, "auth.login", user)
    return user


def may_use_password(user: User, policy: str) -> bool:
    """``TRACKER_PASSWORD_LOGIN``: ``admins`` keeps passwords for administrators only (a
    break-glass account for when the provider is down); ``off`` for nobody."""
    return policy == "all" or (policy == "admins" and user.role == Role.ADMIN)


def password_sign_in_allowed(user: User, policy: str) -> bool:
    """``may_use_password`` at a sign-in. A refused sign-in with a right password is undone and
    logged, and looks like any failed sign-in."""
    allowed = may_use_password(user, policy)
    if not allowed:
        db.session.rollback()  # not the "auth.login" event and last_login_at of authenticate()
        user = db.session.get(User, user.id)
        audit.record(user, "auth.login_refused", user, {"reason": f"password_login_{policy}"})
    return allowed


def refuse_password_sign_in(email: str) -> None:
    """A password sent while passwords are turned off (``TRACKER_PASSWORD_LOGIN=off``)."""
    audit.record(
        None,
        "auth.login_refused",
        changes={"reason": "password_login_off", "email": normalise_email(email)[:254]},
    )


def sign_out(user: User) -> None:
    """End every session of the user on the server."""
    user.end_sessions()
    audit.record(user, "auth.logout", user)


def create_user(
    actor: User | None,
    email: str,
    name: str,
    role: Role | str,
    password: str,
    department_code: str | None = None,
) -> User:
    email = normalise_email(email)
    if not email or "@" not in email or has_control_characters(email) or len(email) > 254:
        raise AccountError(_l("Enter a valid e-mail address."), "email")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError(_l("There is already a user with this e-mail address."), "email")
    # The forms' rules, also for a user made from the command line or an import.
    name = " ".join((name or "").split())
    if not name:
        raise AccountError(_l("Enter a name."), "name")
    if has_control_characters(name):
        raise AccountError(_l("Remove the control characters from the text."), "name")
    if len(name) > 200:
        raise AccountError(_l("The name may be at most 200 characters long."), "name")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(_l("Unknown role."), "role") from None
    department = None
    if department_code:
        department = db.session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise AccountError(_l("Unknown department."), "department")
    problem = password_problem(password)
    if problem is not None:
        raise AccountError(problem, "password")
    user = User(
        email=email,
        name=name,
        role=role,
        department=department,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user.create",
        user,
        {"email": email, "name": user.name, "role": role.value, "department": department_code},
    )
    return user
