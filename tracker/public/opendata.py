"""Open data: the published initiatives as CSV and JSON (CC0), and each committee's last frozen
report as residents may see it (public fields of published initiatives only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import settings
from ..extensions import db
from ..models import Committee, FrozenReport, Health, ReportingPeriod, Status
from . import reading
from .services import allowed

LICENSE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
LICENSE_NAME = "CC0 1.0"


def dataset_title() -> str:
    return _("Published digital initiatives")


def licence_line() -> str:
    return _("Licence: %(name)s (%(url)s)", name=LICENSE_NAME, url=LICENSE_URL)


def empty_text() -> str:
    return _("No published initiatives.")


def table(items: list[reading.PublicInitiative]) -> tuple[list[str], list[list]]:
    rules = allowed()
    header = [
        _("Id"),
        _("Title"),
        _("Purpose"),
        _("Benefit for residents"),
        _("Target group"),
        _("Department"),
        _("Committee"),
        _("Guiding principles"),
        _("Status"),
        _("Assessment"),
        _("Progress (%)"),
        _("Start date"),
        _("Target date"),
        _("Summary for residents"),
        _("Latest report"),
    ]
    if rules.show_cost:
        header.append(_("Cost estimate (SEK)"))
    if rules.show_owner:
        header += [_("Owner"), _("Owner's title")]
    rows = []
    for item in items:
        row = [
            item.id,
            item.title,
            item.purpose,
            item.benefit,
            item.target_group,
            item.department,
            item.committee,
            "; ".join(f"{p.name}: {p.motivation}" for p in item.principles),
            item.status_label,
            item.health_label,
            item.progress,
            item.start_date,
            item.target_date,
            item.public_summary,
            item.latest_report,
        ]
        if rules.show_cost:
            row.append(item.cost_estimate)
        if rules.show_owner:
            row += [item.owner_name, item.owner_title]
        rows.append(row)
    return header, rows


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def json_document(items: list[reading.PublicInitiative], url: str) -> dict:
    rules = allowed()
    out = []
    for item in items:
        entry = {
            "id": item.id,
            "title": item.title,
            "purpose": item.purpose,
            "benefit_for_residents": item.benefit,
            "target_group": item.target_group,
            "department": item.department,
            "committee": item.committee,
            "committee_code": item.committee_code,
            "principles": [
                {"key": p.key, "name": p.name, "motivation": p.motivation} for p in item.principles
            ],
            "status": item.status,
            "assessment": item.health,
            "progress": item.progress,
            "start_date": _iso(item.start_date),
            "target_date": _iso(item.target_date),
            "public_summary": item.public_summary,
            "latest_report": _iso(item.latest_report),
        }
        if rules.show_cost:
            entry["cost_estimate_sek"] = item.cost_estimate
        if rules.show_owner:
            entry["owner"] = {"name": item.owner_name, "title": item.owner_title}
        out.append(entry)
    return {
        "metadata": {
            "title": dataset_title(),
            "publisher": settings.organisation_name(),
            "license": LICENSE_URL,
            "license_name": LICENSE_NAME,
            "source": url,
        },
        "initiatives": out,
    }


@dataclass(frozen=True)
class PublicReportRow:
    title: str
    status_label: str
    health_label: str
    progress: int
    latest_report: str | None


@dataclass(frozen=True)
class ReportHeading:
    committee_code: str
    committee: str
    period: str
    frozen_on: date
    report_id: int


@dataclass(frozen=True)
class PublicReport:
    heading: ReportHeading
    meeting_date: str | None
    rows: tuple[PublicReportRow, ...]


def latest_reports() -> list[ReportHeading]:
    """Each committee's last frozen report (the newest period, its newest version): headings
    only, without reading the snapshots."""
    newest_period = (
        select(FrozenReport.committee_id, func.max(ReportingPeriod.starts_on).label("starts_on"))
        .join(ReportingPeriod, ReportingPeriod.id == FrozenReport.period_id)
        .group_by(FrozenReport.committee_id)
        .subquery()
    )
    query = (
        select(
            FrozenReport.id,
            FrozenReport.committee_id,
            FrozenReport.frozen_at,
            Committee.short_name,
            Committee.name,
            ReportingPeriod.name,
        )
        .join(ReportingPeriod, ReportingPeriod.id == FrozenReport.period_id)
        .join(
            newest_period,
            (newest_period.c.committee_id == FrozenReport.committee_id)
            & (newest_period.c.starts_on == ReportingPeriod.starts_on),
        )
        .join(Committee, Committee.id == FrozenReport.committee_id)
        .where(Committee.active.is_(True))
        .order_by(Committee.name, FrozenReport.version.desc())
    )
    seen: set[int] = set()
    headings = []
    for report_id, committee_id, frozen_at, code, committee, period in db.session.execute(query):
        if committee_id in seen:
            continue
        seen.add(committee_id)
        headings.append(ReportHeading(code, committee, period, frozen_at.date(), report_id))
    return headings


def committee_report(code: str) -> PublicReport:
    """The committee's last frozen report as residents may see it: only the initiatives that are
    published now, and only public fields of the snapshot (never report texts, support, risks,
    cost, owners or decisions)."""
    heading = next((h for h in latest_reports() if h.committee_code == code), None)
    if heading is None:
        raise reading.NotPublished(code)
    content = json.loads(db.session.get(FrozenReport, heading.report_id).content)
    public_ids = reading.published_ids()
    rows = []
    for entry in content.get("initiatives", []):
        if entry.get("id") not in public_ids:
            continue
        rows.append(
            PublicReportRow(
                title=str(entry.get("title", "")),
                status_label=_label(Status, entry.get("status")),
                health_label=_label(Health, entry.get("health")),
                progress=int(entry.get("progress") or 0),
                latest_report=entry.get("last_update"),
            )
        )
    return PublicReport(heading, (content.get("meeting") or {}).get("date"), tuple(rows))


def report_table(report: PublicReport) -> tuple[list[str], list[list]]:
    header = [_("Title"), _("Status"), _("Assessment"), _("Progress (%)"), _("Latest report")]
    rows = [
        [r.title, r.status_label, r.health_label, r.progress, r.latest_report] for r in report.rows
    ]
    return header, rows


def report_document(report: PublicReport) -> dict:
    h = report.heading
    return {
        "metadata": {
            "title": f"{h.committee}: {h.period}",
            "publisher": settings.organisation_name(),
            "frozen_on": h.frozen_on.isoformat(),
            "meeting_date": report.meeting_date,
            "license": LICENSE_URL,
            "license_name": LICENSE_NAME,
        },
        "initiatives": [
            {
                "title": r.title,
                "status": r.status_label,
                "assessment": r.health_label,
                "progress": r.progress,
                "latest_report": r.latest_report,
            }
            for r in report.rows
        ],
    }


def _label(enum_cls, value) -> str:
    try:
        return str(enum_cls(value).label)
    except ValueError:
        return ""
