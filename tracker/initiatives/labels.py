"""Labels for the audit trail and the conflict page, in the user's language."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Department, Initiative, MaturityCategory, Principle, User
from .services import InitiativeData

FIELD_LABELS = {
    "title": _l("Title"),
    "purpose": _l("Purpose"),
    "benefit": _l("Benefit for residents"),
    "target_group": _l("Target group"),
    "department_id": _l("Department"),
    "co_owner_ids": _l("Co-owners"),
    "start_date": _l("Start date"),
    "target_date": _l("Target date"),
    "funding_source": _l("Funding source"),
    "cost_estimate": _l("Cost estimate"),
    "risks": _l("Risks"),
    "principles": _l("Guiding principles"),
    "maturity_categories": _l("Digital maturity areas"),
    "status": _l("Status"),
    "health": _l("Health"),
    "progress": _l("Progress"),
    "reason": _l("Reason"),
    "text": _l("Text"),
}

AUDIT_LABELS = {
    "initiative.create": _l("Registered"),
    "initiative.update": _l("Edited"),
    "initiative.status_update": _l("Status update"),
    "initiative.archive": _l("Archived"),
    "initiative.restore": _l("Restored"),
    "initiative.delete": _l("Deleted"),
    "initiative.decision": _l("Decision"),
    "support_request.open": _l("Asked for support"),
    "support_request.update": _l("Support request reworded"),
    "support_request.withdraw": _l("Support request withdrawn"),
    "support_request.answer": _l("Support request answered"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def audit_label(action: str) -> str:
    return str(AUDIT_LABELS.get(action, action))


def conflict_rows(mine: InitiativeData, saved: Initiative, locale: str) -> list[tuple]:
    """(field, label, my value, saved value) as display text, for the side-by-side view."""
    departments = {
        d.id: d.name
        for d in db.session.scalars(
            select(Department).where(Department.id.in_([mine.department_id, saved.department_id]))
        )
    }
    users = {
        u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(mine.co_owner_ids)))
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


def _kronor(value: int | None) -> str:
    return "" if value is None else f"{value:,}".replace(",", " ") + " kr"
