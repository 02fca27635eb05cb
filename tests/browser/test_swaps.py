"""Focus and messages after every kind of htmx swap, the meeting mode by keyboard, and layouts that
fit (issue 12). Each test asserts ``document.activeElement`` and what the live regions say."""

from __future__ import annotations

import re

import pytest

from tracker.extensions import db
from tracker.models import Health, Initiative, Status, StatusUpdate, User

from .. import factories
from .helpers import assert_no_axe_violations, expect_focus, words_broken_across_lines
from .test_layout import _shot

pytestmark = pytest.mark.browser

MORE_CARDS = 55  # more than one column shows (50), so "Visa fler" appears


@pytest.fixture(scope="module", autouse=True)
def _big_column(live_server):
    """Enough initiatives in progress for "show more", and one that asks for support."""
    with live_server.app.app_context():
        manager = db.session.scalar(
            db.select(User).where(User.email == live_server.emails["manager"])
        )
        for n in range(MORE_CARDS):
            factories.make_initiative(
                manager,
                title=f"Kolumnkort {n:02d}",
                status=Status.IN_PROGRESS,
                health=Health.ON_TRACK,
                progress=20,
                updates=1,
            )
        needy = factories.make_initiative(
            manager,
            title="Behöver hjälp med upphandling",
            status=Status.IN_PROGRESS,
            health=Health.OFF_TRACK,
            progress=40,
        )
        needy.updates.append(
            StatusUpdate(
                author=manager,
                status=Status.IN_PROGRESS,
                health=Health.OFF_TRACK,
                progress=40,
                happened="Leverantören har dragit sig ur avtalet.",
                next_steps="Ny upphandling i januari.",
                support_needed="Beslut om extra budget för konsultstöd.",
            )
        )
        db.session.flush()
        factories.ask_support(needy, "Beslut om extra budget för konsultstöd.")
        db.session.commit()
        db.session.remove()


