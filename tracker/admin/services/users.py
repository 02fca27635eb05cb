"""Users: list, create, change, deactivate, and one-time passwords."""

from __future__ import annotations

import re
import secrets

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select

from ... import audit, conflicts
from ...auth.passwords import hash_password
from ...extensions import db
from ...models import Committee, Department, Role, User, normalise_email
from ...permissions import can_administer, require
from . import AdminError, check_version

PER_PAGE = 25
# Shape only: one @, something before it, a dot in the domain, no spaces.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# No 0/O, 1/l/I: one-time passwords are read aloud and typed from paper.
OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def get_user(actor: User, user_id: int) -> User:
    """The user with this id, or 404; only admins."""
    require(can_administer(actor))
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def list_users(
    actor: User,
    q: str = "",
    role: str = "",
    department_id: int | None = None,
    active: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Pagination:
    """Users matching the filters, by name; ``active`` is "yes", "no" or "" for all."""
    require(can_administer(actor))
    query = select(User).order_by(func.lower(User.name), User.id)
    if q.strip():
        pattern = (
            "%"
            + q.strip().lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            + "%"
        )
        query = query.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    if active == "yes":
        query = query.where(User.active.is_(True))
    elif active == "no":
        query = query.where(User.active.is_(False))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def checked_email(email: str, except_user_id: int | None = None) -> str:
    """The normalised e-mail, or AdminError when it is malformed or already used."""
    email = normalise_email(email or "")
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AdminError(_l("Enter a valid e-mail address, like name@example.se."), "email")
    query = select(User.id).where(User.email == email)
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    if db.session.scalar(query) is not None:
        raise AdminError(_l("There is already a user with this e-mail address."), "email")
    return email


def checked_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise AdminError(_l("Enter a name."), "name")
    if len(name) > 200:
        raise AdminError(_l("The name may be at most 200 characters long."), "name")
    return name


def checked_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AdminError(_l("Choose a role."), "role") from None


def checked_department(department_id: int | None, current: int | None = None) -> Department | None:
    """An active department, or the user's current one even if it has since been deactivated."""
    if department_id is None:
        return None
    department = db.session.get(Department, department_id)
    if department is None or (not department.active and department_id != current):
        raise AdminError(_l("Choose an active department."), "department")
    return department


def checked_scope(
    role: Role, committee_id: int | None, current: int | None = None
) -> Committee | None:
    """Only committee readers are limited to a committee; for other roles the scope is cleared.
    An active committee, or the user's current one even if it has since been deactivated."""
    if role != Role.COMMITTEE or committee_id is None:
        return None
    committee = db.session.get(Committee, committee_id)
    if committee is None:
        raise AdminError(_l("Choose a committee."), "committee")
    if not committee.active and committee_id != current:
        raise AdminError(_l("Choose an active committee."), "committee")
    return committee


def new_one_time_password() -> str:
    """Four groups of four characters: about 79 bits, easy to read out and to type."""
    groups = ("".join(secrets.choice(OTP_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def _snapshot(user: User) -> dict:
    return {
        "name": user.name,
        "email": user.email,
        "role": user.role.value if user.role else None,
        "department": user.department.code if user.department else None,
        "committee": user.committee.short_name if user.committee else None,
        "active": user.active,
    }


def create_user(
    actor: User,
    *,
    name: str,
    email: str,
    role: str,
    department_id: int | None = None,
    committee_id: int | None = None,
) -> tuple[User, str]:
    """A new active user with a one-time password, which is returned to be shown once."""
    require(can_administer(actor))
    role_ = checked_role(role)
    user = User(
        name=checked_name(name),
        email=checked_email(email),
        role=role_,
        department=checked_department(department_id),
        committee=checked_scope(role_, committee_id),
        must_change_password=True,
    )
    password = new_one_time_password()
    user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, _snapshot(user))
    return user, password


def _would_leave_no_admin(user: User) -> bool:
    if not (user.active and user.role == Role.ADMIN):
        return False
    others = db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
        )
    )
    return others == 0


def user_version(user: User) -> str:
    """The user's details as their form shows them (see ``check_version``)."""
    return conflicts.version_of(_snapshot(user))


def update_user(
    actor: User,
    user: User,
    *,
    name: str,
    role: str,
    department_id: int | None,
    committee_id: int | None,
    expected_version: str | None = None,
) -> dict:
    """Change name, role, department and committee scope; returns the changed fields. An edit
    made to another version than ``expected_version`` raises AdminConflict."""
    require(can_administer(actor))
    conflicts.in_turn(f"user:{user.id}", user)
    check_version(expected_version, _snapshot(user))
    before = _snapshot(user)
    new_name = checked_name(name)
    new_role = checked_role(role)
    department = checked_department(department_id, current=user.department_id)
    committee = checked_scope(new_role, committee_id, current=user.committee_id)
    if new_role != Role.ADMIN and _would_leave_no_admin(user):
        raise AdminError(
            _l("You are the last active system administrator and cannot change your role."),
            "role",
        )
    user.name, user.role, user.department, user.committee = (
        new_name,
        new_role,
        department,
        committee,
    )
    changes = audit.diff(before, _snapshot(user))
    if changes:
        if "role" in changes or "committee" in changes:
            user.end_sessions()  # rights changed: sign in again with the new ones
        db.session.flush()
        audit.record(actor, "user.update", user, changes)
    return changes


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate a user."""
    require(can_administer(actor))
    if user.active == active:
        return
    if not active and _would_leave_no_admin(user):
        raise AdminError(
            _l("You are the last active system administrator and cannot be deactivated.")
        )
    user.active = active
    if not active:
        user.end_sessions()
    db.session.flush()
    audit.record(
        actor,
        "user.reactivate" if active else "user.deactivate",
        user,
        {"active": [not active, active]},
    )


def issue_one_time_password(actor: User, user: User) -> str:
    """Replace the user's password with a one-time one that must be changed at next sign-in."""
    require(can_administer(actor))
    if not user.active:
        raise AdminError(_l("Reactivate the user before issuing a one-time password."))
    password = new_one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.end_sessions()
    db.session.flush()
    audit.record(actor, "user.one_time_password", user, {"must_change_password": True})
    return password
