"""Records as the API shows them: plain dicts the schemas dump, labels in the user's language."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import get_locale

from ..models import Decision, Initiative, Principle, StatusUpdate


def _locale() -> str:
    return str(get_locale() or "sv")


def initiative_summary(i: Initiative, committees: dict[int, str], stale_days: int) -> dict:
    return {
        "id": i.id,
        "title": i.title,
        "department": i.department.code,
        "committee": committees.get(i.department.committee_id, ""),
        "owner": i.owner.name,
        "status": i.status.value,
        "status_label": str(i.status.label),
        "health": i.health.value,
        "health_label": str(i.health.label),
        "progress": i.progress,
        "stale": i.is_stale(stale_days),
        "support_requested": i.open_support_request is not None,
        "last_update_at": i.last_update_at,
        "principles": [link.principle.key for link in i.principle_links],
        "version": i.version,
        "url": url_for("api.initiative", initiative_id=i.id, _external=True),
    }


def initiative(i: Initiative, committees: dict[int, str], stale_days: int) -> dict[str, Any]:
    locale = _locale()
    return {
        **initiative_summary(i, committees, stale_days),
        "purpose": i.purpose,
        "benefit": i.benefit,
        "target_group": i.target_group,
        "co_owners": [u.name for u in i.co_owners],
        "start_date": i.start_date,
        "target_date": i.target_date,
        "funding_source": i.funding_source,
        "cost_estimate": i.cost_estimate,
        "risks": i.risks,
        "created_at": i.created_at,
        "updated_at": i.updated_at,
        "principle_links": [
            {
                "principle": link.principle.key,
                "name": link.principle.name(locale),
                "motivation": link.motivation,
            }
            for link in i.principle_links
        ],
    }


def status_update(u: StatusUpdate) -> dict:
    return {
        "id": u.id,
        "initiative_id": u.initiative_id,
        "author": u.author.name,
        "created_at": u.created_at,
        "status": u.status.value,
        "status_label": str(u.status.label),
        "health": u.health.value,
        "health_label": str(u.health.label),
        "progress": u.progress,
        "happened": u.happened,
        "next_steps": u.next_steps,
        "support_needed": u.support_needed,
    }


def decision(d: Decision) -> dict:
    return {
        "id": d.id,
        "initiative_id": d.initiative_id,
        "decided_on": d.decided_on,
        "meeting": d.meeting,
        "kind": d.kind.value,
        "kind_label": str(d.kind.label),
        "summary": d.summary,
        "comment": d.comment,
        "author": d.author.name,
        "created_at": d.created_at,
    }


def principle(p: Principle) -> dict:
    locale = _locale()
    return {
        "id": p.id,
        "key": p.key,
        "name": p.name(locale),
        "name_sv": p.name_sv,
        "name_en": p.name_en,
        "description": p.description(locale),
        "retired": p.retired_at is not None,
    }


def counts(c, principle_keys: dict[int, str]) -> dict:
    return {
        "total": c.total,
        "by_status": {k.value: v for k, v in c.by_status.items()},
        "by_health": {k.value: v for k, v in c.by_health.items()},
        "stale": c.stale,
        "support_requested": c.support,
        "average_progress": c.average_progress,
        "principles": {
            principle_keys[pid]: n for pid, n in c.coverage.items() if pid in principle_keys
        },
    }


def dashboard(
    board, committees: dict[int, str], stale_days: int, principle_keys, attention
) -> dict:
    return {
        "totals": counts(board.totals, principle_keys),
        "committees": [
            {
                "short_name": group.committee.short_name,
                "name": group.committee.name,
                "counts": counts(group.counts, principle_keys),
                "departments": [
                    {
                        "code": row.department.code,
                        "name": row.department.name,
                        "counts": counts(row.counts, principle_keys),
                    }
                    for row in group.departments
                ],
            }
            for group in board.committees
        ],
        "trend": [
            {
                "month": m.label,
                "updates": m.updates,
                "by_health": {k.value: v for k, v in m.by_health.items()},
            }
            for m in board.trend
        ],
        "attention": [
            initiative_summary(a.initiative, committees, stale_days) for a in board.attention
        ],
    }
