"""Committees and departments: create, rename, move, deactivate; delete only what nothing uses."""

from __future__ import annotations

import re

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from ... import audit, conflicts
from ...extensions import db
from ...models import Committee, Department, Initiative, User
from ...permissions import can_administer, require
from . import AdminError, check_version


def all_committees(actor: User, active_only: bool = False) -> list[Committee]:
    require(can_administer(actor))
    query = select(Committee).order_by(Committee.name)
    if active_only:
        query = query.where(Committee.active.is_(True))
    return list(db.session.scalars(query))


def all_departments(actor: User, active_only: bool = False) -> list[Department]:
    require(can_administer(actor))
    query = select(Department).order_by(Department.name)
    if active_only:
        query = query.where(Department.active.is_(True))
    return list(db.session.scalars(query))


def overview(actor: User) -> list[tuple[Committee, list[tuple[Department, int, int]]]]:
    """Each committee with its departments, and for each department its initiatives and users."""
    require(can_administer(actor))
    initiatives = dict(
        db.session.execute(
            select(Initiative.department_id, func.count(Initiative.id)).group_by(
                Initiative.department_id
            )
        ).all()
    )
    users = dict(
        db.session.execute(
            select(User.department_id, func.count(User.id)).group_by(User.department_id)
        ).all()
    )
    committees = db.session.scalars(
        select(Committee)
        .options(selectinload(Committee.departments).selectinload(Department.parent))
        .order_by(Committee.name)
    ).all()
    return [
        (
            committee,
            [
                (d, initiatives.get(d.id, 0), users.get(d.id, 0))
                for d in sorted(committee.departments, key=lambda d: d.name.lower())
            ],
        )
        for committee in committees
    ]


def get_committee(actor: User, committee_id: int) -> Committee:
    require(can_administer(actor))
    committee = db.session.get(Committee, committee_id)
    if committee is None:
        abort(404)
    return committee


def get_department(actor: User, department_id: int) -> Department:
    require(can_administer(actor))
    department = db.session.get(Department, department_id)
    if department is None:
        abort(404)
    return department


def _text(value: str, field: str, message) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise AdminError(message, field)
    return value


def _committee_values(committee: Committee) -> dict:
    return {"name": committee.name, "short_name": committee.short_name}


# A committee's short name is a segment of the public pages' addresses
# (/public/reports/<short name>/<period>) and of the exports' file names: letters (å, ä and ö
# too), digits and hyphens, nothing a URL or a file name must quote.
SHORT_NAME = re.compile(r"(?:[^\W_]|-)+")


def _check_short_name(short_name: str, except_id: int | None) -> str:
    short_name = _text(short_name, "short_name", _l("Enter a short name."))
    if not SHORT_NAME.fullmatch(short_name):
        raise AdminError(
            _l(
                "The short name may hold only letters, digits and hyphens (for example KS or "
                "BUN-AU), as it is part of the public pages' addresses."
            ),
            "short_name",
        )
    query = select(Committee.id).where(func.lower(Committee.short_name) == short_name.lower())
    if except_id is not None:
        query = query.where(Committee.id != except_id)
    if db.session.scalar(query) is not None:
        raise AdminError(_l("Another committee already has this short name."), "short_name")
    return short_name


def committee_version(committee: Committee) -> str:
    """The committee as its form shows it (see ``check_version``)."""
    return conflicts.version_of(_committee_values(committee))


def save_committee(
    actor: User,
    committee: Committee | None,
    *,
    name: str,
    short_name: str,
    expected_version: str | None = None,
) -> Committee:
    """Create a committee (``committee`` None) or rename one; an edit made to another version
    than ``expected_version`` raises AdminConflict."""
    require(can_administer(actor))
    if committee is not None:
        conflicts.in_turn(f"committee:{committee.id}", committee)
        check_version(expected_version, _committee_values(committee))
    name = _text(name, "name", _l("Enter a name."))
    short_name = _check_short_name(short_name, committee.id if committee else None)
    if committee is None:
        committee = Committee(name=name, short_name=short_name, active=True)
        db.session.add(committee)
        db.session.flush()
        audit.record(actor, "committee.create", committee, _committee_values(committee))
        return committee
    before = _committee_values(committee)
    committee.name, committee.short_name = name, short_name
    changes = audit.diff(before, _committee_values(committee))
    if changes:
        db.session.flush()
        audit.record(actor, "committee.update", committee, changes)
    return committee


