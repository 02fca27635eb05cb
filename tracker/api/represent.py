"""Records as the API shows them: plain dicts the schemas dump, labels in the user's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..benefits.figures import Figures
from ..models import (
    Benefit,
    Decision,
    FrozenReport,
    Initiative,
    Measurement,
    Principle,
    ReportingPeriod,
    StatusUpdate,
)


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
        "principles": [link.principle.key for link in i.links_in_order],
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
            for link in i.links_in_order
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
        # ``attention``: the initiatives as loaded in this request, not the figures' own
        # (which may come from the cache, detached, loaded for the web page's table).
        "attention": [initiative_summary(i, committees, stale_days) for i in attention],
    }


# --- reporting periods and frozen reports ----------------------------------------------------


def period_state(p: ReportingPeriod, today: date) -> tuple[str, str]:
    """The state the calendar shows as a tag: closed, open or not yet open."""
    if p.closed_at is not None:
        return "closed", str(_l("Closed"))
    if p.is_open(today):
        return "open", str(_l("Open"))
    return "not_open", str(_l("Not yet open"))


def period(p: ReportingPeriod, today: date) -> dict:
    state, label = period_state(p, today)
    return {
        "id": p.id,
        "name": p.name,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "deadline": p.deadline,
        "state": state,
        "state_label": label,
        "meetings": [
            {"committee": m.committee.short_name, "meets_on": m.meets_on, "dnr": m.dnr}
            for m in p.meetings
        ],
        "url": url_for("api.period", period_id=p.id, _external=True),
    }


def report_summary(r: FrozenReport) -> dict:
    return {
        "id": r.id,
        "period_id": r.period_id,
        "period": r.period.name,
        "committee": r.committee.short_name,
        "committee_name": r.committee.name,
        "version": r.version,
        "correction": r.version > 1,
        "reason": r.reason,
        "frozen_at": r.frozen_at,
        "frozen_by": r.frozen_by_name,
        "initiative_count": r.initiative_count,
        "sha256": r.sha256,
        "url": url_for("api.report", report_id=r.id, _external=True),
    }


def report(r: FrozenReport, snapshot: dict, versions: list[FrozenReport]) -> dict:
    return {
        **report_summary(r),
        "snapshot": snapshot,
        "snapshot_url": url_for("api.report_snapshot", report_id=r.id, _external=True),
        "versions": [
            {
                "id": v.id,
                "version": v.version,
                "frozen_at": v.frozen_at,
                "frozen_by": v.frozen_by_name,
                "reason": v.reason,
                "sha256": v.sha256,
                "url": url_for("api.report", report_id=v.id, _external=True),
            }
            for v in versions
        ],
    }


# --- benefits --------------------------------------------------------------------------------


def _percent(share: Decimal | None) -> int | None:
    return None if share is None else int((share * 100).to_integral_value())


def benefit_summary(b: Benefit, f: Figures) -> dict:
    ind = b.indicator
    initiative = b.initiative
    latest = f.latest
    return {
        "id": b.id,
        "title": b.title,
        "kind": b.kind.value,
        "kind_label": str(b.kind.label),
        "initiative_id": initiative.id,
        "initiative": initiative.title,
        "department": initiative.department.code,
        "committee": initiative.department.committee.short_name,
        "owner": b.owner.name,
        "principles": [p.key for p in b.principles],
        "indicator": ind.name,
        "unit": ind.unit,
        "direction": ind.direction.value,
        "baseline_value": ind.baseline_value,
        "baseline_date": ind.baseline_date,
        "target_value": ind.target_value,
        "target_date": ind.target_date,
        "frequency": ind.frequency.value,
        "latest_value": latest.value if latest else None,
        "latest_measured_on": latest.measured_on if latest else None,
        "percent": f.percent,
        "expected_percent": _percent(f.expected),
        "state": f.state.value,
        "state_label": str(f.state.label),
        "next_due": f.next_due,
        "overdue": f.overdue,
        "version": b.version,
        "url": url_for("api.benefit", benefit_id=b.id, _external=True),
    }


def measurement(m: Measurement, standing: set[int], corrected_by: dict[int, int]) -> dict:
    return {
        "id": m.id,
        "value": m.value,
        "measured_on": m.measured_on,
        "comment": m.comment,
        "author": m.author.name,
        "created_at": m.created_at,
        "corrects_id": m.corrects_id,
        "corrected_by_id": corrected_by.get(m.id),
        "standing": m.id in standing,
    }


def benefit(b: Benefit, f: Figures) -> dict:
    ind = b.indicator
    locale = _locale()
    standing = {m.id for m in f.measurements}
    corrected_by = {m.corrects_id: m.id for m in ind.measurements if m.corrects_id}
    return {
        **benefit_summary(b, f),
        "description": b.description,
        "principle_names": [p.name(locale) for p in b.principles],
        "direction_label": str(ind.direction.label),
        "frequency_label": str(ind.frequency.label),
        "measurements": [measurement(m, standing, corrected_by) for m in ind.measurements],
    }


def rollup(r) -> dict:
    """One roll-up of the benefits overview (``benefits.overview.Rollup``)."""
    return {
        "key": r.key,
        "label": r.label,
        "total": r.total,
        "by_state": {state.value: n for state, n in r.by_state.items()},
        "overdue": r.overdue,
        "average_percent": r.average_percent,
    }
