"""Publishing: who proposes, who approves, what counts as published; every step audited.

Services take explicit arguments, check rights in ``permissions``, raise domain errors and only
flush; the view commits once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from .. import audit, conflicts, repeats
from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    Department,
    Initiative,
    Publication,
    PublicationSettings,
    PublicationState,
    User,
    utcnow,
)
from ..permissions import (
    can_approve_publication,
    can_propose_publication,
    can_set_publication_settings,
    require,
)

SETTINGS_ID = 1
SUMMARY_MAX = 2000


class PublicationError(ValueError):
    """A step that cannot be taken now; the message is for the user, ``field`` names the field."""

    def __init__(self, message, field: str = "public_summary"):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Allowed:
    """What the admin allows on the public pages."""

    publish_all_active: bool = False
    show_cost: bool = False
    show_owner: bool = False


def allowed() -> Allowed:
    row = db.session.get(PublicationSettings, SETTINGS_ID)
    if row is None:
        return Allowed()
    return Allowed(row.publish_all_active, row.show_cost, row.show_owner)


def allowed_version() -> str:
    """What the admin allows as the settings form shows it, as a short digest (see
    ``conflicts.check_version``)."""
    return conflicts.version_of(asdict(allowed()))


def set_allowed(actor: User, wanted: Allowed, expected_version: str | None = None) -> None:
    """Save what the admin allows; a save made to another version than ``expected_version``
    raises ``conflicts.StaleVersion``."""
    require(can_set_publication_settings(actor))
    conflicts.in_turn("settings.publication", db.session.get(PublicationSettings, SETTINGS_ID))
    before = allowed()
    conflicts.check_version(expected_version, asdict(before), wanted=asdict(wanted))
    row = db.session.get(PublicationSettings, SETTINGS_ID)
    if row is None:
        row = PublicationSettings(id=SETTINGS_ID)
        db.session.add(row)
    changes = {}
    for name in ("publish_all_active", "show_cost", "show_owner"):
        old, new = getattr(before, name), getattr(wanted, name)
        if old != new:
            changes[name] = [old, new]
        setattr(row, name, new)
    db.session.flush()
    if changes:
        audit.record(actor, "publication.settings", changes=changes)


@dataclass(frozen=True)
class Proposal:
    """An initiative proposed for the public pages, waiting for the management group."""

    initiative_id: int
    title: str
    department: str
    proposed_by: str | None
    proposed_at: datetime | None
    summary: str
    # A new summary for an initiative already published: the approved one, public meanwhile.
    published_summary: str | None = None


def _waiting():
    return and_(
        Publication.state == PublicationState.PROPOSED.value, Initiative.archived_at.is_(None)
    )


def proposals(actor: User) -> list[Proposal]:
    """Every proposal waiting for approval, the oldest first: one query."""
    require(can_approve_publication(actor))
    query = (
        select(
            Initiative.id,
            Initiative.title,
            Department.name,
            User.name,
            Publication.proposed_at,
            Publication.public_summary,
            Publication.published_summary,
        )
        .join(Publication, Publication.initiative_id == Initiative.id)
        .join(Department, Department.id == Initiative.department_id)
        .outerjoin(User, User.id == Publication.proposed_by_id)
        .where(_waiting())
        .order_by(Publication.proposed_at, Initiative.id)
    )
    return [Proposal(*row) for row in db.session.execute(query)]


def proposals_waiting(actor: User) -> int:
    """How many proposals wait for this user's approval (0 for those who may not approve)."""
    if not can_approve_publication(actor):
        return 0
    query = (
        select(func.count())
        .select_from(Publication)
        .join(Initiative, Initiative.id == Publication.initiative_id)
        .where(_waiting())
    )
    return db.session.scalar(query) or 0


def publication_of(initiative: Initiative) -> Publication | None:
    return db.session.scalar(select(Publication).where(Publication.initiative_id == initiative.id))


def is_public(initiative: Initiative, publication: Publication | None, rules: Allowed) -> bool:
    """The one rule in Python; ``published_condition`` is the same rule in SQL."""
    if initiative.archived_at is not None:
        return False
    if publication is not None and publication.state == PublicationState.WITHDRAWN:
        return False
    if publication is not None and (
        publication.state == PublicationState.PUBLISHED or publication.revision_waits
    ):
        return True
    return rules.publish_all_active and initiative.status in ACTIVE_STATUSES


