"""Labels for the audit trail and the conflict page, in the user's language."""

from __future__ import annotations

from flask_babel import format_date
from sqlalchemy import select

from .. import audit_labels
from ..extensions import db
from ..models import Department, Initiative, MaturityCategory, Principle, User
from ..security import MAX_ID
from .services import InitiativeData

# One registry for the audit trail's words (tracker/audit_labels.py); these names stay for callers.
FIELD_LABELS = audit_labels.FIELDS
AUDIT_LABELS = audit_labels.ACTIONS
field_label = audit_labels.field_label
audit_label = audit_labels.action_label


def conflict_rows(mine: InitiativeData, saved: Initiative, locale: str) -> list[tuple]:
    """(field, label, my value, saved value) as display text, for the side-by-side view.

    The user's ids are what they posted, not yet checked (a stale version is found first): one
    too large for the database names nothing and must not reach a query."""
    department_ids = [i for i in (mine.department_id, saved.department_id) if _storable(i)]
    departments = {
        d.id: d.name
        for d in db.session.scalars(select(Department).where(Department.id.in_(department_ids)))
    }
    co_owner_ids = [i for i in mine.co_owner_ids if _storable(i)]
    users = {
        u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(co_owner_ids)))
    }
    principles = {p.id: p.name(locale) for p in db.session.scalars(select(Principle))}
    areas = {c.id: c.name(locale) for c in db.session.scalars(select(MaturityCategory))}

    def day(value):
        return format_date(value) if value else ""

    def links(mapping: dict[int, str]) -> str:
        return "\n".join(
            f"{principles.get(pid, pid)}: {text}" for pid, text in sorted(mapping.items())
        )

    saved_links = {link.principle_id: link.motivation for link in saved.principle_links}
    rows = [
        ("title", mine.title, saved.title),
        ("purpose", mine.purpose, saved.purpose),
        ("benefit", mine.benefit, saved.benefit),
        ("target_group", mine.target_group, saved.target_group),
        (
            "department_id",
            departments.get(mine.department_id, ""),
            departments.get(saved.department_id, ""),
        ),
        (
            "co_owner_ids",
            ", ".join(sorted(users.get(i, "") for i in mine.co_owner_ids)),
            ", ".join(sorted(u.name for u in saved.co_owners)),
        ),
        ("start_date", day(mine.start_date), day(saved.start_date)),
        ("target_date", day(mine.target_date), day(saved.target_date)),
        ("funding_source", mine.funding_source, saved.funding_source),
        ("cost_estimate", _kronor(mine.cost_estimate), _kronor(saved.cost_estimate)),
        ("risks", mine.risks, saved.risks),
        ("principles", links(mine.principles), links(saved_links)),
        (
            "maturity_categories",
            ", ".join(sorted(areas.get(i, "") for i in mine.maturity_category_ids)),
            ", ".join(sorted(c.name(locale) for c in saved.maturity_categories)),
        ),
    ]
    return [(name, field_label(name), (a or "").strip(), (b or "").strip()) for name, a, b in rows]


def _storable(value) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_ID


def _kronor(value: int | None) -> str:
    return "" if value is None else f"{value:,}".replace(",", " ") + " kr"
