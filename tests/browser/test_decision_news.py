"""A support request withdrawn while the management group writes the decision on it: the
decision is recorded, the request stays withdrawn, and the decision-maker meets the news first
on the page the decision leads to (focused, in the status region), in a real browser."""

from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.initiatives import support
from tracker.models import Initiative, SupportRequest, User

from .. import factories
from .helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser

TITLE = "Lärplattform för grundskolan"


def _initiative() -> Initiative:
    return db.session.scalar(db.select(Initiative).where(Initiative.title == TITLE))


def test_a_request_withdrawn_meanwhile_is_news_on_the_page_the_decision_leads_to(
    page, live_server, sign_in, console
):
    with live_server.app.app_context():
        initiative = _initiative()
        factories.ask_support(initiative, "Vi behöver hjälp med upphandlingen")
        db.session.commit()
        initiative_id = initiative.id
    sign_in("management")
    page.goto("/board?lang=sv")
    card = page.locator(".board-card", has_text=TITLE)
    with page.expect_navigation():
        card.locator("a[href*='/decisions']").click()
    page.locator("#decision-support").wait_for()

    # Meanwhile the owner withdraws the request.
    with live_server.app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        owner = db.session.get(User, initiative.owner_id)
        support.withdraw(owner, initiative)
        db.session.commit()

    page.locator("input[name='kind'][value='prioritise']").check()
    page.fill("#comment", "Prioriteras i vårens budget")
    with page.expect_navigation():
        page.locator("main form button[type='submit']").click()
    notice = page.locator("#messages .notice--success")
    notice.wait_for()
    text = notice.text_content()
    assert "drogs tillbaka" in text and "förblir tillbakadragen" in text, text
    # Met first: the focus is on the notice (not on the card the board link names), and the
    # notice is in the status region a screen reader reads.
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest('#messages')"
    )
    assert page.locator("#messages").get_attribute("role") == "status"
    assert_no_axe_violations(page, "the page after a decision whose request was withdrawn")
    with live_server.app.app_context():
        request = db.session.scalar(
            db.select(SupportRequest)
            .where(SupportRequest.initiative_id == initiative_id)
            .order_by(SupportRequest.id.desc())
        )
        assert request.outcome.value == "withdrawn" and request.decision_id is None
    assert not console.csp_violations() and not console.page_errors
