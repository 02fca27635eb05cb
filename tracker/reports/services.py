"""Freezing committee reports, the archive, and the live comparison.

A freeze is one transaction: the views commit once after ``freeze`` returns, and a failure (a
rule, or the unique constraint when two freezes race) rolls everything back, so there is never a
half snapshot. Frozen reports are only ever inserted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, load_only, selectinload

from .. import audit
from ..extensions import db
from ..models import Committee, FrozenReport, ReportingPeriod, User
from ..permissions import (
    can_manage_periods,
    can_read_committee_report,
    can_read_portfolio,
    committee_scope,
    require,
)
from ..validators import has_control_characters, strip_invisible
from . import compare, snapshot
from .errors import FreezeError, ReportNotFound
from .periods import MAX_ID

REASON_MAX = 2000


def committees_for(user: User) -> list[Committee]:
    """The committees whose reports the user may see, in name order."""
    query = select(Committee).order_by(Committee.name)
    scope = committee_scope(user)
    if scope is not None:
        query = query.where(Committee.id == scope)
    return list(db.session.scalars(query))


def archive(user: User) -> list[FrozenReport]:
    """Every frozen report the user may see, newest period first, without their content."""
    return list(db.session.scalars(archive_query(user)))


def archive_query(
    user: User,
    *,
    committee_id: int | None = None,
    period_id: int | None = None,
    latest_only: bool = False,
):
    """The archive as a query (the API pages it): the user's committee scope applied, and
    optionally one committee's, one period's or only each report's newest version."""
    require(can_read_portfolio(user))
    query = (
        select(FrozenReport)
        .options(
            load_only(
                FrozenReport.id,
                FrozenReport.period_id,
                FrozenReport.committee_id,
                FrozenReport.version,
                FrozenReport.frozen_at,
                FrozenReport.frozen_by_name,
                FrozenReport.reason,
                FrozenReport.initiative_count,
                FrozenReport.sha256,
            ),
            selectinload(FrozenReport.period),
            selectinload(FrozenReport.committee),
        )
        .join(ReportingPeriod, ReportingPeriod.id == FrozenReport.period_id)
        .join(Committee, Committee.id == FrozenReport.committee_id)
        .order_by(
            ReportingPeriod.starts_on.desc(),
            Committee.name,
            FrozenReport.version.desc(),
            FrozenReport.id.desc(),
        )
    )
    scope = committee_scope(user)
    if scope is not None:
        query = query.where(FrozenReport.committee_id == scope)
    if committee_id is not None:
        query = query.where(FrozenReport.committee_id == committee_id)
    if period_id is not None:
        query = query.where(FrozenReport.period_id == period_id)
    if latest_only:
        newer = aliased(FrozenReport)
        query = query.where(
            ~select(newer.id)
            .where(
                newer.period_id == FrozenReport.period_id,
                newer.committee_id == FrozenReport.committee_id,
                newer.version > FrozenReport.version,
            )
            .exists()
        )
    return query


def get_report(user: User, report_id: int) -> FrozenReport:
    """The frozen report, or ReportNotFound when it does not exist or lies outside the user's
    committee (the same answer, so a URL tells nothing about other committees)."""
    if not 0 < report_id <= MAX_ID:
        raise ReportNotFound
    report = db.session.scalar(
        select(FrozenReport)
        .where(FrozenReport.id == report_id)
        .options(selectinload(FrozenReport.period), selectinload(FrozenReport.committee))
    )
    if report is None or not can_read_committee_report(user, report.committee_id):
        raise ReportNotFound
    return report


def content(report: FrozenReport) -> dict[str, Any]:
    return json.loads(report.content)


def versions(report: FrozenReport) -> list[FrozenReport]:
    """Every version of the same committee's report for the same period, newest first."""
    return list(
        db.session.scalars(
            select(FrozenReport)
            .options(
                load_only(
                    FrozenReport.id,
                    FrozenReport.version,
                    FrozenReport.frozen_at,
                    FrozenReport.frozen_by_name,
                    FrozenReport.reason,
                    FrozenReport.sha256,
                )
            )
            .where(
                FrozenReport.period_id == report.period_id,
                FrozenReport.committee_id == report.committee_id,
            )
            .order_by(FrozenReport.version.desc())
        )
    )


def latest_versions(period: ReportingPeriod) -> dict[int, int]:
    """The highest version per committee of the period's frozen reports: one query."""
    rows = db.session.execute(
        select(FrozenReport.committee_id, func.max(FrozenReport.version))
        .where(FrozenReport.period_id == period.id)
        .group_by(FrozenReport.committee_id)
    )
    return dict(rows.all())


def period_reports(period: ReportingPeriod) -> dict[int, FrozenReport]:
    """The newest frozen report per committee of the period, without content."""
    latest = latest_versions(period)
    if not latest:
        return {}
    reports = db.session.scalars(
        select(FrozenReport)
        .options(
            load_only(
                FrozenReport.id,
                FrozenReport.committee_id,
                FrozenReport.version,
                FrozenReport.frozen_at,
                FrozenReport.frozen_by_name,
            )
        )
        .where(FrozenReport.period_id == period.id)
    )
    return {r.committee_id: r for r in reports if latest.get(r.committee_id) == r.version}


def previous_report(committee_id: int, before: date | None) -> FrozenReport | None:
    """The committee's newest frozen report of a period that ended before ``before`` (any
    period when None): the newest version of the latest such period."""
    query = (
        select(FrozenReport)
        .join(ReportingPeriod, ReportingPeriod.id == FrozenReport.period_id)
        .where(FrozenReport.committee_id == committee_id)
        .order_by(ReportingPeriod.ends_on.desc(), FrozenReport.version.desc())
        .limit(1)
    )
    if before is not None:
        query = query.where(ReportingPeriod.ends_on < before)
    return db.session.scalar(query)


