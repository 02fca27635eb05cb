"""Rules and queries for initiatives. Services flush; the request commits once.

Every function takes the acting user first and checks the right through ``permissions``, so a rule
holds whichever view, fragment or command calls it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from .. import audit
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
    Role,
    Status,
    StatusUpdate,
    SupportRequest,
    User,
    utcnow,
)
from ..permissions import (
    can_create_initiative,
    can_delete_initiative,
    can_edit_initiative,
    committee_scope,
    require,
)
from . import support

TEXT_LIMITS = {"title": 200, "target_group": 200, "funding_source": 200}
LONG_TEXT_LIMIT = 5000


class InitiativeError(ValueError):
    """Input that breaks a rule; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


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


def get_initiative(user: User, initiative_id: int, *, for_edit: bool = False) -> Initiative:
    """The initiative, or 404 when it does not exist or lies outside the user's scope;
    403 when ``for_edit`` and the user may not change it."""
    query = (
        select(Initiative)
        .where(Initiative.id == initiative_id)
        .options(
            selectinload(Initiative.department).selectinload(Department.committee),
            selectinload(Initiative.owner),
            selectinload(Initiative.co_owners),
            selectinload(Initiative.principle_links).selectinload(PrincipleLink.principle),
            selectinload(Initiative.maturity_categories),
            selectinload(Initiative.open_support_request).selectinload(SupportRequest.opened_by),
        )
    )
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
        .order_by(Decision.created_at.desc())
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


def department_choices() -> list[Department]:
    return list(
        db.session.scalars(
            select(Department).where(Department.active.is_(True)).order_by(Department.name)
        )
    )


def maturity_category_choices() -> list[MaturityCategory]:
    return list(
        db.session.scalars(
            select(MaturityCategory).order_by(MaturityCategory.sort_order, MaturityCategory.id)
        )
    )


def co_owner_choices(exclude: User | None = None) -> list[User]:
    query = (
        select(User)
        .where(User.active.is_(True), User.role.in_([Role.MANAGER.value, Role.ADMIN.value]))
        .order_by(User.name)
    )
    return [u for u in db.session.scalars(query) if exclude is None or u.id != exclude.id]


# --- changing --------------------------------------------------------------------------------


def create_initiative(actor: User, data: InitiativeData) -> Initiative:
    require(can_create_initiative(actor))
    _check(data)
    now = utcnow()
    initiative = Initiative(owner_id=actor.id, created_at=now, updated_at=now)
    _apply(initiative, data, exclude_owner=actor.id)
    db.session.add(initiative)
    db.session.flush()
    audit.record(actor, "initiative.create", initiative, _snapshot(initiative))
    return initiative


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
    _check(data)
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


def post_update(actor: User, initiative: Initiative, data: UpdateData) -> StatusUpdate:
    """Append a status update and make it the initiative's current state, in one transaction."""
    require(can_edit_initiative(actor, initiative))
    _check_update(data)
    now = utcnow()
    update = StatusUpdate(
        initiative_id=initiative.id,
        author_id=actor.id,
        created_at=now,
        status=data.status,
        health=data.health,
        progress=data.progress,
        happened=data.happened.strip(),
        next_steps=data.next_steps.strip(),
        support_needed=data.support_needed.strip(),
    )
    db.session.add(update)
    before = {
        "status": initiative.status,
        "health": initiative.health,
        "progress": initiative.progress,
    }
    initiative.status = data.status
    initiative.health = data.health
    initiative.progress = data.progress
    initiative.last_update_at = now
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


def status_round(actor: User, entries: list[tuple[Initiative, UpdateData]]) -> int:
    """Post one update per initiative of a status round; all of them or, on error, none."""
    for initiative, data in entries:
        post_update(actor, initiative, data)
    return len(entries)


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


# --- helpers ---------------------------------------------------------------------------------


def _check(data: InitiativeData) -> None:
    if not data.title.strip():
        raise InitiativeError("title", _l("Enter a title."))
    if not data.purpose.strip():
        raise InitiativeError("purpose", _l("Describe the purpose of the initiative."))
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name)) > limit:
            raise InitiativeError(name, _l("At most %(n)d characters.", n=limit))
    for name in ("purpose", "benefit", "risks"):
        if len(getattr(data, name)) > LONG_TEXT_LIMIT:
            raise InitiativeError(name, _l("At most %(n)d characters.", n=LONG_TEXT_LIMIT))
    if data.start_date and data.target_date and data.target_date < data.start_date:
        raise InitiativeError("target_date", _l("The target date cannot be before the start date."))
    if data.cost_estimate is not None and not 0 <= data.cost_estimate <= 10**12:
        raise InitiativeError(
            "cost_estimate", _l("Enter a cost between 0 and 1,000,000,000,000 kronor.")
        )
    department = db.session.get(Department, data.department_id) if data.department_id else None
    if department is None or not department.active:
        raise InitiativeError("department_id", _l("Choose a department from the list."))
    if data.co_owner_ids:
        found = set(
            db.session.scalars(
                select(User.id).where(User.id.in_(data.co_owner_ids), User.active.is_(True))
            )
        )
        if found != set(data.co_owner_ids):
            raise InitiativeError("co_owner_ids", _l("Choose co-owners from the list."))
    if not data.principles:
        raise InitiativeError("principles", _l("Choose at least one principle."))
    known = set(db.session.scalars(select(Principle.id).where(Principle.id.in_(data.principles))))
    if known != set(data.principles):
        raise InitiativeError("principles", _l("Unknown principle."))
    if data.maturity_category_ids:
        wanted = set(data.maturity_category_ids)
        found = set(
            db.session.scalars(select(MaturityCategory.id).where(MaturityCategory.id.in_(wanted)))
        )
        if found != wanted:
            raise InitiativeError(
                "maturity_category_ids", _l("Choose maturity areas from the list.")
            )
    for principle_id, motivation in data.principles.items():
        if not motivation.strip():
            raise InitiativeError(
                f"motivation_{principle_id}", _l("Describe how the initiative contributes.")
            )
        if len(motivation) > LONG_TEXT_LIMIT:
            raise InitiativeError(
                f"motivation_{principle_id}", _l("At most %(n)d characters.", n=LONG_TEXT_LIMIT)
            )


def _check_update(data: UpdateData) -> None:
    if not 0 <= data.progress <= 100:
        raise InitiativeError(
            "progress", _l("Progress must be between %(min)s and %(max)s per cent.", min=0, max=100)
        )
    for name in ("happened", "next_steps", "support_needed"):
        if len(getattr(data, name)) > LONG_TEXT_LIMIT:
            raise InitiativeError(name, _l("At most %(n)d characters.", n=LONG_TEXT_LIMIT))


def _apply(initiative: Initiative, data: InitiativeData, exclude_owner: int) -> None:
    initiative.title = data.title.strip()
    initiative.purpose = data.purpose.strip()
    initiative.benefit = data.benefit.strip()
    initiative.target_group = data.target_group.strip()
    initiative.department_id = data.department_id
    initiative.start_date = data.start_date
    initiative.target_date = data.target_date
    initiative.funding_source = data.funding_source.strip()
    initiative.cost_estimate = data.cost_estimate
    initiative.risks = data.risks.strip()
    wanted = [i for i in dict.fromkeys(data.co_owner_ids) if i != exclude_owner]
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
