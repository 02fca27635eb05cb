"""Rules and queries for initiatives. Services flush; the request commits once.

Every function takes the acting user first and checks the right through ``permissions``, so a rule
holds whichever view, fragment or command calls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, insert, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from .. import audit, repeats
from ..extensions import db
from ..models import (
    AuditEvent,
    Decision,
    Department,
    Health,
    Initiative,
    MaturityCategory,
    Principle,
    PrincipleLink,
    Status,
    StatusUpdate,
    SupportRequest,
    User,
    initiative_co_owner,
    utcnow,
)
from ..permissions import (
    OWNER_ROLES,
    can_create_initiative,
    can_delete_initiative,
    can_edit_initiative,
    can_import_initiatives,
    committee_scope,
    require,
)
from ..portfolio.filters import escape_like
from ..security import MAX_ID
from ..validators import SENSIBLE_DATE_MESSAGE, is_sensible_date
from . import support

TEXT_LIMITS = {"title": 200, "target_group": 200, "funding_source": 200}
LONG_TEXT_LIMIT = 5000


class InitiativeError(ValueError):
    """Input that breaks a rule; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


class InitiativeErrors(InitiativeError):
    """Several problems at once; ``errors`` holds each (the first is also this error)."""

    def __init__(self, errors: list[InitiativeError]):
        super().__init__(errors[0].field, errors[0].message)
        self.errors = errors


class InitiativeArchived(InitiativeError):
    """A status update for an archived initiative: it is restored before it is reported on."""

    def __init__(self):
        super().__init__(
            "status", _l("This initiative is archived: restore it before you report on it.")
        )


class StateChanged(InitiativeError):
    """A status update written on a state (status, health, progress) that someone else's report
    or decision has changed since the form was drawn: posted, it would put the old state back."""

    def __init__(self, current: Initiative):
        super().__init__(
            "status",
            _l(
                "Someone else reported on this initiative after you opened the form: its status, "
                "health or progress has changed. What you left as it was now shows their values; "
                "check them and save again."
            ),
        )
        self.current = current


def state_of(initiative: Initiative) -> str:
    """The state a status update form is drawn on (status, health, progress), as the form sends
    it back: a save on another state than the initiative's now is a conflict (``StateChanged``)."""
    return f"{initiative.status.value}|{initiative.health.value}|{initiative.progress}"


def opened_state(text: str | None) -> tuple[str, str, int] | None:
    """The state a form says it was drawn on, or None when it says none that can be (a request
    made by hand, an old page): then the update is posted on the state as it is."""
    parts = (text or "").split("|")
    if len(parts) != 3 or not parts[2].isascii() or not parts[2].isdigit() or len(parts[2]) > 3:
        return None
    status, health, progress = parts
    if status not in {s.value for s in Status} or health not in {h.value for h in Health}:
        return None
    return status, health, int(progress)


def overwrites(initiative: Initiative, drawn_on: str | None, data: UpdateData) -> bool:
    """Whether the update would undo or override a change made since its form was drawn: a
    status, health or progress that changed since and that the update does not say as it is
    now (left as drawn, or changed to something else). An update that agrees with every change
    since (the same person's own report a moment ago, say) overwrites nothing."""
    drawn = opened_state(drawn_on)
    if drawn is None:
        return False
    now = opened_state(state_of(initiative))
    sent = (data.status.value, data.health.value, data.progress)
    return any(
        then != current and mine != current
        for then, current, mine in zip(drawn, now, sent, strict=True)
    )


class EditConflict(Exception):
    """Someone saved the initiative after the user opened it."""

    def __init__(self, current: Initiative):
        super().__init__(f"initiative {current.id} is at version {current.version}")
        self.current = current


@dataclass
class InitiativeData:
    """What a user may set on an initiative: nothing else can be posted into it."""

    title: str
    purpose: str
    benefit: str = ""
    target_group: str = ""
    department_id: int | None = None
    co_owner_ids: list[int] = field(default_factory=list)
    start_date: date | None = None
    target_date: date | None = None
    funding_source: str = ""
    cost_estimate: int | None = None
    risks: str = ""
    principles: dict[int, str] = field(default_factory=dict)  # principle id -> motivation
    maturity_category_ids: list[int] = field(default_factory=list)  # optional tags


@dataclass
class UpdateData:
    status: Status
    health: Health
    progress: int
    happened: str = ""
    next_steps: str = ""
    support_needed: str = ""


# --- reading ---------------------------------------------------------------------------------


