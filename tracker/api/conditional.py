"""ETag and If-None-Match on every read (304 when nothing changed); If-Match on writes.

A list's ETag is a digest of its body, so it changes whenever anything it shows changes. One
initiative's ETag is a digest of its canonical representation, so that a client can send it back in
``If-Match`` when it posts a status update: a changed initiative answers 409.
"""

from __future__ import annotations

import hashlib
import json

from flask import g, request

from .. import settings


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def initiative_etag(initiative) -> str:
    from . import represent, services
    from .schemas import InitiativeSchema

    payload = InitiativeSchema().dump(
        represent.initiative(initiative, services.committee_codes(), settings.stale_days())
    )
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return digest_of(canonical.encode())


class PreconditionConflict(Exception):
    """If-Match named another state of the initiative than the current one."""

    def __init__(self, initiative_id: int):
        super().__init__(initiative_id)
        self.initiative_id = initiative_id


def check_if_match(initiative) -> None:
    if_match = request.if_match
    if not if_match or if_match.star_tag:
        return
    if not if_match.contains(initiative_etag(initiative)):
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
