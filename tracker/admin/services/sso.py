"""Sign-in with the municipality's accounts: the admin's setting for unknown users, and the
table that maps directory groups to roles (and optionally a department)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ... import audit, conflicts
from ...extensions import db
from ...models import Department, Role, SsoGroupRole, SsoSettings, User, UserIdentity
from ...permissions import can_administer, require
from . import AdminError, check_version

SETTINGS_ID = 1
GROUP_ID_MAX = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def settings(actor: User) -> SsoSettings:
    """The settings row, or an unsaved one with the defaults."""
    require(can_administer(actor))
    return db.session.get(SsoSettings, SETTINGS_ID) or SsoSettings(
        id=SETTINGS_ID, create_unknown_users=False
    )


def settings_values(actor: User) -> dict:
    """The settings as their form shows them (form data, by field name)."""
    return {"create_unknown_users": "yes" if settings(actor).create_unknown_users else "no"}


def settings_version(actor: User) -> str:
    """The settings as their form shows them (see ``check_version``)."""
    return conflicts.version_of(settings_values(actor))


def save_settings(
    actor: User, *, create_unknown_users: bool, expected_version: str | None = None
) -> dict:
    """Save the settings; a save made to another version than ``expected_version`` raises
    AdminConflict."""
    require(can_administer(actor))
    wanted = {"create_unknown_users": "yes" if create_unknown_users else "no"}
    conflicts.in_turn("settings.sso", db.session.get(SsoSettings, SETTINGS_ID))
    check_version(expected_version, settings_values(actor), wanted)
    row = db.session.get(SsoSettings, SETTINGS_ID)
    before = bool(row and row.create_unknown_users)
    if row is None:
        row = SsoSettings(id=SETTINGS_ID)
        db.session.add(row)
    row.create_unknown_users = bool(create_unknown_users)
    db.session.flush()
    changes = audit.diff(
        {"create_unknown_users": before}, {"create_unknown_users": row.create_unknown_users}
    )
    if changes:
        audit.record(actor, "sso.settings_update", row, changes)
    return changes


def group_roles(actor: User) -> list[SsoGroupRole]:
    require(can_administer(actor))
    return list(
        db.session.scalars(
            select(SsoGroupRole)
            .options(selectinload(SsoGroupRole.department))
            .order_by(SsoGroupRole.group_id)
        )
    )


def add_group_role(
    actor: User, *, group_id: str, role: str, department_id: int | None
) -> SsoGroupRole:
    require(can_administer(actor))
    group_id = (group_id or "").strip()
    if not group_id:
        raise AdminError(_l("Enter the group's id."), "group_id")
    if len(group_id) > GROUP_ID_MAX or _CONTROL.search(group_id) or " " in group_id:
        raise AdminError(
            _l(
                "Enter the group's id as the directory shows it, without spaces "
                "(at most 255 characters)."
            ),
            "group_id",
        )
    try:
        role_value = Role(role)
    except ValueError:
        raise AdminError(_l("Choose a role."), "role") from None
    department = None
    if department_id is not None:
        department = db.session.get(Department, department_id)
        if department is None or not department.active:
            raise AdminError(_l("Choose an active department."), "department")
    if db.session.scalar(select(SsoGroupRole.id).where(SsoGroupRole.group_id == group_id)):
        raise AdminError(_l("This group already has a role. Remove that row first."), "group_id")
    mapping = SsoGroupRole(group_id=group_id, role=role_value, department=department)
    db.session.add(mapping)
    db.session.flush()
    audit.record(
        actor,
        "sso.group_role_add",
        mapping,
        {
            "group_id": group_id,
            "role": role_value.value,
            "department": department.code if department else None,
        },
    )
    return mapping


def delete_group_role(actor: User, mapping_id: int) -> None:
    require(can_administer(actor))
    mapping = db.session.get(SsoGroupRole, mapping_id)
    if mapping is None:
        raise AdminError(_l("That row has already been removed."))
    audit.record(
        actor,
        "sso.group_role_delete",
        mapping,
        {"group_id": mapping.group_id, "role": mapping.role.value},
    )
    db.session.delete(mapping)
    db.session.flush()


def identities_of(actor: User, user: User) -> list[UserIdentity]:
    """The municipality accounts connected to a user (normally one)."""
    require(can_administer(actor))
    return list(
        db.session.scalars(
            select(UserIdentity)
            .where(UserIdentity.user_id == user.id)
            .order_by(UserIdentity.created_at)
        )
    )


def disconnect_identity(actor: User, identity_id: int) -> User:
    """Undo a connection (say, one made to the wrong account): the user is signed out, and their
    next sign-in with the municipality account connects again by verified e-mail address."""
    require(can_administer(actor))
    identity = db.session.get(UserIdentity, identity_id)
    if identity is None:
        raise AdminError(_l("That connection has already been removed."))
    user = identity.user
    audit.record(
        actor,
        "sso.identity_disconnect",
        user,
        {"issuer": identity.issuer, "subject": identity.subject},
    )
    db.session.delete(identity)
    user.end_sessions()
    db.session.flush()
    return user
