"""Sign-in with the municipality's accounts (OpenID Connect), against a real provider.

The provider is the npm package oidc-provider, started by the ``provider`` fixture on 127.0.0.1
(see tests/oidc_support.py). What a real provider will not do on request (a stranger's signature,
another audience, an expired token, another nonce, no ID token, nonsense discovery) comes from the
small ``MisbehavingProvider`` in this process, through the same flow.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tracker.config import ConfigError
from tracker.extensions import db
from tracker.models import AuditEvent, Role, SsoGroupRole, SsoSettings, User, UserIdentity

from . import factories
from .conftest import csrf_from
from .oidc_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    MisbehavingProvider,
    OpenIDProvider,
    free_port,
)

CALLBACK = "http://localhost/login/oidc/callback"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    provider = OpenIDProvider(
        tmp_path_factory.mktemp("openid-provider"), [CALLBACK], ["http://localhost/login"]
    )
    yield provider
    provider.stop()


def oidc_config(discovery_url: str, **extra) -> dict:
    return {
        "OIDC_DISCOVERY_URL": discovery_url,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_TIMEOUT_SECONDS": 5,
        **extra,
    }


@pytest.fixture
def app_config(app_config, provider, request):
    marker = request.node.get_closest_marker("oidc_config")
    extra = marker.kwargs if marker else {}
    return {**app_config, **oidc_config(provider.discovery_url, **extra)}


@pytest.fixture
def other_app(app_config):
    """``other_app(**config)``: another application on the same database, e.g. configured for
    another provider; its engine is disposed afterwards (PostgreSQL connections left open would
    warn in a later test)."""
    from tracker import create_app

    from .conftest import IsolatedClient

    made = []

    def make(base=None, **config):
        application = create_app({**(app_config if base is None else base), **config})
        application.test_client_class = IsolatedClient
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def start(client, next_path: str = ""):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login/oidc", data={"csrf_token": token, "next": next_path})
    return response


def sso_sign_in(client, provider, login: str, next_path: str = ""):
    started = start(client, next_path)
    assert started.status_code == 302, started.get_data(as_text=True)[:500]
    back = provider.authenticate(started.headers["Location"], login, CALLBACK)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def refusal_reasons() -> list[str]:
    return [e.changes.get("reason") for e in events("auth.sso_refused")]


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


# --- the sign-in page ---------------------------------------------------------------------------


def test_sign_in_page_offers_the_municipality_account(client, org):
    html = client.get("/login").get_data(as_text=True)
    assert "Logga in med kommunens konto" in html
    assert 'action="/login/oidc"' in html and 'name="password"' in html
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in with the municipality" in english and "account</button>" in english


@pytest.mark.oidc_config(OIDC_BUTTON_LABEL="Logga in med Nykvarns konto")
def test_the_button_label_is_configurable(client, org):
    assert "Logga in med Nykvarns konto" in client.get("/login").get_data(as_text=True)


def test_no_button_without_configuration(app_config, org, other_app):
    plain = {k: v for k, v in app_config.items() if not k.startswith("OIDC_")}
    app = other_app(plain)
    html = app.test_client().get("/login").get_data(as_text=True)
    assert "/login/oidc" not in html
    assert app.test_client().post("/login/oidc").status_code in (400, 404)


def test_the_start_is_a_post_with_csrf(client, org):
    assert client.get("/login/oidc").status_code == 405
    assert client.post("/login/oidc", data={}).status_code == 400


def test_the_redirect_uses_pkce_state_and_nonce(client, provider, org):
    response = start(client)
    location = urlsplit(response.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert location.geturl().startswith(provider.issuer + "/auth")
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
    assert query["redirect_uri"] == CALLBACK and query["client_id"] == CLIENT_ID
    assert "openid" in query["scope"].split()


def test_the_csp_lets_the_forms_reach_the_provider(client, provider, org):
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer}" in csp
    assert "script-src 'self'" in csp and "object-src 'none'" in csp


# --- the whole flow -----------------------------------------------------------------------------


def test_a_known_user_is_linked_by_verified_email_and_gets_the_mapped_role(client, provider, org):
    provider.set_account(
        "cecilia",
        email="Chef@Example.se",
        email_verified=True,
        name="Cecilia",
        roles=["management"],
    )
    with client.session_transaction() as session:
        session["stale"] = "from before the sign-in"
    response = sso_sign_in(client, provider, "cecilia", next_path="/initiatives")
    assert response.status_code == 302 and response.headers["Location"] == "/initiatives"
    assert is_signed_in(client)
    with client.session_transaction() as session:
        assert "stale" not in session  # a new session, as at a password sign-in
    user = db.session.get(User, org.manager.id)
    db.session.refresh(user)
    assert user.role == Role.MANAGEMENT
    identity = db.session.scalar(select(UserIdentity).where(UserIdentity.user_id == user.id))
    assert (identity.issuer, identity.subject) == (provider.issuer, "cecilia")
    [event] = events("auth.sso_login")
    assert event.actor_id == user.id and event.changes["linked"] is True
    assert event.changes["role"] == "management" and event.changes["role_source"] == "app_roles"
    assert events("user.update")[0].changes["role"] == ["manager", "management"]


@pytest.mark.parametrize("password_hash", [None, "a one-time password"])
def test_a_sso_sign_in_is_not_held_up_by_a_password_change(client, provider, org, password_hash):
    """An imported account (no password) or one given a one-time password must change it before
    a PASSWORD sign-in goes on; signed in with the municipality's account there is no password
    to change, and nothing to hold the user at the password page."""
    from tracker.auth.passwords import hash_password

    user = db.session.get(User, org.manager.id)
    user.password_hash = hash_password(password_hash) if password_hash else None
    user.must_change_password = True
    db.session.commit()
    provider.set_account(
        "imported", email="chef@example.se", email_verified=True, roles=["manager"]
    )
    response = sso_sign_in(client, provider, "imported", next_path="/initiatives")
    assert response.headers["Location"] == "/initiatives"
    assert client.get("/initiatives").status_code == 200
    assert client.get("/").status_code == 200


@pytest.mark.oidc_config(PASSWORD_LOGIN="off")
def test_no_password_to_change_when_passwords_are_turned_off(client, provider, org):
    provider.set_account("cecilia", email="chef@example.se", email_verified=True, roles=["manager"])
    sso_sign_in(client, provider, "cecilia")
    assert 'href="/account/password"' not in client.get("/account").get_data(as_text=True)
    page = client.get("/account/password")
    assert page.status_code == 403
    assert "Lösenord används inte" in page.get_data(as_text=True)
    token = csrf_from(client.get("/account").get_data(as_text=True))
    posted = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": factories.PASSWORD,
            "new_password": "a brand new long password",
            "confirm_password": "a brand new long password",
        },
    )
    assert posted.status_code == 403
    assert not events("account.password_change")


@pytest.mark.parametrize(("left", "stored"), [("en", "sv"), ("sv", "en")])
def test_a_sso_sign_in_gets_the_users_stored_language(client, provider, org, left, stored):
    """As at a password sign-in: the language the last person left in this browser's session
    gives way to the user's own stored one."""
    org.manager.language = stored
    db.session.commit()
    provider.set_account(
        "sub-lang", email="chef@example.se", email_verified=True, roles=["manager"]
    )
    with client.session_transaction() as session:
        session["lang"] = left  # as a sign-out leaves it
    sso_sign_in(client, provider, "sub-lang")
    assert f'<html lang="{stored}">' in client.get("/account").get_data(as_text=True)


