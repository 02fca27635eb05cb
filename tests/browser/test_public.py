"""The public pages in a real browser: an owner proposes an initiative for publication by
keyboard, the management group approves it, and a resident (no sign-in) finds it on /public,
filters, opens it, and leaves with no cookie at all; axe-core finds nothing in either language."""

from __future__ import annotations

import pytest

from .helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser

TITLE = "E-tjänst för bygglov"


def _initiative_page(page, title: str = TITLE) -> None:
    page.goto("/initiatives?lang=sv")
    page.get_by_role("link", name=title).first.click()
    page.wait_for_load_state()


def test_propose_approve_and_a_resident_reads_it(page, browser, live_server, sign_in, console):
    sign_in("manager")
    _initiative_page(page)
    summary = page.get_by_label("Sammanfattning för invånarna")
    summary.focus()
    assert page.evaluate("document.activeElement.id") == "public_summary"
    page.keyboard.type("Ansök om bygglov på nätet, dygnet runt.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Föreslå publicering"
    with page.expect_navigation():  # the form posts, then redirects: wait for the new page
        page.keyboard.press("Enter")
    assert "Initiativet har föreslagits för publicering." in page.locator("#messages").inner_text()
    assert "Föreslaget för publicering" in page.locator("#publication").inner_text()
    assert_no_axe_violations(page, "initiative page with the publication section")

    management = browser.new_context(base_url=live_server.url)
    try:
        sign_in("management", into=management)
        lead = management.new_page()
        _initiative_page(lead)
        lead.get_by_role("button", name="Godkänn publicering").click()
        lead.wait_for_load_state()
        assert (
            "Initiativet visas nu på den publika sidan." in lead.locator("#messages").inner_text()
        )
    finally:
        management.close()

    resident = browser.new_context(base_url=live_server.url)
    try:
        public = resident.new_page()
        public.goto("/public")
        assert public.locator("html").get_attribute("lang") == "sv"
        assert public.get_by_role("link", name=TITLE).is_visible()
        assert "Digital signering av avtal" not in public.content()  # not published
        assert_no_axe_violations(public, "/public in Swedish")

        # Filter by keyboard: a committee with nothing published, then all again.
        public.get_by_label("Nämnd").select_option("BUN")
        public.get_by_label("Sök").press("Enter")
        public.wait_for_load_state()
        assert "0 initiativ" in public.locator("#result-count").inner_text()
        assert_no_axe_violations(public, "/public filtered")

        public.goto("/public?lang=en")
        assert public.locator("html").get_attribute("lang") == "en"
        assert_no_axe_violations(public, "/public in English")
        public.get_by_role("link", name=TITLE).click()
        public.wait_for_load_state()
        assert "Ansök om bygglov på nätet" in public.content()
        assert public.locator("html").get_attribute("lang") == "en"
        assert_no_axe_violations(public, "a public initiative in English")
        public.get_by_role("link", name="Svenska").click()
        public.wait_for_load_state()
        assert_no_axe_violations(public, "a public initiative in Swedish")

        public.goto("/public/initiatives/999999")
        assert_no_axe_violations(public, "the public 404 page")
        assert resident.cookies() == []
    finally:
        resident.close()
    assert console.page_errors == [] and console.csp_violations() == []


def test_the_admin_settings_page_is_accessible(page, sign_in):
    sign_in("admin")
    for lang in ("sv", "en"):
        page.goto(f"/admin/publication?lang={lang}")
        assert_no_axe_violations(page, f"public page settings ({lang})")


def _freeze_a_report(live_server) -> tuple[str, int]:
    """A period frozen for the committee of the published initiative, straight in the server's
    database (this module has its own live server)."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Initiative, Role, User
    from tracker.public import reading
    from tracker.public import services as publishing
    from tracker.reports import periods, services

    with live_server.app.app_context():
        lead = db.session.scalar(select(User).where(User.role == Role.MANAGEMENT))
        item = db.session.scalar(select(Initiative).where(Initiative.title == TITLE))
        if item.id not in reading.published_ids():
            publishing.propose(item.owner, item, "Ansök om bygglov på nätet, dygnet runt.")
            publishing.approve(lead, item)
        committee = item.department.committee
        today = datetime.now(UTC).date()
        period = periods.create_period(
            lead,
            periods.PeriodData(
                name="Tertial för invånarna",
                starts_on=today - timedelta(days=30),
                ends_on=today + timedelta(days=30),
                deadline=today + timedelta(days=30),
                meetings=[],
            ),
        )
        services.freeze(
            lead,
            period,
            services.FreezeRequest([committee.id], {committee.id: 0}),
            tz=ZoneInfo("Europe/Stockholm"),
            stale_days=30,
            organisation="Nykvarns kommun",
            locale="sv",
        )
        db.session.commit()
        result = committee.short_name, period.id
        db.session.remove()
    return result


def test_a_resident_finds_the_frozen_reports_of_every_period(browser, live_server, console):
    code, period_id = _freeze_a_report(live_server)
    resident = browser.new_context(base_url=live_server.url)
    try:
        public = resident.new_page()
        public.on("console", lambda m: console.messages.append(f"{m.type}: {m.text}"))
        public.on("pageerror", lambda error: console.page_errors.append(str(error)))
        public.goto("/public")
        public.get_by_role(
            "link", name="Nämndernas fastställda rapporter, period för period"
        ).click()
        public.wait_for_load_state()
        assert public.locator("h1").inner_text() == "Fastställda rapporter"
        assert_no_axe_violations(public, "/public/reports in Swedish")
        public.get_by_role("link", name="Tertial för invånarna", exact=True).click()
        public.wait_for_load_state()
        assert public.url.endswith(f"/public/reports/{code}/{period_id}?lang=sv")
        assert public.get_by_role("link", name=TITLE).is_visible()
        assert "Digital signering av avtal" not in public.content()  # not published
        assert_no_axe_violations(public, "a frozen period's public report in Swedish")
        for path in ("/public/reports", f"/public/reports/{code}/{period_id}"):
            public.goto(f"{path}?lang=en")
            assert public.locator("html").get_attribute("lang") == "en"
            assert_no_axe_violations(public, f"{path} in English")
        with public.expect_download() as info:
            public.get_by_role("link", name="CSV").click()
        assert info.value.suggested_filename == f"report-{code}-{period_id}.csv"
        assert resident.cookies() == []
    finally:
        resident.close()
    assert console.page_errors == [] and console.csp_violations() == []
