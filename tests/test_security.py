"""Headers, CSRF, cookies and error handling (ASVS 3.3, 3.4, 3.5, 16.5)."""

import pytest

from tracker.extensions import db
from tracker.security import CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/login", "/accessibility", "/healthz", "/no-such-page"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_no_inline_script_or_style(org, client, auth):
    auth.login("admin@example.se")
    for path in ("/login", "/dashboard", "/accessibility"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html
        assert " style=" not in html and "<style" not in html
        for line in html.splitlines():
            if "<script" in line:
                assert "src=" in line


@pytest.mark.parametrize("path", ["/accessibility", "/no-such-page"])
def test_a_page_anyone_may_read_sets_no_cookie(org, client, auth, path):
    """Read without signing in, the accessibility statement (linked from the public pages) and
    an error page make no session; signed in, the page carries the token htmx sends."""
    response = client.get(path)
    assert "Set-Cookie" not in response.headers, response.headers
    assert "X-CSRFToken" not in response.get_data(as_text=True)
    auth.login("chef@example.se")
    assert "X-CSRFToken" in client.get(path).get_data(as_text=True)


def test_session_cookie_flags(org, client, auth):
    response = auth.login("chef@example.se")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_cookie_sent_over_https_is_secure_even_without_the_setting(org, client):
    """Served over HTTPS (a proxy that TRACKER_TRUSTED_PROXIES trusts says so) but without
    TRACKER_HTTPS, HSTS is sent; the session cookie must not travel in clear text either."""
    response = client.get("/login?lang=en", base_url="https://localhost")
    assert "Strict-Transport-Security" in response.headers
    [cookie] = response.headers.getlist("Set-Cookie")
    assert "; Secure" in cookie and "HttpOnly" in cookie
    plain = client.get("/login?lang=sv")
    assert "; Secure" not in plain.headers["Set-Cookie"]  # plain HTTP: a Secure cookie is lost


def test_https_cookies_and_hsts(app_config, tmp_path):
    from tracker import create_app

    app = create_app({**app_config, "HTTPS": True})
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/login", base_url="https://localhost")
    assert "max-age" in response.headers["Strict-Transport-Security"]
    with app.app_context():
        db.engine.dispose()  # this second app's pool would otherwise outlive the test


def test_post_without_csrf_token_is_refused_with_a_friendly_page(org, client):
    response = client.post("/login", data={"email": "chef@example.se", "password": "x" * 20})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Formuläret har gått ut" in html
    assert "Traceback" not in html


def test_csrf_failure_for_htmx_is_a_fragment(client):
    response = client.post("/login", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    assert "<html" not in response.get_data(as_text=True)


def test_secret_key_required_outside_tests_and_demo(monkeypatch, tmp_path):
    from tracker import create_app
    from tracker.config import ConfigError

    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    demo = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": False}, demo=True)
    assert demo.config["SECRET_KEY"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TRACKER_STALE_DAYS", ""),
        ("TRACKER_STALE_DAYS", "trettio"),
        ("TRACKER_STALE_DAYS", "0"),
        ("TRACKER_STALE_DAYS", "-3"),
        ("TRACKER_STALE_DAYS", "1.5"),
        ("TRACKER_MAIL_SECURITY", "bogus"),
    ],
)
def test_values_that_would_break_every_request_are_refused_at_start(monkeypatch, variable, value):
    """A bad number of days (it once gave a 500 on every page, the error page too) or mail
    security (it once failed only when the reminders were sent) stops the start with a message
    that names the variable."""
    from tracker import create_app
    from tracker.config import ConfigError

    monkeypatch.setenv("TRACKER_SECRET_KEY", "x" * 32)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": False})


def test_a_secret_key_of_digits_is_text(monkeypatch):
    """The environment's values are read as JSON: a key of digits is a number there, and every
    signed cookie failed with it."""
    from tracker import create_app

    monkeypatch.setenv("TRACKER_SECRET_KEY", "123456789012345678901234567890")
    monkeypatch.setenv("TRACKER_STALE_DAYS", "45")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": False})
    assert app.config["SECRET_KEY"] == "123456789012345678901234567890"
    assert app.config["STALE_DAYS"] == 45
    with app.test_request_context("/"):
        from flask import session

        session["x"] = 1
        response = app.make_response("ok")
        app.session_interface.save_session(app, session, response)
        assert "session=" in response.headers["Set-Cookie"]


def test_htmx_request_without_session_gets_hx_redirect(client):
    response = client.get("/dashboard", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")