def get_initiative(
    user: User, initiative_id: int, *, for_edit: bool = False, for_page: bool = True
) -> Initiative:
    """The initiative, or 404 when it does not exist or lies outside the user's scope;
    403 when ``for_edit`` and the user may not change it. With ``for_page`` False only what a
    status update needs is loaded with it (its department, co-owners and open support request),
    not what its page shows."""
    loads = [
        selectinload(Initiative.department).selectinload(Department.committee),
        selectinload(Initiative.co_owners),
    ]
    if for_page:
        loads += [
            selectinload(Initiative.owner),
            selectinload(Initiative.principle_links).selectinload(PrincipleLink.principle),
            selectinload(Initiative.maturity_categories),
            selectinload(Initiative.open_support_request).selectinload(SupportRequest.opened_by),
        ]
    else:
        loads.append(selectinload(Initiative.open_support_request))
    query = select(Initiative).where(Initiative.id == initiative_id).options(*loads)
    if for_edit and db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Initiative)
    initiative = db.session.scalar(query)
    if initiative is None:
        raise NotFound
    scope = committee_scope(user)
    if scope is not None and initiative.department.committee_id != scope:
        raise NotFound
    if for_edit:
        require(can_edit_initiative(user, initiative))
    return initiative


def timeline(initiative: Initiative, limit: int = 100) -> list[StatusUpdate]:
    return list(
        db.session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.initiative_id == initiative.id)
            .options(selectinload(StatusUpdate.author))
            .order_by(StatusUpdate.created_at.desc(), StatusUpdate.id.desc())
            .limit(limit)
        )
    )


def timeline_entries(initiative: Initiative, limit: int = 100) -> list[tuple[str, object]]:
    """Status updates and decisions, newest first, as ("update" | "decision", record)."""
    decisions = db.session.scalars(
        select(Decision)
        .where(Decision.initiative_id == initiative.id)
        .options(selectinload(Decision.author))
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(limit)
    ).all()
    entries = [("update", u) for u in timeline(initiative, limit)]
    entries += [("decision", d) for d in decisions]
    entries.sort(key=lambda entry: entry[1].created_at, reverse=True)
    return entries[:limit]


def answering_decision_ids(initiative: Initiative) -> set[int]:
    """The decisions on the initiative that answered a support request."""
    return set(
        db.session.scalars(
            select(SupportRequest.decision_id).where(
                SupportRequest.initiative_id == initiative.id,
                SupportRequest.decision_id.is_not(None),
            )
        )
    )


def change_history(initiative: Initiative, limit: int = 100) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "initiative", AuditEvent.entity_id == initiative.id)
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def active_principles(include_ids: set[int] = frozenset()) -> list[Principle]:
    """Principles a user can choose, plus retired ones the initiative already has."""
    query = select(Principle).order_by(Principle.sort_order, Principle.id)
    principles = db.session.scalars(query).all()
    return [p for p in principles if p.retired_at is None or p.id in include_ids]


def department_choices(keep_id: int | None = None) -> list[Department]:
    """The active departments, and ``keep_id`` (an initiative's own) even if it has since been
    deactivated: its initiatives stay in it until someone moves them."""
    chosen = Department.active.is_(True)
    if keep_id is not None:
        chosen = or_(chosen, Department.id == keep_id)
    return list(db.session.scalars(select(Department).where(chosen).order_by(Department.name)))


def maturity_category_choices() -> list[MaturityCategory]:
    return list(
        db.session.scalars(
            select(MaturityCategory).order_by(MaturityCategory.sort_order, MaturityCategory.id)
        )
    )


CO_OWNER_MATCHES = 20


def _possible_co_owners() -> Select:
    """The allow-list of co-owners: active managers and administrators."""
    return select(User).where(User.active.is_(True), User.role.in_([r.value for r in OWNER_ROLES]))


def co_owner_choices(exclude: User | None = None) -> list[User]:
    query = _possible_co_owners().order_by(User.name)
    return [u for u in db.session.scalars(query) if exclude is None or u.id != exclude.id]


def co_owners_by_ids(ids: Iterable[int], keep: Iterable[int] = ()) -> list[User]:
    """The chosen co-owners that are on the allow-list, by name (unknown ids are left out);
    ``keep`` (an initiative's own co-owners) stay even if they have since left it, say
    deactivated: an edit does not drop them unasked."""
    wanted = {i for i in ids if isinstance(i, int) and 0 < i <= MAX_ID}
    if not wanted:
        return []
    kept = wanted & set(keep)
    allowed = _possible_co_owners().whereclause
    if kept:
        allowed = or_(allowed, User.id.in_(kept))
    query = select(User).where(User.id.in_(wanted), allowed).order_by(User.name)
    return list(db.session.scalars(query))


