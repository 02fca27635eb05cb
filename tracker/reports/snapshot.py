"""What a committee's report for a period holds, as plain JSON-able data.

``build`` reads the live data: the committee's initiatives that existed at the period's end, each
with its state at the period's end (its latest status update before then), its report for the
period, its principle links and the decisions taken in the period. A fixed number of queries per
chunk of 1,000 initiatives. The same function serves the frozen report (stored, hashed, never
changed) and the live comparison on the board and dashboard.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, select

from ..benefits import sections as benefit_sections
from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    Committee,
    Decision,
    Department,
    Initiative,
    PeriodReportMark,
    Principle,
    PrincipleLink,
    ReportingPeriod,
    StatusUpdate,
    SupportRequest,
    User,
)
from .periods import bounds, meeting_of, report_bounds
from .reporting import counts_for, is_report

# 2: each initiative's support request as of the period's end ("support") and the ones closed in
# the period ("support_closed"), from the support requests rather than an update's text.
SCHEMA = 2
CHUNK_SIZE = 1000


def canonical(content: dict[str, Any]) -> str:
    """One text for one content: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _day(moment: datetime | None, tz: tzinfo) -> str | None:
    return moment.astimezone(tz).date().isoformat() if moment else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def initiatives_query(committee_id: int, end: datetime):
    """The committee's initiatives in report order: department, title."""
    return (
        select(
            Initiative.id,
            Initiative.title,
            Initiative.purpose,
            Initiative.benefit,
            Initiative.target_group,
            Department.name,
            Department.code,
            User.name,
            Initiative.start_date,
            Initiative.target_date,
            Initiative.funding_source,
            Initiative.cost_estimate,
            Initiative.risks,
            Initiative.status,
            Initiative.health,
            Initiative.progress,
            Initiative.created_at,
        )
        .join(Department, Department.id == Initiative.department_id)
        .join(User, User.id == Initiative.owner_id)
        .where(
            Department.committee_id == committee_id,
            Initiative.archived_at.is_(None),
            Initiative.created_at < end,
        )
        .order_by(Department.name, Initiative.title, Initiative.id)
    )


UPDATE_COLUMNS = (
    StatusUpdate.id,
    StatusUpdate.initiative_id,
    StatusUpdate.created_at,
    StatusUpdate.status,
    StatusUpdate.health,
    StatusUpdate.progress,
    StatusUpdate.happened,
    StatusUpdate.next_steps,
    StatusUpdate.support_needed,
)


def _newest_first():
    """Each initiative's updates numbered from its newest (1)."""
    return (
        func.row_number()
        .over(
            partition_by=StatusUpdate.initiative_id,
            order_by=(StatusUpdate.created_at.desc(), StatusUpdate.id.desc()),
        )
        .label("rank")
    )


def _latest_updates(
    ids: list[int],
    end: datetime,
    reports_since: datetime | None = None,
    period_id: int | None = None,
) -> dict[int, Any]:
    """Each initiative's latest update before ``end`` (its state then), in one query. With
    ``reports_since`` (the period's start) and ``period_id``: its latest report in the period
    instead, the updates a decision made and those marked as another period's report left out
    (``reporting.is_report``, ``reporting.counts_for``)."""
    newest = _newest_first()
    ranked = select(StatusUpdate.id, newest).where(
        StatusUpdate.initiative_id.in_(ids), StatusUpdate.created_at < end
    )
    if reports_since is not None:
        ranked = ranked.where(
            StatusUpdate.created_at >= reports_since, is_report(), counts_for(period_id)
        )
    ranked = ranked.subquery()
    query = select(*UPDATE_COLUMNS).where(
        StatusUpdate.id.in_(select(ranked.c.id).where(ranked.c.rank == 1))
    )
    return {row[1]: row for row in db.session.execute(query)}


def _marked_updates(ids: list[int], period_id: int) -> dict[int, Any]:
    """The updates managers marked as the report for the period, in one query."""
    query = (
        select(*UPDATE_COLUMNS)
        .join(PeriodReportMark, PeriodReportMark.status_update_id == StatusUpdate.id)
        .where(PeriodReportMark.period_id == period_id, PeriodReportMark.initiative_id.in_(ids))
    )
    return {row[1]: row for row in db.session.execute(query)}