def set_committee_active(actor: User, committee: Committee, active: bool) -> None:
    require(can_administer(actor))
    if committee.active == active:
        return
    if not active:
        has_active = db.session.scalar(
            select(
                exists().where(Department.committee_id == committee.id, Department.active.is_(True))
            )
        )
        if has_active:
            raise AdminError(
                _l(
                    "Active departments still report to this committee. Move or deactivate "
                    "them first."
                )
            )
    committee.active = active
    db.session.flush()
    action = "committee.reactivate" if active else "committee.deactivate"
    audit.record(actor, action, committee, {"active": [not active, active]})


def _department_values(department: Department) -> dict:
    return {
        "name": department.name,
        "code": department.code,
        "committee": department.committee.short_name if department.committee else None,
        "parent": department.parent.code if department.parent else None,
    }


def _check_code(code: str, except_id: int | None) -> str:
    code = _text(code, "code", _l("Enter a code.")).upper()
    if " " in code:
        raise AdminError(_l("The code may not contain spaces."), "code")
    query = select(Department.id).where(func.upper(Department.code) == code)
    if except_id is not None:
        query = query.where(Department.id != except_id)
    if db.session.scalar(query) is not None:
        raise AdminError(_l("Another department already has this code."), "code")
    return code


def _check_parent(department: Department | None, parent_id: int | None) -> Department | None:
    """A parent that exists and is not the department itself or below it (no cycles)."""
    if parent_id is None:
        return None
    parent = db.session.get(Department, parent_id)
    if parent is None:
        raise AdminError(_l("Choose a department."), "parent")
    ancestor, seen = parent, set()
    while ancestor is not None and ancestor.id not in seen:
        if department is not None and ancestor.id == department.id:
            raise AdminError(
                _l("A department cannot be part of itself or of a department below it."),
                "parent",
            )
        seen.add(ancestor.id)
        ancestor = ancestor.parent
    return parent


def department_version(department: Department) -> str:
    """The department as its form shows it (see ``check_version``)."""
    return conflicts.version_of(_department_values(department))


def save_department(
    actor: User,
    department: Department | None,
    *,
    name: str,
    code: str,
    committee_id: int | None,
    parent_id: int | None,
    expected_version: str | None = None,
) -> Department:
    """Create a department (``department`` None), or rename or move one; an edit made to
    another version than ``expected_version`` raises AdminConflict."""
    require(can_administer(actor))
    if department is not None:
        conflicts.in_turn(f"department:{department.id}", department)
        check_version(expected_version, _department_values(department))
    name = _text(name, "name", _l("Enter a name."))
    code = _check_code(code, department.id if department else None)
    committee = db.session.get(Committee, committee_id) if committee_id else None
    if committee is None:
        raise AdminError(_l("Choose a committee."), "committee")
    if not committee.active and (department is None or department.committee_id != committee.id):
        raise AdminError(_l("Choose an active committee."), "committee")
    parent = _check_parent(department, parent_id)
    if department is None:
        department = Department(name=name, code=code, committee=committee, parent=parent)
        db.session.add(department)
        db.session.flush()
        audit.record(actor, "department.create", department, _department_values(department))
        return department
    before = _department_values(department)
    department.name, department.code = name, code
    department.committee, department.parent = committee, parent
    changes = audit.diff(before, _department_values(department))
    if changes:
        db.session.flush()
        audit.record(actor, "department.update", department, changes)
    return department


def set_department_active(actor: User, department: Department, active: bool) -> None:
    """Deactivated departments keep their initiatives and users; they can no longer be chosen."""
    require(can_administer(actor))
    if department.active == active:
        return
    department.active = active
    db.session.flush()
    action = "department.reactivate" if active else "department.deactivate"
    audit.record(actor, action, department, {"active": [not active, active]})


def department_in_use(department: Department) -> bool:
    """Initiatives, users or sub-departments refer to it: it may be deactivated, not deleted."""
    return bool(
        db.session.scalar(select(exists().where(Initiative.department_id == department.id)))
        or db.session.scalar(select(exists().where(User.department_id == department.id)))
        or db.session.scalar(select(exists().where(Department.parent_id == department.id)))
    )


def delete_department(actor: User, department: Department) -> None:
    require(can_administer(actor))
    if department_in_use(department):
        raise AdminError(
            _l(
                "The department has initiatives, users or sub-departments and cannot be "
                "deleted. Deactivate it instead."
            )
        )
    audit.record(actor, "department.delete", department, _department_values(department))
    db.session.delete(department)
    db.session.flush()