def find_co_owners(
    text: str, exclude_ids: Iterable[int] = (), limit: int = CO_OWNER_MATCHES
) -> tuple[list[User], bool]:
    """Possible co-owners whose name or e-mail address contains ``text``: at most ``limit``, by
    name, and whether there were more. Searching scales where a list of every user would not."""
    # Control characters match no name (and PostgreSQL refuses NUL in a string outright).
    words = "".join(c for c in text if c >= " " and c != "\x7f").strip().lower()[:100]
    if not words:
        return [], False
    pattern = "%" + escape_like(words) + "%"
    query = (
        _possible_co_owners()
        .where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
        .order_by(User.name, User.id)
        .limit(limit + 1)
    )
    excluded = set(exclude_ids)
    if excluded:
        query = query.where(User.id.not_in(excluded))
    found = list(db.session.scalars(query))
    return found[:limit], len(found) > limit


# --- changing --------------------------------------------------------------------------------


def create_initiative(actor: User, data: InitiativeData) -> Initiative:
    require(can_create_initiative(actor))
    _check(data)
    repeated = _repeated_initiative(actor, data)
    if repeated is not None:
        return repeated
    now = utcnow()
    initiative = Initiative(owner_id=actor.id, created_at=now, updated_at=now)
    _apply(initiative, data, exclude_owner=actor.id)
    db.session.add(initiative)
    db.session.flush()
    audit.record(actor, "initiative.create", initiative, _snapshot(initiative))
    return initiative


def _repeated_initiative(actor: User, data: InitiativeData) -> Initiative | None:
    """The actor's newest initiative when this registration is it sent again (a double click):
    moments ago, with the same title, purpose, department and the rest of its own fields."""
    values = {**_values(data), "archived_at": None}
    return repeats.latest_copy(Initiative, Initiative.owner_id == actor.id, values)


def update_initiative(
    actor: User, initiative: Initiative, data: InitiativeData, expected_version: int
) -> Initiative:
    """Save an edit made to ``expected_version``; raise EditConflict if it is out of date.

    ``initiative`` comes from ``get_initiative(..., for_edit=True)``, which locks the row on
    PostgreSQL; on SQLite the request's BEGIN IMMEDIATE already serialises writers.
    """
    require(can_edit_initiative(actor, initiative))
    if initiative.version != expected_version:
        raise EditConflict(initiative)
    _check(data, initiative)
    before = _snapshot(initiative)
    _apply(initiative, data, exclude_owner=initiative.owner_id)
    after = _snapshot(initiative)
    changes = audit.diff(before, after)
    if changes:
        initiative.version += 1
        initiative.updated_at = utcnow()
        db.session.flush()
        audit.record(actor, "initiative.update", initiative, changes)
    return initiative


def post_update(
    actor: User,
    initiative: Initiative,
    data: UpdateData,
    expected_version: int | None = None,
    drawn_on: str | None = None,
) -> StatusUpdate:
    """Append a status update and make it the initiative's current state, in one transaction.

    With ``expected_version`` (the API sends the version its client saw), an initiative edited
    since raises EditConflict and nothing is saved. With ``drawn_on`` (the state a form was
    drawn on, ``state_of``), a state someone else's report or decision has changed since raises
    StateChanged: the same update sent again (a double click) is still the one saved."""
    require(can_edit_initiative(actor, initiative))
    if initiative.archived_at is not None:
        raise InitiativeArchived
    if expected_version is not None and initiative.version != expected_version:
        raise EditConflict(initiative)
    _check_update(data)
    repeated = _repeated_update(actor, initiative, data)
    if repeated is not None:
        return repeated
    if drawn_on is not None:
        if db.session.get_bind().dialect.name == "postgresql":  # as it is now that it is locked
            db.session.refresh(initiative, ["status", "health", "progress"])
        if overwrites(initiative, drawn_on, data):
            raise StateChanged(initiative)
    return _append_update(actor, actor, initiative, data)


def _repeated_update(actor: User, initiative: Initiative, data: UpdateData) -> StatusUpdate | None:
    """The initiative's latest update when it is this one sent again (a double click): by the
    same author, moments ago, saying exactly the same. See :mod:`tracker.repeats`."""
    repeats.lock_initiative(initiative.id)
    values = {**_update_values(data), "author_id": actor.id, "decision_id": None}
    return repeats.latest_copy(StatusUpdate, StatusUpdate.initiative_id == initiative.id, values)