def active(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
        return {tag: e.tagName, id: e.id, text: (e.textContent || '').trim(),
                card: e.hasAttribute('data-card-link')}; }"""
    )


def announced(page) -> str:
    return page.locator("#announcer").text_content().strip()


def messages(page) -> str:
    return page.locator("#messages").text_content().strip()


def wait_swap(page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.wait_for_timeout(150)  # the settle delay and the focus step after it


def _initiative_id(live_server, title: str) -> int:
    with live_server.app.app_context():
        return db.session.scalar(db.select(Initiative.id).where(Initiative.title == title))


# --- the initiative page: inline status update ----------------------------------------------------


def test_inline_status_update_moves_focus_announces_and_refreshes_the_page(
    page, sign_in, live_server
):
    sign_in("manager")
    initiative_id = _initiative_id(live_server, "E-tjänst för bygglov")
    page.goto(f"/initiatives/{initiative_id}?lang=sv")
    history_rows = page.locator("#history-section tbody tr").count()

    # Refused: the error summary takes the focus, the text is kept.
    page.fill("#progress", "150")
    page.fill("#happened", "Testar felet.")
    page.locator("#updates form button[type='submit']").click()
    page.locator("#error-summary").wait_for()
    wait_swap(page)
    expect_focus(page, "error-summary")
    assert page.locator("#happened").input_value() == "Testar felet."

    # Saved: focus on the updated region's heading, the message in the live region, and the
    # state box and history show the new values without a page load.
    page.fill("#progress", "77")
    page.select_option("#status", "paused")
    page.locator("#updates form button[type='submit']").click()
    page.locator(".timeline", has_text="Testar felet.").wait_for()
    wait_swap(page)
    expect_focus(page, "timeline")
    assert "Din lägesrapport har sparats." in messages(page)
    assert page.locator("#messages").get_attribute("role") == "status"
    state = page.locator("#current-state").text_content()
    assert "77 %" in state and "Pausad" in state, state
    assert page.locator("#history-section tbody tr").count() == history_rows + 1
    assert page.locator("[id='csrf_token']").count() <= 1
    assert_no_axe_violations(page, "initiative page after an inline status update")


def test_inline_status_update_on_an_old_state_keeps_the_text_and_focuses_why(
    page, sign_in, live_server
):
    """Someone else reports while the form is open: the refusal (409) is swapped in, the focus
    goes to the error summary that says why, the text typed is kept and the fields left as they
    were show the state now; sending again saves, and the focus goes to the timeline."""
    from tracker.initiatives import services

    sign_in("manager")
    initiative_id = _initiative_id(live_server, "Kolumnkort 07")
    page.goto(f"/initiatives/{initiative_id}?lang=sv")
    with live_server.app.app_context():  # another window of hers, meanwhile
        author = db.session.scalar(
            db.select(User).where(User.email == live_server.emails["manager"])
        )
        services.post_update(
            author,
            db.session.get(Initiative, initiative_id),
            services.UpdateData(
                status=Status.PAUSED, health=Health.OFF_TRACK, progress=48, happened="Pausat"
            ),
        )
        db.session.commit()
        db.session.remove()
    page.fill("#happened", "Skrivet medan någon annan rapporterade.")
    page.locator("#updates form button[type='submit']").click()
    page.locator("#error-summary").wait_for()
    wait_swap(page)
    expect_focus(page, "error-summary")
    assert "Någon annan har rapporterat" in page.locator("#error-summary").text_content()
    assert page.locator("#happened").input_value() == "Skrivet medan någon annan rapporterade."
    assert page.locator("#status").input_value() == "paused"
    assert page.locator("#health").input_value() == "off_track"
    assert page.locator("#progress").input_value() == "48"
    assert_no_axe_violations(page, "status update refused on an old state (htmx swap)")

    page.locator("#updates form button[type='submit']").click()
    page.locator(".timeline", has_text="Skrivet medan någon annan rapporterade.").wait_for()
    wait_swap(page)
    expect_focus(page, "timeline")
    assert "Din lägesrapport har sparats." in messages(page)
    assert "48 %" in page.locator("#current-state").text_content()


# --- the registration form ----------------------------------------------------------------------


def test_refused_registration_focuses_the_error_summary(page, sign_in):
    sign_in("manager")
    page.goto("/initiatives/new?lang=sv")
    page.fill("#cost_estimate", "-5")
    page.locator("#initiative-form button[type='submit']").click()
    page.locator("#error-summary").wait_for()
    wait_swap(page)
    expect_focus(page, "error-summary")
    summary = page.locator("#error-summary").text_content()
    # every error at once, each message true
    assert "Ange en titel." in summary and "negativ" in summary, summary


# --- the list: sorting and filtering --------------------------------------------------------------


def test_sorting_and_filtering_the_list(page, sign_in):
    sign_in("management")
    page.goto("/initiatives?lang=sv")
    page.locator("#results thead a", has_text="Initiativ").first.click()
    page.wait_for_url(re.compile(r"sort=-?title"))
    wait_swap(page)
    expect_focus(page, "results-count")
    assert re.fullmatch(r"\d+ initiativ", announced(page)), announced(page)

    # Filtering by a select keeps the focus in the select and announces the new count.
    page.focus("#filter-status")
    page.select_option("#filter-status", "done")
    page.wait_for_url(re.compile(r"status=done"))
    wait_swap(page)
    expect_focus(page, "filter-status")
    assert announced(page) == "1 initiativ"
    # Sending the filter with its button moves the focus to the count.
    page.locator(".portfolio-filters button[type='submit']").click()
    wait_swap(page)
    expect_focus(page, "results-count")
    assert_no_axe_violations(page, "list after filtering")


# --- the board: filter, "Visa fler", meeting mode ---------------------------------------------


def test_board_filter_announces_and_keeps_the_meeting_link_current(page, sign_in):
    sign_in("management")
    page.goto("/board?lang=sv")
    page.focus("#filter-health")
    page.select_option("#filter-health", "off_track")
    page.wait_for_url(re.compile(r"health=off_track"))
    wait_swap(page)
    expect_focus(page, "filter-health")
    assert re.fullmatch(r"\d+ initiativ på portföljtavlan", announced(page)), announced(page)
    href = page.locator("#present-link").get_attribute("href")
    assert "present=1" in href and "health=off_track" in href, href
    # The card says why: the latest report and the support asked.
    card = page.locator(".board-card", has_text="Behöver hjälp med upphandling")
    assert "Beslut om extra budget för konsultstöd." in card.text_content()
    assert "Leverantören har dragit sig ur avtalet." in card.text_content()


def test_show_more_focuses_the_first_new_card_and_announces(page, sign_in):
    sign_in("management")
    page.goto("/board?lang=sv")
    column = page.locator("#cards-in_progress")
    before = column.locator("[data-card-link]").count()
    more = column.locator(".board__more a")
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('#cards-in_progress [data-card-link]').length > {before}"
    )
    wait_swap(page)
    focused = active(page)
    assert focused["card"], focused
    assert focused["id"] == column.locator("[data-card-link]").nth(before).get_attribute("id")
    assert re.fullmatch(r"\d+ initiativ till visas under Pågående\.", announced(page)), announced(
        page
    )
    assert_no_axe_violations(page, "board after show more")


def test_meeting_mode_by_keyboard(page, sign_in, live_server):
    sign_in("management")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/board?present=1&committee=KS&lang=sv")
    # Header, navigation, footer and the filter form are out of the way; the filter is kept.
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".main-nav").is_visible()
    assert not page.locator(".portfolio-filters").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # No title breaks mid-word: every word of every title sits on one line.
    broken = words_broken_across_lines(page, ".board-card__title a")
    assert not broken, broken
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.board-card__title')).fontSize)"
    )
    assert size >= 24, size
    _shot(page, "meeting-mode-1920")

    # Arrow keys move between cards...
    page.keyboard.press("ArrowDown")
    first = active(page)
    assert first["card"], first
    page.keyboard.press("ArrowRight")
    second = active(page)
    assert second["card"] and second["id"] != first["id"]
    page.keyboard.press("ArrowLeft")
    expect_focus(page, first["id"])
    page.locator("#cards-in_progress [data-card-link]").first.focus()
    top = active(page)["id"]
    page.keyboard.press("ArrowDown")
    assert active(page)["card"] and active(page)["id"] != top
    # ...but not inside a form control.
    page.locator(".present-filter summary").click()
    page.locator("#filter-q").focus()
    page.keyboard.press("ArrowDown")
    expect_focus(page, "filter-q")
    page.locator("#filter-status").focus()
    page.keyboard.press("ArrowDown")  # the select takes the key: it chooses its next option
    expect_focus(page, "filter-status")
    assert page.locator("#filter-status").input_value() == "idea"
    page.wait_for_url(re.compile(r"status=idea"))
    wait_swap(page)
    page.keyboard.press("ArrowUp")
    page.wait_for_url(re.compile(r"status=&"))
    wait_swap(page)
    expect_focus(page, "filter-status")
    # Enter in the search field filters and stays in the meeting mode.
    page.fill("#filter-q", "upphandling")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=upphandling"))
    wait_swap(page)
    assert "present=1" in page.url and "committee=KS" in page.url
    assert page.locator(".board--present").count() == 1

    # A decision from the meeting returns to the same filtered board, meeting mode, same card.
    card = page.locator(".board-card", has_text="Behöver hjälp med upphandling")
    card_id = card.locator("[data-card-link]").get_attribute("id")
    card.locator(".board-card__actions a").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Beslut om extra budget för konsultstöd." in page.locator("main").text_content()
    page.locator("#kind-0").check()
    with page.expect_navigation():
        page.locator("#decision-form button[type='submit']").click()
    page.wait_for_load_state()
    assert "/board?" in page.url and "present=1" in page.url and "q=upphandling" in page.url
    assert "committee=KS" in page.url and page.url.endswith(f"#{card_id}")
    page.wait_for_function(f"() => document.activeElement.id === '{card_id}'")
    assert "Beslutet har registrerats." in messages(page)
    assert_no_axe_violations(page, "meeting mode after a decision")


def test_meeting_mode_opens_an_initiative_and_comes_back_to_the_card(page, sign_in):
    """Enter on a card opens the initiative; its first link in the content is "Tillbaka till
    mötet", which leads to the same filtered board in the meeting mode, focus on the same card."""
    sign_in("management")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/board?present=1&committee=KS&lang=sv")
    page.keyboard.press("ArrowDown")
    card = active(page)
    assert card["card"], card
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/initiatives/" in page.url and "return_to=" in page.url
    assert page.locator("h1").text_content().strip() == card["text"]
    # Keyboard-reachable early: the skip link, then the way back is the next stop in the content.
    page.locator("#main").focus()
    page.keyboard.press("Tab")
    expect_focus(page, "back-to-meeting")
    assert active(page)["text"] == "Tillbaka till mötet"
    assert_no_axe_violations(page, "initiative opened from the meeting")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "/board?" in page.url and "present=1" in page.url and "committee=KS" in page.url
    assert page.url.endswith(f"#{card['id']}")
    assert page.locator(".board--present").count() == 1
    expect_focus(page, card["id"])
    # And the arrow keys go on from there.
    page.keyboard.press("ArrowRight")
    assert active(page)["card"] and active(page)["id"] != card["id"]


