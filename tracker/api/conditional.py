"""ETag and If-None-Match on every read (304 when nothing changed); If-Match on writes.

A list's ETag is a digest of its body, so it changes whenever anything it shows changes. One
initiative's ETag is ``<state>.<view>``: a digest of what is stored (its representation without
what only depends on who asks, where and when: the labels and names in the answer's language,
its URL, whether it is stale), then the language and the stale mark, so that a client that
asks in another language gets the other body. A client sends it back in ``If-Match`` when it
posts a status update: a changed initiative (another state) answers 409, whatever language or
host either request used.
"""

from __future__ import annotations

import hashlib
import json

from flask import g, request
from flask_babel import get_locale

from .. import settings


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


# What an initiative's representation holds that is no part of its state.
PRESENTATION = frozenset({"status_label", "health_label", "stale", "url"})


def initiative_state(initiative) -> str:
    """A digest of the initiative as stored (see the module's docstring)."""
    from . import represent, services
    from .schemas import InitiativeSchema

    payload = InitiativeSchema().dump(
        represent.initiative(initiative, services.committee_codes(), settings.stale_days())
    )
    state = {key: value for key, value in payload.items() if key not in PRESENTATION}
    state["principle_links"] = [
        {key: value for key, value in link.items() if key != "name"}
        for link in payload.get("principle_links", [])
    ]
    canonical = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    return digest_of(canonical.encode())


def initiative_etag(initiative) -> str:
    """The ETag of one initiative's answer: its state, then the view of it (language, stale)."""
    stale = "s" if initiative.is_stale(settings.stale_days()) else ""
    return f"{initiative_state(initiative)}.{get_locale().language}{stale}"


class PreconditionConflict(Exception):
    """If-Match named another state of the initiative than the current one."""

    def __init__(self, initiative_id: int):
        super().__init__(initiative_id)
        self.initiative_id = initiative_id


def check_if_match(initiative) -> None:
    if_match = request.if_match
    if not if_match or if_match.star_tag:
        return
    state = initiative_state(initiative)
    if not any(tag.split(".", 1)[0] == state for tag in if_match.as_set()):
        raise PreconditionConflict(initiative.id)


def add_etag(response):
    """After a successful read: an ETag, and 304 for a client that already has this version."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if response.is_streamed or response.direct_passthrough:
        return response
    if "ETag" not in response.headers:
        etag = g.get("api_etag") or digest_of(response.get_data())
        response.set_etag(etag)
    response.vary.add("Authorization")
    response.vary.add("Accept-Language")
    return response.make_conditional(request)