def _update_values(data: UpdateData) -> dict:
    return {
        "status": data.status,
        "health": data.health,
        "progress": data.progress,
        "happened": data.happened.strip(),
        "next_steps": data.next_steps.strip(),
        "support_needed": data.support_needed.strip(),
    }


def _new_update(author: User, data: UpdateData, now) -> StatusUpdate:
    return StatusUpdate(author_id=author.id, created_at=now, **_update_values(data))


def _mirrored(data: UpdateData, now) -> dict:
    """The initiative's current state is its latest update's."""
    return {
        "status": data.status,
        "health": data.health,
        "progress": data.progress,
        "last_update_at": now,
    }


def _mirror(initiative: Initiative, data: UpdateData, now) -> None:
    for name, value in _mirrored(data, now).items():
        setattr(initiative, name, value)


def _append_update(
    actor: User | None, author: User, initiative: Initiative, data: UpdateData
) -> StatusUpdate:
    now = utcnow()
    update = _new_update(author, data, now)
    update.initiative_id = initiative.id
    db.session.add(update)
    before = {
        "status": initiative.status,
        "health": initiative.health,
        "progress": initiative.progress,
    }
    _mirror(initiative, data, now)
    db.session.flush()
    after = {"status": data.status, "health": data.health, "progress": data.progress}
    changes = audit.diff(
        {k: getattr(v, "value", v) for k, v in before.items()},
        {k: getattr(v, "value", v) for k, v in after.items()},
    )
    changes["status_update_id"] = update.id
    audit.record(actor, "initiative.status_update", initiative, changes)
    support.after_update(actor, initiative, update)
    return update


def status_round(
    actor: User, entries: list[tuple[Initiative, UpdateData, str | None]]
) -> list[StatusUpdate]:
    """Post one update per initiative of a status round, each on the state its row was drawn on
    (see ``post_update``); all of them or, on error, none."""
    return [
        post_update(actor, initiative, data, drawn_on=drawn_on)
        for initiative, data, drawn_on in entries
    ]


def archive(actor: User, initiative: Initiative) -> None:
    require(can_edit_initiative(actor, initiative))
    if initiative.archived_at is None:
        initiative.archived_at = utcnow()
        db.session.flush()
        audit.record(actor, "initiative.archive", initiative)


def restore(actor: User, initiative: Initiative) -> None:
    require(can_edit_initiative(actor, initiative))
    if initiative.archived_at is not None:
        initiative.archived_at = None
        db.session.flush()
        audit.record(actor, "initiative.restore", initiative)


def delete(actor: User, initiative: Initiative, reason: str) -> None:
    """Remove an initiative for good. Only admins; reason and snapshot stay in the audit log."""
    require(can_delete_initiative(actor))
    reason = reason.strip()
    if not reason:
        raise InitiativeError("reason", _l("Give a reason for deleting the initiative."))
    snapshot = _snapshot(initiative)
    snapshot["reason"] = reason[:LONG_TEXT_LIMIT]
    snapshot["status_updates"] = db.session.scalar(
        select(func.count()).where(StatusUpdate.initiative_id == initiative.id)
    )
    audit.record(actor, "initiative.delete", initiative, snapshot)
    db.session.delete(initiative)
    db.session.flush()


# --- importing from a sheet (tracker.imports) ------------------------------------------------
# The import checks every row with ``check_all`` before it writes anything, so these functions
# only refuse what the check let through by mistake. ``actor`` None is the command line, run by
# the server's operator.


def data_of(initiative: Initiative) -> InitiativeData:
    """The initiative's current values, for an import that changes only the columns it has."""
    return InitiativeData(
        title=initiative.title,
        purpose=initiative.purpose,
        benefit=initiative.benefit,
        target_group=initiative.target_group,
        department_id=initiative.department_id,
        co_owner_ids=[u.id for u in initiative.co_owners],
        start_date=initiative.start_date,
        target_date=initiative.target_date,
        funding_source=initiative.funding_source,
        cost_estimate=initiative.cost_estimate,
        risks=initiative.risks,
        principles={link.principle_id: link.motivation for link in initiative.principle_links},
        maturity_category_ids=[c.id for c in initiative.maturity_categories],
    )