def test_a_language_chosen_on_the_sign_in_page_is_kept_at_a_sso_sign_in(client, provider, org):
    provider.set_account(
        "sub-lang", email="chef@example.se", email_verified=True, roles=["manager"]
    )
    client.get("/login?lang=en")  # Cecilia's stored language is Swedish
    sso_sign_in(client, provider, "sub-lang")
    assert '<html lang="en">' in client.get("/account").get_data(as_text=True)


def test_the_subject_counts_after_linking_not_the_email(client, provider, org):
    provider.set_account("sub-1", email="chef@example.se", email_verified=True, roles=["manager"])
    sso_sign_in(client, provider, "sub-1")
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))}
    )
    # The address changes in the directory; the same subject still finds the same account.
    provider.set_account(
        "sub-1", email="cecilia.new@example.se", email_verified=True, roles=["manager"]
    )
    sso_sign_in(client, provider, "sub-1")
    assert is_signed_in(client)
    assert events("auth.sso_login")[-1].actor_id == org.manager.id
    # Another subject with the linked address is not let into the same account.
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))}
    )
    provider.set_account("sub-2", email="chef@example.se", email_verified=True, roles=["admin"])
    response = sso_sign_in(client, provider, "sub-2")
    assert response.status_code == 403 and not is_signed_in(client)
    assert refusal_reasons() == ["email_linked_to_other_subject"]


