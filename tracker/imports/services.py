"""Writing a checked sheet: every row or none, in the caller's one transaction.

The caller (a view or the command) has just run ``sheet.check`` in the same transaction, so the
rows it writes are the rows the user saw; each is written through the initiatives service, which
applies its rules again. One audit event records the import itself, with the file's name and its
row counts, beside the usual event for each initiative and each new owner.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..admin.services.users import new_one_time_password
from ..auth.passwords import hash_password
from ..extensions import db
from ..initiatives import services as initiatives
from ..models import Initiative, InitiativeImportKey, Role, User
from ..permissions import (
    PermissionDenied,
    can_create_owners_in_import,
    can_import_initiatives,
    require,
)
from .sheet import CHUNK, Check

__all__ = ["ImportProblems", "PermissionDenied", "Result", "run"]


class ImportProblems(Exception):
    """The sheet has problems (or the database changed under it): nothing was written."""

    def __init__(self, message=None):
        super().__init__(str(message or ""))
        self.message = message or _l("Some rows have problems. Nothing was imported.")


@dataclass
class Result:
    filename: str
    rows: int
    created: list[tuple[int, str]] = field(default_factory=list)  # (id, title)
    updated: list[tuple[int, str]] = field(default_factory=list)
    unchanged: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    owners: list[tuple[int, str, str, str]] = field(default_factory=list)  # id, name, e-mail, pw


def may_import(actor: User | None) -> bool:
    return actor is None or can_import_initiatives(actor)


def may_create_owners(actor: User | None) -> bool:
    return actor is None or can_create_owners_in_import(actor)


def run(actor: User | None, check: Check, *, progress=None) -> Result:
    """Write the checked sheet. ``actor`` None is the command line (the server's operator).
    Raises ImportProblems, and writes nothing the caller must keep, if any row has a problem."""
    require(may_import(actor))
    if check.new_owners:
        require(may_create_owners(actor))
    if not check.valid:
        raise ImportProblems()
    result = Result(check.sheet.filename, len(check.rows))
    owners = _create_owners(actor, check, result)
    # Owners and co-owners, loaded once: no query per row.
    user_ids = set()
    for row in check.rows:
        if row.owner_id is not None:
            user_ids.add(row.owner_id)
        if row.data is not None:
            user_ids.update(row.data.co_owner_ids)
    users: dict[int, User] = {}
    for chunk in _chunks(user_ids):
        users.update((u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(chunk))))
    owners.update(users)
    by_email = {u.email: u for u in owners.values()}
    existing = _existing(check)
    keyed = {k.initiative_id: k for k in _keys(check)}
    lookup = initiatives.Lookup.load()

    def owner_of(row):
        if row.owner_id is not None and row.owner_id in owners:
            return owners[row.owner_id]
        return by_email[row.owner_email]

    creating = [row for row in check.rows if row.action == "create"]
    try:
        made = initiatives.create_imported(
            actor, [(row.data, owner_of(row), row.update) for row in creating], lookup
        )
        result.created = made
        new_keys = [
            {"initiative_id": initiative_id, "key": row.key}
            for row, (initiative_id, _title) in zip(creating, made, strict=True)
            if row.key
        ]
        if new_keys:
            db.session.execute(insert(InitiativeImportKey), new_keys)
        if progress is not None:
            progress(len(creating), len(check.rows))
        updating = [row for row in check.rows if row.action == "update"]
        changed = initiatives.update_imported(
            actor,
            [
                (existing[row.existing_id], row.data, owner_of(row), row.version, row.update)
                for row in updating
            ],
            lookup,
        )
        for row, was_changed in zip(updating, changed, strict=True):
            initiative = existing[row.existing_id]
            (result.updated if was_changed else result.unchanged).append(
                (initiative.id, initiative.title)
            )
            if row.key:
                _keep_key(keyed, initiative.id, row.key)
        result.skipped = [
            (row.existing_id, row.existing_title) for row in check.rows if row.action == "skip"
        ]
        if progress is not None:
            progress(len(check.rows), len(check.rows))
    except initiatives.EditConflict:
        raise ImportProblems(
            _l(
                "Someone changed an initiative of the sheet while it was imported. "
                "Nothing was imported. Check the file again."
            )
        ) from None
    except initiatives.InitiativeError:
        raise ImportProblems() from None
    db.session.flush()
    audit.record(
        actor,
        "initiative.import",
        None,
        {
            "file": check.sheet.filename[:200],
            "rows": len(check.rows),
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": len(result.unchanged),
            "skipped": len(result.skipped),
            "owners_created": len(result.owners),
            "existing": check.options.existing,
        },
    )
    return result


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _create_owners(actor: User | None, check: Check, result: Result) -> dict[int, User]:
    """The missing owners as managers, each with a one-time password shown once, as when an
    admin adds a user."""
    created = []
    for new in check.new_owners.values():
        password = new_one_time_password()
        user = User(
            name=new.name,
            email=new.email,
            role=Role.MANAGER,
            department_id=new.department_id,
            must_change_password=True,
            password_hash=hash_password(password),
        )
        db.session.add(user)
        created.append((user, password))
    if not created:
        return {}
    db.session.flush()
    for user, password in created:
        audit.record(
            actor,
            "user.create",
            user,
            {"name": user.name, "email": user.email, "role": user.role.value, "imported": True},
        )
        result.owners.append((user.id, user.name, user.email, password))
    return {user.id: user for user, _password in created}


def _existing(check: Check) -> dict[int, Initiative]:
    """The initiatives the sheet updates, locked against other writers on PostgreSQL."""
    ids = [row.existing_id for row in check.rows if row.action == "update"]
    found: dict[int, Initiative] = {}
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    for chunk in _chunks(ids):
        query = (
            select(Initiative)
            .where(Initiative.id.in_(chunk))
            .options(
                selectinload(Initiative.co_owners),
                selectinload(Initiative.principle_links),
                selectinload(Initiative.maturity_categories),
            )
            # The check loaded them a moment ago; the locked read must win over that copy.
            .execution_options(populate_existing=True)
        )
        if postgresql:
            query = query.with_for_update(of=Initiative)
        found.update((i.id, i) for i in db.session.scalars(query))
    return found


def _keys(check: Check) -> list[InitiativeImportKey]:
    ids = [row.existing_id for row in check.rows if row.action == "update" and row.key]
    keys = []
    for chunk in _chunks(ids):
        keys += db.session.scalars(
            select(InitiativeImportKey).where(InitiativeImportKey.initiative_id.in_(chunk))
        )
    return keys


def _keep_key(keyed: dict[int, InitiativeImportKey], initiative_id: int, key: str) -> None:
    stored = keyed.get(initiative_id)
    if stored is None:
        stored = InitiativeImportKey(initiative_id=initiative_id, key=key)
        db.session.add(stored)
        keyed[initiative_id] = stored
    elif stored.key != key:
        stored.key = key