# --- decisions and the conflict page --------------------------------------------------------------


def test_refused_decision_focuses_the_error_summary(page, sign_in, live_server):
    sign_in("management")
    initiative_id = _initiative_id(live_server, "Digital signering av avtal")
    page.goto(f"/initiatives/{initiative_id}/decisions?lang=sv")
    page.fill("#meeting", "")
    page.locator("#decision-form button[type='submit']").click()
    page.locator("#error-summary").wait_for()
    wait_swap(page)
    expect_focus(page, "error-summary")
    assert_no_axe_violations(page, "refused decision")


def test_successful_decision_focuses_its_message(page, sign_in, live_server):
    sign_in("management")
    initiative_id = _initiative_id(live_server, "Digital signering av avtal")
    page.goto(f"/initiatives/{initiative_id}/decisions?lang=sv")
    page.locator("#kind-0").check()
    with page.expect_navigation():
        page.locator("#decision-form button[type='submit']").click()
    page.wait_for_load_state()
    page.wait_for_function("() => document.activeElement.matches('#messages .notice')")
    assert "Beslutet har registrerats." in messages(page)


def test_conflict_page_focuses_its_heading(page, sign_in, live_server):
    sign_in("manager")
    initiative_id = _initiative_id(live_server, "Chattbot för växeln")
    page.goto(f"/initiatives/{initiative_id}/edit?lang=sv")
    with live_server.app.app_context():  # someone else saves meanwhile
        initiative = db.session.get(Initiative, initiative_id)
        initiative.version += 1
        db.session.commit()
        db.session.remove()
    page.fill("#title", "Chattbot för växeln, ny")
    page.locator("#initiative-form button[type='submit']").click()
    page.locator("#conflict").wait_for()
    wait_swap(page)
    focused = active(page)
    assert focused["tag"] == "H1" and "Någon annan" in focused["text"], focused


