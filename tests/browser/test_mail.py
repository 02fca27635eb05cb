"""E-mail in the browser: the preferences in Mitt konto by keyboard, and the admin's send log
with its schedule form; axe-clean in Swedish and English, the focus where it should be."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.mail import outbox
from tracker.models import DecisionKind, Initiative, Role, User
from tracker.portfolio.decisions import DecisionData, record_decision

from .helpers import assert_no_axe_violations, expect_focus

pytestmark = pytest.mark.browser


def _success_notice_has_focus(page) -> None:
    page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('notice--success')"
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_preferences_by_keyboard(page, sign_in, console, lang):
    sign_in("manager")
    page.goto(f"/account?lang={lang}")
    page.locator("a[href$='/account/mail']").click()
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page, f"mail preferences ({lang})")
    box = page.locator("#reminder")
    before = box.is_checked()
    box.focus()
    page.keyboard.press("Space")
    page.locator("form[action$='/account/mail'] button[type='submit']").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _success_notice_has_focus(page)
    assert page.locator("#reminder").is_checked() is not before
    assert page.locator("#digest").count() == 0  # a manager gets no digest to turn off
    assert_no_axe_violations(page, f"mail preferences saved ({lang})")
    assert not console.csp_violations() and not console.page_errors


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_send_log_and_schedule(page, sign_in, console, live_server, lang):
    app = live_server.app
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.role == Role.MANAGEMENT))
        initiative = db.session.scalar(select(Initiative).order_by(Initiative.id))
        record_decision(
            manager,
            initiative,
            DecisionData(
                decided_on=date.today(),
                meeting=f"LG {lang}",
                kind=DecisionKind.OTHER,
                text=f"Beslut <{lang}>",
            ),
        )
        db.session.commit()
        outbox.send_queued()  # no mail server: .eml files in the live server's instance/
        db.session.remove()

    sign_in("admin")
    page.goto(f"/admin/mail?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("table tbody tr").first.is_visible()
    # The subject is in the recipient's language (Swedish), whatever the admin reads in.
    assert "Beslut om" in page.locator("table").inner_text()
    assert_no_axe_violations(page, f"send log ({lang})")

    field = page.locator("#reminder_days")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("fjorton")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect_focus(page, "error-summary")
    assert page.locator("#reminder_days").get_attribute("aria-invalid") == "true"
    assert_no_axe_violations(page, f"schedule error ({lang})")

    field = page.locator("#reminder_days")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("10, 2")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _success_notice_has_focus(page)
    assert page.locator("#reminder_days").input_value() == "10, 2"
    with page.expect_navigation():  # (counting before the page had loaded failed once)
        page.locator("a[href$='status=sent']").click()
    assert page.locator("a[aria-current='page'][href$='status=sent']").count() == 1
    assert_no_axe_violations(page, f"send log, sent ({lang})")
    assert not console.csp_violations() and not console.page_errors
