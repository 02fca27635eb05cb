"""WCAG 2.1 A/AA in a real browser: axe-core on every page, for every role, in both languages.

Also the things axe cannot see on its own: the sign-in form's error states, the skip link with the
keyboard, and that the Content-Security-Policy never has to block anything the page tries to do.
"""

from __future__ import annotations

import pytest

from .helpers import ROLES, assert_no_axe_violations, assert_no_htmlcs_errors, login

# The markup checked here is drawn by the templates, whatever the database: CI runs these on
# SQLite only (the journeys, the swaps and the crawls run on both).
pytestmark = [pytest.mark.browser, pytest.mark.database_independent]

LANGUAGES = ("sv", "en")
SIGNED_OUT = None


def _pages() -> list[tuple[str, str, str | None, int]]:
    """(test id, path, role or SIGNED_OUT, expected HTTP status) for every page that exists."""
    pages = [
        ("login", "/login", SIGNED_OUT, 200),
        ("accessibility-signed-out", "/accessibility", SIGNED_OUT, 200),
    ]
    # Signed in, the statement differs from the signed-out one only in the header, which the
    # start page and dashboard cover for every role; admin has the most in its navigation.
    pages.append(("accessibility-admin", "/accessibility", "admin", 200))
    for role in ROLES:
        pages += [
            (f"start-{role}", "/", role, 200),
            (f"dashboard-{role}", "/dashboard", role, 200),
            (f"board-{role}", "/board", role, 200),
            (f"list-{role}", "/initiatives", role, 200),
            (f"initiative-{role}", "/initiatives/1", role, 200),
            (f"account-{role}", "/account", role, 200),
        ]
    pages += [
        ("list-filtered", "/initiatives?status=in_progress&sort=-title", "management", 200),
        ("board-presentation", "/board?present=1", "management", 200),
        ("decision-form", "/initiatives/1/decisions", "management", 200),
        ("new-initiative", "/initiatives/new", "manager", 200),
        ("edit-initiative", "/initiatives/1/edit", "manager", 200),
        ("status-round", "/initiatives/round", "manager", 200),
        ("publication-proposals", "/publication/proposals", "management", 200),
        ("delete-initiative", "/initiatives/1/delete", "admin", 200),
        ("forbidden", "/initiatives/new", "committee", 403),
    ]
    pages += [
        ("not-found-signed-out", "/no-such-page", SIGNED_OUT, 404),
        ("not-found-manager", "/no-such-page", "manager", 404),
    ]
    return pages


PAGES = _pages()


def _who(role: str | None) -> str:
    return role or "signed out"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("path", "role", "status"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES]
)
def test_page_is_accessible(page, console, sign_in, path, role, status, lang):
    """The page answers, says its language, needs nothing that the Content-Security-Policy
    blocks (no console message about it, no script error), and axe finds no WCAG 2.1 A/AA
    violation."""
    if role:
        sign_in(role)
    separator = "&" if "?" in path else "?"
    response = page.goto(f"{path}{separator}lang={lang}")
    where = f"{path}?lang={lang} as {_who(role)}"
    assert response is not None and response.status == status, (
        f"{where}: expected HTTP {status}, got {response and response.status}"
    )
    if role:
        assert "/login" not in page.url, f"{where} was sent to sign in: {page.url}"
    assert page.locator("html").get_attribute("lang") == lang
    assert not console.csp_violations(), (
        f"the Content-Security-Policy blocked something on {where}:\n"
        + "\n".join(console.csp_violations())
    )
    assert not console.page_errors, f"script errors on {where}: {console.page_errors}"
    assert_no_axe_violations(page, f"{where} (at {page.url})")
    # The second engine, HTML_CodeSniffer (WCAG 2.1 AA), finds no error either.
    assert_no_htmlcs_errors(page, f"{where} (at {page.url})")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_wrong_password_shows_error_summary_and_stays_accessible(page, console, live_server, lang):
    page.goto(f"/login?lang={lang}")
    response = login(page, live_server.emails["other_manager"], password="not the right password")

    assert response.status == 401
    assert page.locator("html").get_attribute("lang") == lang
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.locator("li").count() >= 1
    # app.js moves focus to the summary so that keyboard and screen-reader users meet it first.
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'error-summary'"
    )
    assert page.locator("input[name='email']").input_value() == live_server.emails["other_manager"]
    assert page.locator("input[name='password']").input_value() == ""
    assert not console.csp_violations(), console.csp_violations()
    assert_no_axe_violations(page, f"/login after a wrong password (lang={lang})")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_empty_sign_in_form_ties_errors_to_fields(page, console, lang):
    page.goto(f"/login?lang={lang}")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type='submit']").click()

    assert navigation.value.status == 422
    summary_links = page.locator("#error-summary a")
    assert summary_links.count() == 2
    for name in ("email", "password"):
        control = page.locator(f"input[name='{name}']")
        control_id = control.get_attribute("id")
        assert page.locator(f"#error-summary a[href='#{control_id}']").count() == 1
        assert control.get_attribute("aria-invalid") == "true"
        described_by = (control.get_attribute("aria-describedby") or "").split()
        assert described_by, f"the {name} field does not point to its error message"
        for described_id in described_by:
            assert page.locator(f"[id='{described_id}']").count() == 1
    assert not console.csp_violations(), console.csp_violations()
    assert_no_axe_violations(page, f"/login with an empty form (lang={lang})")