def test_an_unverified_email_links_nothing(client, provider, org):
    provider.set_account("eve", email="admin@example.se", email_verified=False, roles=["admin"])
    response = sso_sign_in(client, provider, "eve")
    assert response.status_code == 403
    assert not is_signed_in(client)
    assert refusal_reasons() == ["no_verified_email"]
    assert db.session.scalar(select(UserIdentity.id)) is None


def test_an_unknown_user_is_refused_by_default(client, provider, org):
    provider.set_account("nobody", email="ny@example.se", email_verified=True, roles=["manager"])
    response = sso_sign_in(client, provider, "nobody")
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "systemförvaltare" in html
    assert not is_signed_in(client)
    assert db.session.scalar(select(User).where(User.email == "ny@example.se")) is None
    [event] = events("auth.sso_refused")
    assert event.changes["reason"] == "unknown_user" and event.changes["email"] == "ny@example.se"


def test_an_unknown_user_is_created_when_the_admin_allows_it(client, provider, org):
    db.session.add(SsoSettings(id=1, create_unknown_users=True))
    db.session.commit()
    provider.set_account(
        "ny", email="ny@example.se", email_verified=True, name="Nora Ny", roles=["manager"]
    )
    response = sso_sign_in(client, provider, "ny")
    assert response.status_code == 302 and is_signed_in(client)
    user = db.session.scalar(select(User).where(User.email == "ny@example.se"))
    assert (user.role, user.department_id, user.name) == (Role.MANAGER, None, "Nora Ny")
    assert user.password_hash is None
    assert events("user.create")[-1].changes["source"] == "sso"
    assert events("auth.sso_login")[-1].changes["created"] is True


def test_a_created_user_gets_the_department_of_the_mapped_group(client, provider, org):
    db.session.add(SsoSettings(id=1, create_unknown_users=True))
    school = org.departments[2]
    db.session.add(SsoGroupRole(group_id="grp-skola", role=Role.MANAGER, department=school))
    db.session.commit()
    provider.set_account(
        "rektor2", email="rektor2@example.se", email_verified=True, groups=["grp-skola", "x"]
    )
    assert sso_sign_in(client, provider, "rektor2").status_code == 302
    user = db.session.scalar(select(User).where(User.email == "rektor2@example.se"))
    assert (user.role, user.department_id) == (Role.MANAGER, school.id)


