"""Benefits as the documents show them: a titled table for the status list's PDF, Word and
XLSX, and the benefits of a committee as they stood at a period's end, for frozen reports.

A frozen report keeps the benefits as plain data (``snapshot_content``) and renders them from
that alone (``table_from_snapshot``), so a later measurement or correction never changes what
was presented to the committee."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..exports.services import Table
from ..extensions import db
from ..models import Benefit, Department, Indicator, Initiative, Measurement, Status
from .figures import BenefitState, figures, format_value
from .overview import Overview


def _headers() -> list[str]:
    return [
        _("Initiative"),
        _("Benefit"),
        _("Indicator"),
        _("Baseline"),
        _("Target"),
        _("Latest"),
        _("Share of the way to the target"),
        _("State"),
        _("Next measurement due"),
    ]


def _value(value: str | Decimal | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{format_value(Decimal(str(value)))} {unit}"


def _when(value: str | date | None) -> str:
    if value is None:
        return "–"
    return value if isinstance(value, str) else value.isoformat()


def _row(entry: dict[str, Any]) -> list[str]:
    unit = entry["unit"]
    latest = entry["latest"]
    share = entry["percent"]
    next_due = entry["next_due"]
    due = _when(next_due)
    if entry["overdue"]:
        due = _("%(date)s (overdue)", date=due)
    return [
        entry["initiative"],
        entry["title"],
        entry["indicator"],
        f"{_value(entry['baseline_value'], unit)} ({_when(entry['baseline_date'])})",
        f"{_value(entry['target_value'], unit)} ({_when(entry['target_date'])})",
        "–"
        if latest is None
        else f"{_value(latest['value'], unit)} ({_when(latest['measured_on'])})",
        "–" if share is None else f"{share} %",
        str(BenefitState(entry["state"]).label),
        due,
    ]


def _sheet_headers() -> list[str]:
    return [
        _("Initiative"),
        _("Benefit"),
        _("Indicator"),
        _("Unit"),
        _("Baseline"),
        _("Baseline date"),
        _("Target"),
        _("Target date"),
        _("Latest measurement"),
        _("Measured on"),
        _("Share of the way to the target"),
        _("State"),
        _("Next measurement due"),
        _("Measurement overdue"),
    ]


def _sheet_row(entry: dict[str, Any]) -> list[tuple[str, Any]]:
    """``_row`` for a workbook: each value in a cell of its own, numbers and dates typed."""

    def number(value: str | None):
        return ("decimal", None if value is None else Decimal(value))

    def day(value: str | None):
        return ("date", None if value is None else date.fromisoformat(value))

    latest = entry["latest"] or {}
    share = entry["percent"]
    return [
        ("text", entry["initiative"]),
        ("text", entry["title"]),
        ("text", entry["indicator"]),
        ("text", entry["unit"]),
        number(entry["baseline_value"]),
        day(entry["baseline_date"]),
        number(entry["target_value"]),
        day(entry["target_date"]),
        number(latest.get("value")),
        day(latest.get("measured_on")),
        ("percent", share),
        ("text", str(BenefitState(entry["state"]).label)),
        day(entry["next_due"]),
        ("text", _("Yes") if entry["overdue"] else _("No")),
    ]


def _table(title: str, entries: list[dict[str, Any]], empty: str) -> Table:
    return Table(
        title=title,
        headers=_headers(),
        rows=[_row(e) for e in entries],
        empty=empty,
        sheet=(_sheet_headers(), [_sheet_row(e) for e in entries]),
    )


def _plain(value: Decimal) -> str:
    """A value as canonical text, the same whichever database it was read from: ``30``, not
    ``30.0000``; ``12.5``, not ``1.25E+1``."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _entry(benefit: Benefit, fig) -> dict[str, Any]:
    ind = benefit.indicator
    return {
        "id": benefit.id,
        "initiative_id": benefit.initiative_id,
        "initiative": benefit.initiative.title,
        "title": benefit.title,
        "kind": benefit.kind.value,
        "owner": benefit.owner.name,
        "principles": sorted(p.key for p in benefit.principles),
        "indicator": ind.name,
        "unit": ind.unit,
        "direction": ind.direction.value,
        "baseline_value": _plain(ind.baseline_value),
        "baseline_date": ind.baseline_date.isoformat(),
        "target_value": _plain(ind.target_value),
        "target_date": ind.target_date.isoformat(),
        "latest": None
        if fig.latest is None
        else {"value": _plain(fig.latest.value), "measured_on": fig.latest.measured_on.isoformat()},
        "percent": fig.percent,
        "state": fig.state.value,
        "next_due": fig.next_due.isoformat() if fig.next_due else None,
        "overdue": fig.overdue,
    }


def table(view: Overview) -> Table:
    """The benefits of a status list's selection, as the writers' titled table."""
    return _table(
        _("Benefits realisation"),
        [_entry(r.benefit, r.figures) for r in view.rows],
        _("No benefits match the filter."),
    )


def snapshot_content(
    committee_id: int, last_day: date, end: datetime, statuses: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """The committee's benefits as they stood at ``end`` (the period's last moment): only the
    measurements registered by then, dated on or before ``last_day``, with the corrections
    known by then; the figures as of ``last_day``. ``statuses`` are the initiatives' statuses as
    the report has them (a cancelled initiative has no measurement due)."""
    benefits = db.session.scalars(
        select(Benefit)
        .join(Initiative, Benefit.initiative_id == Initiative.id)
        .join(Department, Initiative.department_id == Department.id)
        .where(
            Department.committee_id == committee_id,
            Initiative.archived_at.is_(None),
            Benefit.created_at <= end,
        )
        .options(
            selectinload(Benefit.initiative),
            selectinload(Benefit.owner),
            selectinload(Benefit.principles),
            selectinload(Benefit.indicator).selectinload(Indicator.measurements),
        )
        .order_by(Initiative.title, Benefit.title, Benefit.id)
    )
    entries = []
    for benefit in benefits:
        known = [
            m
            for m in benefit.indicator.measurements
            if m.created_at <= end and m.measured_on <= last_day
        ]
        as_of = _AsOf(benefit.indicator, known)
        status = Status((statuses or {}).get(benefit.initiative_id, benefit.initiative.status))
        entries.append(_entry(benefit, figures(as_of, status, last_day)))
    return entries


class _AsOf:
    """An indicator seen with only some of its measurements (duck-types ``Indicator``)."""

    def __init__(self, indicator: Indicator, measurements: list[Measurement]):
        self._indicator = indicator
        self.measurements = measurements

    def __getattr__(self, name: str):
        return getattr(self._indicator, name)


def table_from_snapshot(entries: list[dict[str, Any]] | None) -> Table | None:
    """A frozen report's benefits, rendered from its snapshot alone; None for a report frozen
    before benefits were kept (its snapshot has no such key)."""
    if entries is None:
        return None
    return _table(
        _("Benefits realisation"),
        entries or [],
        _("The committee's initiatives had no measurable benefits at the time the report shows."),
    )
