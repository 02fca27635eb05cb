"""Helpers for the browser tests: sign in through the real form, run axe, report what it finds."""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests import factories

# WCAG 2.1 level A and AA: what Swedish public bodies must meet (DOS-lagen, EN 301 549).
# Only the violations come back: the nodes that pass (most of a page) are neither read nor sent.
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

ROLES = ("admin", "management", "committee", "manager")

_axe = Axe()


def login(page, email: str, password: str = factories.PASSWORD):
    """Fill in and submit the real sign-in form and wait for the page that follows.

    Returns the response to the POST itself: a redirect when the sign-in worked, 401 when not.
    """
    page.goto("/login")
    form = page.locator("main form[action$='/login']")
    form.locator("input[name='email']").fill(email)
    form.locator("input[name='password']").fill(password)

    def is_sign_in_post(response) -> bool:
        return response.request.method == "POST" and urlsplit(response.url).path == "/login"

    with page.expect_response(is_sign_in_post) as posted, page.expect_navigation():
        form.locator("button[type='submit']").click()
    return posted.value


def run_axe(page) -> list[dict]:
    """Run axe-core with the WCAG 2.1 A/AA rules on the page as it is now; return the violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe.axe_script)
    return page.evaluate("(options) => axe.run(document, options)", WCAG_21_AA)["violations"]


def format_violations(violations: list[dict], where: str = "") -> str:
    """A readable list: rule id, impact, help text and link, then every failing element."""
    lines = [f"{len(violations)} axe violation(s){' on ' + where if where else ''}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact'}): {violation['help']}"
            f"\n    {violation.get('helpUrl', '')}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    * {target}")
            lines.append(f"        {' '.join(node.get('html', '').split())[:300]}")
            summary = node.get("failureSummary")
            if summary:
                for summary_line in summary.splitlines():
                    lines.append(f"        {summary_line.strip()}")
    return "\n".join(lines)


def assert_no_axe_violations(page, where: str = "") -> None:
    violations = run_axe(page)
    assert not violations, format_violations(violations, where or page.url)


# --- the second engine: HTML_CodeSniffer (WCAG 2.1 AA sniffs) ----------------------------------

HTMLCS_JS = Path(__file__).resolve().parent / "node_modules/html_codesniffer/build/HTMLCS.js"
# Its messages in English (it has no Swedish; without a language it finds none and fails).
# HTML_CodeSniffer's message types: 1 error, 2 warning, 3 notice. Only errors are certain.
_HTMLCS_RUN = """() => new Promise((resolve) => {
    // HTML_CodeSniffer 2.5.1 lacks the texts of its own autocomplete (H98) errors and throws
    // instead of reporting them; supply them so that the error is reported.
    const en = window.__HTMLCS_GLOBAL__.translation.en;
    for (const group of ['Text', 'Multiline', 'Password', 'Url', 'EMail', 'Tel', 'Numeric',
                         'Month', 'Date']) {
        const key = '1_3_5_H98.InvalidAutoComplete_' + group;
        if (!en[key]) en[key] = 'The autocomplete token "{{x}}" is not valid on this kind'
            + ' of control (' + group + ' group).';
    }
    HTMLCS.process('WCAG2AA', document, () => {
        resolve(HTMLCS.getMessages().filter((m) => m.type === 1).map((m) => ({
            code: m.code,
            message: m.msg,
            html: m.element && m.element.outerHTML ? m.element.outerHTML.slice(0, 300) : '',
        })));
    }, (error) => resolve([{code: 'HTMLCS.failed', message: String(error), html: ''}]), 'en');
})"""


def run_htmlcs(page) -> list[dict]:
    """HTML_CodeSniffer's errors on the page as it is now. Its source is evaluated in the page
    (page.evaluate is not subject to the Content-Security-Policy, a script tag would be)."""
    if not HTMLCS_JS.exists():
        raise AssertionError(
            f"{HTMLCS_JS} is missing: run `npm install --no-audit --no-fund` in tests/browser"
        )
    if not page.evaluate("() => typeof window.HTMLCS !== 'undefined'"):
        source = HTMLCS_JS.read_text(encoding="utf-8")
        # Its texts live in a private object; expose it so that missing ones can be supplied.
        source = source.replace("var _global = {", "var _global = window.__HTMLCS_GLOBAL__ = {", 1)
        page.evaluate("(source) => { (0, eval)(source); }", source)
    return page.evaluate(_HTMLCS_RUN)


def assert_no_htmlcs_errors(page, where: str = "") -> None:
    errors = run_htmlcs(page)
    lines = [f"{len(errors)} HTML_CodeSniffer error(s) on {where or page.url}:"]
    for error in errors:
        html = " ".join(error["html"].split())
        lines.append(f"- {error['code']}: {error['message']}\n    {html}")
    assert not errors, "\n".join(lines)


def expect_focus(page, element_id: str, timeout: float = 5000) -> None:
    """Wait until the element with ``element_id`` has the focus, then assert it.

    app.js moves the focus a tick after htmx settles, and htmx first puts it back on an element with
    the old focused one's id; reading ``document.activeElement`` at once races that step."""
    # On a timeout the assertion below says where the focus is instead.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            "id => document.activeElement && document.activeElement.id === id",
            arg=element_id,
            timeout=timeout,
        )
    assert page.evaluate("document.activeElement && document.activeElement.id") == element_id


# The words of the elements' first text nodes that are broken across two lines (split mid-word).
_BROKEN_WORDS = """(selector) => { const out = []; let checked = 0;
  for (const el of document.querySelectorAll(selector)) {
    const node = el.firstChild; if (!node || node.nodeType !== 3) continue; checked++;
    const text = node.textContent; let i = 0;
    for (const word of text.split(' ')) {
      const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + word.length);
      const lines = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top)));
      if (lines.size > 1) out.push(word);
      i += word.length + 1;
    }
  } return {checked, out}; }"""


def words_broken_across_lines(page, selector: str) -> list[str]:
    """Every word, of the text that starts each element matching ``selector``, that the layout
    splits over two lines (an empty list when every word sits on one line). At least one such
    element must be on the page, lest the check pass by looking at nothing."""
    found = page.evaluate(_BROKEN_WORDS, selector)
    assert found["checked"], f"no text starts an element matching {selector!r}"
    return found["out"]