def test_the_role_is_brought_up_to_date_at_every_sign_in(client, provider, org):
    provider.set_account("ada", email="admin@example.se", email_verified=True, roles=["admin"])
    sso_sign_in(client, provider, "ada")
    assert client.get("/admin/users").status_code == 200
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))}
    )

    provider.set_account("ada", email="admin@example.se", email_verified=True, roles=["committee"])
    sso_sign_in(client, provider, "ada")
    assert client.get("/admin/users").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, org.admin.id).role == Role.COMMITTEE
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))}
    )

    # Removed from the app's roles: refused, and the account is not changed.
    provider.set_account("ada", email="admin@example.se", email_verified=True, roles=[])
    response = sso_sign_in(client, provider, "ada")
    assert response.status_code == 403 and not is_signed_in(client)
    assert "ingen roll" in response.get_data(as_text=True)
    assert refusal_reasons() == ["no_role"]
    assert events("auth.sso_refused")[0].actor_id == org.admin.id


def test_groups_mapped_by_the_admin_win_over_app_roles(client, provider, org):
    db.session.add(SsoGroupRole(group_id="g-ledning", role=Role.MANAGEMENT))
    db.session.add(SsoGroupRole(group_id="g-chefer", role=Role.MANAGER))
    db.session.commit()
    provider.set_account(
        "rolf",
        email="rektor@example.se",
        email_verified=True,
        roles=["manager"],
        groups=["g-chefer", "g-ledning", "unmapped"],
    )
    sso_sign_in(client, provider, "rolf")
    db.session.expire_all()
    user = db.session.get(User, org.other_manager.id)
    assert user.role == Role.MANAGEMENT
    assert user.department_id == org.departments[2].id  # no department in the mapping: kept
    assert events("auth.sso_login")[-1].changes["role_source"] == "groups"


OVERAGES = {
    "hasgroups": {"hasgroups": True},
    "_claim_names": {
        "_claim_names": {"groups": "src1"},
        "_claim_sources": {
            "src1": {"endpoint": "https://graph.example/v1.0/users/x/getMemberObjects"}
        },
    },
}


@pytest.mark.parametrize("overage", sorted(OVERAGES))
def test_a_groups_overage_falls_back_to_app_roles_and_is_logged(
    client, provider, org, caplog, overage
):
    db.session.add(SsoGroupRole(group_id="g-admins", role=Role.ADMIN))
    db.session.commit()
    # Entra ID: more than 200 groups, so none in the token, only "hasgroups" / "_claim_names".
    provider.set_account(
        "many",
        email="rektor@example.se",
        email_verified=True,
        roles=["committee"],
        **OVERAGES[overage],
    )
    with caplog.at_level(logging.WARNING, logger="tracker.auth.oidc"):
        sso_sign_in(client, provider, "many")
    assert "overage" in caplog.text
    db.session.expire_all()
    assert db.session.get(User, org.other_manager.id).role == Role.COMMITTEE
    event = events("auth.sso_login")[-1]
    assert event.changes["groups_overage"] is True and event.changes["role_source"] == "app_roles"


def test_a_deactivated_user_is_refused_whatever_the_provider_says(client, provider, org):
    org.manager.active = False
    db.session.commit()
    provider.set_account("cc", email="chef@example.se", email_verified=True, roles=["admin"])
    response = sso_sign_in(client, provider, "cc")
    assert response.status_code == 403 and not is_signed_in(client)
    assert "avaktiverat" in response.get_data(as_text=True)
    assert refusal_reasons() == ["deactivated"]
    db.session.expire_all()
    assert db.session.get(User, org.manager.id).role == Role.MANAGER


# --- what must not be trusted ---------------------------------------------------------------------


def test_a_wrong_state_is_refused(client, provider, org):
    provider.set_account("cecilia", email="chef@example.se", email_verified=True, roles=["manager"])
    started = start(client)
    back = provider.authenticate(started.headers["Location"], "cecilia", CALLBACK)
    query = parse_qs(urlsplit(back).query)
    response = client.get(
        "/login/oidc/callback", query_string={"code": query["code"][0], "state": "forged-state"}
    )
    assert response.status_code == 400
    assert "kunde inte slutföras" in response.get_data(as_text=True)
    assert not is_signed_in(client)
    assert refusal_reasons() == ["state_mismatch"]