def test_co_owner_search_keeps_focus_and_announces(page, sign_in):
    sign_in("manager")
    page.goto("/initiatives/new?lang=sv")
    search = page.locator("#co-owner-q")
    search.focus()
    page.keyboard.type("rektor")
    page.locator("#co-owner-choices input[type=checkbox]").first.wait_for()
    wait_swap(page)
    expect_focus(page, "co-owner-q")
    assert re.fullmatch(r"\d+ (chef|chefer) matchar\.", announced(page)), announced(page)
    # The matches follow the search in the tab order: Tab, past the search button, reaches the
    # first one (they came before the field, and only Shift+Tab found them).
    first = page.locator("#co-owner-choices input[type=checkbox]").first
    page.keyboard.press("Tab")
    assert (
        active(page)["tag"] == "INPUT" and page.evaluate("document.activeElement.type") == "submit"
    )
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == first.get_attribute("id")
    page.keyboard.press("Space")
    assert first.is_checked()
    search.focus()
    # searching again keeps the one already ticked
    search.fill("nobody-matches-this")
    page.locator("#co-owner-choices", has_text="Ingen chef matchar sökningen.").wait_for()
    assert page.locator("#co-owner-choices input[type=checkbox]:checked").count() == 1
    assert_no_axe_violations(page, "co-owner search")


