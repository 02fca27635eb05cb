"""The JSON API: tokens, rights per role and scope, paging, ETags, problems, limits, audit."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker.api import tokens
from tracker.extensions import db
from tracker.models import AccessToken, AuditEvent, Initiative, StatusUpdate, utcnow

from . import factories

ROLES = ("admin", "management", "committee", "manager")


def make_token(user, scope="read", days=30):
    new = tokens.create_token(
        user, name=f"test {scope}", scope=scope, expires_on=tokens.local_today() + timedelta(days)
    )
    db.session.commit()
    return new.secret


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def portfolio(org):
    it, hr, school = org.departments
    a = factories.make_initiative(org.manager, principles=org.principles[:2], updates=2)
    b = factories.make_initiative(org.other_manager, school, principles=org.principles[2:])
    db.session.commit()
    return a, b


# --- tokens ----------------------------------------------------------------------------------


def test_token_is_prefixed_checksummed_and_stored_as_digest(org):
    secret = make_token(org.manager)
    assert secret.startswith("ipf_") and len(secret) == 50 and tokens.well_formed(secret)
    stored = db.session.scalar(select(AccessToken))
    assert stored.digest == tokens.digest(secret) and secret not in stored.hint + stored.digest
    broken = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert not tokens.well_formed(broken)


def test_expiry_at_most_a_year(org):
    with pytest.raises(tokens.TokenError):
        tokens.create_token(
            org.manager,
            name="x",
            scope="read",
            expires_on=tokens.local_today() + timedelta(days=366),
        )
    with pytest.raises(tokens.TokenError):
        tokens.create_token(
            org.manager, name="x", scope="read", expires_on=tokens.local_today() - timedelta(1)
        )
    with pytest.raises(tokens.TokenError):
        tokens.create_token(org.manager, name="x", scope="admin", expires_on=tokens.local_today())


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_with_a_token(org, portfolio, client, role):
    secret = make_token(org.user(role))
    response = client.get("/api/v1/initiatives", headers=bearer(secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["total"] == 2 and len(body["items"]) == 2
    for path in ("/principles", "/committees", "/departments", "/decisions", "/dashboard"):
        assert client.get("/api/v1" + path, headers=bearer(secret)).status_code == 200
    one = client.get(f"/api/v1/initiatives/{portfolio[0].id}", headers=bearer(secret)).get_json()
    assert {link["principle"] for link in one["principle_links"]} == {"tillganglighet", "trygghet"}


def test_token_last_used_is_recorded(org, client):
    secret = make_token(org.manager)
    client.get("/api/v1/principles", headers=bearer(secret))
    token = db.session.scalar(select(AccessToken))
    db.session.refresh(token)
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ipf_nonsense",
        "Bearer ipf_" + "A" * 46,
        "Bearer " + "x" * 5000,
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Token abc",
        "Bearer ipf_\u00e5\u00e4\u00f6",
    ],
)
def test_malformed_tokens_are_refused(org, client, header):
    response = client.get("/api/v1/initiatives", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_expired_and_revoked_tokens_are_refused_and_audited(org, client):
    secret = make_token(org.manager)
    token = db.session.scalar(select(AccessToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/principles", headers=bearer(secret)).status_code == 401
    other = make_token(org.manager)
    tokens.revoke(
        org.manager,
        db.session.scalar(select(AccessToken.id).where(AccessToken.digest == tokens.digest(other))),
    )
    db.session.commit()
    assert client.get("/api/v1/principles", headers=bearer(other)).status_code == 401
    reasons = [
        e.changes["reason"]
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "api_token.refused")
        )
    ]
    assert sorted(reasons) == ["expired", "revoked"]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"api_token.create", "api_token.revoke"} <= actions


def test_deactivated_users_token_is_refused(org, client):
    secret = make_token(org.manager)
    org.manager.active = False
    db.session.commit()
    assert client.get("/api/v1/principles", headers=bearer(secret)).status_code == 401


def test_session_cookie_is_refused(org, client, auth):
    auth.login("admin@example.se")
    assert client.get("/initiatives").status_code == 200  # the browser session works there
    response = client.get("/api/v1/initiatives")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "Set-Cookie" not in response.headers
    # Nor does a write with the cookie and a CSRF token get anywhere.
    response = client.post("/api/v1/initiatives/1/updates", json={})
    assert response.status_code == 401


def test_no_cookie_is_set_by_the_api(org, client):
    secret = make_token(org.manager)
    response = client.get("/api/v1/principles?lang=en", headers=bearer(secret))
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


# --- committee scope -------------------------------------------------------------------------


def test_committee_reader_sees_only_their_committee(org, portfolio, client):
    ks, bun = org.committees
    org.committee_reader.committee_id = bun.id
    db.session.commit()
    secret = make_token(org.committee_reader)
    body = client.get("/api/v1/initiatives", headers=bearer(secret)).get_json()
    assert [i["id"] for i in body["items"]] == [portfolio[1].id] and body["total"] == 1
    assert (
        client.get(f"/api/v1/initiatives/{portfolio[0].id}", headers=bearer(secret)).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/initiatives/{portfolio[0].id}/updates", headers=bearer(secret)
        ).status_code
        == 404
    )
    dashboard = client.get("/api/v1/dashboard", headers=bearer(secret)).get_json()
    assert dashboard["totals"]["total"] == 1
    assert [c["short_name"] for c in dashboard["committees"]] == ["BUN"]


def test_committee_reader_sees_only_their_committees_decisions(org, portfolio, client):
    from datetime import date

    from tracker.models import DecisionKind
    from tracker.portfolio.decisions import DecisionData, record_decision

    ks, bun = org.committees
    for initiative in portfolio:
        record_decision(
            org.management,
            initiative,
            DecisionData(date(2026, 1, 1), "Ledningsgruppen", DecisionKind.PRIORITISE),
        )
    org.committee_reader.committee_id = bun.id
    db.session.commit()
    reader = client.get("/api/v1/decisions", headers=bearer(make_token(org.committee_reader)))
    assert [d["initiative_id"] for d in reader.get_json()["items"]] == [portfolio[1].id]
    everyone = client.get("/api/v1/decisions", headers=bearer(make_token(org.management)))
    assert everyone.get_json()["total"] == 2


def test_made_up_tokens_are_limited_per_address(org, app, client):
    app.config["API_ADDRESS_RATE_LIMIT"] = "3/minute"
    codes = [
        client.get("/api/v1/principles", headers=bearer(tokens.generate_secret())).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_filters_are_the_portfolios(org, portfolio, client):
    secret = make_token(org.admin)
    get = lambda q: client.get("/api/v1/initiatives" + q, headers=bearer(secret))  # noqa: E731
    assert get("?department=GRS").get_json()["total"] == 1
    assert get("?committee=KS").get_json()["total"] == 1
    assert get("?principle=effektivitet").get_json()["total"] == 1
    assert get("?status=idea&status=in_progress").status_code == 200
    response = get("?committee=NOPE")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    # Each refused filter is named by its parameter, as every other parameter is.
    for name in ("committee", "department", "principle"):
        [error] = get(f"?{name}=NOPE").get_json()["errors"]
        assert error["field"] == name and "NOPE" in error["message"], error
    assert get("?status=flying").status_code == 422
    assert get("?q=%00").status_code == 422
    assert get("?page=0").status_code == 422
    assert get("?per_page=100000").status_code == 422


# --- writes ----------------------------------------------------------------------------------

UPDATE = {"status": "in_progress", "health": "at_risk", "progress": 40, "happened": "Klart"}


def test_read_token_cannot_write(org, portfolio, client):
    secret = make_token(org.manager, "read")
    response = client.post(
        f"/api/v1/initiatives/{portfolio[0].id}/updates", json=UPDATE, headers=bearer(secret)
    )
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    # The scope is checked before the body is read: a read token is told so whatever it sent.
    for path in (
        f"/api/v1/initiatives/{portfolio[0].id}/updates",
        "/api/v1/benefits/1/measurements",
    ):
        response = client.post(path, json={"unknown": 1}, headers=bearer(secret))
        assert response.status_code == 403, (path, response.get_data(as_text=True))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.denied"))


def test_a_write_sent_as_something_other_than_json_is_415(org, portfolio, client):
    """A body sent as a form or as text is not read as no fields at all ("required" for each):
    the answer says to send JSON."""
    secret = make_token(org.manager, "read_write")
    path = f"/api/v1/initiatives/{portfolio[0].id}/updates"
    for kwargs in ({"data": UPDATE}, {"data": json.dumps(UPDATE), "content_type": "text/plain"}):
        response = client.post(path, headers=bearer(secret), **kwargs)
        assert response.status_code == 415, response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["type"].endswith("unsupported-media-type")
    ok = client.post(path, headers=bearer(secret), json=UPDATE)
    assert ok.status_code == 201


def test_owner_posts_an_update_through_the_service(org, portfolio, client):
    secret = make_token(org.manager, "read_write")
    initiative = portfolio[0]
    response = client.post(
        f"/api/v1/initiatives/{initiative.id}/updates",
        json={**UPDATE, "version": initiative.version},
        headers=bearer(secret),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["health"] == "at_risk"
    db.session.refresh(initiative)
    assert initiative.progress == 40
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "initiative.status_update")
    )


@pytest.mark.parametrize("role", ["management", "committee"])
def test_readers_cannot_post_even_with_a_write_token(org, portfolio, client, role):
    secret = make_token(org.user(role), "read_write")
    response = client.post(
        f"/api/v1/initiatives/{portfolio[0].id}/updates", json=UPDATE, headers=bearer(secret)
    )
    assert response.status_code == 403


def test_other_manager_cannot_post(org, portfolio, client):
    secret = make_token(org.other_manager, "read_write")
    response = client.post(
        f"/api/v1/initiatives/{portfolio[0].id}/updates", json=UPDATE, headers=bearer(secret)
    )
    assert response.status_code == 403


def test_stale_version_is_409_with_current_state(org, portfolio, client):
    secret = make_token(org.manager, "read_write")
    initiative = portfolio[0]
    initiative.version = 3
    db.session.commit()
    response = client.post(
        f"/api/v1/initiatives/{initiative.id}/updates",
        json={**UPDATE, "version": 2},
        headers=bearer(secret),
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["current"]["version"] == 3 and body["current"]["id"] == initiative.id
    assert db.session.scalar(select(StatusUpdate).where(StatusUpdate.progress == 40)) is None


def test_if_match_with_an_old_etag_is_409(org, portfolio, client):
    secret = make_token(org.manager, "read_write")
    url = f"/api/v1/initiatives/{portfolio[0].id}"
    etag = client.get(url, headers=bearer(secret)).headers["ETag"]
    first = client.post(url + "/updates", json=UPDATE, headers={**bearer(secret), "If-Match": etag})
    assert first.status_code == 201
    again = client.post(url + "/updates", json=UPDATE, headers={**bearer(secret), "If-Match": etag})
    assert again.status_code == 409


def test_if_match_is_the_initiatives_state_not_the_language_or_host_it_was_read_in(
    org, portfolio, client
):
    """The ETag read in English (or through another host name) names the same state as the one
    a write in Swedish compares with: no false conflict. The two languages still get two ETags
    for their two bodies, so If-None-Match answers each with its own."""
    secret = make_token(org.manager, "read_write")
    url = f"/api/v1/initiatives/{portfolio[0].id}"
    english = client.get(url, headers={**bearer(secret), "Accept-Language": "en"})
    swedish = client.get(url, headers={**bearer(secret), "Accept-Language": "sv"})
    assert english.headers["ETag"] != swedish.headers["ETag"]
    again = client.get(url, headers={**bearer(secret), "Accept-Language": "en",
                                     "If-None-Match": english.headers["ETag"]})  # fmt: skip
    assert again.status_code == 304
    headers = {**bearer(secret), "Accept-Language": "sv", "If-Match": english.headers["ETag"]}
    response = client.post(
        url + "/updates", json=UPDATE, headers=headers, base_url="http://x.example"
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    # Now the state has changed: the English ETag is out of date in any language.
    headers["Accept-Language"] = "en"
    assert client.post(url + "/updates", json=UPDATE, headers=headers).status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {},
        {**UPDATE, "progress": 101},
        {**UPDATE, "progress": "lots"},
        {**UPDATE, "status": "flying"},
        {**UPDATE, "owner_id": 1},
        {**UPDATE, "happened": "x" * 5001},
        {**UPDATE, "happened": "a\x00b"},
        {**UPDATE, "version": 10**30},
        [],
        "text",
    ],
)
def test_bad_bodies_are_422_never_5xx(org, portfolio, client, body):
    secret = make_token(org.manager, "read_write")
    response = client.post(
        f"/api/v1/initiatives/{portfolio[0].id}/updates", json=body, headers=bearer(secret)
    )
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "text", ["Klart \u202eemit i", "a\u2066b\u2069", "a\u200fb", "a\ue000b", "a\x85b"]
)
def test_invisible_and_direction_characters_are_refused_as_in_the_forms(
    org, portfolio, client, text
):
    secret = make_token(org.manager, "read_write")
    url = f"/api/v1/initiatives/{portfolio[0].id}/updates"
    for field in ("happened", "next_steps"):
        response = client.post(url, json={**UPDATE, field: text}, headers=bearer(secret))
        assert response.status_code == 422, response.get_data(as_text=True)
        assert "Styrtecken är inte tillåtna." in response.get_data(as_text=True)
    assert db.session.scalar(select(StatusUpdate).where(StatusUpdate.progress == 40)) is None
    soft_hyphen = {**UPDATE, "happened": "Verksamhets\u00adutveckling \U0001f469\u200d\U0001f4bb"}
    assert client.post(url, json=soft_hyphen, headers=bearer(secret)).status_code == 201


def test_the_description_states_the_text_rule_the_api_keeps(client):
    """A client learns from the description which characters text may not hold: the categories
    it names are the ones the validators refuse, and the characters it allows are allowed."""
    from tracker.validators import _ALLOWED_FORMAT, _FORBIDDEN_CATEGORIES

    info = client.get("/api/v1/openapi.json").get_json()["info"]["description"]
    rule = next(p for p in info.split("\n\n") if "control character" in p)
    named = set(re.search(r"categories ([^)]*)\)", rule).group(1).replace(" and", ",").split(", "))
    assert named == set(_FORBIDDEN_CATEGORIES)
    assert "soft hyphen" in rule and "zero-width joiner and non-joiner" in rule
    assert {"\u00ad", "\u200d", "\u200c"} == _ALLOWED_FORMAT
    page = client.get("/api/v1/docs", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "styrtecken eller något annat osynligt tecken" in page


def test_not_json_and_huge_ids(org, portfolio, client):
    secret = make_token(org.manager, "read_write")
    response = client.post(
        f"/api/v1/initiatives/{portfolio[0].id}/updates",
        data="status=done",
        headers={**bearer(secret), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (400, 415, 422)
    assert client.get(f"/api/v1/initiatives/{10**20}", headers=bearer(secret)).status_code == 404
    assert client.get("/api/v1/nothing", headers=bearer(secret)).status_code == 404
    assert client.get("/api/v1/nothing").mimetype == "application/problem+json"
    assert client.delete("/api/v1/principles", headers=bearer(secret)).status_code == 405


# --- language, ETags, paging, limits ---------------------------------------------------------


def test_problems_speak_the_users_language(org, client):
    response = client.get("/api/v1/initiatives", headers={"Accept-Language": "en"})
    assert response.get_json()["title"] == "Authentication required"
    response = client.get("/api/v1/initiatives")
    assert response.get_json()["title"] == "Inloggning krävs"
    secret = make_token(org.manager)
    org.manager.language = "en"
    db.session.commit()
    response = client.get("/api/v1/initiatives?status=flying", headers=bearer(secret))
    assert response.status_code == 422 and response.get_json()["title"] == "Check what you sent"
    response = client.get(
        "/api/v1/initiatives?status=flying", headers={**bearer(secret), "Accept-Language": "sv"}
    )
    assert response.get_json()["title"] == "Kontrollera det du skickade"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({**UPDATE, "owner_id": 1}, "owner_id", "Okänt fält."),
        ({**UPDATE, "happened": "x" * 5001}, "happened", "Högst 5000 tecken."),
        ({**UPDATE, "version": 10**30}, "version", "Ange ett heltal från 0 till 2147483647."),
        ({**UPDATE, "version": -1}, "version", "Ange ett heltal från 0 till 2147483647."),
        ([], "_schema", "Skicka ett JSON-objekt."),
        ("text", "_schema", "Skicka ett JSON-objekt."),
        ({**UPDATE, "progress": 1.5}, "progress", "Ange ett heltal."),
        ({**UPDATE, "progress": True}, "progress", "Ange ett heltal."),
    ],
)
def test_every_field_problem_speaks_swedish_and_nothing_is_cut_down(
    org, portfolio, client, body, field, message
):
    """Not one of marshmallow's English defaults in a Swedish answer, and a number that is not
    whole (1.5, true) is refused rather than saved as 1."""
    secret = make_token(org.manager, "read_write")
    response = client.post(
        f"/api/v1/initiatives/{portfolio[0].id}/updates",
        json=body,
        headers={**bearer(secret), "Accept-Language": "sv"},
    )
    assert response.status_code == 422
    assert {"field": field, "message": message} in response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(StatusUpdate)) == 2


@pytest.mark.parametrize("data", [b"{x", b'{"status": "idea",', b"\xff\xfe{}"])
def test_a_body_that_is_not_json_is_told_in_swedish(org, portfolio, client, data):
    """Not webargs' English "Invalid JSON body." in a Swedish answer."""
    secret = make_token(org.manager, "read_write")
    response = client.post(
        f"/api/v1/initiatives/{portfolio[0].id}/updates",
        data=data,
        headers={**bearer(secret), "Content-Type": "application/json", "Accept-Language": "sv"},
    )
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["errors"] == [{"field": "body", "message": "Innehållet är inte giltig JSON."}]
    assert "Invalid" not in response.get_data(as_text=True)
    english = client.post(
        f"/api/v1/initiatives/{portfolio[0].id}/updates",
        data=data,
        headers={**bearer(secret), "Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert english.get_json()["errors"][0]["message"] == "The body is not valid JSON."


def test_etag_and_if_none_match(org, portfolio, client):
    secret = make_token(org.manager)
    first = client.get("/api/v1/initiatives", headers=bearer(secret))
    etag = first.headers["ETag"]
    again = client.get("/api/v1/initiatives", headers={**bearer(secret), "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    portfolio[0].title = "Nytt namn"
    db.session.commit()
    changed = client.get("/api/v1/initiatives", headers={**bearer(secret), "If-None-Match": etag})
    assert changed.status_code == 200


def test_pages_and_links(org, client):
    for _ in range(7):
        factories.make_initiative(org.manager)
    db.session.commit()
    secret = make_token(org.manager)
    body = client.get("/api/v1/initiatives?per_page=3&page=2", headers=bearer(secret))
    data = body.get_json()
    assert data["total"] == 7 and data["pages"] == 3 and len(data["items"]) == 3
    assert "page=3" in data["links"]["next"] and "page=1" in data["links"]["prev"]
    assert 'rel="next"' in body.headers["Link"]
    seen = set()
    url = "/api/v1/initiatives?per_page=3"
    while url:
        page = client.get(url, headers=bearer(secret)).get_json()
        seen |= {i["id"] for i in page["items"]}
        url = page["links"]["next"]
    assert len(seen) == 7
    beyond = client.get("/api/v1/initiatives?per_page=3&page=9", headers=bearer(secret))
    assert beyond.status_code == 200 and beyond.get_json()["items"] == []


def test_rate_limit_per_token_with_retry_after(org, app, client):
    app.config["API_RATE_LIMIT"] = "3/minute"
    secret = make_token(org.manager)
    other = make_token(org.admin)
    codes = [client.get("/api/v1/principles", headers=bearer(secret)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/principles", headers=bearer(secret))
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.mimetype == "application/problem+json"
    assert client.get("/api/v1/principles", headers=bearer(other)).status_code == 200
    # One count for the whole API: another endpoint is no way round it.
    assert client.get("/api/v1/committees", headers=bearer(secret)).status_code == 429


def test_the_write_limit_is_per_token_across_the_write_endpoints(org, app, client, portfolio):
    """Writes are counted per token, whatever the endpoint, never per address: integrations
    behind one proxy do not share one allowance."""
    app.config["API_WRITE_RATE_LIMIT"] = "2/minute"
    mine, admins = make_token(org.manager, "read_write"), make_token(org.admin, "read_write")
    path = f"/api/v1/initiatives/{portfolio[0].id}/updates"
    body = {"status": "bogus"}  # refused (422), but counted as a write all the same
    codes = [client.post(path, json=body, headers=bearer(mine)).status_code for _ in range(3)]
    assert codes == [422, 422, 429]
    measurements = "/api/v1/benefits/1/measurements"
    assert client.post(measurements, json={}, headers=bearer(mine)).status_code == 429
    # Another token from the same address has its own allowance.
    assert client.post(path, json=body, headers=bearer(admins)).status_code == 422


def test_openapi_is_3_1_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/initiatives" in spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_the_description_is_built_on_first_use_as_flask_smorest_would(app, app_config, monkeypatch):
    """``TrackerApi`` builds the OpenAPI description when it is first asked for, once per
    application: byte for byte what flask-smorest's eager ``Api`` (the class before) serves, as
    openapi.json, on the documentation page and from ``flask openapi print``."""
    import re

    import flask_smorest

    import tracker.api as api_module
    from tracker import create_app
    from tracker.api.schemas import ProblemSchema

    class EagerApi(flask_smorest.Api):
        ERROR_SCHEMA = ProblemSchema
        DEFAULT_ERROR_RESPONSE_NAME = None

        def _register_error_handlers(self):
            return None

    assert app.extensions["tracker-openapi"]["spec"] is None, "built by create_app"
    monkeypatch.setattr(api_module, "api", EagerApi())
    eager_app = create_app(app_config)
    monkeypatch.undo()

    def served(application) -> tuple[bytes, str, str]:
        with application.app_context():
            client = application.test_client()
            spec = client.get("/api/v1/openapi.json")
            assert spec.status_code == 200
            docs = client.get("/api/v1/docs").get_data(as_text=True)
            printed = application.test_cli_runner().invoke(args=["openapi", "print"]).output
        return spec.data, re.sub(r'"X-CSRFToken": "[^"]+"', "", docs), printed

    lazy = served(app)
    assert app.extensions["tracker-openapi"]["spec"] is not None
    assert lazy == served(eager_app)
    assert b'"/api/v1/initiatives/{initiative_id}"' in lazy[0] and "/api/v1/initiatives" in lazy[1]
    # Each application its own description, from its own configuration.
    renamed = create_app({**app_config, "API_TITLE": "Another title"})
    with renamed.app_context():
        assert renamed.test_client().get("/api/v1/openapi.json").json["info"]["title"] == (
            "Another title"
        )
    assert served(app) == lazy
    for other in (eager_app, renamed):  # their pools' connections, closed now, not at GC
        with other.app_context():
            db.engine.dispose()


def test_docs_page_is_served_with_own_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/api/v1/initiatives" in html and "<script>" not in html and "style=" not in html
    assert "https://" not in html.split("<main", 1)[0]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_docs_page_speaks_the_readers_language(org, client, auth):
    """The documentation is reached from My account: it follows the language the reader chose
    in the app or their own, like every page, and still sets no cookie and signs nobody in."""
    assert "<h1>API-dokumentation</h1>" in client.get("/api/v1/docs").get_data(as_text=True)
    english = client.get("/api/v1/docs", headers={"Accept-Language": "en"})
    assert "<h1>API documentation</h1>" in english.get_data(as_text=True)
    org.manager.language = "en"
    db.session.commit()
    auth.login("chef@example.se")
    response = client.get("/api/v1/docs", headers={"Accept-Language": "sv"})
    assert "<h1>API documentation</h1>" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert {"Cookie", "Accept-Language"} <= set(response.vary)
    assert "private" in response.headers["Cache-Control"]
    client.get("/account?lang=sv")  # chosen in the app for this session
    assert "<h1>API-dokumentation</h1>" in client.get("/api/v1/docs").get_data(as_text=True)
    assert "<h1>API documentation</h1>" in client.get("/api/v1/docs?lang=en").text
    # The session gives the API itself nothing.
    assert client.get("/api/v1/initiatives").status_code == 401


# --- queries per list ------------------------------------------------------------------------


def _queries(org, client, count_queries, secret, n, path):
    for _ in range(n):
        initiative = factories.make_initiative(org.manager, principles=org.principles, updates=2)
        db.session.add(initiative)
    db.session.commit()
    with count_queries() as counter:
        assert client.get(path, headers=bearer(secret)).status_code == 200
    return counter.count


@pytest.mark.parametrize(
    "path", ["/api/v1/initiatives", "/api/v1/decisions", "/api/v1/dashboard", "/api/v1/departments"]
)
def test_queries_per_list_do_not_grow_with_data(org, app, client, count_queries, path):
    app.config["FIGURES_CACHE"] = False
    secret = make_token(org.admin)
    client.get("/api/v1/principles", headers=bearer(secret))  # notes the token's last use
    small = _queries(org, client, count_queries, secret, 3, path)
    large = _queries(org, client, count_queries, secret, 30, path)
    assert small == large


def test_updates_list_queries_constant(org, app, client, count_queries):
    secret = make_token(org.admin)
    client.get("/api/v1/principles", headers=bearer(secret))  # notes the token's last use
    few = factories.make_initiative(org.manager, updates=2)
    many = factories.make_initiative(org.manager, updates=40)
    db.session.commit()
    counts = []
    for initiative in (few, many):
        with count_queries() as counter:
            response = client.get(
                f"/api/v1/initiatives/{initiative.id}/updates", headers=bearer(secret)
            )
            assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert db.session.scalar(select(Initiative.id).where(Initiative.id == many.id))


def test_dashboard_attention_from_the_cache_twice(org, client):
    """The figures cache keeps records of an earlier request; the API must not trip on them."""
    from tracker.models import Health, Status

    factories.make_initiative(
        org.manager,
        principles=org.principles[:1],
        status=Status.IN_PROGRESS,
        health=Health.OFF_TRACK,
        updates=1,
    )
    db.session.commit()
    secret = make_token(org.management)
    for _ in range(2):
        response = client.get("/api/v1/dashboard", headers=bearer(secret))
        assert response.status_code == 200
        attention = response.get_json()["attention"]
        assert attention and attention[0]["principles"] == ["tillganglighet"]


def test_dashboard_attention_after_the_web_dashboard_cached_it(org, client, auth):
    """The web page caches the figures with initiatives it loaded for its own table (their
    principles not loaded); the API, asked next for the same figures, shows the initiatives as
    loaded now."""
    from tracker.models import Health, Status

    factories.make_initiative(
        org.manager,
        principles=org.principles[:2],
        status=Status.IN_PROGRESS,
        health=Health.OFF_TRACK,
        updates=1,
    )
    secret = make_token(org.management)
    db.session.commit()
    auth.login(org.management.email)
    assert client.get("/dashboard").status_code == 200
    auth.logout()
    db.session.remove()  # the next request's session, as in another request of the worker
    response = client.get("/api/v1/dashboard", headers=bearer(secret))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    attention = response.get_json()["attention"]
    assert [a["principles"] for a in attention] == [["tillganglighet", "trygghet"]]
