"""The follow-up cycle in a real browser: add a period (with a bad date first), see who has not
reported, freeze the committee's report, download its four formats, change an initiative, find
the frozen report and its files unchanged, and see the change in the next period's comparison.
axe-core after every step, in Swedish and in English."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser


def days_from(today):
    """``day(n)``: the date n days from ``today`` (Stockholm's, read when the test starts, not
    when the module is collected: a run may cross midnight in between)."""
    return lambda offset: (today + timedelta(days=offset)).isoformat()


def check_both_languages(page, where: str) -> None:
    """axe on the page as it is in Swedish, then the same page in English, then back."""
    url = page.url.split("#")[0]
    joiner = "&" if "?" in url else "?"
    for lang in ("en", "sv"):
        page.goto(f"{url}{joiner}lang={lang}")
        assert_no_axe_violations(page, f"{where} ({lang})")


def download(page, link_text: str) -> bytes:
    with page.expect_download(timeout=90_000) as info:  # a PDF takes a while on a busy machine
        page.locator("main a", has_text=link_text).click()
    return Path(info.value.path()).read_bytes()


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as document:
        return document.read("word/document.xml").decode()


def add_period(page, name: str, start: str, end: str, deadline: str) -> None:
    page.goto("/reports?lang=sv")
    with page.expect_navigation():
        page.locator("main a", has_text="Lägg till en rapporteringsperiod").click()
    page.fill("#name", name)
    page.fill("#starts_on", start)
    page.fill("#ends_on", end)
    page.fill("#deadline", deadline)
    with page.expect_navigation():
        page.locator("main form button[type='submit']").click()


def test_the_follow_up_cycle(page, browser, live_server, sign_in, console):
    day = days_from(datetime.now(ZoneInfo("Europe/Stockholm")).date())
    sign_in("management")
    page.goto("/reports?lang=sv")
    check_both_languages(page, "the reporting calendar, empty")

    # A period that ends before it starts: the error is named at the field, the input kept.
    with page.expect_navigation():
        page.locator("main a", has_text="Lägg till en rapporteringsperiod").click()
    check_both_languages(page, "the new period form")
    page.fill("#name", "Tertial A")
    page.fill("#starts_on", day(-60))
    page.fill("#ends_on", day(-70))
    page.fill("#deadline", day(-65))
    with page.expect_navigation():
        page.locator("main form button[type='submit']").click()
    page.locator("#error-summary").wait_for()
    assert "Perioden måste sluta samma dag som den börjar eller senare." in page.inner_text(
        "#ends_on-error"
    )
    assert page.locator("#name").input_value() == "Tertial A"
    assert page.locator("#ends_on").input_value() == day(-70)
    assert_no_axe_violations(page, "the period form with an error")
    page.locator("#error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "ends_on"
    page.fill("#ends_on", day(-1))
    page.fill("#deadline", day(-3))
    page.get_by_label("Diarienummer (dnr): KS", exact=True).fill("KS 2026/99")
    with page.expect_navigation():
        page.locator("main form button[type='submit']").click()
    assert "/reports/periods/" in page.url

    # Who has not reported: the idea without a single status update.
    missing = page.locator("#missing + table, #missing ~ div table").first
    assert "Chattbot för växeln" in missing.inner_text()
    assert "E-tjänst för bygglov" not in missing.inner_text()
    period_url = page.url
    check_both_languages(page, "the period with who has reported")

    # Freeze the report of Kommunstyrelsen.
    page.select_option("#committee", label="Kommunstyrelsen")
    with page.expect_navigation():
        page.locator("#freeze button[type='submit']").click()
    report_url = page.url.split("?")[0]
    heading = page.inner_text("#frozen-report")
    frozen_on = datetime.now(ZoneInfo("Europe/Stockholm")).date().isoformat()  # (past midnight)
    assert f"Status per {day(-1)}, fastställd {frozen_on} av Lena Ledning" in heading
    assert "KS 2026/99" in heading
    check_both_languages(page, "the frozen report")
    # On a phone the checksum (64 characters without a space) wraps: no sideways scrolling.
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(size)
    before_page = page.inner_text("#initiatives ~ .table-wrap")
    files = {ext: download(page, label) for ext, label in (
        ("pdf", "PDF"), ("docx", "Word"), ("xlsx", "Excel"), ("csv", "CSV"))}  # fmt: skip
    assert files["pdf"].startswith(b"%PDF")
    assert files["csv"].startswith("\ufeff".encode())
    assert "E-tjänst för bygglov" in files["csv"].decode("utf-8-sig")
    assert "Status per" in docx_text(files["docx"])
    zipfile.ZipFile(io.BytesIO(files["xlsx"])).testzip()

    # The manager changes an initiative: paused, 90 %.
    other = browser.new_context(base_url=live_server.url)
    try:
        sign_in("manager", into=other)
        manager = other.new_page()
        manager.goto("/initiatives?lang=sv")
        with manager.expect_navigation():
            manager.locator("main a", has_text="E-tjänst för bygglov").first.click()
        manager.select_option("#status", "paused")
        manager.fill("#progress", "90")
        manager.fill("#happened", "Pausad i väntan på beslut.")
        manager.locator("#updates form button[type='submit']").click()
        manager.locator(".timeline", has_text="Pausad i väntan på beslut.").wait_for()
    finally:
        other.close()

    # The frozen report and its files are as they were.
    page.goto(report_url + "?lang=sv")
    assert page.inner_text("#initiatives ~ .table-wrap") == before_page
    assert "90 %" not in before_page
    assert download(page, "CSV") == files["csv"]
    assert docx_text(download(page, "Word")) == docx_text(files["docx"])

    # The next period: open now, the change is in its comparison, live and once frozen.
    add_period(page, "Tertial B", day(0), day(30), day(20))
    page.goto("/board?lang=sv")
    with page.expect_navigation():
        page.locator("main a", has_text="Vad som ändrats sedan förra nämndrapporten").click()
    page.select_option("#changes-committee", label="Kommunstyrelsen")
    with page.expect_navigation():
        page.locator("main form button[type='submit']").click()
    changes = page.inner_text("#live-changes")
    assert "E-tjänst för bygglov" in changes and "Pausad" in changes and "+30" in changes
    # A wide screen gives the short values ("60 %", "Pausad") a line of their own each: they
    # were squeezed into two or three ("60 / %").
    size = page.viewport_size
    page.set_viewport_size({"width": 1920, "height": 1000})
    split = page.evaluate(
        """() => Array.from(document.querySelectorAll('#live-changes td.nowrap')).filter(td => {
             const range = document.createRange(); range.selectNodeContents(td);
             const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
             return tops.size > 1; }).map(td => td.textContent)"""
    )
    assert page.locator("#live-changes td.nowrap").count() > 0 and split == [], split
    page.set_viewport_size(size)
    check_both_languages(page, "the live comparison")
    page.goto(period_url.rsplit("/", 1)[0] + "/" + str(int(period_url.rsplit("/", 1)[1]) + 1))
    page.select_option("#committee", label="Kommunstyrelsen")
    with page.expect_navigation():
        page.locator("#freeze button[type='submit']").click()
    assert "Tertial A" in page.inner_text("#frozen-report")  # compared with
    assert "Pausad" in page.inner_text("#frozen-report")

    # The manager sees the open period and what is missing on the start page.
    own = browser.new_context(base_url=live_server.url)
    try:
        sign_in("manager", into=own)
        start = own.new_page()
        start.goto("/?lang=sv")
        section = start.inner_text("#period-reports")
        assert "Tertial B" in section and "saknas" in section and "rapporterad" in section
        check_both_languages(start, "the manager's start page with the period")
    finally:
        own.close()
    assert not console.csp_violations() and not console.page_errors