@dataclass(frozen=True)
class FreezeRequest:
    committee_ids: list[int]
    # The version the user saw per committee (0: none); a freeze on a stale view is refused.
    expected: dict[int, int]
    reason: str = ""
    with_maturity: bool = False
    # "All committees at once": the first version of each active committee not yet frozen for
    # the period; a committee already frozen keeps its report (a correction is one committee's),
    # and an inactive one gets none (it can still be frozen on its own).
    only_unfrozen: bool = False


def freeze(
    actor: User,
    period: ReportingPeriod,
    request: FreezeRequest,
    *,
    tz: tzinfo,
    stale_days: int,
    organisation: str,
    locale: str,
    now: datetime | None = None,
) -> list[FrozenReport]:
    """Freeze the report of each committee in ``request`` for ``period``, and flush.

    The first version needs no reason; a correction (a later version) does. A committee whose
    latest version differs from what the user saw is refused: two clicks or two users give one
    version, and the unique constraint on (period, committee, version) settles a true race."""
    require(can_manage_periods(actor))
    now = (now or datetime.now(UTC)).astimezone(UTC)
    reason = strip_invisible(request.reason).strip()
    if len(reason) > REASON_MAX:
        raise FreezeError(_l("The reason can be at most 2,000 characters."))
    if has_control_characters(reason, multiline=True):
        raise FreezeError(_l("Remove the control characters from the text."))
    committees = {
        c.id: c
        for c in db.session.scalars(
            select(Committee).where(Committee.id.in_(request.committee_ids))
        )
    }
    if not request.committee_ids or len(committees) != len(set(request.committee_ids)):
        raise FreezeError(_l("Choose a committee."), field="committee")
    latest = latest_versions(period)
    chosen = set(request.committee_ids)
    if request.only_unfrozen:
        chosen = {
            committee_id
            for committee_id in chosen
            if committees[committee_id].active and not latest.get(committee_id)
        }
        if not chosen:
            raise FreezeError(
                _l(
                    "Every active committee's report for the period is already frozen. To "
                    "freeze a correction, choose the committee and give a reason."
                ),
                field="committee",
            )
    maturity = snapshot.maturity_content(actor, locale) if request.with_maturity else None
    frozen = []
    for committee_id in sorted(chosen, key=lambda i: committees[i].name):
        committee = committees[committee_id]
        current = latest.get(committee_id, 0)
        if current != request.expected.get(committee_id, 0):
            raise FreezeError(_frozen_meanwhile(actor, period, committee, current))
        if current and not reason:
            raise FreezeError(
                _(
                    "The report of %(committee)s is already frozen (version %(version)d). A "
                    "correction needs a reason.",
                    committee=committee.name,
                    version=current,
                )
            )
        body = snapshot.build(
            committee, period, tz, stale_days, organisation, now=now, maturity=maturity
        )
        previous = previous_report(committee_id, period.starts_on)
        previous_content = content(previous) if previous is not None else None
        body.update(
            version=current + 1,
            frozen_at=now.isoformat(),
            frozen_by=actor.name,
            reason=reason if current else "",  # a reason belongs to a correction only
            changes=compare.compare(previous_content, body),
        )
        text = snapshot.canonical(body)
        report = FrozenReport(
            period_id=period.id,
            committee_id=committee_id,
            version=current + 1,
            frozen_at=now,
            frozen_by_id=actor.id,
            frozen_by_name=actor.name,
            reason=reason if current else "",
            initiative_count=len(body["initiatives"]),
            content=text,
            sha256=snapshot.digest(text),
        )
        db.session.add(report)
        db.session.flush()
        audit.record(
            actor,
            "report.freeze",
            report,
            changes={
                "period": period.id,
                "committee": committee_id,
                "version": report.version,
                "sha256": report.sha256,
                "reason": reason,
            },
        )
        frozen.append(report)
    return frozen


def _frozen_meanwhile(
    actor: User, period: ReportingPeriod, committee: Committee, version: int
) -> str:
    """A version was frozen after the user's page was made: by whom, so that nobody reads "by
    someone else" about their own click in another tab."""
    found = db.session.execute(
        select(FrozenReport.frozen_by_id, FrozenReport.frozen_by_name).where(
            FrozenReport.period_id == period.id,
            FrozenReport.committee_id == committee.id,
            FrozenReport.version == version,
        )
    ).one_or_none()
    if found is None:  # the page claimed a version that was never frozen
        return str(
            _l("The page was out of date. Look at the reports as they are now, then freeze.")
        )
    by_id, by_name = found
    if by_id == actor.id:
        return _(
            "You have already frozen the report of %(committee)s (version %(version)d), in "
            "another tab or with an earlier click. Look at it before you freeze a correction.",
            committee=committee.name,
            version=version,
        )
    return _(
        "The report of %(committee)s has just been frozen (version %(version)d) by %(name)s. "
        "Look at it before you freeze a correction.",
        committee=committee.name,
        version=version,
        name=by_name,
    )


@dataclass(frozen=True)
class LiveComparison:
    committee: Committee
    period: ReportingPeriod
    previous: FrozenReport | None
    changes: dict[str, Any]


def live_comparison(
    user: User,
    committee: Committee,
    period: ReportingPeriod,
    *,
    tz: tzinfo,
    stale_days: int,
    organisation: str,
) -> LiveComparison:
    """The committee's report as it would be frozen now, against its last frozen report."""
    if not can_read_committee_report(user, committee.id):
        raise ReportNotFound
    previous = previous_report(committee.id, None)
    body = snapshot.build(committee, period, tz, stale_days, organisation)
    changes = compare.compare(content(previous) if previous is not None else None, body)
    return LiveComparison(committee, period, previous, changes)
