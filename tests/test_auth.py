"""Sign-in, sign-out, sessions and throttling (ASVS 6.1, 6.3, 7.2–7.4)."""

import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tracker.auth.passwords import needs_rehash, verify_password
from tracker.extensions import db
from tracker.models import AuditEvent, User

from .factories import PASSWORD


def test_login_page_renders_in_swedish(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Logga in" in html


def test_every_page_needs_sign_in(client):
    for path in ("/", "/dashboard"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_and_out(org, client, auth):
    response = auth.login("chef@example.se")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_email_is_case_insensitive(org, auth):
    assert auth.login("  CHEF@Example.SE ").status_code == 302


@pytest.mark.parametrize(
    "email,password", [("chef@example.se", "wrong password!!"), ("nobody@example.se", PASSWORD)]
)
def test_unknown_account_and_wrong_password_get_the_same_answer(org, auth, email, password):
    response = auth.login(email, password)
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "E-postadressen eller lösenordet är fel." in html
    assert email.split("@")[0] in html  # the e-mail is kept
    assert password not in html  # the password is not


def test_failed_and_successful_sign_ins_are_audited(org, auth):
    auth.login("chef@example.se", "wrong password!!")
    auth.login("chef@example.se")
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["auth.login_failed", "auth.login"]
    failed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login_failed"))
    assert failed.changes == {"email": "chef@example.se"}
    assert failed.remote_addr == "127.0.0.1"


def test_inactive_user_cannot_sign_in(org, auth):
    org.manager.active = False
    db.session.commit()
    assert auth.login("chef@example.se").status_code == 401


def test_sign_out_ends_the_session_on_the_server(org, app, client, auth):
    auth.login("chef@example.se")
    with client.session_transaction() as session:
        stolen = dict(session)
    auth.logout()
    # Replaying the old cookie does not bring the session back.
    with client.session_transaction() as session:
        session.update(stolen)
    assert client.get("/").status_code == 302


def test_deactivation_ends_sessions(org, client, auth):
    auth.login("chef@example.se")
    assert client.get("/").status_code == 200
    user = db.session.get(User, org.manager.id)
    user.active = False
    user.end_sessions()
    db.session.commit()
    assert client.get("/").status_code == 302


def test_new_session_at_sign_in(org, client, auth):
    client.get("/login?lang=en")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login("chef@example.se")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"  # chosen on the sign-in page: kept


def _page_language(client) -> str:
    html = client.get("/account").get_data(as_text=True)
    return html[html.index('<html lang="') + 12 :].split('"', 1)[0]


def test_the_next_user_on_the_browser_gets_their_own_language(org, client, auth):
    """The language one user chose (in Mitt konto or with ?lang=) does not carry over to the
    next person who signs in on the same browser: they get their own stored language."""
    auth.login(org.manager.email)
    token = auth.csrf_token("/accessibility")
    client.post("/account", data={"csrf_token": token, "name": "Cecilia", "language": "en"})
    assert _page_language(client) == "en"
    auth.logout()
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)  # still hers
    auth.login(org.management.email)  # stored language: Swedish
    assert _page_language(client) == "sv"
    auth.logout()
    client.get("/login?lang=en")  # chosen on the sign-in page, signed out: kept at sign-in
    auth.login(org.management.email)
    assert _page_language(client) == "en"
    auth.logout()
    auth.login(org.management.email)  # the last session's English is not a choice of hers
    assert _page_language(client) == "sv"
    auth.logout()
    auth.login(org.manager.email)  # back to the first user: her English
    assert _page_language(client) == "en"


def test_without_a_stored_language_the_sign_in_pages_is_kept(org, client, auth):
    org.management.language = ""  # (no valid preference stored)
    db.session.commit()
    client.get("/login?lang=en")
    auth.login(org.management.email)
    assert _page_language(client) == "en"


def test_idle_time_out(org, app, client, auth):
    auth.login("chef@example.se")
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - idle - 5
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_absolute_time_out(org, app, client, auth):
    auth.login("chef@example.se")
    absolute = app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - absolute - 5
    assert client.get("/").status_code == 302


def test_throttled_per_account(org, client, auth):
    for _ in range(5):
        assert auth.login("chef@example.se", "wrong password!!").status_code == 401
    response = auth.login("chef@example.se")  # even the right password waits now
    assert response.status_code == 429
    assert "För många försök" in response.get_data(as_text=True)


def test_throttled_per_address(org, client, auth):
    for n in range(5):
        auth.login(f"nobody{n}@example.se", "wrong password!!")
    assert auth.login("someone-else@example.se", "wrong password!!").status_code == 429


def test_successful_sign_ins_are_not_throttled(org, client, auth):
    for _ in range(7):
        assert auth.login("chef@example.se").status_code == 302


def test_next_is_followed_only_within_the_site(org, client, auth):
    token = auth.csrf_token()
    data = {"email": "chef@example.se", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data={**data, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    auth.logout()
    token = auth.csrf_token()
    response = client.post("/login", data={**data, "csrf_token": token, "next": "/dashboard"})
    assert response.headers["Location"] == "/dashboard"


def test_passwords_are_argon2id_and_rehashed(org, auth):
    user = db.session.get(User, org.manager.id)
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)
    weak = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)
    assert needs_rehash(weak)
    user.password_hash = weak
    db.session.commit()
    auth.login("chef@example.se")
    db.session.refresh(user)
    assert not needs_rehash(user.password_hash)
    assert verify_password(user.password_hash, PASSWORD)


def test_logout_needs_post(org, client, auth):
    auth.login("chef@example.se")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
