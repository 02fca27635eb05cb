"""The product's icon: every page names an SVG icon and /favicon.ico answers too, so that a fresh
browser's first page logs no error in its console ("Failed to load resource: 404" for
/favicon.ico was the first thing a new user's console showed). The public pages, which set no
cookie, get the same icon and still set no cookie."""

from __future__ import annotations

import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.database_independent]

ICON_PATHS = ("/favicon.ico", "/static/favicon.svg")


@pytest.fixture
def icon_requests(live_server):
    """(path, status) of every icon the server answered. The browser fetches a page's icon
    itself, after the page has loaded, and Playwright reports neither the request nor its answer
    (only the console error of a 404): the server is asked instead."""
    app, seen = live_server.app, []
    inner = app.wsgi_app

    def recording(environ, start_response):
        path = environ.get("PATH_INFO", "")

        def start(status, headers, *args):
            if path in ICON_PATHS:
                seen.append((path, int(status.split()[0])))
            return start_response(status, headers, *args)

        return inner(environ, start)

    app.wsgi_app = recording
    yield seen
    app.wsgi_app = inner


def _first_page(browser, live_server, icons, path: str, prepare=None) -> tuple[list[str], list]:
    """Open ``path`` as the first page of a new browser context; return what went wrong (console
    errors, failed requests, answers of 400 or more) and the context's cookies afterwards."""
    icons.clear()
    context = browser.new_context(base_url=live_server.url)
    try:
        if prepare:
            prepare(context)
        page = context.new_page()
        problems: list[str] = []
        page.on(
            "console",
            lambda m: m.type == "error" and problems.append(f"console: {m.text} {m.location}"),
        )
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        # The icon comes after the page: wait for the server to answer it, then for its console.
        deadline = time.monotonic() + 15
        while not icons and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert icons, "the browser asked for no icon"
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        assert all(status in (200, 304) for _path, status in icons), icons
        return problems, context.cookies()
    finally:
        context.close()


def test_the_sign_in_page_of_a_fresh_browser_logs_no_error(browser, live_server, icon_requests):
    problems, _cookies = _first_page(browser, live_server, icon_requests, "/login?lang=sv")
    assert not problems, problems


def test_the_dashboard_of_a_fresh_browser_logs_no_error(
    browser, live_server, sign_in, icon_requests
):
    problems, _cookies = _first_page(
        browser,
        live_server,
        icon_requests,
        "/dashboard?lang=sv",
        lambda c: sign_in("management", into=c),
    )
    assert not problems, problems


def test_the_public_page_of_a_fresh_browser_logs_no_error_and_sets_no_cookie(
    browser, live_server, icon_requests
):
    problems, cookies = _first_page(browser, live_server, icon_requests, "/public")
    assert not problems, problems
    assert cookies == [], cookies


def test_favicon_ico_answers_with_the_icon_and_no_cookie(page):
    """Browsers ask for /favicon.ico where a page names no icon (a PDF or JSON shown in the tab)."""
    response = page.request.get("/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "set-cookie" not in response.headers
    assert response.body().lstrip().startswith(b"<svg")
    linked = page.request.get("/static/favicon.svg")
    assert linked.status == 200 and linked.body() == response.body()