# --- the period's report, marked in the inline update (issue 13) ---------------------------------


def test_inline_update_marked_as_the_periods_report(page, sign_in, live_server):
    """While a period is open the inline update offers the mark; saved through htmx, focus goes
    to the timeline's heading and the live region says the update is the period's report."""
    from datetime import date, timedelta

    from tracker.models import PeriodReportMark, ReportingPeriod
    from tracker.reports import periods

    with live_server.app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == live_server.emails["admin"]))
        today = date.today()
        period = periods.create_period(
            admin,
            periods.PeriodData(
                name="Tertial nu",
                starts_on=today - timedelta(days=5),
                ends_on=today + timedelta(days=30),
                deadline=today + timedelta(days=20),
            ),
        )
        db.session.commit()
        period_id = period.id
        db.session.remove()
    try:
        sign_in("manager")
        initiative_id = _initiative_id(live_server, "E-tjänst för bygglov")
        page.goto(f"/initiatives/{initiative_id}?lang=sv")
        box = page.get_by_label("Använd lägesrapporten som rapport för Tertial nu")
        assert box.is_visible() and not box.is_checked()
        page.fill("#happened", "Rapport till tertialen.")
        box.check()
        page.locator("#updates form button[type='submit']").click()
        page.locator(".timeline", has_text="Rapport till tertialen.").wait_for()
        expect_focus(page, "timeline")
        assert "Din lägesrapport har sparats som rapport för Tertial nu." in messages(page)
        assert_no_axe_violations(page, "initiative page after an update marked as the report")
        with live_server.app.app_context():
            mark = db.session.scalar(
                db.select(PeriodReportMark).where(PeriodReportMark.period_id == period_id)
            )
            assert mark is not None and mark.initiative_id == initiative_id
            db.session.remove()
    finally:
        with live_server.app.app_context():
            db.session.execute(db.delete(PeriodReportMark))
            db.session.execute(db.delete(ReportingPeriod).where(ReportingPeriod.id == period_id))
            db.session.commit()
            db.session.remove()


# --- since the last frozen report, on the dashboard and the board (issue 13) -------------------
# Last in the module: a frozen report can never be deleted, so it stays for any later test.