def published_condition(rules: Allowed):
    """Initiatives residents may see, for a query that outer-joins Publication."""
    published = or_(
        Publication.state == PublicationState.PUBLISHED.value,
        and_(
            Publication.state == PublicationState.PROPOSED.value,
            Publication.published_summary.is_not(None),
        ),
    )
    condition = published
    if rules.publish_all_active:
        condition = or_(
            published,
            and_(
                Initiative.status.in_([s.value for s in ACTIVE_STATUSES]),
                or_(
                    Publication.id.is_(None), Publication.state != PublicationState.WITHDRAWN.value
                ),
            ),
        )
    return and_(Initiative.archived_at.is_(None), condition)


def _clean_summary(summary: str) -> str:
    summary = (summary or "").strip()
    if not summary:
        raise PublicationError(_l("Write a summary for residents."))
    if len(summary) > SUMMARY_MAX:
        raise PublicationError(
            _l("The summary can be at most %(max)s characters.", max=SUMMARY_MAX)
        )
    if any(ord(c) < 32 and c not in "\n\r\t" for c in summary):
        raise PublicationError(_l("The summary contains characters that cannot be shown."))
    return summary


def _is_resent(publication: Publication | None, actor: User, summary: str) -> bool:
    """Whether this proposal is the standing one sent again (a double click): by the same
    person, moments ago, with the same summary. See :mod:`tracker.repeats`."""
    return (
        publication is not None
        and publication.state == PublicationState.PROPOSED
        and publication.proposed_by_id == actor.id
        and publication.public_summary == summary
        and repeats.is_recent(publication.proposed_at)
    )


def propose(actor: User, initiative: Initiative, summary: str) -> Publication:
    """The owner proposes (or proposes again, with a new summary). A new summary for a
    published initiative goes to the management group for approval; until it is approved the
    public pages keep the approved one (``Publication.published_summary``)."""
    require(can_propose_publication(actor, initiative))
    if initiative.archived_at is not None:
        raise PublicationError(_l("An archived initiative cannot be published."))
    summary = _clean_summary(summary)
    repeats.lock_initiative(initiative.id)
    publication = publication_of(initiative)
    if _is_resent(publication, actor, summary):
        return publication
    now = utcnow()
    if publication is None:
        publication = Publication(initiative_id=initiative.id, public_summary="")
        db.session.add(publication)
    old_state = publication.state
    old_summary = publication.public_summary
    publication.state = PublicationState.PROPOSED
    publication.public_summary = summary
    publication.proposed_by_id = actor.id
    publication.proposed_at = now
    publication.decided_by_id = None
    publication.decided_at = None
    publication.updated_at = now
    db.session.flush()
    changes = {"state": [old_state.value if old_state else None, PublicationState.PROPOSED.value]}
    if old_summary != summary:
        changes["public_summary"] = [old_summary or "", summary]
    audit.record(actor, "publication.propose", initiative, changes)
    return publication


def approve(actor: User, initiative: Initiative) -> Publication:
    require(can_approve_publication(actor))
    publication = publication_of(initiative)
    if publication is None or publication.state != PublicationState.PROPOSED:
        raise PublicationError(_l("Only a proposed publication can be approved."), field="state")
    if initiative.archived_at is not None:
        raise PublicationError(_l("An archived initiative cannot be published."), field="state")
    now = utcnow()
    old_published = publication.published_summary
    publication.state = PublicationState.PUBLISHED
    publication.published_summary = publication.public_summary
    publication.decided_by_id = actor.id
    publication.decided_at = now
    publication.updated_at = now
    db.session.flush()
    changes = {"state": [PublicationState.PROPOSED.value, PublicationState.PUBLISHED.value]}
    if old_published is not None and old_published != publication.public_summary:
        changes["published_summary"] = [old_published, publication.public_summary]
    audit.record(actor, "publication.approve", initiative, changes)
    return publication


def may_withdraw(actor: User, initiative: Initiative) -> bool:
    """Taking an initiative off the public pages is always safe: management, admins and the
    initiative's owners may do it."""
    return can_approve_publication(actor) or can_propose_publication(actor, initiative)


def withdraw(actor: User, initiative: Initiative) -> Publication:
    """Off the public pages at once (also when the admin publishes every active initiative)."""
    require(may_withdraw(actor, initiative))
    publication = publication_of(initiative)
    if publication is not None and publication.state == PublicationState.WITHDRAWN:
        raise PublicationError(_l("The initiative is not published."), field="state")
    now = utcnow()
    if publication is None:
        publication = Publication(initiative_id=initiative.id, public_summary="")
        db.session.add(publication)
    old_state = publication.state
    publication.state = PublicationState.WITHDRAWN
    publication.published_summary = None  # published again only after a new approval
    publication.decided_by_id = actor.id
    publication.decided_at = now
    publication.updated_at = now
    db.session.flush()
    audit.record(
        actor,
        "publication.withdraw",
        initiative,
        {"state": [old_state.value if old_state else None, PublicationState.WITHDRAWN.value]},
    )
    return publication