@pytest.mark.parametrize(
    ("path", "role"),
    [("/login", SIGNED_OUT), ("/", "manager"), ("/dashboard", "management")],
    ids=["login", "start-manager", "dashboard-management"],
)
def test_first_tab_focuses_skip_link_and_enter_moves_to_main(page, sign_in, path, role):
    if role:
        sign_in(role)
    page.goto(path)
    page.keyboard.press("Tab")

    focused = page.evaluate(
        "() => ({href: document.activeElement.getAttribute('href'),"
        " skipLink: document.activeElement.classList.contains('skip-link'),"
        " html: document.activeElement.outerHTML.slice(0, 120)})"
    )
    assert focused["href"] == "#main" and focused["skipLink"], (
        f"the first Tab focused {focused['html']}, not the skip link"
    )
    box = page.locator("a.skip-link").bounding_box()
    viewport = page.viewport_size
    assert box is not None and box["width"] > 1 and box["height"] > 1
    assert 0 <= box["y"] < viewport["height"] and 0 <= box["x"] < viewport["width"], (
        f"the focused skip link is not on screen: {box}"
    )

    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    # The next Tab continues from the main content, not from the header at the top of the page.
    page.keyboard.press("Tab")
    after_skip = page.evaluate(
        """() => {
            const main = document.getElementById('main'), active = document.activeElement;
            return main.contains(active)
                || !!(main.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert after_skip, "the Tab after the skip link went back to the header"


# How wide the document is, and for the message: the outermost elements that stick out of the
# window, and the innermost one whose content is wider than its box. A data table may scroll in
# its own box (.table-wrap): what is inside one counts only when it escapes the box.
_OVERFLOWING = r"""() => {
    const width = document.documentElement.clientWidth;
    const sticksOut = (e) => {
        const box = e.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && box.right > width + 1;
    };
    const escapesWrap = (e) => {
        const wrap = e.parentElement && e.parentElement.closest('.table-wrap');
        if (!wrap) return true;
        const position = getComputedStyle(e).position;
        return (position === 'absolute' || position === 'fixed')
            && getComputedStyle(wrap).position === 'static';
    };
    const describe = (e) => `<${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}`
        + `${e.className && typeof e.className === 'string'
            ? '.' + e.className.trim().split(/\s+/).join('.') : ''}>`
        + ` "${(e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 40)}"`
        + ` (right edge at ${Math.round(e.getBoundingClientRect().right)} px,`
        + ` content ${e.scrollWidth} px wide in a ${e.clientWidth} px box)`;
    const outermost = [], inner = [];
    for (const e of document.querySelectorAll('body *')) {
        if (!escapesWrap(e)) continue;
        const style = getComputedStyle(e);
        if (sticksOut(e)) {
            if (!(e.parentElement && sticksOut(e.parentElement) && escapesWrap(e.parentElement)))
                outermost.push(e);
        } else if (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1
                   && style.overflowX === 'visible') {
            inner.push(e);
        }
    }
    const found = outermost.slice(0, 2).concat(inner.slice(-1)).map(describe);
    return {scrollWidth: document.documentElement.scrollWidth, width, found};
}"""


@pytest.mark.parametrize("role", [SIGNED_OUT, *ROLES], ids=["signed-out", *ROLES])
def test_pages_reflow_at_320_css_pixels(browser, live_server, sign_in, role):
    """WCAG 1.4.10: at 320 CSS pixels (1280 px at 400 % zoom) nothing scrolls sideways, except
    a data table inside its own scroll box."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    try:
        if role:
            sign_in(role, context)
        page = context.new_page()
        too_wide = []
        for lang in LANGUAGES:
            for _id, path, page_role, _status in PAGES:
                if page_role != role:
                    continue
                page.goto(f"{path}?lang={lang}")
                result = page.evaluate(_OVERFLOWING)
                if result["scrollWidth"] > result["width"]:
                    too_wide.append(
                        f"{path}?lang={lang}: {result['scrollWidth']} px wide in a "
                        f"{result['width']} px window; too wide: " + "; ".join(result["found"])
                    )
        assert not too_wide, "\n".join(too_wide)
    finally:
        context.close()