def test_a_callback_without_a_started_sign_in_is_refused(client, org):
    response = client.get("/login/oidc/callback?code=abc&state=def")
    assert response.status_code == 400 and not is_signed_in(client)
    assert client.get("/login/oidc/callback").status_code == 400


def test_a_replayed_code_is_refused(client, provider, org):
    """An attacker who has the victim's callback URL and cookie from before the callback."""
    provider.set_account("cecilia", email="chef@example.se", email_verified=True, roles=["manager"])
    started = start(client)
    back = provider.authenticate(started.headers["Location"], "cecilia", CALLBACK)
    cookie_before = client.get_cookie("session").value
    parts = urlsplit(back)
    assert client.get(f"{parts.path}?{parts.query}").status_code == 302
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))}
    )
    client.set_cookie("session", cookie_before)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 400 and not is_signed_in(client)
    assert refusal_reasons() == ["token_refused"]
    assert "invalid_grant" in events("auth.sso_refused")[0].changes["detail"]


def test_an_error_from_the_provider_is_a_clear_page(client, provider, org, caplog):
    started = start(client)
    state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
    description = "<b>no</b>\nINFO forged log line"
    with caplog.at_level(logging.WARNING, logger="tracker.auth.oidc"):
        response = client.get(
            "/login/oidc/callback",
            query_string={
                "error": "access_denied",
                "error_description": description,
                "state": state,
            },
        )
    assert response.status_code == 403
    assert "<b>no</b>" not in response.get_data(as_text=True)
    assert refusal_reasons() == ["provider_refused"]
    assert "\nINFO forged" not in caplog.text and "forged log line" in caplog.text


@pytest.fixture
def misbehaving():
    provider = MisbehavingProvider()
    yield provider
    provider.stop()


@pytest.fixture
def bad_client(other_app, misbehaving):
    return other_app(**oidc_config(misbehaving.discovery_url)).test_client()


def misbehaving_sign_in(client):
    started = start(client)
    assert started.status_code == 302, started.get_data(as_text=True)[:300]
    # The misbehaving provider's authorization endpoint signs in at once and sends us back.
    import requests

    back = requests.get(started.headers["Location"], allow_redirects=False, timeout=5)
    parts = urlsplit(back.headers["Location"])
    return client.get(f"{parts.path}?{parts.query}")


def test_the_misbehaving_provider_is_accepted_when_it_behaves(bad_client, misbehaving, org):
    """The control: without a fault the same flow signs in (so the faults below are the cause)."""
    misbehaving.claims = {"email": "chef@example.se"}
    assert misbehaving_sign_in(bad_client).status_code == 302
    assert bad_client.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("fault", "setup"),
    [
        ("bad signature", {"sign_with": "stranger"}),
        ("wrong audience", {"claims": {"aud": "some-other-app"}}),
        ("several audiences, azp not ours", {"claims": {"aud": [CLIENT_ID, "x"], "azp": "x"}}),
        ("expired", {"claims": {"exp": 1_700_000_000, "iat": 1_699_999_000}}),
        ("wrong nonce", {"claims": {"nonce": "another-sign-in"}}),
        ("no nonce", {"claims": {"nonce": None}}),
        ("wrong issuer", {"claims": {"iss": "http://127.0.0.1:1/evil"}}),
        ("no subject", {"claims": {"sub": None}}),
        ("no id token", {"no_id_token": True}),
        ("issued in the future", {"claims": {"iat": 4_000_000_000, "exp": 4_000_000_600}}),
        ("no iat", {"claims": {"iat": None}}),
        ("no exp", {"claims": {"exp": None}}),
        ("one audience, azp not ours", {"claims": {"azp": "some-other-app"}}),
        ("unsigned (alg none)", {"sign_with": "none"}),
        (
            "unsigned, although the discovery offers none",
            {"sign_with": "none", "algorithms": ["RS256", "none"]},
        ),
        (
            "the client secret as an HMAC key, not offered",
            {"sign_with": "secret"},
        ),
    ],
)
def test_an_id_token_that_does_not_check_out_is_refused(bad_client, misbehaving, org, fault, setup):
    claims = setup.get("claims", {})
    misbehaving.claims = {"email": "chef@example.se", **claims}
    misbehaving.sign_with = setup.get("sign_with", "own")
    misbehaving.no_id_token = setup.get("no_id_token", False)
    misbehaving.algorithms = setup.get("algorithms", ["RS256"])
    response = misbehaving_sign_in(bad_client)
    assert response.status_code == 400, fault
    assert "kunde inte verifieras" in response.get_data(as_text=True), fault
    assert bad_client.get("/account").status_code != 200, fault
    assert refusal_reasons() in (["invalid_id_token"], ["no_id_token"]), fault
    assert not events("auth.sso_login")