def create_imported(
    actor: User | None,
    items: list[tuple[InitiativeData, User, UpdateData | None]],
    lookup: Lookup | None = None,
) -> list[tuple[int, str]]:
    """Initiatives from the rows of a sheet, each ``(data, owner, first update or None)``; returns
    their ``(id, title)``. Written with bulk statements (a thousand rows are one import, not a
    thousand saves), with the values, rules and audit events of ``create_initiative``. A row's
    first status update is its owner's (the sheet holds what they reported); the audit names
    the importer."""
    require(actor is None or can_import_initiatives(actor))
    for data, _owner, first in items:
        errors = check_all(data, lookup) + (check_update_all(first) if first else [])
        if errors:
            raise errors[0]
    if not items:
        return []
    now = utcnow()
    rows = []
    for data, owner, first in items:
        row = _values(data) | {
            "owner_id": owner.id,
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "status": Status.IDEA,
            "health": Health.ON_TRACK,
            "progress": 0,
            "last_update_at": None,
        }
        if first is not None:
            row |= _mirrored(first, now)
        rows.append(row)
    ids = _insert_ids(rows)
    links, co_owners, updates, events = [], [], [], []
    for initiative_id, (data, owner, _first) in zip(ids, items, strict=True):
        for principle_id, motivation in data.principles.items():
            links.append(
                {
                    "initiative_id": initiative_id,
                    "principle_id": principle_id,
                    "motivation": motivation.strip(),
                }
            )
        for user_id in _co_owner_ids(data, owner.id):
            co_owners.append({"initiative_id": initiative_id, "user_id": user_id})
    if links:
        db.session.execute(insert(PrincipleLink), links)
    if co_owners:
        db.session.execute(initiative_co_owner.insert(), co_owners)
    with_updates = [(i, item) for i, item in zip(ids, items, strict=True) if item[2] is not None]
    for initiative_id, (_data, owner, first) in with_updates:
        updates.append(
            {"initiative_id": initiative_id, "author_id": owner.id, "created_at": now}
            | _update_values(first)
        )
    update_ids = []
    if updates:
        # One update per new initiative: the initiative tells which id is whose.
        returned = db.session.execute(
            insert(StatusUpdate).returning(StatusUpdate.id, StatusUpdate.initiative_id), updates
        )
        by_initiative = {initiative_id: update_id for update_id, initiative_id in returned}
        update_ids = [by_initiative[u["initiative_id"]] for u in updates]
    for initiative_id, (data, owner, _first) in zip(ids, items, strict=True):
        snapshot = _data_snapshot(data, owner.id) | {"imported": True}
        events.append(("initiative.create", ("initiative", initiative_id), snapshot))
    for update_id, (initiative_id, (_data, _owner, first)) in zip(
        update_ids, with_updates, strict=True
    ):
        changes = audit.diff(
            {"status": Status.IDEA.value, "health": Health.ON_TRACK.value, "progress": 0},
            {
                "status": first.status.value,
                "health": first.health.value,
                "progress": first.progress,
            },
        )
        changes["status_update_id"] = update_id
        events.append(("initiative.status_update", ("initiative", initiative_id), changes))
    # A first report that asks for support opens a support request, as a status update does.
    asking = [
        (update_id, initiative_id, owner, first)
        for update_id, (initiative_id, (_data, owner, first)) in zip(
            update_ids, with_updates, strict=True
        )
        if first.support_needed.strip()
    ]
    if asking:
        requests = db.session.execute(
            insert(SupportRequest).returning(SupportRequest.id, SupportRequest.initiative_id),
            [
                {
                    "initiative_id": initiative_id,
                    "opened_at": now,
                    "opened_by_id": owner.id,
                    "opened_by_update_id": update_id,
                    "latest_update_id": update_id,
                    "text": first.support_needed.strip(),
                }
                for update_id, initiative_id, owner, first in asking
            ],
        )
        by_initiative = {initiative_id: request_id for request_id, initiative_id in requests}
        for update_id, initiative_id, _owner, first in asking:
            events.append(
                (
                    "support_request.open",
                    ("initiative", initiative_id),
                    {
                        "support_request_id": by_initiative[initiative_id],
                        "status_update_id": update_id,
                        "text": first.support_needed.strip(),
                    },
                )
            )
    audit.record_many(actor, events)
    return [(i, data.title.strip()) for i, (data, _o, _f) in zip(ids, items, strict=True)]