def test_since_the_last_report_on_dashboard_and_board_through_swaps(page, sign_in, live_server):
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from tracker.initiatives import services as initiative_services
    from tracker.initiatives.services import UpdateData
    from tracker.models import Committee
    from tracker.reports import periods
    from tracker.reports import services as report_services

    with live_server.app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == live_server.emails["admin"]))
        today = date.today()
        period = periods.create_period(
            admin,
            periods.PeriodData(
                name="Tertialen",
                starts_on=today - timedelta(days=10),
                ends_on=today + timedelta(days=60),
                deadline=today + timedelta(days=30),
            ),
        )
        committees = list(db.session.scalars(db.select(Committee.id)))
        report_services.freeze(
            admin,
            period,
            report_services.FreezeRequest(committees, dict.fromkeys(committees, 0)),
            tz=ZoneInfo("Europe/Stockholm"),
            stale_days=30,
            organisation="Nykvarns kommun",
            locale="sv",
        )
        changed = db.session.scalar(
            db.select(Initiative).where(Initiative.title == "Digital signering av avtal")
        )
        initiative_services.post_update(
            admin,
            changed,
            UpdateData(status=Status.PAUSED, health=Health.AT_RISK, progress=changed.progress + 10),
        )
        db.session.commit()
        card_id = f"card-{changed.id}"
        db.session.remove()

    sign_in("management")
    page.goto("/dashboard?lang=sv")
    section = page.locator("#since-report")
    assert "Sedan förra nämndrapporten" in section.text_content()
    assert_no_axe_violations(page, "dashboard with the section since the last report")
    # Filtering swaps the figures: focus stays in the filter, the count is announced, the
    # section follows the filter.
    page.focus("#filter-status")
    page.select_option("#filter-status", "paused")
    page.wait_for_url(re.compile(r"status=paused"))
    wait_swap(page)
    expect_focus(page, "filter-status")
    assert re.fullmatch(r"\d+ initiativ i urvalet", announced(page)), announced(page)
    assert page.locator("#since-report").count() == 1
    assert_no_axe_violations(page, "dashboard filtered, since the last report")

    page.goto("/board?lang=sv")
    marker = page.locator(f".board-card:has(#{card_id}) .board-card__since")
    assert "Sedan förra rapporten" in marker.text_content(), marker.text_content()
    assert "framsteg +10 procentenheter" in marker.text_content(), marker.text_content()
    assert_no_axe_violations(page, "board with the markers since the last report")
    page.focus("#filter-status")
    page.select_option("#filter-status", "paused")
    page.wait_for_url(re.compile(r"status=paused"))
    wait_swap(page)
    expect_focus(page, "filter-status")
    assert re.fullmatch(r"\d+ initiativ på portföljtavlan", announced(page)), announced(page)
    after = page.locator(f".board-card:has(#{card_id}) .board-card__since").text_content()
    assert "→ Pausad" in after, after
    assert_no_axe_violations(page, "board filtered, with the markers since the last report")


def _open_period_today(live_server):
    """The period open today, made (Tertialen, around today) if there is none; in an app
    context, not committed."""
    from datetime import date, timedelta

    from tracker.reports import periods

    today = date.today()
    existing = periods.open_period(today)
    if existing is not None:
        return existing
    admin = db.session.scalar(db.select(User).where(User.email == live_server.emails["admin"]))
    return periods.create_period(
        admin,
        periods.PeriodData(
            name="Tertialen",
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=60),
            deadline=today + timedelta(days=30),
        ),
    )


def test_the_mark_in_the_status_round_and_on_the_start_page_is_accessible(
    page, sign_in, live_server
):
    """The period's mark where a manager writes updates: labelled, described, axe clean."""

    with live_server.app.app_context():
        name = _open_period_today(live_server).name
        db.session.commit()
        db.session.remove()
    sign_in("manager")
    label = f"Använd lägesrapporten som rapport för {name}"
    page.goto("/initiatives/round?lang=sv")
    assert page.get_by_label(label).count() >= 2
    assert_no_axe_violations(page, "status round with the period's mark")
    page.goto("/?lang=sv")
    assert page.get_by_label(label).count() >= 1
    assert_no_axe_violations(page, "start page with the period's mark")


def test_the_start_pages_choice_of_report_fits_a_phone(page, sign_in, live_server):
    """With two updates in the open period the start page offers the choice of which is the
    report: on a phone (390 px) and at 320 px it stays inside the page (no sideways scroll)."""

    from tracker.initiatives import services as initiative_services
    from tracker.initiatives.services import UpdateData

    with live_server.app.app_context():
        _open_period_today(live_server)
        manager = db.session.scalar(
            db.select(User).where(User.email == live_server.emails["manager"])
        )
        initiative = db.session.scalar(
            db.select(Initiative).where(
                Initiative.owner_id == manager.id,
                Initiative.status.not_in((Status.DONE, Status.CANCELLED)),
            )
        )
        for text in ("Första rapporten i perioden " * 6, "Andra rapporten i perioden " * 6):
            initiative_services.post_update(
                manager,
                initiative,
                UpdateData(status=initiative.status, health=initiative.health,
                           progress=initiative.progress, happened=text),
            )  # fmt: skip
        db.session.commit()
        db.session.remove()
    sign_in("manager")
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/?lang=sv")
        assert page.locator(".period-mark select").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            width,
            page.evaluate("document.documentElement.scrollWidth"),
        )