# --- the provider down or talking nonsense --------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_provider_down_gives_a_clear_page(other_app, org, lang):
    down = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    client = other_app(**oidc_config(down)).test_client()
    client.get(f"/login?lang={lang}")
    response = start(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    expected = "kan inte nås" if lang == "sv" else "cannot be reached"
    assert expected in html and f'lang="{lang}"' in html
    assert refusal_reasons() == ["provider_unreachable"]
    # The password form still works (break-glass).
    assert 'name="password"' in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("discovery", ["html", "500", "wrong_issuer", "list", "null"])
def test_a_provider_answering_nonsense_gives_a_clear_page(bad_client, misbehaving, org, discovery):
    misbehaving.discovery = discovery
    response = start(bad_client)
    assert response.status_code in (502, 503)
    html = response.get_data(as_text=True)
    assert "inloggningstjänst" in html
    assert refusal_reasons()[0] in ("provider_bad_metadata", "provider_unreachable")


def test_a_provider_that_signs_with_no_usable_algorithm_gives_a_clear_page(
    bad_client, misbehaving, org
):
    misbehaving.algorithms = ["none"]
    response = start(bad_client)
    assert response.status_code == 502
    assert "inloggningstjänst" in response.get_data(as_text=True)
    assert refusal_reasons() == ["provider_bad_metadata"]


def test_the_provider_going_down_during_the_sign_in(bad_client, misbehaving, org):
    started = start(bad_client)
    import requests

    back = requests.get(started.headers["Location"], allow_redirects=False, timeout=5)
    misbehaving.stop()
    parts = urlsplit(back.headers["Location"])
    response = bad_client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 503 and bad_client.get("/account").status_code != 200
    misbehaving.stop = lambda: None  # already stopped


# --- password sign-in turned off, or for admins only ----------------------------------------------


def password_post(client, email):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token}
    )


@pytest.mark.oidc_config(PASSWORD_LOGIN="off")
def test_password_sign_in_turned_off(client, org):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="password"' not in html and "Logga in med kommunens konto" in html
    response = password_post(client, "admin@example.se")
    assert response.status_code == 403 and not is_signed_in(client)
    assert "Lösenord används inte" in response.get_data(as_text=True)
    assert events("auth.login_refused")[0].changes["reason"] == "password_login_off"
    assert not events("auth.login")


@pytest.mark.oidc_config(PASSWORD_LOGIN="admins")
def test_password_sign_in_for_admins_only(client, org):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="password"' in html and "systemförvaltare" in html
    response = password_post(client, "chef@example.se")
    assert response.status_code == 401 and not is_signed_in(client)
    assert events("auth.login_refused")[0].changes["reason"] == "password_login_admins"
    assert not events("auth.login")
    assert password_post(client, "admin@example.se").status_code == 302
    assert is_signed_in(client)


