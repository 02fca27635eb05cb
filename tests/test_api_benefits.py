"""The API's benefits: every role and token scope, the committee scope (404), the portfolio's
filters, figures as on the pages, registering a measurement through the browser's service with
its rules (422 naming each), hostile ids and bodies, paging, ETags and constant queries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.benefits import services
from tracker.benefits.services import MeasurementData
from tracker.exports.services import local_today
from tracker.extensions import db
from tracker.models import AuditEvent, Measurement, Status

from . import factories
from .test_api import ROLES, bearer, make_token
from .test_benefits import _data


def today():
    from zoneinfo import ZoneInfo

    return local_today(ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def benefits(org):
    """A KS benefit (owner: the manager; benefit owner: the other manager) with two
    measurements, one corrected; and a BUN benefit without measurements."""
    it, hr, school = org.departments
    ks_item = factories.make_initiative(org.manager, principles=org.principles[:1], updates=1)
    bun_item = factories.make_initiative(org.other_manager, school, updates=1)
    ks = services.create_benefit(
        org.manager, ks_item, _data(org.other_manager.id, principle_ids=[org.principles[0].id])
    )
    first = services.add_measurement(
        org.manager, ks, MeasurementData(Decimal("20"), date(2025, 6, 1)), today()
    )
    services.add_measurement(
        org.manager,
        ks,
        MeasurementData(Decimal("25.5"), date(2025, 6, 1), "Fel i underlaget", first.id),
        today(),
    )
    bun = services.create_benefit(
        org.other_manager, bun_item, _data(org.other_manager.id, title="Färre samtal")
    )
    db.session.commit()
    return ks, bun


def get(client, secret, path, **headers):
    return client.get("/api/v1" + path, headers={**bearer(secret), **headers})


def post(client, secret, benefit_id, body, **headers):
    return client.post(
        f"/api/v1/benefits/{benefit_id}/measurements",
        json=body,
        headers={**(bearer(secret) if secret else {}), **headers},
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", ["read", "read_write"])
def test_every_role_and_scope_reads_benefits(org, benefits, client, role, scope):
    ks, bun = benefits
    secret = make_token(org.user(role), scope)
    body = get(client, secret, "/benefits").get_json()
    assert body["total"] == 2
    by_id = {b["id"]: b for b in body["items"]}
    item = by_id[ks.id]
    assert item["latest_value"] == "25.5000" and item["latest_measured_on"] == "2025-06-01"
    assert item["baseline_value"] == "12.0000" and item["target_value"] == "70.0000"
    assert item["percent"] == 23 and item["state"] in ("behind", "on_track")
    assert item["committee"] == "KS" and item["department"] == "IT"
    assert item["owner"] == org.other_manager.name and item["principles"] == ["tillganglighet"]
    assert by_id[bun.id]["state"] == "not_measured" and by_id[bun.id]["latest_value"] is None
    one = get(client, secret, f"/benefits/{ks.id}").get_json()
    assert [(m["value"], m["standing"]) for m in one["measurements"]] == [
        ("20.0000", False),
        ("25.5000", True),
    ]
    old, correction = one["measurements"]
    assert old["corrected_by_id"] == correction["id"] and correction["corrects_id"] == old["id"]
    assert correction["comment"] == "Fel i underlaget"
    assert one["direction"] == "higher" and one["frequency"] == "quarterly"


def test_figures_are_the_pages(org, benefits, client, auth):
    """The share and state the API gives are the ones the benefit page shows."""
    ks, _bun = benefits
    body = get(client, make_token(org.admin), f"/benefits/{ks.id}").get_json()
    auth.login("admin@example.se")
    page = client.get(f"/benefits/{ks.id}").get_data(as_text=True)
    assert f"{body['percent']} % av vägen" in page and body["state_label"] in page


def test_the_portfolios_filters(org, benefits, client):
    ks, bun = benefits
    secret = make_token(org.admin)
    ids = lambda q: [b["id"] for b in get(client, secret, "/benefits" + q).get_json()["items"]]  # noqa: E731
    assert ids("?committee=KS") == [ks.id]
    assert ids("?department=GRS") == [bun.id]
    assert ids("?principle=tillganglighet") == [ks.id]  # the benefit's principles
    assert ids("?principle=effektivitet") == []
    ks.initiative.status = Status.PAUSED
    db.session.commit()
    assert ids("?status=paused") == [ks.id] and ids("?status=cancelled") == []
    assert ids("?q=zzzz-nothing") == []
    for bad in ("?committee=NOPE", "?status=flying", "?q=%00", "?page=0", "?per_page=201",
                "?stale=maybe", "?principle=nope"):  # fmt: skip
        response = get(client, secret, "/benefits" + bad)
        assert response.status_code == 422, bad
        assert response.mimetype == "application/problem+json"


def test_a_committee_reader_sees_only_their_committees_benefits(org, benefits, client):
    ks, bun = benefits
    org.committee_reader.committee_id = org.committees[1].id  # BUN
    db.session.commit()
    secret = make_token(org.committee_reader, "read_write")
    body = get(client, secret, "/benefits").get_json()
    assert [b["id"] for b in body["items"]] == [bun.id] and body["total"] == 1
    response = get(client, secret, f"/benefits/{ks.id}")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    # Outside the scope a write is a 404 too: the id tells nothing.
    assert post(client, secret, ks.id, {"value": 1, "measured_on": "2026-01-01"}).status_code == 404
    assert (
        post(client, secret, bun.id, {"value": 1, "measured_on": "2026-01-01"}).status_code == 403
    )


@pytest.mark.parametrize("role", ["admin", "management", "committee", "limited", "manager"])
def test_the_summary_is_the_pages_rollup(org, benefits, client, role):
    from tracker.benefits import overview
    from tracker.portfolio.filters import PortfolioFilter

    user = org.user("committee" if role == "limited" else role)
    if role == "limited":
        user.committee_id = org.committees[1].id
        db.session.commit()
    body = get(client, make_token(user), "/benefits/summary").get_json()

    view = overview.build(user, PortfolioFilter(), 30, today(), "sv")
    assert body["totals"]["total"] == view.totals.total == (1 if role == "limited" else 2)
    assert body["totals"]["by_state"] == {k.value: v for k, v in view.totals.by_state.items()}
    assert [d["key"] for d in body["departments"]] == [r.key for r in view.by_department]
    assert [p["key"] for p in body["principles"]] == [r.key for r in view.by_principle]
    if role != "limited":
        [principle] = body["principles"]
        assert principle["key"] == "tillganglighet" and principle["average_percent"] == 23
    filtered = get(client, make_token(user), "/benefits/summary?department=GRS").get_json()
    assert filtered["totals"]["total"] == 1
    assert get(client, make_token(user), "/benefits/summary?committee=NOPE").status_code == 422


# --- registering a measurement -----------------------------------------------------------------

GOOD = {"value": "31,5", "measured_on": "2026-01-15", "comment": "Från e-tjänsten"}


@pytest.mark.parametrize("who", ["manager", "other_manager", "admin"])
def test_the_owners_and_the_benefit_owner_measure(org, benefits, client, who):
    ks, _bun = benefits
    secret = make_token(getattr(org, who), "read_write")
    response = post(client, secret, ks.id, GOOD)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["value"] == "31.5000" and body["standing"] is True
    assert response.headers["Location"].endswith(f"/api/v1/benefits/{ks.id}")
    saved = db.session.get(Measurement, body["id"])
    assert saved.value == Decimal("31.5") and saved.author_id == getattr(org, who).id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "benefit.measure"))
    latest = get(client, secret, f"/benefits/{ks.id}").get_json()
    assert latest["latest_value"] == "31.5000"


@pytest.mark.parametrize("value", [31.5, 31, "31.5", "1 234,5", "−3"])
def test_numbers_as_json_or_as_typed(org, benefits, client, value):
    ks, _bun = benefits
    response = post(client, make_token(org.manager, "read_write"), ks.id, {**GOOD, "value": value})
    assert response.status_code == 201, response.get_data(as_text=True)


def test_a_correction_needs_a_reason_and_a_standing_measurement(org, benefits, client):
    ks, _bun = benefits
    secret = make_token(org.manager, "read_write")
    one = get(client, secret, f"/benefits/{ks.id}").get_json()
    old, standing = one["measurements"]
    response = post(client, secret, ks.id, {"value": 26, "measured_on": "2025-06-01",
                                            "corrects_id": standing["id"]})  # fmt: skip
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["comment"]
    response = post(client, secret, ks.id, {"value": 26, "measured_on": "2025-06-01",
                                            "corrects_id": old["id"], "comment": "x"})  # fmt: skip
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["corrects_id"]
    fixed = {"corrects_id": standing["id"], "comment": "Rättat"}
    response = post(client, secret, ks.id, {"value": 26, "measured_on": "2025-06-01", **fixed})
    assert response.status_code == 201 and response.get_json()["corrects_id"] == standing["id"]


def test_every_broken_rule_is_named_at_once(org, benefits, client):
    ks, _bun = benefits
    secret = make_token(org.manager, "read_write")
    future = (today() + timedelta(days=2)).isoformat()
    response = post(client, secret, ks.id, {"value": "1e20", "measured_on": future})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["value"]
    response = post(
        client, secret, ks.id, {"value": 1, "measured_on": future, "comment": "x" * 5001}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.get_json()["errors"]} == {"measured_on", "comment"}
    response = post(client, secret, ks.id, {"value": 1, "measured_on": "2024-12-31"})
    assert [e["field"] for e in response.get_json()["errors"]] == ["measured_on"]
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 2


@pytest.mark.parametrize(
    "body",
    [{}, [], "text", {"value": 1}, {"measured_on": "2026-01-01"},
     {**GOOD, "value": None}, {**GOOD, "value": True}, {**GOOD, "value": [1]},
     {**GOOD, "value": "tolv"}, {**GOOD, "value": "1,23456"}, {**GOOD, "value": "NaN"},
     {**GOOD, "value": "Infinity"}, {**GOOD, "measured_on": "1 januari"},
     {**GOOD, "measured_on": "2026-02-30"}, {**GOOD, "comment": "a\x00b"},
     {**GOOD, "corrects_id": 0}, {**GOOD, "corrects_id": 2**63}, {**GOOD, "corrects_id": "x"},
     {**GOOD, "author_id": 1}, {**GOOD, "indicator_id": 1}],
)  # fmt: skip
def test_bad_bodies_are_422_never_5xx(org, benefits, client, body):
    ks, _bun = benefits
    response = post(client, make_token(org.manager, "read_write"), ks.id, body)
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 2


def test_a_read_token_and_readers_cannot_measure(org, benefits, client):
    ks, _bun = benefits
    response = post(client, make_token(org.manager, "read"), ks.id, GOOD)
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.denied"))
    for user in (org.management, org.committee_reader):
        assert post(client, make_token(user, "read_write"), ks.id, GOOD).status_code == 403
    # A manager who neither keeps the initiative nor owns the benefit may not either.
    stranger = factories.make_user(email="annan@example.se", department=org.departments[1])
    db.session.commit()
    assert post(client, make_token(stranger, "read_write"), ks.id, GOOD).status_code == 403
    assert post(client, None, ks.id, GOOD).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 2


def test_no_measuring_after_cancelling_is_not_a_rule_but_no_due_date(org, benefits, client):
    """Measuring may go on (the service allows it); a cancelled initiative has nothing due."""
    ks, _bun = benefits
    ks.initiative.status = Status.CANCELLED
    db.session.commit()
    body = get(client, make_token(org.admin), f"/benefits/{ks.id}").get_json()
    assert body["next_due"] is None and body["overdue"] is False


@pytest.mark.parametrize(
    "path",
    ["/benefits/0", "/benefits/99999", f"/benefits/{2**31}", f"/benefits/{2**63}",
     "/benefits/-1", "/benefits/x"],
)  # fmt: skip
def test_hostile_ids_are_404(org, benefits, client, path):
    secret = make_token(org.admin, "read_write")
    response = get(client, secret, path)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    response = client.post(f"/api/v1{path}/measurements", json=GOOD, headers=bearer(secret))
    assert response.status_code == 404


def test_pages_links_and_etag(org, benefits, client):
    ks, bun = benefits
    secret = make_token(org.manager)
    body = get(client, secret, "/benefits?per_page=1").get_json()
    assert body["total"] == 2 and body["pages"] == 2 and len(body["items"]) == 1
    rest = client.get(body["links"]["next"], headers=bearer(secret)).get_json()
    assert {body["items"][0]["id"], rest["items"][0]["id"]} == {ks.id, bun.id}
    assert get(client, secret, "/benefits?page=5").get_json()["items"] == []
    for path in ("/benefits", f"/benefits/{ks.id}"):
        etag = get(client, secret, path).headers["ETag"]
        assert get(client, secret, path, **{"If-None-Match": etag}).status_code == 304
    etag = get(client, secret, f"/benefits/{ks.id}").headers["ETag"]
    post(client, make_token(org.manager, "read_write"), ks.id, GOOD)
    assert get(client, secret, f"/benefits/{ks.id}", **{"If-None-Match": etag}).status_code == 200


def test_queries_do_not_grow_with_benefits_and_measurements(org, app, client, count_queries):
    secret = make_token(org.admin)
    get(client, secret, "/principles")  # notes the token's last use

    def add(n):
        for _ in range(n):
            item = factories.make_initiative(org.manager, principles=org.principles, updates=1)
            b = services.create_benefit(
                org.manager, item, _data(org.manager.id, principle_ids=[org.principles[0].id])
            )
            for k in range(3):
                services.add_measurement(
                    org.manager, b, MeasurementData(Decimal(20 + k), date(2025, 3, 1 + k)), today()
                )
        db.session.commit()

    counts = []
    for n in (2, 15):
        add(n)
        with count_queries() as counter:
            assert get(client, secret, "/benefits?per_page=200").status_code == 200
        listed = counter.count
        last = db.session.scalar(select(Measurement).order_by(Measurement.id.desc()))
        benefit_id = last.indicator.benefit_id
        with count_queries() as counter:
            assert get(client, secret, f"/benefits/{benefit_id}").status_code == 200
        one = counter.count
        with count_queries() as counter:
            assert get(client, secret, "/benefits/summary").status_code == 200
        counts.append((listed, one, counter.count))
    assert counts[0] == counts[1]


def test_the_description_and_docs_page_name_the_new_resources(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "get" in spec["paths"]["/api/v1/benefits"]
    assert "get" in spec["paths"]["/api/v1/benefits/summary"]
    assert "post" in spec["paths"]["/api/v1/benefits/{benefit_id}/measurements"]
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/benefits/{benefit_id}/measurements" in html and "NewMeasurement" in html


def test_a_number_too_large_names_the_bounds(org, benefits, client):
    ks, _bun = benefits
    secret = make_token(org.manager, "read_write")
    for value in (10**20, "-" + "9" * 20):
        response = post(client, secret, ks.id, {**GOOD, "value": value})
        assert response.status_code == 422
        [error] = response.get_json()["errors"]
        assert error["field"] == "value"
        assert error["message"].startswith("Ange ett tal mellan −99\u00a0999\u00a0999"), error
