"""What changed since each committee's last frozen report, on the board and the dashboard.

The same comparison as ``/reports/changes`` (``tracker.reports.compare``), cut down to what a card
and a summary can show: an initiative that is new since the report, and its status, assessment
and progress then and now. The report is the committee's newest frozen report (the newest version
of its latest period). Two queries whatever the number of initiatives, periods or versions; a
frozen report never changes, so its parsed content is kept per SHA-256.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    Committee,
    FrozenReport,
    Health,
    Initiative,
    ReportingPeriod,
    Status,
)

# Better to worse, as in tracker.reports.compare (not imported: that package imports this one).
HEALTH_ORDER = {"on_track": 0, "at_risk": 1, "off_track": 2}
_PARSED: OrderedDict[str, dict[int, tuple[str, str, int]]] = OrderedDict()
_LOCK = threading.Lock()
_KEEP = 64


@dataclass(frozen=True)
class Baseline:
    """A committee's last frozen report, as far as the board and the dashboard need it."""

    report_id: int
    committee_id: int
    committee: str  # short name
    committee_name: str
    period: str
    version: int
    frozen_at: datetime
    # initiative id -> (status, assessment, progress) as frozen
    entries: dict[int, tuple[str, str, int]] = field(repr=False)


@dataclass(frozen=True)
class CardChange:
    """One initiative against its committee's last frozen report."""

    new: bool = False
    status: tuple[Status, Status] | None = None
    health: tuple[Health, Health] | None = None
    progress: int = 0  # percentage points since the report

    @property
    def worse(self) -> bool:
        return self.health is not None and (
            HEALTH_ORDER[self.health[1].value] > HEALTH_ORDER[self.health[0].value]
        )


def _entries(sha256: str, content: str | None) -> dict[int, tuple[str, str, int]]:
    with _LOCK:
        if sha256 in _PARSED:
            _PARSED.move_to_end(sha256)
            return _PARSED[sha256]
    if content is None:  # evicted by another request between the two queries: read it again
        content = db.session.scalar(
            select(FrozenReport.content).where(FrozenReport.sha256 == sha256)
        )
    parsed = {
        int(e["id"]): (str(e["status"]), str(e["health"]), int(e["progress"] or 0))
        for e in json.loads(content).get("initiatives", [])
    }
    with _LOCK:
        _PARSED[sha256] = parsed
        while len(_PARSED) > _KEEP:
            _PARSED.popitem(last=False)
    return parsed


def baselines(committee_ids: Iterable[int], entries: bool = True) -> dict[int, Baseline]:
    """Each given committee's newest frozen report: one query for which, one for their content.
    Without ``entries`` only the first (the dashboard counts in SQL, from ``FrozenReportEntry``)."""
    ids = sorted(set(committee_ids))
    if not ids:
        return {}
    # Everything from the covering index ix_frozen_report_latest: never the report's row, whose
    # content (megabytes) SQLite would read through to reach the columns stored after it.
    ranked = (
        select(
            FrozenReport.id.label("id"),
            FrozenReport.committee_id,
            FrozenReport.period_id,
            FrozenReport.version,
            FrozenReport.frozen_at,
            FrozenReport.sha256,
            func.row_number()
            .over(
                partition_by=FrozenReport.committee_id,
                order_by=(ReportingPeriod.ends_on.desc(), FrozenReport.version.desc()),
            )
            .label("rank"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == FrozenReport.period_id)
        .where(FrozenReport.committee_id.in_(ids))
        .subquery()
    )
    rows = db.session.execute(
        select(
            ranked.c.id,
            ranked.c.committee_id,
            Committee.short_name,
            Committee.name,
            ReportingPeriod.name,
            ranked.c.version,
            ranked.c.frozen_at,
            ranked.c.sha256,
        )
        .select_from(ranked)
        .join(ReportingPeriod, ReportingPeriod.id == ranked.c.period_id)
        .join(Committee, Committee.id == ranked.c.committee_id)
        .where(ranked.c.rank == 1)
    ).all()
    if not entries:
        return {row[1]: Baseline(*row[:7], entries={}) for row in rows}
    # The content (megabytes at a region's scale) only of the reports not parsed yet; the query
    # runs every time, so a page's number of queries does not depend on what this process holds.
    with _LOCK:
        missing = [row[0] for row in rows if row[7] not in _PARSED]
    contents = dict(
        db.session.execute(
            select(FrozenReport.id, FrozenReport.content).where(FrozenReport.id.in_(missing))
        ).all()
    )
    return {
        committee_id: Baseline(
            id_,
            committee_id,
            short,
            name,
            period,
            version,
            frozen_at,
            _entries(sha, contents.get(id_)),
        )
        for id_, committee_id, short, name, period, version, frozen_at, sha in rows
    }


def change_of(
    baseline: Baseline | None, initiative_id: int, status: str, health: str, progress: int
) -> CardChange | None:
    """What changed for one initiative since the report, or None (nothing, or no report)."""
    if baseline is None:
        return None
    then = baseline.entries.get(initiative_id)
    if then is None:
        return CardChange(new=True)
    change = CardChange(
        status=(Status(then[0]), Status(status)) if then[0] != status else None,
        health=(Health(then[1]), Health(health)) if then[1] != health else None,
        progress=(progress or 0) - then[2],
    )
    if change.status is None and change.health is None and not change.progress:
        return None
    return change


def _value(value) -> str:
    return str(getattr(value, "value", value))


def card_changes(initiatives: Iterable[Initiative]) -> dict[int, CardChange]:
    """The change of every card that has one (its department is loaded with the card)."""
    cards = list(initiatives)
    by_committee = baselines(i.department.committee_id for i in cards)
    result = {}
    for i in cards:
        change = change_of(
            by_committee.get(i.department.committee_id),
            i.id,
            _value(i.status),
            _value(i.health),
            i.progress,
        )
        if change is not None:
            result[i.id] = change
    return result


@dataclass
class CommitteeSince:
    """The dashboard's line per committee: how many of the selection changed since its report."""

    baseline: Baseline
    new: int = 0
    better: int = 0
    worse: int = 0
    status: int = 0
    progress: int = 0

    @property
    def any(self) -> bool:
        return bool(self.new or self.better or self.worse or self.status or self.progress)


@dataclass
class Summary:
    """Per committee of the selection (the dashboard's filtered initiatives): the counts of what
    changed since its last frozen report (counted in SQL by ``tracker.portfolio.dashboard``)."""

    committees: list[CommitteeSince]
    # committees in the selection that have no frozen report yet
    without_report: int = 0
