"""Every GET operation of the API, for every role with a token (and a committee reader limited to
one committee), with real ids from the crawler's sample ids and hostile values in each query
parameter the OpenAPI description names: never a 5xx, always JSON with nosniff (never a page a
browser would render), problems as problem+json.
Schemathesis covers the same operations with generated requests and an admin's token."""

from __future__ import annotations

import pytest

from tracker.extensions import db

from .crawler import PAYLOADS, _fill, sample_ids
from .test_api import bearer, make_token
from .test_api_benefits import benefits  # noqa: F401 - a fixture
from .test_api_reports import frozen  # noqa: F401 - a fixture

JSON_TYPES = ("application/json", "application/problem+json")
HOSTILE = [*PAYLOADS, "\x00", "-1", str(2**63), "", "ä" * 600, "1e309", "true' OR '1'='1"]


def _query_names(spec: dict, path: str) -> list[str]:
    item = spec["paths"].get(path, {})
    return [p["name"] for p in item.get("get", {}).get("parameters", []) if p["in"] == "query"]


def _spec_path(rule: str) -> str:
    import re

    return re.sub(r"<(?:[^<>]*:)?([a-z_]+)>", r"{\1}", rule)


@pytest.mark.parametrize("role", ["admin", "management", "committee", "limited", "manager"])
def test_every_api_read_with_hostile_queries(org, frozen, benefits, app, client, role):  # noqa: F811
    app.config["API_RATE_LIMIT"] = "100000/minute"
    user = org.user("committee" if role == "limited" else role)
    if role == "limited":
        user.committee_id = org.committees[1].id
        db.session.commit()
    secret = make_token(user)
    spec = client.get("/api/v1/openapi.json").get_json()
    ids = sample_ids()
    checked = tried = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or "GET" not in rule.methods:
            continue
        path = rule.rule
        for name in rule._converters:
            path = _fill(path, name, ids[name][0])
        names = _query_names(spec, _spec_path(rule.rule))
        plain = client.get(path, headers=bearer(secret))
        assert plain.status_code in (200, 404), (path, plain.status_code)
        for name in names:
            for value in HOSTILE:
                response = client.get(path, query_string={name: value}, headers=bearer(secret))
                tried += 1
                assert response.status_code < 500, (path, name, value)
                # JSON carries the text as sent; it must never be served as something a
                # browser would render.
                assert response.mimetype in JSON_TYPES, (path, name, response.mimetype)
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                if response.status_code >= 400:
                    assert response.mimetype == "application/problem+json", (path, name)
        checked += 1
    assert checked >= 15  # every resource, the new ones included
    assert tried > 40 * len(HOSTILE)