def test_password_login_off_needs_openid_connect(app_config):
    from tracker import create_app

    plain = {k: v for k, v in app_config.items() if not k.startswith("OIDC_")}
    with pytest.raises(ConfigError, match="needs OpenID Connect"):
        create_app({**plain, "PASSWORD_LOGIN": "off"})
    with pytest.raises(ConfigError, match="all, admins, off"):
        create_app({**app_config, "PASSWORD_LOGIN": "sometimes"})


# --- signing out ----------------------------------------------------------------------------------


def test_sign_out_also_signs_out_at_the_provider(client, provider, org):
    provider.set_account("cecilia", email="chef@example.se", email_verified=True, roles=["manager"])
    sso_sign_in(client, provider, "cecilia")
    token = csrf_from(client.get("/account").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})
    location = urlsplit(response.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert (
        f"{location.scheme}://{location.netloc}{location.path}"
        == provider.metadata()["end_session_endpoint"]
    )
    identity = db.session.scalar(select(UserIdentity))
    assert query["id_token_hint"] == identity.last_id_token
    assert query["post_logout_redirect_uri"] == "http://localhost/login"
    assert not is_signed_in(client)
    assert events("auth.logout")


def test_sign_out_without_an_end_session_endpoint_is_local(bad_client, misbehaving, org):
    misbehaving.claims = {"email": "chef@example.se"}
    assert misbehaving_sign_in(bad_client).status_code == 302
    token = csrf_from(bad_client.get("/account").get_data(as_text=True))
    response = bad_client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert bad_client.get("/account").status_code != 200


def test_entra_vouches_for_an_address_with_xms_edov(app):
    from tracker.auth.oidc import SignIn
    from tracker.auth.oidc_services import verified_email

    entra = "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"

    def sign_in(issuer, **claims):
        return SignIn(issuer=issuer, subject="s", claims=claims, id_token="t")

    assert verified_email(sign_in(entra, email="A@Kommun.se", xms_edov=True)) == "a@kommun.se"
    assert verified_email(sign_in(entra, email="a@kommun.se")) is None
    assert (
        verified_email(sign_in("https://idp.example", email="a@kommun.se", xms_edov=True)) is None
    )
    assert (
        verified_email(sign_in("https://idp.example", email="a@x.se", email_verified="true"))
        is None
    )
    assert (
        verified_email(sign_in("https://idp.example", email=["a@x.se"], email_verified=True))
        is None
    )


def test_a_password_user_signs_out_locally_only(client, auth, org):
    auth.login("chef@example.se")
    response = auth.logout()
    assert response.headers["Location"] == "/login"


def test_failed_callbacks_are_throttled_per_address(client, org):
    limit = 4 * client.application.config["LOGIN_FAILURES_PER_MINUTE"]
    for _ in range(limit):
        assert client.get("/login/oidc/callback?code=x&state=y").status_code == 400
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 429
    assert len(refusal_reasons()) == limit


def test_configuration_from_the_environment(monkeypatch, provider, other_app, app_config, org):
    plain = {k: v for k, v in app_config.items() if not k.startswith("OIDC_")}
    monkeypatch.setenv("TRACKER_OIDC_DISCOVERY_URL", provider.discovery_url)
    monkeypatch.setenv("TRACKER_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("TRACKER_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("TRACKER_OIDC_SCOPES", "openid email profile offline_access")
    monkeypatch.setenv("TRACKER_OIDC_BUTTON_LABEL", "Logga in med Nykvarn-ID")
    monkeypatch.setenv("TRACKER_PASSWORD_LOGIN", "admins")
    client = other_app(plain).test_client()
    html = client.get("/login").get_data(as_text=True)
    assert "Logga in med Nykvarn-ID" in html and "systemförvaltare" in html
    response = start(client)
    scope = parse_qs(urlsplit(response.headers["Location"]).query)["scope"][0]
    assert scope.split() == ["openid", "email", "profile", "offline_access"]
