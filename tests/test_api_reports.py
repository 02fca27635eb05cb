"""The API's reporting periods and frozen reports: every role and token scope, the committee
scope (404 as in the browser), the snapshot exactly as frozen, versions, hostile ids, paging,
ETags and a constant number of queries."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AccessToken, FrozenReport

from .test_api import ROLES, bearer, make_token
from .test_reports import at, freeze, initiative, period, update


@pytest.fixture
def frozen(org):
    """A period with KS's report frozen twice (a correction) and BUN's once."""
    p = period(org)
    a = initiative(org, "Digital post", principles=org.principles[:1])
    update(a, at("2026-02-01"), progress=30, happened="Upphandlat")
    [first] = freeze(org, p)
    [second] = freeze(org, p, reason="Fel framsteg", expected={org.committees[0].id: 1})
    [bun] = freeze(org, p, committee=org.committees[1])
    db.session.commit()
    return p, first, second, bun


def get(client, secret, path, **headers):
    return client.get("/api/v1" + path, headers={**bearer(secret), **headers})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", ["read", "read_write"])
def test_every_role_and_scope_reads_the_calendar_and_archive(org, frozen, client, role, scope):
    p, first, second, bun = frozen
    secret = make_token(org.user(role), scope)
    periods = get(client, secret, "/periods")
    assert periods.status_code == 200, periods.get_data(as_text=True)
    [item] = periods.get_json()["items"]
    assert item["name"] == "Tertial 1 2026" and item["deadline"] == "2026-04-30"
    assert item["meetings"] == [{"committee": "KS", "meets_on": "2026-04-30", "dnr": "KS 2026/17"}]
    assert item["state"] in ("open", "not_open", "closed") and item["state_label"]
    one = get(client, secret, f"/periods/{p.id}").get_json()
    assert sorted((r["committee"], r["version"]) for r in one["reports"]) == [
        ("BUN", 1),
        ("KS", 2),
    ]
    archive = get(client, secret, "/reports").get_json()
    assert archive["total"] == 3
    assert {r["id"] for r in archive["items"]} == {first.id, second.id, bun.id}


def test_the_report_is_the_snapshot_as_frozen(org, frozen, client):
    p, first, second, bun = frozen
    secret = make_token(org.committee_reader)
    body = get(client, secret, f"/reports/{second.id}").get_json()
    assert body["version"] == 2 and body["correction"] is True
    assert body["reason"] == "Fel framsteg" and body["frozen_by"] == org.management.name
    assert body["sha256"] == second.sha256
    # The snapshot, serialised the canonical way, is the stored text: its SHA-256 is the digest.
    text = json.dumps(body["snapshot"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert text == second.content
    assert hashlib.sha256(text.encode()).hexdigest() == body["sha256"]
    assert body["snapshot"]["initiatives"][0]["title"] == "Digital post"
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert body["versions"][1]["id"] == first.id and body["versions"][1]["reason"] == ""
    raw = get(client, secret, f"/reports/{second.id}/snapshot")
    assert raw.status_code == 200 and raw.mimetype == "application/json"
    assert raw.get_data() == second.content.encode("utf-8")
    assert hashlib.sha256(raw.get_data()).hexdigest() == second.sha256
    digest = base64.b64encode(hashlib.sha256(raw.get_data()).digest()).decode()
    assert raw.headers["Repr-Digest"] == f"sha-256=:{digest}:"
    assert raw.headers["ETag"] == f'"{second.sha256}"'
    again = get(
        client, secret, f"/reports/{second.id}/snapshot", **{"If-None-Match": raw.headers["ETag"]}
    )
    assert again.status_code == 304


def test_filters_by_committee_period_and_latest(org, frozen, client):
    p, first, second, bun = frozen
    other = period(org, "Tertial 2 2026", "2026-05-01", "2026-08-31")
    [later] = freeze(org, other)
    db.session.commit()
    secret = make_token(org.admin)
    ids = lambda q: [r["id"] for r in get(client, secret, "/reports" + q).get_json()["items"]]  # noqa: E731
    assert ids("") == [later.id, bun.id, second.id, first.id]  # newest period, then by name
    assert ids("?committee=KS") == [later.id, second.id, first.id]
    assert ids(f"?period={p.id}") == [bun.id, second.id, first.id]
    assert ids(f"?period={p.id}&committee=KS&latest=true") == [second.id]
    assert ids("?latest=true") == [later.id, bun.id, second.id]
    assert ids(f"?period={other.id}&committee=BUN") == []
    response = get(client, secret, "/reports?committee=NOPE")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    for bad in ("?period=0", "?period=x", f"?period={2**63}", "?latest=maybe", "?committee=%00"):
        assert get(client, secret, "/reports" + bad).status_code == 422, bad
    periods = get(client, secret, "/periods").get_json()
    assert [i["name"] for i in periods["items"]] == ["Tertial 2 2026", "Tertial 1 2026"]


def test_a_committee_reader_sees_only_their_committees_reports(org, frozen, client):
    p, first, second, bun = frozen
    org.committee_reader.committee_id = org.committees[1].id  # BUN
    db.session.commit()
    secret = make_token(org.committee_reader)
    archive = get(client, secret, "/reports").get_json()
    assert [r["id"] for r in archive["items"]] == [bun.id] and archive["total"] == 1
    assert get(client, secret, "/reports?committee=KS").get_json()["total"] == 0
    assert get(client, secret, f"/reports/{bun.id}").status_code == 200
    for report in (first, second):
        for suffix in ("", "/snapshot"):
            response = get(client, secret, f"/reports/{report.id}{suffix}")
            assert response.status_code == 404, suffix
            assert response.mimetype == "application/problem+json"
    # The calendar is everyone's, as in the browser; the period's reports are in scope only.
    one = get(client, secret, f"/periods/{p.id}").get_json()
    assert [r["id"] for r in one["reports"]] == [bun.id]


def test_without_a_valid_token_nothing(org, frozen, client, auth):
    p, first, second, bun = frozen
    paths = ["/periods", f"/periods/{p.id}", "/reports", f"/reports/{first.id}"]
    for path in paths + [f"/reports/{first.id}/snapshot"]:
        assert client.get("/api/v1" + path).status_code == 401
    secret = make_token(org.manager)
    token = db.session.scalar(select(AccessToken))
    token.revoked_at = token.created_at
    db.session.commit()
    assert get(client, secret, "/reports").status_code == 401
    auth.login("admin@example.se")  # the session cookie is never accepted
    assert client.get("/api/v1/reports").status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/periods/0", "/periods/99999", f"/periods/{2**31}", f"/periods/{2**63}", "/periods/-1",
     "/periods/x", "/reports/0", "/reports/99999", f"/reports/{2**63}", "/reports/1e3",
     f"/reports/{2**31}/snapshot", "/reports/99999/snapshot"],
)  # fmt: skip
def test_hostile_ids_are_404(org, frozen, client, path):
    response = get(client, make_token(org.admin), path)
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


def test_nothing_is_written_through_these_urls(org, frozen, client):
    p, first, second, bun = frozen
    secret = make_token(org.admin, "read_write")
    for path in ("/periods", f"/periods/{p.id}", "/reports", f"/reports/{first.id}"):
        response = client.post("/api/v1" + path, json={}, headers=bearer(secret))
        assert response.status_code == 405, path
    assert db.session.scalar(select(db.func.count()).select_from(FrozenReport)) == 3


def test_pages_links_and_etag(org, frozen, client):
    p, first, second, bun = frozen
    secret = make_token(org.manager)
    body = get(client, secret, "/reports?per_page=2").get_json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["items"]) == 2
    rest = client.get(body["links"]["next"], headers=bearer(secret)).get_json()
    assert len(rest["items"]) == 1 and rest["links"]["next"] is None
    assert {r["id"] for r in body["items"] + rest["items"]} == {first.id, second.id, bun.id}
    assert get(client, secret, "/reports?page=9").get_json()["items"] == []
    for path in ("/reports", f"/reports/{first.id}", "/periods", f"/periods/{p.id}"):
        response = get(client, secret, path)
        etag = response.headers["ETag"]
        assert get(client, secret, path, **{"If-None-Match": etag}).status_code == 304, path
    # A correction changes the first version's page (its list of versions) and the archive.
    etag = get(client, secret, f"/reports/{first.id}").headers["ETag"]
    freeze(org, p, reason="Ännu en rättelse", expected={org.committees[0].id: 2})
    db.session.commit()
    changed = get(client, secret, f"/reports/{first.id}", **{"If-None-Match": etag})
    assert changed.status_code == 200 and len(changed.get_json()["versions"]) == 3


def test_problems_in_the_users_language(org, frozen, client):
    secret = make_token(org.manager)
    response = get(client, secret, "/reports/99999", **{"Accept-Language": "en"})
    assert response.get_json()["title"] == "Not found"
    response = get(client, secret, "/reports/99999", **{"Accept-Language": "sv"})
    assert response.get_json()["title"] != "Not found"


def test_queries_do_not_grow_with_reports(org, app, client, count_queries):
    secret = make_token(org.admin)
    get(client, secret, "/principles")  # notes the token's last use
    counts = []
    for n, name in ((1, "Tertial 1 2026"), (4, "Tertial 2 2026")):
        start, end = ("2026-01-01", "2026-04-30") if n == 1 else ("2026-05-01", "2026-08-31")
        p = period(org, name, start, end)
        for k in range(n):
            initiative(org, f"Initiativ {name} {k}")
            freeze(org, p, reason="" if k == 0 else "Rättelse", expected={org.committees[0].id: k})
            freeze(org, p, committee=org.committees[1], reason="" if k == 0 else "Rättelse",
                   expected={org.committees[1].id: k})  # fmt: skip
        db.session.commit()
        row = []
        for path in ("/reports", "/periods", f"/periods/{p.id}"):
            with count_queries() as counter:
                assert get(client, secret, path).status_code == 200
            row.append(counter.count)
        report = db.session.scalar(select(FrozenReport).order_by(FrozenReport.id.desc()))
        with count_queries() as counter:
            assert get(client, secret, f"/reports/{report.id}").status_code == 200
        row.append(counter.count)
        counts.append(row)
    assert counts[0] == counts[1]


def test_the_description_and_docs_page_name_the_new_resources(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = ["/periods", "/periods/{period_id}", "/reports", "/reports/{report_id}"]
    for path in [*paths, "/reports/{report_id}/snapshot"]:
        assert "get" in spec["paths"]["/api/v1" + path], path
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/reports/{report_id}/snapshot" in html and "ReportPage" in html
