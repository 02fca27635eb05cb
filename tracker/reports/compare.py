"""What changed between two reports of the same committee: plain data in, plain data out.

Both arguments are report contents as ``snapshot.build`` makes them (a frozen one read back from
its JSON, or a live one). The result is JSON-able, so a frozen report stores its comparison with
the previous frozen report inside its own content, covered by its SHA-256.
"""

from __future__ import annotations

from typing import Any

# Better to worse.
HEALTH_ORDER = {"on_track": 0, "at_risk": 1, "off_track": 2}
STATUS_EVENTS = {"done": "finished", "paused": "paused", "cancelled": "cancelled"}
SECTIONS = (
    "new",
    "gone",
    "finished",
    "paused",
    "cancelled",
    "status_changes",
    "assessment_changes",
    "progress_changes",
    "decisions",
    "support_asked",
    "support_answered",
    "without_report",
)


def _support(entry: dict[str, Any]) -> str:
    """What the initiative asked of the management group at the period's end: its open support
    request (schema 2), or, in a report frozen before requests were kept in it, its report's
    support text."""
    if "support" in entry:
        return ((entry["support"] or {}).get("text") or "").strip()
    report = entry.get("report") or {}
    return (report.get("support_needed") or "").strip()


def _answered(entry: dict[str, Any], old_support: str, since: str | None) -> list[dict[str, Any]]:
    """The support requests answered or withdrawn since the previous report (``since``: the
    day its state was taken). From a report frozen before requests were kept in it: the one
    asked before that is no longer asked or got a support decision."""
    if "support_closed" not in entry:
        answered = any(d["kind"] == "support" for d in entry.get("decisions", []))
        if old_support and (not _support(entry) or answered):
            return [{"text": old_support}]
        return []
    closed = [
        c
        for c in entry["support_closed"]
        if since is None or c["date"] > since or (old_support and c["text"] == old_support)
    ]
    result = [{"text": c["text"], "outcome": c["outcome"]} for c in closed]
    if old_support and not _support(entry) and not closed:
        # Open then, closed in a period between the two reports (one never frozen).
        result.append({"text": old_support, "outcome": ""})
    return result


def _as_of(report: dict[str, Any] | None) -> str | None:
    """The day a report's state was taken: its period's end, or the day it was frozen if that
    was earlier (a live comparison can be against a report of the same period)."""
    if report is None:
        return None
    days = [report["period"]["ends_on"]]
    if report.get("frozen_at"):
        days.append(report["frozen_at"][:10])
    return min(days)


def _ref(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], "title": entry["title"], "department": entry["department"]}


def compare(previous: dict[str, Any] | None, current: dict[str, Any]) -> dict[str, Any]:
    """Every change from ``previous`` to ``current``, each list in the current report's order.

    Without a previous report only what needs no comparison is filled in: decisions in the
    period, support asked and the initiatives without a report."""
    result: dict[str, Any] = {name: [] for name in SECTIONS}
    result["previous"] = (
        {
            "period": previous["period"]["name"],
            "ends_on": previous["period"]["ends_on"],
            "version": previous.get("version"),
            "frozen_at": previous.get("frozen_at"),
        }
        if previous
        else None
    )
    before = {e["id"]: e for e in previous["initiatives"]} if previous else {}
    since = _as_of(previous)
    now_ids = set()
    for entry in current["initiatives"]:
        now_ids.add(entry["id"])
        ref = _ref(entry)
        old = before.get(entry["id"])
        for decision in entry.get("decisions", []):
            result["decisions"].append({**ref, **decision})
        if entry.get("report") is None and entry["status"] not in ("done", "cancelled"):
            result["without_report"].append({**ref, "owner": entry["owner"]})
        support = _support(entry)
        if previous is None:
            if support:
                result["support_asked"].append({**ref, "text": support})
            continue
        if old is None:
            result["new"].append({**ref, "status": entry["status"], "health": entry["health"]})
            if support:
                result["support_asked"].append({**ref, "text": support})
            for closed in _answered(entry, "", since):
                result["support_answered"].append({**ref, **closed})
            continue
        old_support = _support(old)
        if support and support != old_support:
            result["support_asked"].append({**ref, "text": support})
        for closed in _answered(entry, old_support, since):
            result["support_answered"].append({**ref, **closed})
        if entry["status"] != old["status"]:
            change = {**ref, "from": old["status"], "to": entry["status"]}
            result["status_changes"].append(change)
            if entry["status"] in STATUS_EVENTS:
                result[STATUS_EVENTS[entry["status"]]].append(change)
        if entry["health"] != old["health"]:
            worse = HEALTH_ORDER[entry["health"]] > HEALTH_ORDER[old["health"]]
            result["assessment_changes"].append(
                {
                    **ref,
                    "from": old["health"],
                    "to": entry["health"],
                    "direction": "worse" if worse else "better",
                }
            )
        if entry["progress"] != old["progress"]:
            result["progress_changes"].append(
                {
                    **ref,
                    "from": old["progress"],
                    "to": entry["progress"],
                    "delta": entry["progress"] - old["progress"],
                }
            )
    if previous:
        result["gone"] = [_ref(e) for e in previous["initiatives"] if e["id"] not in now_ids]
    return result


def has_changes(changes: dict[str, Any]) -> bool:
    return any(changes.get(name) for name in SECTIONS)
