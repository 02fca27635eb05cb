"""The manager's whole job in a real browser: register, report, edit through a conflict, status
round — with axe-core after every page and every htmx swap, in Swedish and English."""

from __future__ import annotations

import re

import pytest

from .helpers import assert_no_axe_violations, words_broken_across_lines

pytestmark = pytest.mark.browser


def _fill_new_initiative(page, title: str) -> None:
    page.fill("#title", title)
    page.fill("#purpose", "Invånare ska kunna boka tid digitalt.")
    page.fill("#benefit", "Kortare väntetider.")
    page.locator("input[name^='principle_']").first.check()
    page.locator("textarea[name^='motivation_']").first.fill("Tjänsten fungerar dygnet runt.")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_register_report_edit_with_conflict_and_status_round(
    page, context, browser, live_server, sign_in, console, lang
):
    sign_in("manager")
    page.goto(f"/?lang={lang}")
    assert_no_axe_violations(page, "start page")

    # Register: first without a motivation (the error summary), then right.
    page.goto("/initiatives/new")
    assert_no_axe_violations(page, "new initiative form")
    title = f"Digital tidsbokning {lang}"
    page.fill("#title", title)
    page.fill("#purpose", "Invånare ska kunna boka tid digitalt.")
    page.locator("input[name^='principle_']").first.check()
    page.locator("#initiative-form button[type='submit']").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.locator("#title").input_value() == title  # the input is kept
    assert_no_axe_violations(page, "new initiative form with errors (after the htmx swap)")
    page.locator("textarea[name^='motivation_']").first.fill("Tjänsten fungerar dygnet runt.")
    with page.expect_navigation():
        page.locator("#initiative-form button[type='submit']").click()
    assert re.search(r"/initiatives/\d+$", page.url), page.url
    initiative_url = page.url
    assert_no_axe_violations(page, "the new initiative")

    # Post a status update; the timeline changes without a page load.
    page.select_option("#status", "in_progress")
    page.select_option("#health", "at_risk")
    page.fill("#progress", "35")
    page.fill("#happened", f"Upphandlingen är klar ({lang}).")
    page.locator("#updates form button[type='submit']").click()
    page.locator(".timeline", has_text=f"Upphandlingen är klar ({lang}).").wait_for()
    assert page.url == initiative_url
    assert_no_axe_violations(page, "after posting a status update (htmx swap)")
    # A bad update keeps the text and shows the error beside the field.
    page.fill("#progress", "150")
    page.fill("#happened", "Ska inte sparas")
    page.locator("#updates form button[type='submit']").click()
    page.locator("#progress-error").wait_for()
    assert page.locator("#happened").input_value() == "Ska inte sparas"
    assert_no_axe_violations(page, "status update with an error (htmx swap)")

    # Edit in two windows: the second save meets the first and sees both versions.
    other = browser.new_context(base_url=live_server.url)
    try:
        sign_in("manager", into=other)
        second = other.new_page()
        page.goto(initiative_url + "/edit")
        second.goto(initiative_url + "/edit")
        page.fill("#purpose", "Syftet enligt det första fönstret.")
        page.fill("#funding_source", "Statsbidrag enligt det första fönstret")
        with page.expect_navigation():
            page.locator("#initiative-form button[type='submit']").click()
        second.fill("#purpose", "Syftet enligt det andra fönstret.")
        second.locator("#initiative-form button[type='submit']").click()
        second.locator("table.compare").wait_for()
        assert "Syftet enligt det första fönstret." in second.locator("table.compare").inner_text()
        assert second.locator("#purpose").input_value() == "Syftet enligt det andra fönstret."
        # The funding the second window left as it was now holds the first window's.
        funding = "Statsbidrag enligt det första fönstret"
        assert second.locator("#funding_source").input_value() == funding
        assert_no_axe_violations(second, "the conflict page (htmx swap)")
        # On a phone the comparison stacks: no sideways scrolling, no word split mid-way.
        second.set_viewport_size({"width": 390, "height": 800})
        assert second.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert not words_broken_across_lines(second, "table.compare td")
        with second.expect_navigation():
            second.locator("#initiative-form button[type='submit']").click()
        assert "Syftet enligt det andra fönstret." in second.content()
        assert funding in second.content()  # the first window's change is not undone
    finally:
        other.close()

    # Status round: everything in one go.
    page.goto("/initiatives/round")
    assert_no_axe_violations(page, "status round")
    page.locator("textarea[name$='-happened']").first.fill("Enligt plan")
    with page.expect_navigation():
        page.locator("main form button[type='submit']").click()
    assert page.url.rstrip("/").endswith(live_server.url.rstrip("/")) or page.url.endswith("/")
    assert_no_axe_violations(page, "start page after the status round")
    assert not console.csp_violations() and not console.page_errors
