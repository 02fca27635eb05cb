"""A frozen report's content made ready for the page and the four export writers.

Everything here reads the snapshot alone (never the live tables), so a frozen report looks the
same every time it is opened or downloaded. Labels are translated at render time, in the
reader's language; the values themselves are the snapshot's.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from flask_babel import gettext as _

from ..exports.maturity import CategoryBlock, DimensionBlock, Line, Section
from ..exports.services import DecisionInfo, Row, SupportInfo, Table, UpdateInfo
from ..maturity.figures import RoundInfo
from ..models import DecisionKind, Health, Status, SupportOutcome


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def decision_text(decision: dict[str, Any]) -> str:
    kind = DecisionKind(decision["kind"])
    if kind == DecisionKind.OTHER and decision.get("text"):
        return decision["text"]
    return str(kind.label)


def principle_name(principle: dict[str, str], locale: str) -> str:
    return principle["name_en"] if locale == "en" else principle["name_sv"]


def rows(content: dict[str, Any], locale: str) -> list[Row]:
    """The snapshot's initiatives as the exports' rows."""
    committee = content["committee"]["name"]
    result = []
    for e in content["initiatives"]:
        status, health = Status(e["status"]), Health(e["health"])
        report = e.get("report")
        decisions = e.get("decisions") or []
        last = decisions[-1] if decisions else None
        result.append(
            Row(
                id=e["id"],
                title=e["title"],
                purpose=e["purpose"],
                committee=committee,
                department=e["department"],
                owner=e["owner"],
                status=status,
                status_label=str(status.label),
                health=health,
                health_label=str(health.label),
                progress=e["progress"],
                start_date=_date(e["start_date"]),
                target_date=_date(e["target_date"]),
                last_update=_date(e["last_update"]),
                stale=e["stale"],
                principles=[(principle_name(p, locale), p["motivation"]) for p in e["principles"]],
                update=UpdateInfo(
                    day=_date(report["date"]),
                    happened=report["happened"],
                    next_steps=report["next_steps"],
                    support_needed=report["support_needed"],
                )
                if report
                else None,
                decision=DecisionInfo(
                    day=_date(last["date"]),
                    meeting=last["meeting"],
                    text=decision_text(last),
                    comment=last["comment"],
                )
                if last
                else None,
                support=_support(e, content["period"]["ends_on"]),
            )
        )
    return result


def _support(entry: dict[str, Any], ends_on: str) -> SupportInfo | None:
    """The request open at the period's end; in a report frozen before requests were kept in
    it (schema 1), what its report asked, as that report showed it."""
    if "support" in entry:
        support = entry["support"]
        if not support:
            return None
        return SupportInfo(
            text=support["text"], since=date.fromisoformat(support["since"]), days=support["days"]
        )
    report = entry.get("report") or {}
    if not report.get("support_needed"):
        return None
    since = date.fromisoformat(report["date"])
    return SupportInfo(
        text=report["support_needed"],
        since=since,
        days=max(0, (date.fromisoformat(ends_on) - since).days),
    )


def _outcome(closed: dict[str, Any]) -> str:
    return str(SupportOutcome(closed["outcome"]).label) if closed.get("outcome") else ""


def frozen_day(content: dict[str, Any], tz: tzinfo) -> date:
    return datetime.fromisoformat(content["frozen_at"]).astimezone(tz).date()


def title(content: dict[str, Any]) -> str:
    return _(
        "%(committee)s: %(period)s",
        committee=content["committee"]["name"],
        period=content["period"]["name"],
    )


def status_day(content: dict[str, Any], tz: tzinfo) -> str:
    """The day the report's state is of (ISO): its period's last day, or the day it was frozen
    when that came first (the snapshot is taken at the earlier of the two)."""
    return min(content["period"]["ends_on"], frozen_day(content, tz).isoformat())


def heading(content: dict[str, Any], tz: tzinfo, sha256: str | None = None) -> list[str]:
    """ "Status per <the period's last day, or the day it was frozen if earlier>, fastställd
    <date> av <name>", then the meeting, the dnr, the version and its reason, and the
    checksum."""
    lines = [
        _(
            "Status as of %(end)s, frozen %(date)s by %(name)s",
            end=status_day(content, tz),
            date=frozen_day(content, tz).isoformat(),
            name=content["frozen_by"],
        )
    ]
    meeting = content.get("meeting") or {}
    if meeting.get("date"):
        lines.append(
            _(
                "For the meeting of %(committee)s on %(date)s",
                committee=content["committee"]["name"],
                date=meeting["date"],
            )
        )
    if meeting.get("dnr"):
        lines.append(_("Diary number (dnr): %(dnr)s", dnr=meeting["dnr"]))
    version = _("Version %(version)d", version=content["version"])
    if content.get("reason"):
        version = _(
            "Version %(version)d, correction: %(reason)s",
            version=content["version"],
            reason=content["reason"],
        )
    lines.append(version)
    if sha256:
        lines.append(f"SHA-256: {sha256}")
    return lines


def described(content: dict[str, Any]) -> list[tuple[str, str]]:
    period = content["period"]
    return [
        (_("Committee"), f"{content['committee']['name']} ({content['committee']['short_name']})"),
        (_("Reporting period"), f"{period['name']} ({period['starts_on']} – {period['ends_on']})"),
    ]


def _status(code: str) -> str:
    return str(Status(code).label)


def _health(code: str) -> str:
    health = Health(code)
    return f"{health.symbol} {health.label}"


def _signed(delta: int) -> str:
    return f"+{delta}" if delta > 0 else ("±0" if delta == 0 else f"−{abs(delta)}")


def change_tables(changes: dict[str, Any] | None) -> list[Table]:
    """What changed, as titled tables for every format (the page shows the same lists)."""
    if changes is None:
        return []
    initiative, department = _("Initiative"), _("Department")
    before, now = _("Before"), _("Now")
    none = _("None.")
    tables = []
    if changes.get("previous") is None:
        tables.append(
            Table(
                _("Compared with"),
                [],
                [],
                _("There is no earlier frozen report of the committee to compare with."),
            )
        )
    else:
        prev = changes["previous"]
        tables.append(
            Table(
                _("Compared with"),
                [_("Period"), _("Version")],
                [[prev["period"], str(prev.get("version") or "")]],
            )
        )
        tables.append(
            Table(
                _("New initiatives"),
                [initiative, department, _("Status"), _("Assessment")],
                [
                    [c["title"], c["department"], _status(c["status"]), _health(c["health"])]
                    for c in changes["new"]
                ],
                none,
            )
        )
        for key, label in (
            # Headings of lists of initiatives (plural in Swedish), not the status labels.
            ("finished", _("Finished initiatives")),
            ("paused", _("Paused initiatives")),
            ("cancelled", _("Cancelled initiatives")),
        ):
            tables.append(
                Table(
                    label,
                    [initiative, department, _("Status before")],
                    [[c["title"], c["department"], _status(c["from"])] for c in changes[key]],
                    none,
                )
            )
        tables.append(
            Table(
                _("Status changes"),
                [initiative, department, before, now],
                [
                    [c["title"], c["department"], _status(c["from"]), _status(c["to"])]
                    for c in changes["status_changes"]
                ],
                none,
            )
        )
        tables.append(
            Table(
                _("Assessment changes"),
                [initiative, department, before, now, _("Direction")],
                [
                    [
                        c["title"],
                        c["department"],
                        _health(c["from"]),
                        _health(c["to"]),
                        _("Better") if c["direction"] == "better" else _("Worse"),
                    ]
                    for c in changes["assessment_changes"]
                ],
                none,
            )
        )
        tables.append(
            Table(
                _("Progress"),
                [initiative, department, before, now, _("Change (percentage points)")],
                [
                    [
                        c["title"],
                        c["department"],
                        f"{c['from']} %",
                        f"{c['to']} %",
                        _signed(c["delta"]),
                    ]
                    for c in changes["progress_changes"]
                ],
                none,
            )
        )
    tables.append(
        Table(
            _("Decisions in the period"),
            [initiative, _("Date"), _("Meeting"), _("Decision"), _("Comment")],
            [
                [c["title"], c["date"], c["meeting"], decision_text(c), c["comment"]]
                for c in changes["decisions"]
            ],
            none,
        )
    )
    tables.append(
        Table(
            _("Support asked for"),
            [initiative, department, _("Support needed")],
            [[c["title"], c["department"], c["text"]] for c in changes["support_asked"]],
            none,
        )
    )
    if changes.get("previous") is not None:
        tables.append(
            Table(
                _("Support answered or withdrawn"),
                [initiative, department, _("Support asked for"), _("Outcome")],
                [
                    [c["title"], c["department"], c["text"], _outcome(c)]
                    for c in changes["support_answered"]
                ],
                none,
            )
        )
        tables.append(
            Table(
                _("No longer in the report"),
                [initiative, department],
                [[c["title"], c["department"]] for c in changes["gone"]],
                none,
            )
        )
    tables.append(
        Table(
            _("No report in the period"),
            [initiative, department, _("Owner")],
            [[c["title"], c["department"], c["owner"]] for c in changes["without_report"]],
            none,
        )
    )
    return tables


def maturity_section(data: dict[str, Any] | None) -> Section | None:
    """The stored maturity comparison back as the exports' ``Section``."""
    if not data:
        return None

    def round_info(value):
        if not value:
            return None
        return RoundInfo(
            id=value["id"],
            name=value["name"],
            measured_on=date.fromisoformat(value["measured_on"]),
            respondents=value.get("respondents"),
            response_rate=value.get("response_rate"),
            changed_at=None,
        )

    def line(value) -> Line:
        return Line(**value)

    return Section(
        latest=round_info(data.get("latest")),
        previous=round_info(data.get("previous")),
        scope=data["scope"],
        dimensions=[
            DimensionBlock(
                line(d["line"]),
                [
                    CategoryBlock(line(c["line"]), [line(q) for q in c["questions"]])
                    for c in d["categories"]
                ],
            )
            for d in data["dimensions"]
        ],
        weakest=[line(w) for w in data["weakest"]],
    )
