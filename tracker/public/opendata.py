"""Open data: the published initiatives as CSV and JSON (CC0), and each committee's last frozen
report as residents may see it (public fields of published initiatives only)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from .. import settings
from ..extensions import db
from ..models import Committee, FrozenReport, Health, ReportingPeriod, Status
from . import reading
from .services import allowed

LICENSE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
LICENSE_NAME = "CC0 1.0"


def dataset_title() -> str:
    return _("Published digital initiatives")


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
    """One initiative of a frozen report, as it was frozen, with the allow-listed fields only."""

    id: int
    title: str
    purpose: str
    benefit: str
    target_group: str
    department: str
    principles: tuple[reading.PublicPrinciple, ...]
    status: str
    status_label: str
    health: str
    health_label: str
    progress: int
    start_date: str | None
    target_date: str | None
    latest_report: str | None
    cost_estimate: int | None = None
    owner_name: str | None = None


@dataclass(frozen=True)
class ReportHeading:
    """A committee's frozen report for a period: its newest version (a correction replaces the
    first), issued when the first version was frozen, modified when the newest was."""

    committee_code: str
    committee: str
    period: str
    frozen_on: date
    report_id: int
    period_id: int = 0
    starts_on: date | None = None
    ends_on: date | None = None
    issued: datetime | None = None
    modified: datetime | None = None
    version: int = 1
    committee_active: bool = True


@dataclass(frozen=True)
class PublicReport:
    heading: ReportHeading
    meeting_date: str | None
    rows: tuple[PublicReportRow, ...]


def _headings(*where) -> list[ReportHeading]:
    """Every (committee, period) with a frozen report, newest period first within each
    committee: one query over the reports' headings, without reading the snapshots."""
    query = (
        select(
            FrozenReport.id,
            FrozenReport.version,
            FrozenReport.frozen_at,
            Committee.short_name,
            Committee.name,
            Committee.active,
            ReportingPeriod.id,
            ReportingPeriod.name,
            ReportingPeriod.starts_on,
            ReportingPeriod.ends_on,
        )
        .join(ReportingPeriod, ReportingPeriod.id == FrozenReport.period_id)
        .join(Committee, Committee.id == FrozenReport.committee_id)
        .where(*where)
        .order_by(
            Committee.name,
            Committee.id,
            ReportingPeriod.starts_on.desc(),
            ReportingPeriod.id.desc(),
            FrozenReport.version.desc(),
        )
    )
    headings: dict[tuple[str, int], ReportHeading] = {}
    for (report_id, version, frozen_at, code, committee, active, period_id, period, starts_on,
         ends_on) in db.session.execute(query):  # fmt: skip
        key = (code, period_id)
        known = headings.get(key)
        if known is None:  # the newest version comes first
            headings[key] = ReportHeading(
                committee_code=code,
                committee=committee,
                period=period,
                frozen_on=frozen_at.date(),
                report_id=report_id,
                period_id=period_id,
                starts_on=starts_on,
                ends_on=ends_on,
                issued=frozen_at,
                modified=frozen_at,
                version=version,
                committee_active=bool(active),
            )
        else:  # an older version: the dataset was issued when the first one was frozen
            headings[key] = replace(known, issued=min(known.issued, frozen_at))
    return list(headings.values())


def all_reports() -> list[ReportHeading]:
    """Every committee's frozen reports, one per period (its newest version)."""
    return _headings()


def latest_reports() -> list[ReportHeading]:
    """Each active committee's last frozen report (the newest period, its newest version)."""
    seen: set[str] = set()
    latest = []
    for heading in _headings(Committee.active.is_(True)):
        if heading.committee_code not in seen:
            seen.add(heading.committee_code)
            latest.append(heading)
    return latest


def committee_report(code: str, locale: str = "sv") -> PublicReport:
    """The committee's last frozen report as residents may see it."""
    heading = next((h for h in latest_reports() if h.committee_code == code), None)
    if heading is None:
        raise reading.NotPublished(code)
    return _report(heading, locale)


def period_report(code: str, period_id: int, locale: str = "sv") -> PublicReport:
    """The committee's frozen report for the period as residents may see it (404 if none)."""
    if not 0 < period_id <= reading.MAX_ID:
        raise reading.NotPublished(period_id)
    # A committee's code is at most 20 characters; NUL and the like name none (PostgreSQL refuses).
    if len(code) > 20 or reading.printable(code) != code:
        raise reading.NotPublished(code)
    headings = _headings(Committee.short_name == code, FrozenReport.period_id == period_id)
    if not headings:
        raise reading.NotPublished(code)
    return _report(headings[0], locale)


def _report(heading: ReportHeading, locale: str) -> PublicReport:
    """The snapshot's values as they were frozen, but only for the initiatives that are published
    now, and only the allow-listed fields (never report texts, support, risks, funding, decisions,
    stale marks or benefits; cost and the owner's name only if the admin allows them)."""
    content = json.loads(db.session.get(FrozenReport, heading.report_id).content)
    public_ids = reading.published_ids()
    rules = allowed()
    rows = []
    for entry in content.get("initiatives", []):
        if not isinstance(entry, dict) or entry.get("id") not in public_ids:
            continue
        rows.append(_row(entry, rules, locale))
    meeting = content.get("meeting") or {}
    return PublicReport(
        _as_frozen(heading, content), _text_or_none(meeting.get("date")), tuple(rows)
    )


