"""Sign-in with the municipality's account in a real browser, against a real OpenID provider.

The browser clicks the button on /login, signs in on the provider's own pages, comes back signed
in with the role the provider's app roles map to, and signs out at both ends. axe-core checks the
sign-in page with the button, the admin's sign-in page and the error page in both languages.
"""

from __future__ import annotations

import os
import threading
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, text
from werkzeug.serving import make_server

from tracker import create_app
from tracker.config import normalise_database_url
from tracker.extensions import db
from tracker.models import AuditEvent, Role, User

from .. import factories
from ..oidc_support import CLIENT_ID, CLIENT_SECRET, OpenIDProvider
from .conftest import CHROMIUM_ARGS, _QuietHandler  # noqa: F401
from .helpers import assert_no_axe_violations, login

pytestmark = pytest.mark.browser


class _Later:
    """A WSGI app set after the server has its port (the provider must know the callback URL
    before the application is configured with the provider's address)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sso-live-server")
    wsgi = _Later()
    server = make_server("127.0.0.1", 0, wsgi, threaded=True, request_handler=_QuietHandler)
    base = f"http://127.0.0.1:{server.server_port}"
    try:  # skipped without the provider's npm packages: the listening socket is closed first
        provider = OpenIDProvider(tmp, [base + "/login/oidc/callback"], [base + "/login"])
    except BaseException:
        server.server_close()
        raise
    postgres_url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    database_url = (
        normalise_database_url(postgres_url) if postgres_url else f"sqlite:///{tmp / 'sso.sqlite3'}"
    )
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-sso-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "OIDC_DISCOVERY_URL": provider.discovery_url,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "PASSWORD_LOGIN": "admins",
        }
    )
    app.instance_path = str(tmp / "instance")
    with app.app_context():
        if postgres_url:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        org = factories.make_org()
        db.session.commit()
        emails = {
            "admin": org.admin.email,
            "manager": org.manager.email,
            "other_manager": org.other_manager.email,
        }
        db.session.remove()
    wsgi.app = app
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield base, app, provider, emails
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        provider.stop()
        with app.app_context():
            db.session.remove()
            if postgres_url:
                db.drop_all()
            db.engine.dispose()


@pytest.fixture
def sso_page(browser, sso_server):
    base = sso_server[0]
    context = browser.new_context(base_url=base)
    context.set_default_timeout(30_000)
    # The provider's development pages import a web font; there is no network here.
    context.route("https://fonts.googleapis.com/**", lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


def _sign_in_at_provider(page, login_name: str) -> None:
    page.get_by_role("button", name="Logga in med kommunens konto").click()
    page.wait_for_url(lambda url: "/interaction/" in url)
    page.fill("input[name='login']", login_name)
    page.fill("input[name='password']", "whatever the provider accepts")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    if "/interaction/" in page.url and page.get_by_role("button", name="Continue").count():
        page.get_by_role("button", name="Continue").click()


def test_click_the_button_sign_in_at_the_provider_land_signed_in(sso_page, sso_server):
    base, app, provider, emails = sso_server
    provider.set_account(
        "cecilia-oid", email=emails["manager"], email_verified=True, name="Cecilia", roles=["admin"]
    )
    page = sso_page
    page.goto("/login?next=/admin/sign-in")
    # By keyboard: the button is the first thing to reach in the main content after the skip link.
    button = page.get_by_role("button", name="Logga in med kommunens konto")
    button.focus()
    assert page.evaluate("document.activeElement.id") == "sso-button"
    _sign_in_at_provider(page, "cecilia-oid")
    page.wait_for_url(base + "/admin/sign-in")
    # Signed in with the role the app role maps to: an admin sees the administration.
    assert page.get_by_role("heading", name="Inloggning med kommunens konton").is_visible()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == emails["manager"]))
        assert user.role == Role.ADMIN
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "auth.sso_login"))

    # The admin keeps the mapping table in the browser: add a group, see it, remove it.
    page.fill("#group_id", "0c6f0f1e-5f3c-4a53-9d8e-2f3b1c7a9e10")
    page.select_option("#role", "management")
    page.get_by_role("button", name="Lägg till gruppen").click()
    page.wait_for_load_state()
    assert page.get_by_role("row", name="0c6f0f1e-5f3c-4a53-9d8e-2f3b1c7a9e10").is_visible()
    assert page.get_by_text("Gruppen har lagts till.").is_visible()
    assert_no_axe_violations(page, "admin sign-in page with a group (sv)")

    # Sign out: here, then at the provider (RP-initiated logout), and back to our sign-in page.
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(lambda url: urlsplit(url).port == provider.port)
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(lambda url: url.startswith(base + "/login"))
    assert page.get_by_text("Du är utloggad.").is_visible()
    page.goto("/account")
    assert urlsplit(page.url).path == "/login"


def test_break_glass_password_only_for_admins(sso_page, sso_server):
    base, _app, _provider, emails = sso_server
    page = sso_page
    response = login(page, emails["other_manager"])  # a manager: the provider, not a password
    assert response.status == 401
    assert urlsplit(page.url).path == "/login"
    response = login(page, emails["admin"])
    assert response.status in (302, 303) and urlsplit(page.url).path != "/login"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_axe_on_the_sign_in_page_with_the_button(sso_page, lang):
    sso_page.goto(f"/login?lang={lang}")
    assert sso_page.locator("#sso-button").is_visible()
    assert_no_axe_violations(sso_page, f"login with SSO ({lang})")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_axe_on_the_error_page(sso_page, lang):
    sso_page.goto(f"/login?lang={lang}")
    response = sso_page.goto("/login/oidc/callback?code=forged&state=forged")
    assert response.status == 400
    expected = "kunde inte slutföras" if lang == "sv" else "could not be completed"
    assert expected in sso_page.locator("h1").inner_text()
    assert_no_axe_violations(sso_page, f"SSO error page ({lang})")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_axe_on_the_admin_sign_in_page(sso_page, sso_server, lang):
    sso_page.goto(f"/login?lang={lang}")
    assert login(sso_page, sso_server[3]["admin"]).status in (302, 303)
    sso_page.goto("/admin/sign-in")
    assert_no_axe_violations(sso_page, f"admin sign-in page ({lang})")
    # A wrong entry: the error summary and the message beside the field, the input kept.
    sso_page.fill("#group_id", "has spaces in it")
    sso_page.locator("form[action$='/sign-in/groups'] button[type='submit']").click()
    sso_page.wait_for_load_state()
    assert sso_page.locator("#error-summary").is_visible()
    assert sso_page.input_value("#group_id") == "has spaces in it"
    assert_no_axe_violations(sso_page, f"admin sign-in page with an error ({lang})")
