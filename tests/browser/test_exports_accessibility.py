"""The export page (issue 5) in a real browser: axe-clean for every role in both languages, also
after the htmx swap that updates the count, and nothing blocked by the Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import ROLES, assert_no_axe_violations

# The export page's markup is the templates', whatever the database: CI runs these on SQLite
# only (the exports themselves are tested on both).
pytestmark = [pytest.mark.browser, pytest.mark.database_independent]


@pytest.mark.parametrize("lang", ("sv", "en"))
@pytest.mark.parametrize("role", ROLES)
def test_export_page_is_accessible(page, console, sign_in, role, lang):
    sign_in(role)
    response = page.goto(f"/exports?lang={lang}")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page, f"/exports?lang={lang} as {role}")

    # Choosing a filter swaps the count and the download links without a page load.
    with page.expect_response(
        lambda r: "/exports?" in r.url and r.request.headers.get("hx-request")
    ):
        page.select_option("#export-health", "off_track")
    link = page.locator("#export-summary a[href*='initiatives.xlsx']")
    expect(link).to_have_attribute("href", re.compile(r"health=off_track"))  # waits for the swap
    assert not console.csp_violations(), console.csp_violations()
    assert not console.page_errors, console.page_errors
    assert_no_axe_violations(page, f"/exports after a filter swap as {role}")


def test_a_bad_heading_is_announced_in_the_swapped_summary(page, console, sign_in):
    """The secretary types a diary number that cannot be printed and tabs on: the swapped
    summary says so at once (an alert, with a link to the field), no download is offered, and
    the focus stays where the Tab took it; corrected, the links come back and carry it."""
    sign_in("management")
    page.goto("/exports?lang=sv")
    page.fill("#export-dnr", "<b>")
    with page.expect_response(
        lambda r: "/exports?" in r.url and r.request.headers.get("hx-request")
    ):
        page.keyboard.press("Tab")
    problem = page.locator("#export-summary [role='alert']")
    expect(problem).to_contain_text("bokstäver, siffror")
    expect(problem.locator("a[href='#export-dnr']")).to_have_count(1)
    assert page.locator("#export-summary a[href*='initiatives.pdf']").count() == 0
    assert page.evaluate("document.activeElement.id") == "export-meeting"
    assert_no_axe_violations(page, "/exports with a bad heading, after the swap")
    page.fill("#export-dnr", "KS 2026/1")
    with page.expect_response(
        lambda r: "/exports?" in r.url and r.request.headers.get("hx-request")
    ):
        page.keyboard.press("Tab")
    link = page.locator("#export-summary a[href*='initiatives.pdf']")
    expect(link).to_have_attribute("href", re.compile(r"dnr=KS"))
    assert page.locator("#export-summary [role='alert']").count() == 0
    assert not console.csp_violations() and not console.page_errors