def _insert_ids(rows: list[dict]) -> list[int]:
    """Insert the initiatives in batches and return their ids in the order of ``rows``.

    RETURNING in parameter order makes SQLite insert row by row, so the ids are matched by title
    and department instead, which an import keeps unique; otherwise, in parameter order."""
    keys = [(row["title"], row["department_id"]) for row in rows]
    if len(set(keys)) == len(keys):
        returned = db.session.execute(
            insert(Initiative).returning(Initiative.id, Initiative.title, Initiative.department_id),
            rows,
        )
        by_key = {(title, department_id): i for i, title, department_id in returned}
        return [by_key[key] for key in keys]
    statement = insert(Initiative).returning(Initiative.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def update_imported(
    actor: User | None,
    items: list[tuple[Initiative, InitiativeData, User, int, UpdateData | None]],
    lookup: Lookup | None = None,
) -> list[bool]:
    """Apply sheet rows to the initiatives they were imported as, each ``(initiative, data,
    owner, version seen in the preview, status update or None)``, if nobody has saved them since
    (EditConflict otherwise), in one flush. A status update is appended when the sheet's status,
    assessment or progress differ from the initiative's (or it has none yet). Returns, per item,
    whether anything changed."""
    require(actor is None or can_import_initiatives(actor))
    for initiative, data, _owner, expected_version, update in items:
        if initiative.version != expected_version:
            raise EditConflict(initiative)
        errors = check_all(data, lookup) + (check_update_all(update) if update else [])
        if errors:
            raise errors[0]
    now = utcnow()
    changed, events, appended = [], [], []
    with db.session.no_autoflush:
        for initiative, data, owner, _version, update in items:
            before = _snapshot(initiative) | {"owner_id": initiative.owner_id}
            initiative.owner_id = owner.id
            _apply(initiative, data, exclude_owner=owner.id)
            changes = audit.diff(before, _snapshot(initiative) | {"owner_id": owner.id})
            if changes:
                initiative.version += 1
                initiative.updated_at = now
                events.append(("initiative.update", initiative, changes | {"imported": True}))
            new_status = _reports_anew(initiative, update)
            if new_status:
                status_before = {
                    "status": initiative.status.value,
                    "health": initiative.health.value,
                    "progress": initiative.progress,
                }
                record = _new_update(owner, update, now)
                record.initiative_id = initiative.id
                db.session.add(record)
                _mirror(initiative, update, now)
                appended.append((initiative, record, status_before, update))
            changed.append(bool(changes) or new_status)
    db.session.flush()
    for initiative, record, status_before, update in appended:
        status_changes = audit.diff(
            status_before,
            {
                "status": update.status.value,
                "health": update.health.value,
                "progress": update.progress,
            },
        )
        status_changes["status_update_id"] = record.id
        events.append(("initiative.status_update", initiative, status_changes))
    audit.record_many(actor, events)
    for initiative, record, _before, _update in appended:  # few: only the re-imported reports
        support.after_update(actor or record.author, initiative, record)
    return changed


def imported_changes(
    initiative: Initiative, data: InitiativeData, owner_id: int | None, update: UpdateData | None
) -> bool:
    """Whether ``update_imported`` would change the initiative (its fields, owner, co-owners,
    principles or maturity areas, or a status update of its own): what the import's preview
    tells before anything is written. ``owner_id`` None is an owner the import creates."""
    if owner_id is None:
        return True
    before = _snapshot(initiative) | {"owner_id": initiative.owner_id}
    after = _data_snapshot(data, owner_id) | {"owner_id": owner_id}
    return before != after or _reports_anew(initiative, update)


def _reports_anew(initiative: Initiative, update: UpdateData | None) -> bool:
    """Whether an imported row's status, assessment and progress make a status update: when they
    differ from the initiative's, or it has none yet."""
    return update is not None and (
        initiative.last_update_at is None
        or (update.status, update.health, update.progress)
        != (initiative.status, initiative.health, initiative.progress)
    )


# --- helpers ---------------------------------------------------------------------------------


@dataclass
class Lookup:
    """What the rules look up in the database, read once for many initiatives (an import);
    without one, each check reads what it needs."""

    active_department_ids: set[int]
    active_user_ids: set[int]
    principle_ids: set[int]
    maturity_category_ids: set[int]

    @classmethod
    def load(cls) -> Lookup:
        return cls(
            set(db.session.scalars(select(Department.id).where(Department.active.is_(True)))),
            set(db.session.scalars(_possible_co_owners().with_only_columns(User.id))),
            set(db.session.scalars(select(Principle.id))),
            set(db.session.scalars(select(MaturityCategory.id))),
        )


def _check(data: InitiativeData, current: Initiative | None = None) -> None:
    """Raise every problem with the data at once (InitiativeErrors), or nothing."""
    errors = check_all(data, current=current)
    if errors:
        raise errors[0] if len(errors) == 1 else InitiativeErrors(errors)


def problems(data: InitiativeData, current: Initiative | None = None) -> list[InitiativeError]:
    """Every rule the data breaks, each tied to its field, so that a form shows them all at once."""
    return check_all(data, current=current)


def check_all(
    data: InitiativeData, lookup: Lookup | None = None, current: Initiative | None = None
) -> list[InitiativeError]:
    """Every rule the data breaks, in the order of the form, each tied to its field: the form and
    an import show them all at once. ``lookup`` reads what the rules need once for many rows.

    ``current`` is the initiative being edited: what it already has may stay although it could
    no longer be chosen (a department since deactivated, a co-owner since deactivated)."""
    errors: list[InitiativeError] = []
    if not data.title.strip():
        errors.append(InitiativeError("title", _l("Enter a title.")))
    if not data.purpose.strip():
        errors.append(InitiativeError("purpose", _l("Describe the purpose of the initiative.")))
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name)) > limit:
            errors.append(InitiativeError(name, _l("At most %(n)d characters.", n=limit)))
    for name in ("purpose", "benefit", "risks"):
        if len(getattr(data, name)) > LONG_TEXT_LIMIT:
            errors.append(InitiativeError(name, _l("At most %(n)d characters.", n=LONG_TEXT_LIMIT)))
    for name in ("start_date", "target_date"):
        if not is_sensible_date(getattr(data, name)):
            errors.append(InitiativeError(name, SENSIBLE_DATE_MESSAGE))
    if data.start_date and data.target_date and data.target_date < data.start_date:
        errors.append(
            InitiativeError("target_date", _l("The target date cannot be before the start date."))
        )
    if data.cost_estimate is not None and data.cost_estimate < 0:
        errors.append(InitiativeError("cost_estimate", _l("The cost cannot be negative.")))
    elif data.cost_estimate is not None and data.cost_estimate > 10**12:
        errors.append(
            InitiativeError(
                "cost_estimate", _l("Enter a cost between 0 and 1,000,000,000,000 kronor.")
            )
        )
    if lookup is not None:
        department_ok = data.department_id in lookup.active_department_ids
    else:
        # An id too large for the database names no record (and must not reach a query).
        in_range = isinstance(data.department_id, int) and 0 < data.department_id <= MAX_ID
        department = db.session.get(Department, data.department_id) if in_range else None
        department_ok = department is not None and department.active
    if current is not None and data.department_id == current.department_id:
        department_ok = True
    if not department_ok:
        errors.append(InitiativeError("department_id", _l("Choose a department from the list.")))
    if data.co_owner_ids:
        # Only what the form offers: an id posted by hand that names anyone else, or no record
        # at all (also one too large for the database), is refused.
        wanted = set(data.co_owner_ids)
        if not all(0 < i <= MAX_ID for i in wanted):
            found: set[int] = set()
        elif lookup is not None:
            found = wanted & lookup.active_user_ids
        else:  # only people who may own initiatives (the form's allow-list)
            allowed = _possible_co_owners().where(User.id.in_(wanted))
            found = {u.id for u in db.session.scalars(allowed)}
        if current is not None:
            found |= wanted & {u.id for u in current.co_owners}
        if found != wanted:
            errors.append(InitiativeError("co_owner_ids", _l("Choose co-owners from the list.")))
    if not data.principles:
        errors.append(InitiativeError("principles", _l("Choose at least one principle.")))
    else:
        if lookup is not None:
            known = set(data.principles) & lookup.principle_ids
        else:
            known = set(
                db.session.scalars(select(Principle.id).where(Principle.id.in_(data.principles)))
            )
        if known != set(data.principles):
            errors.append(InitiativeError("principles", _l("Unknown principle.")))
    if data.maturity_category_ids:
        wanted = set(data.maturity_category_ids)
        if not all(0 < i <= MAX_ID for i in wanted):
            found = set()
        elif lookup is not None:
            found = wanted & lookup.maturity_category_ids
        else:
            found = set(
                db.session.scalars(
                    select(MaturityCategory.id).where(MaturityCategory.id.in_(wanted))
                )
            )
        if found != wanted:
            errors.append(
                InitiativeError("maturity_category_ids", _l("Choose maturity areas from the list."))
            )
    for principle_id, motivation in data.principles.items():
        if not motivation.strip():
            errors.append(
                InitiativeError(
                    f"motivation_{principle_id}", _l("Describe how the initiative contributes.")
                )
            )
        elif len(motivation) > LONG_TEXT_LIMIT:
            errors.append(
                InitiativeError(
                    f"motivation_{principle_id}",
                    _l("At most %(n)d characters.", n=LONG_TEXT_LIMIT),
                )
            )
    return errors


