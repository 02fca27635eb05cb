"""Fixtures for the browser tests: a live server with a small portfolio, headless Chromium.

One Chromium for the whole session, one live server (and database) per module, a fresh browser
context per test. Each role signs in once through the real form; later tests reuse its cookies.

Chromium is Debian's, at /usr/bin/chromium (never a downloaded browser). Without it the browser
tests are skipped, unless TRACKER_REQUIRE_BROWSER=1 (as in CI), when they fail instead.
Set TRACKER_TEST_DATABASE_URL to run the live server against PostgreSQL, like the other tests.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text
from werkzeug.serving import WSGIRequestHandler, make_server

from tracker import create_app
from tracker.config import normalise_database_url
from tracker.extensions import db
from tracker.models import Health, Status

from .. import factories
from .helpers import ROLES, login

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: browser tests skipped"
        if os.environ.get("TRACKER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} and TRACKER_REQUIRE_BROWSER=1")
        pytest.skip(message)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # pragma: no cover - the sync API refuses to run inside an event loop
        pytest.fail("Playwright's sync API cannot run inside a running asyncio event loop")

    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


# --- the live server ----------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """No line per request in the test output; errors are still logged."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class LiveServer:
    url: str
    app: object
    emails: dict[str, str]
    initiative_titles: list[str] = field(default_factory=list)


def _fill_portfolio() -> tuple[dict[str, str], list[str]]:
    """The small organisation of tests.factories, plus initiatives in every interesting state."""
    org = factories.make_org()
    it, hr, school = org.departments
    tillganglighet, trygghet, effektivitet = org.principles
    initiatives = [
        factories.make_initiative(
            org.manager,
            title="E-tjänst för bygglov",
            principles=[tillganglighet, effektivitet],
            updates=3,
            status=Status.IN_PROGRESS,
            health=Health.ON_TRACK,
            progress=60,
        ),
        factories.make_initiative(  # off track
            org.manager,
            title="Digital signering av avtal",
            principles=[trygghet],
            updates=2,
            status=Status.IN_PROGRESS,
            health=Health.OFF_TRACK,
            progress=30,
        ),
        factories.make_initiative(  # stale: planned, last update long ago
            org.manager,
            hr,
            title="Självservice för semesteransökan",
            updates=1,
            last_update_days_ago=75,
            status=Status.PLANNED,
            health=Health.AT_RISK,
            progress=10,
        ),
        factories.make_initiative(org.manager, title="Chattbot för växeln", status=Status.IDEA),
        factories.make_initiative(
            org.other_manager,
            title="Lärplattform för grundskolan",
            principles=[tillganglighet],
            updates=4,
            status=Status.IN_PROGRESS,
            health=Health.AT_RISK,
            progress=45,
        ),
        factories.make_initiative(
            org.other_manager,
            title="Digital frånvaroanmälan",
            updates=2,
            status=Status.DONE,
            health=Health.ON_TRACK,
            progress=100,
        ),
    ]
    initiatives[0].co_owners.append(org.other_manager)
    emails = {role: org.user(role).email for role in ROLES}
    emails["other_manager"] = org.other_manager.email  # for failed sign-ins, away from the others
    return emails, [initiative.title for initiative in initiatives]


def _fresh_schema(postgresql: bool) -> None:
    if postgresql:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.create_all()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("live-server")
    postgres_url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    database_url = (
        normalise_database_url(postgres_url)
        if postgres_url
        else f"sqlite:///{tmp / 'live.sqlite3'}"
    )
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    app.instance_path = str(tmp / "instance")
    with app.app_context():
        _fresh_schema(bool(postgres_url))
        emails, titles = _fill_portfolio()
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},  # shutdown() waits for a poll
        name="live-server",
        daemon=True,
    )
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, emails, titles)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            if postgres_url:
                db.drop_all()
            db.engine.dispose()


# --- one context and page per test --------------------------------------------------------------


@dataclass
class ConsoleLog:
    """What the page wrote to its console, and the uncaught errors it threw."""

    messages: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(30_000)  # two suites share two cores in CI
    yield context
    context.close()


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(context, console):
    page = context.new_page()
    page.on("console", lambda message: console.messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.page_errors.append(str(error)))
    return page


@pytest.fixture(scope="module")
def _signed_in_cookies(browser, live_server) -> dict[str, list]:
    """role -> the session cookies of a sign-in through the real form, made once per module."""
    return {}


@pytest.fixture
def sign_in(context, browser, live_server, _signed_in_cookies) -> Callable[..., None]:
    """``sign_in(role)`` makes this test's browser context (or the one given) signed in as that
    role."""

    def sign_in_as(role: str, into=None) -> None:
        if role not in _signed_in_cookies:
            own = browser.new_context(base_url=live_server.url)
            try:
                page = own.new_page()
                response = login(page, live_server.emails[role])
                # Success is a redirect away from /login; the page it leads to is not tested here.
                assert response.status in (302, 303) and "/login" not in page.url, (
                    f"signing in as {role} failed: HTTP {response.status}, now at {page.url}"
                )
                _signed_in_cookies[role] = own.cookies()
            finally:
                own.close()
        (into or context).add_cookies(_signed_in_cookies[role])

    return sign_in_as
