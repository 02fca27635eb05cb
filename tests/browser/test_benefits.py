"""Benefits in a real browser, by keyboard where it matters: a manager adds a benefit with an
indicator, makes a mistake, registers two measurements through htmx (focus and the announced
message asserted after each swap), sees the chart and the overview, and downloads the CSV;
axe-core finds nothing in either language, for readers too."""

from __future__ import annotations

import csv
import io
import re

import pytest

from .helpers import assert_no_axe_violations, expect_focus

pytestmark = pytest.mark.browser


def _open_new_benefit(page, title: str) -> None:
    page.goto("/initiatives?lang=sv")
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("link", name="Lägg till en nytta").click()
    page.wait_for_load_state()


def _measure(page, value: str, day: str) -> None:
    page.get_by_label("Värde", exact=True).fill(value)
    page.get_by_label("Mätdatum").fill(day)
    page.get_by_label("Mätdatum").press("Enter")


def test_a_manager_adds_a_benefit_measures_it_and_exports(page, sign_in, console):
    sign_in("manager")
    _open_new_benefit(page, "E-tjänst för bygglov")
    assert_no_axe_violations(page, "new benefit form")

    page.get_by_label("Vad blir bättre, och för vem?").fill("Fler söker bygglov digitalt")
    page.get_by_label("Typ av nytta").select_option("residents")
    page.get_by_label("Tillgänglighet").check()
    page.get_by_label("Indikator").fill("Andel digitala bygglovsansökningar")
    page.get_by_label("Enhet").fill("%")
    page.get_by_label("Nollmätningens värde").fill("12,5")
    page.get_by_label("Nollmätningens datum").fill("2025-01-15")
    page.get_by_label("Målvärde").fill("12,5")  # a mistake: the same as the baseline
    page.get_by_label("Måldatum").fill("2024-12-31")  # and a second one
    page.get_by_role("button", name="Lägg till nyttan").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert "Målet måste skilja sig från nollmätningen." in text
    assert "Måldatumet måste komma efter nollmätningens datum." in text
    assert page.get_by_label("Indikator").input_value() == "Andel digitala bygglovsansökningar"
    assert_no_axe_violations(page, "benefit form with errors")

    page.get_by_label("Målvärde").fill("70")
    page.get_by_label("Måldatum").fill("2027-12-31")
    page.get_by_role("button", name="Lägg till nyttan").click()
    page.wait_for_url(re.compile(r"/benefits/\d+$"))
    assert "Nyttan har lagts till." in page.locator("main").inner_text()
    assert_no_axe_violations(page, "benefit page, not measured")

    # A bad value first: the fragment comes back with its errors, focus on the summary.
    _measure(page, "tolv", "2026-01-15")
    page.locator("#measurements #error-summary").wait_for()
    expect_focus(page, "error-summary")
    assert "Ange ett tal" in page.locator("#error-summary").inner_text()

    _measure(page, "26,5", "2026-01-15")
    page.locator("#measurements [role=status]").wait_for()
    assert page.locator("#measurements [role=status]").inner_text() == (
        "Mätningen har registrerats."
    )
    expect_focus(page, "measurements-heading")
    _measure(page, "41", "2026-06-15")
    rows = page.locator("#measurements > .table-wrap tbody tr")
    rows.nth(1).wait_for()
    assert rows.count() == 2
    expect_focus(page, "measurements-heading")
    main = page.locator("main").inner_text()
    assert "50 % av vägen" in main  # (41 − 12,5) / (70 − 12,5) ≈ 49,6 %
    assert page.locator("#indicator-chart-caption").count() == 1
    page.get_by_text("Visa uppgifterna som tabell").click()
    table = page.locator(".chart__data table").inner_text()
    assert "26,5" in table and "Nollmätning" in table and "Mål" in table
    assert_no_axe_violations(page, "benefit page with two measurements")
    assert console.csp_violations() == [] and console.page_errors == []

    # The overview, filtered by the principle, and its CSV.
    page.goto("/benefits?principle=tillganglighet&lang=sv")
    assert "Fler söker bygglov digitalt" in page.locator("main").inner_text()
    assert_no_axe_violations(page, "benefits overview")
    # The link the user follows, fetched with the browser's own session.
    href = page.get_by_role("link", name="Ladda ner som CSV").get_attribute("href")
    response = page.request.get(href)
    assert response.ok, response.text()[:3000]
    assert "attachment" in response.headers["content-disposition"]
    body = response.body().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[1][3] == "Fler söker bygglov digitalt" and "41" in rows[1]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("role", ["management", "committee"])
def test_readers_see_the_overview_and_the_dashboard_summary(page, sign_in, role, lang):
    sign_in(role)
    page.goto(f"/benefits?lang={lang}")
    assert_no_axe_violations(page, f"benefits overview ({role}, {lang})")
    page.goto(f"/dashboard?lang={lang}")
    heading = "Nyttorealisering" if lang == "sv" else "Benefits realisation"
    assert page.get_by_role("heading", name=heading).count() == 1
    assert_no_axe_violations(page, f"dashboard with benefits ({role}, {lang})")