def _check_update(data: UpdateData) -> None:
    errors = check_update_all(data)
    if errors:
        raise errors[0]


def check_update_all(data: UpdateData) -> list[InitiativeError]:
    """Every rule a status update breaks."""
    errors = []
    if not 0 <= data.progress <= 100:
        errors.append(
            InitiativeError(
                "progress",
                _l("Progress must be between %(min)s and %(max)s per cent.", min=0, max=100),
            )
        )
    for name in ("happened", "next_steps", "support_needed"):
        if len(getattr(data, name)) > LONG_TEXT_LIMIT:
            errors.append(InitiativeError(name, _l("At most %(n)d characters.", n=LONG_TEXT_LIMIT)))
    return errors


def _apply(initiative: Initiative, data: InitiativeData, exclude_owner: int) -> None:
    for name, value in _values(data).items():
        setattr(initiative, name, value)
    wanted = _co_owner_ids(data, exclude_owner)
    if [u.id for u in initiative.co_owners] != wanted:
        initiative.co_owners = list(db.session.scalars(select(User).where(User.id.in_(wanted))))
    links = {link.principle_id: link for link in initiative.principle_links}
    for principle_id, motivation in data.principles.items():
        if principle_id in links:
            links[principle_id].motivation = motivation.strip()
        else:
            initiative.principle_links.append(
                PrincipleLink(principle_id=principle_id, motivation=motivation.strip())
            )
    for principle_id, link in links.items():
        if principle_id not in data.principles:
            initiative.principle_links.remove(link)
    tags = sorted(set(data.maturity_category_ids))
    if sorted(c.id for c in initiative.maturity_categories) != tags:
        initiative.maturity_categories = list(
            db.session.scalars(select(MaturityCategory).where(MaturityCategory.id.in_(tags)))
        )


