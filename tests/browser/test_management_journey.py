"""The management group's meeting in a real browser: filter the dashboard, open a card from the
board, record a decision — with axe-core after every step, in Swedish and English."""

from __future__ import annotations

import pytest

from .helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_dashboard_board_and_decision(page, live_server, sign_in, console, lang):
    sign_in("management")
    page.goto(f"/dashboard?lang={lang}")
    assert_no_axe_violations(page, "dashboard")

    # Filtering swaps the figures without a page load and keeps the URL shareable.
    page.select_option("#filter-committee", "KS")
    page.wait_for_url("**committee=KS**")
    page.locator("#dashboard .results__count").wait_for()
    page.select_option("#filter-principle", "trygghet")
    page.wait_for_url("**principle=trygghet**")
    count = "document.querySelector('#dashboard .results__count').textContent.trim()"
    page.wait_for_function(f"() => {count}.startsWith('1 ')")
    assert_no_axe_violations(page, "dashboard filtered by committee and principle (htmx swap)")
    page.locator("#dashboard details summary").first.click()  # a chart's data table
    assert_no_axe_violations(page, "dashboard with a chart's table open")

    page.goto("/board")
    assert_no_axe_violations(page, "board")
    with page.expect_navigation():
        page.locator(".board-card a[data-card-link]", has_text="Digital signering av avtal").click()
    assert_no_axe_violations(page, "initiative opened from the board")

    with page.expect_navigation():
        page.locator("a[href$='/decisions']").first.click()
    assert_no_axe_violations(page, "decision form")
    page.locator("input[name='kind'][value='other']").check()
    page.locator("main form button[type='submit']").click()  # no text: an error
    page.locator("#error-summary").wait_for()
    assert_no_axe_violations(page, "decision form with an error (htmx swap)")
    page.fill("#text", f"Utreds vidare ({lang})")
    page.fill("#comment", "Återkoppling i januari")
    with page.expect_navigation():
        page.locator("main form button[type='submit']").click()
    page.locator(".timeline", has_text=f"Utreds vidare ({lang})").wait_for()
    assert_no_axe_violations(page, "initiative with the decision")

    page.goto("/board?present=1")
    assert_no_axe_violations(page, "board in presentation mode")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.getAttribute('data-card-link')")
    assert focused is not None, "the arrow keys move between cards"
    assert not console.csp_violations() and not console.page_errors