def _support(
    ids: list[int], start: datetime, as_of: datetime, tz: tzinfo
) -> tuple[dict[int, dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """The support request open at ``as_of`` of each initiative (what it asked then, since when,
    for how many days) and the requests closed in the period (answered or withdrawn), in two
    queries. A request lives on whatever later updates say; what it asked at ``as_of`` is the
    latest update before then that asked, a later "asks again" left out."""
    query = select(
        SupportRequest.initiative_id,
        SupportRequest.text,
        SupportRequest.opened_at,
        SupportRequest.closed_at,
        SupportRequest.outcome,
    ).where(
        SupportRequest.initiative_id.in_(ids),
        SupportRequest.opened_at < as_of,
        (SupportRequest.closed_at.is_(None)) | (SupportRequest.closed_at >= start),
    )
    requests = db.session.execute(query.order_by(SupportRequest.opened_at)).all()
    asked = _latest_asking(ids, as_of) if requests else {}
    open_: dict[int, dict[str, Any]] = {}
    closed: dict[int, list[dict[str, Any]]] = {}
    for initiative_id, text, opened_at, closed_at, outcome in requests:
        if closed_at is None or closed_at >= as_of:
            latest = asked.get(initiative_id)
            open_[initiative_id] = {
                "text": latest[1] if latest and latest[0] >= opened_at else text,
                "since": _day(opened_at, tz),
                "days": max(0, (as_of - opened_at).days),
            }
        else:
            closed.setdefault(initiative_id, []).append(
                {"text": text, "outcome": str(outcome), "date": _day(closed_at, tz)}
            )
    return open_, closed


def _latest_asking(ids: list[int], before: datetime) -> dict[int, tuple[datetime, str]]:
    """Each initiative's latest update before ``before`` that asked for support."""
    newest = _newest_first()
    ranked = (
        select(StatusUpdate.initiative_id, StatusUpdate.created_at, StatusUpdate.support_needed,
               newest)
        .where(
            StatusUpdate.initiative_id.in_(ids),
            StatusUpdate.created_at < before,
            StatusUpdate.support_needed != "",
        )
        .subquery()
    )  # fmt: skip
    query = select(ranked.c.initiative_id, ranked.c.created_at, ranked.c.support_needed).where(
        ranked.c.rank == 1
    )
    return {i: (created_at, text) for i, created_at, text in db.session.execute(query)}


def _links(ids: list[int]) -> dict[int, list[dict[str, str]]]:
    links: dict[int, list[dict[str, str]]] = {}
    query = (
        select(
            PrincipleLink.initiative_id,
            Principle.key,
            Principle.name_sv,
            Principle.name_en,
            PrincipleLink.motivation,
        )
        .join(Principle, Principle.id == PrincipleLink.principle_id)
        .where(PrincipleLink.initiative_id.in_(ids))
        .order_by(PrincipleLink.initiative_id, Principle.sort_order, Principle.id)
    )
    for initiative_id, key, name_sv, name_en, motivation in db.session.execute(query):
        links.setdefault(initiative_id, []).append(
            {"key": key, "name_sv": name_sv, "name_en": name_en, "motivation": motivation}
        )
    return links


def _decisions(ids: list[int], first: date, last: date) -> dict[int, list[dict[str, Any]]]:
    decisions: dict[int, list[dict[str, Any]]] = {}
    query = (
        select(Decision)
        .where(
            Decision.initiative_id.in_(ids),
            Decision.decided_on >= first,
            Decision.decided_on <= last,
        )
        .order_by(Decision.initiative_id, Decision.decided_on, Decision.id)
    )
    for d in db.session.scalars(query):
        decisions.setdefault(d.initiative_id, []).append(
            {
                "date": d.decided_on.isoformat(),
                "meeting": d.meeting,
                "kind": d.kind.value,
                "text": d.text or "",
                "comment": d.comment or "",
            }
        )
    return decisions


def initiative_entries(
    committee_id: int,
    period: ReportingPeriod,
    tz: tzinfo,
    stale_days: int,
    now: datetime,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[dict[str, Any]]:
    start, end = bounds(period, tz)
    reports_start = report_bounds(period, tz)[0]
    as_of = min(end, now)
    stale_cutoff = as_of - timedelta(days=stale_days)
    result = db.session.execute(
        initiatives_query(committee_id, end).execution_options(yield_per=chunk_size)
    )
    for chunk in result.partitions():
        ids = [r[0] for r in chunk]
        latest = _latest_updates(ids, end)
        reports = _latest_updates(ids, end, reports_since=reports_start, period_id=period.id)
        marked = _marked_updates(ids, period.id)
        links = _links(ids)
        decisions = _decisions(ids, period.starts_on, period.ends_on)
        support, support_closed = _support(ids, start, as_of, tz)
        for row in chunk:
            (id_, title, purpose, benefit, target_group, department, department_code, owner,
             start_date, target_date, funding, cost, risks, status, health, progress,
             created_at) = row  # fmt: skip
            last = latest.get(id_)
            if last is not None:
                status, health, progress = last[3], last[4], last[5]
            status, health = (
                str(getattr(status, "value", status)),
                str(getattr(health, "value", health)),
            )
            report = marked.get(id_) or reports.get(id_)
            last_moment = last[2] if last is not None else created_at
            yield {
                "id": id_,
                "title": title,
                "purpose": purpose or "",
                "benefit": benefit or "",
                "target_group": target_group or "",
                "department": department,
                "department_code": department_code,
                "owner": owner,
                "start_date": _iso(start_date),
                "target_date": _iso(target_date),
                "funding_source": funding or "",
                "cost_estimate": cost,
                "risks": risks or "",
                "status": status,
                "health": health,
                "progress": progress,
                "last_update": _day(last[2], tz) if last is not None else None,
                "stale": status in {s.value for s in ACTIVE_STATUSES}
                and last_moment < stale_cutoff,
                "report": None
                if report is None
                else {
                    "date": _day(report[2], tz),
                    "happened": report[6] or "",
                    "next_steps": report[7] or "",
                    "support_needed": report[8] or "",
                    "marked": id_ in marked,
                },
                "principles": links.get(id_, []),
                "decisions": decisions.get(id_, []),
                "support": support.get(id_),
                "support_closed": support_closed.get(id_, []),
            }


def build(
    committee: Committee,
    period: ReportingPeriod,
    tz: tzinfo,
    stale_days: int,
    organisation: str,
    now: datetime | None = None,
    maturity: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The content of the committee's report for the period, without who froze it."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    meeting = meeting_of(period, committee.id)
    initiatives = list(initiative_entries(committee.id, period, tz, stale_days, now))
    return {
        "schema": SCHEMA,
        "organisation": organisation,
        "period": {
            "id": period.id,
            "name": period.name,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
            "deadline": period.deadline.isoformat(),
        },
        "committee": {
            "id": committee.id,
            "name": committee.name,
            "short_name": committee.short_name,
        },
        "meeting": {
            "date": _iso(meeting.meets_on) if meeting else None,
            "dnr": meeting.dnr if meeting else "",
        },
        "stale_days": stale_days,
        "initiatives": initiatives,
        # The benefits as they stood at the period's end, or now when the report is frozen
        # before it (measurements registered by then, what is due judged on that day).
        "benefits": benefit_sections.snapshot_content(
            committee.id,
            min(period.ends_on, now.astimezone(tz).date()),
            min(bounds(period, tz)[1], now),
            {e["id"]: e["status"] for e in initiatives},
        ),
        "maturity": maturity,
    }


def maturity_content(user: User, locale: str) -> dict[str, Any] | None:
    """The digital maturity comparison as data, as the exports show it."""
    from ..exports import maturity as export_maturity
    from ..portfolio.filters import PortfolioFilter

    section = export_maturity.section(user, PortfolioFilter(), locale)
    return json.loads(json.dumps(asdict(section), default=str))
