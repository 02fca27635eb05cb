"""An edit that met someone else's save: which fields the user left as they found them.

The edit form carries a fingerprint of the initiative as the user opened it (a digest of each
field, ``fingerprint``). When the save meets a newer version, the fields whose value the user
sent is still the one they opened, and that the other person changed, are taken from the saved
version (``left_as_found``): sending the form again then saves the user's own changes without
undoing the other person's. A field both changed keeps the user's value and is shown as
differing. A missing or tampered fingerprint takes nothing (the user's whole version is kept).
"""

from __future__ import annotations

import hashlib
import json

from ..models import Initiative
from .services import InitiativeData, _data_snapshot, _snapshot

# The fields of ``services._snapshot`` an edit can change, in the form's order.
KEYS = (
    "title",
    "purpose",
    "benefit",
    "target_group",
    "department_id",
    "co_owner_ids",
    "start_date",
    "target_date",
    "funding_source",
    "cost_estimate",
    "risks",
    "principles",
    "maturity_categories",
)


def _digest(value) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprint(initiative: Initiative) -> str:
    """The initiative's fields as the user opens the form, for the form's hidden field."""
    values = _snapshot(initiative)
    return json.dumps({key: _digest(values[key]) for key in KEYS}, separators=(",", ":"))


def left_as_found(opened: str | None, mine: InitiativeData, saved: Initiative) -> list[str]:
    """The fields the user sent as they opened them and someone else has changed since."""
    if not opened or len(opened) > 2000:  # a fingerprint is about 400 characters
        return []
    try:
        digests = json.loads(opened)
    except (ValueError, RecursionError):
        return []
    if not isinstance(digests, dict):
        return []
    sent = _data_snapshot(mine, saved.owner_id)
    now = _snapshot(saved)
    return [key for key in KEYS if digests.get(key) == _digest(sent[key]) and sent[key] != now[key]]