def _values(data: InitiativeData) -> dict:
    """The initiative's own columns as the data sets them."""
    return {
        "title": data.title.strip(),
        "purpose": data.purpose.strip(),
        "benefit": data.benefit.strip(),
        "target_group": data.target_group.strip(),
        "department_id": data.department_id,
        "start_date": data.start_date,
        "target_date": data.target_date,
        "funding_source": data.funding_source.strip(),
        "cost_estimate": data.cost_estimate,
        "risks": data.risks.strip(),
    }


def _co_owner_ids(data: InitiativeData, owner_id: int) -> list[int]:
    return [i for i in dict.fromkeys(data.co_owner_ids) if i != owner_id]


def _data_snapshot(data: InitiativeData, owner_id: int) -> dict:
    """``_snapshot`` of an initiative made from the data, without loading it."""
    values = _values(data)
    return {
        **{k: values[k] for k in ("title", "purpose", "benefit", "target_group")},
        "department_id": data.department_id,
        "co_owner_ids": sorted(_co_owner_ids(data, owner_id)),
        "start_date": data.start_date.isoformat() if data.start_date else None,
        "target_date": data.target_date.isoformat() if data.target_date else None,
        "funding_source": values["funding_source"],
        "cost_estimate": data.cost_estimate,
        "risks": values["risks"],
        "principles": {str(k): v.strip() for k, v in data.principles.items()},
        "maturity_categories": sorted(set(data.maturity_category_ids)),
    }


def _snapshot(initiative: Initiative) -> dict:
    """The fields an edit can change, as plain values for the audit log and the conflict page."""
    return {
        "title": initiative.title,
        "purpose": initiative.purpose,
        "benefit": initiative.benefit,
        "target_group": initiative.target_group,
        "department_id": initiative.department_id,
        "co_owner_ids": sorted(u.id for u in initiative.co_owners),
        "start_date": initiative.start_date.isoformat() if initiative.start_date else None,
        "target_date": initiative.target_date.isoformat() if initiative.target_date else None,
        "funding_source": initiative.funding_source,
        "cost_estimate": initiative.cost_estimate,
        "risks": initiative.risks,
        "principles": {
            str(link.principle_id): link.motivation for link in initiative.principle_links
        },
        "maturity_categories": sorted(c.id for c in initiative.maturity_categories),
    }