def _as_frozen(heading: ReportHeading, content: dict) -> ReportHeading:
    """The heading with the committee's and the period's names as the snapshot holds them: the
    report as it was presented, even after the committee or the period was renamed. (The
    listings, which read no snapshot, name them as they are now; the address keeps the code.)"""
    committee = content.get("committee") if isinstance(content.get("committee"), dict) else {}
    period = content.get("period") if isinstance(content.get("period"), dict) else {}
    return replace(
        heading,
        committee=_text_or_none(committee.get("name")) or heading.committee,
        period=_text_or_none(period.get("name")) or heading.period,
    )


def _text(value) -> str:
    return "" if value is None else str(value)


def _text_or_none(value) -> str | None:
    return None if value in (None, "") else str(value)


def _row(entry: dict, rules, locale: str) -> PublicReportRow:
    name_key = "name_en" if locale == "en" else "name_sv"
    principles = tuple(
        reading.PublicPrinciple(
            _text(p.get("key")), _text(p.get(name_key)), _text(p.get("motivation"))
        )
        for p in entry.get("principles") or []
        if isinstance(p, dict)
    )
    cost = entry.get("cost_estimate")
    return PublicReportRow(
        id=int(entry["id"]),
        title=_text(entry.get("title")),
        purpose=_text(entry.get("purpose")),
        benefit=_text(entry.get("benefit")),
        target_group=_text(entry.get("target_group")),
        department=_text(entry.get("department")),
        principles=principles,
        status=_text(entry.get("status")),
        status_label=_label(Status, entry.get("status")),
        health=_text(entry.get("health")),
        health_label=_label(Health, entry.get("health")),
        progress=int(entry.get("progress") or 0),
        start_date=_text_or_none(entry.get("start_date")),
        target_date=_text_or_none(entry.get("target_date")),
        latest_report=_text_or_none(entry.get("last_update")),
        cost_estimate=cost if rules.show_cost and isinstance(cost, int) else None,
        owner_name=_text(entry.get("owner")) if rules.show_owner else None,
    )


def report_table(report: PublicReport) -> tuple[list[str], list[list]]:
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
        _("Latest report"),
    ]
    if rules.show_cost:
        header.append(_("Cost estimate (SEK)"))
    if rules.show_owner:
        header.append(_("Owner"))
    rows = []
    for r in report.rows:
        row = [
            r.id,
            r.title,
            r.purpose,
            r.benefit,
            r.target_group,
            r.department,
            report.heading.committee,
            "; ".join(f"{p.name}: {p.motivation}" for p in r.principles),
            r.status_label,
            r.health_label,
            r.progress,
            r.start_date,
            r.target_date,
            r.latest_report,
        ]
        if rules.show_cost:
            row.append(r.cost_estimate)
        if rules.show_owner:
            row.append(r.owner_name)
        rows.append(row)
    return header, rows


def report_title(heading: ReportHeading) -> str:
    return f"{heading.committee}: {heading.period}"


def report_document(report: PublicReport, url: str | None = None) -> dict:
    h = report.heading
    rules = allowed()
    entries = []
    for r in report.rows:
        entry = {
            "id": r.id,
            "title": r.title,
            "purpose": r.purpose,
            "benefit_for_residents": r.benefit,
            "target_group": r.target_group,
            "department": r.department,
            "committee": h.committee,
            "committee_code": h.committee_code,
            "principles": [
                {"key": p.key, "name": p.name, "motivation": p.motivation} for p in r.principles
            ],
            "status": r.status,
            "assessment": r.health,
            "progress": r.progress,
            "start_date": r.start_date,
            "target_date": r.target_date,
            "latest_report": r.latest_report,
        }
        if rules.show_cost:
            entry["cost_estimate_sek"] = r.cost_estimate
        if rules.show_owner:
            entry["owner"] = {"name": r.owner_name}
        entries.append(entry)
    metadata = {
        "title": report_title(h),
        "publisher": settings.organisation_name(),
        "committee": h.committee,
        "committee_code": h.committee_code,
        "period": {
            "id": h.period_id,
            "name": h.period,
            "starts_on": _iso(h.starts_on),
            "ends_on": _iso(h.ends_on),
        },
        "frozen_on": h.frozen_on.isoformat(),
        "issued": h.issued.isoformat() if h.issued else None,
        "modified": h.modified.isoformat() if h.modified else None,
        "version": h.version,
        "meeting_date": report.meeting_date,
        "license": LICENSE_URL,
        "license_name": LICENSE_NAME,
    }
    if url:
        metadata["source"] = url
    return {"metadata": metadata, "initiatives": entries}


def _label(enum_cls, value) -> str:
    try:
        return str(enum_cls(value).label)
    except (ValueError, TypeError):
        return ""
