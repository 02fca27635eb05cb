"""Helpers for the browser tests: sign in through the real form, run axe, report what it finds."""

from __future__ import annotations

from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

from tests import factories

# WCAG 2.1 level A and AA: what Swedish public bodies must meet (DOS-lagen, EN 301 549).
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

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
    return _axe.run(page, options=WCAG_21_AA).response["violations"]


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
