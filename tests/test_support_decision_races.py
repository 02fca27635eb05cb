"""A decision and a support request that changed while the decision form was open.

The decision form names the support request it shows, and the decision answers that one only.
One withdrawn by its owner, or answered by another decision, while the decision-maker wrote stays
as it is, and one opened meanwhile stays open; the decision is recorded all the same, and the
decision-maker is told on the page they land on (the notice focused there, also after an htmx
post). Two decisions in the same minute are told apart by id, never by their time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import (
    Decision,
    DecisionKind,
    Health,
    Initiative,
    Role,
    Status,
    SupportOutcome,
    SupportRequest,
)

from . import factories
from .conftest import AuthActions, csrf_from

ASK = "Vi behöver en jurist."
WITHDRAWN_SV = (
    "Begäran om stöd drogs tillbaka av Cecilia Chef medan du skrev beslutet. Beslutet besvarar "
    "därför inte begäran, som förblir tillbakadragen."
)


@pytest.fixture
def initiative(org):
    initiative = factories.make_initiative(
        org.manager,
        principles=org.principles[:1],
        updates=1,
        status=Status.IN_PROGRESS,
        health=Health.AT_RISK,
        progress=30,
        title="Digital post",
    )
    factories.ask_support(initiative, ASK)
    db.session.commit()
    return initiative


def _open_form(client, initiative_id: int) -> dict:
    """The decision form as the browser got it: its token and the request it names."""
    html = client.get(f"/initiatives/{initiative_id}/decisions").get_data(as_text=True)
    shown = re.search(r'name="support_request" type="hidden" value="(\d*)"', html) or re.search(
        r'type="hidden" name="support_request" value="(\d*)"', html
    )
    assert shown, "the decision form does not name the support request it shows"
    return {
        "csrf_token": csrf_from(html),
        "support_request": shown.group(1),
        "decided_on": datetime.now(UTC).date().isoformat(),
        "meeting": "Kommunledningsgruppen",
        "kind": "support",
        "return_to": "",
    }


def _withdraw_as_owner(client, initiative_id: int) -> None:
    owner = client.application.test_client()
    AuthActions(owner).login("chef@example.se")
    token = csrf_from(owner.get("/accessibility").get_data(as_text=True))
    response = owner.post(
        f"/initiatives/{initiative_id}/support/withdraw", data={"csrf_token": token}
    )
    assert response.status_code == 303


def _requests(initiative_id: int) -> list[SupportRequest]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(SupportRequest)
            .where(SupportRequest.initiative_id == initiative_id)
            .order_by(SupportRequest.id)
        )
    )


def _decisions(initiative_id: int) -> list[Decision]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(Decision).where(Decision.initiative_id == initiative_id).order_by(Decision.id)
        )
    )


def test_a_request_withdrawn_while_the_form_was_open_is_told_and_stays_withdrawn(
    org, client, auth, initiative
):
    auth.login("ledning@example.se")
    form = _open_form(client, initiative.id)
    assert form["support_request"] == str(_requests(initiative.id)[0].id)
    _withdraw_as_owner(client, initiative.id)
    response = client.post(f"/initiatives/{initiative.id}/decisions", data=form)
    assert response.status_code == 303
    [request] = _requests(initiative.id)
    [decision] = _decisions(initiative.id)
    assert request.outcome is SupportOutcome.WITHDRAWN and request.decision_id is None
    assert decision.decided_on == datetime.now(UTC).date()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    notice = page.split('id="messages"', 1)[1].split("</div>\n", 2)
    assert "Beslutet har registrerats." in page and WITHDRAWN_SV in "".join(notice)
    # Told once: the next page says nothing more.
    assert WITHDRAWN_SV not in client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)


def test_the_htmx_post_lands_where_the_notice_is_met_first(org, client, auth, initiative):
    """From the board the answer leads back to the card; with news, to the page without the
    card's anchor, so that the focus goes to the notice (static/js/app.js) and not the card."""
    auth.login("ledning@example.se")
    form = _open_form(client, initiative.id)
    form["return_to"] = f"/board#card-{initiative.id}"
    _withdraw_as_owner(client, initiative.id)
    response = client.post(
        f"/initiatives/{initiative.id}/decisions", data=form, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/board"
    page = client.get("/board").get_data(as_text=True)
    assert f"Beslutet har registrerats. {WITHDRAWN_SV}" in page
    assert 'class="notice notice--success"' in page


def test_without_news_the_board_card_is_still_where_the_answer_leads(org, client, auth, initiative):
    auth.login("ledning@example.se")
    form = _open_form(client, initiative.id)
    form["return_to"] = f"/board#card-{initiative.id}"
    response = client.post(
        f"/initiatives/{initiative.id}/decisions", data=form, headers={"HX-Request": "true"}
    )
    assert response.headers["HX-Redirect"] == f"/board#card-{initiative.id}"
    [request] = _requests(initiative.id)
    [decision] = _decisions(initiative.id)
    assert request.outcome is SupportOutcome.ANSWERED and request.decision_id == decision.id
    page = client.get("/board").get_data(as_text=True)
    assert "Beslutet har registrerats." in page and "medan du skrev" not in page


def test_the_message_is_in_the_decision_makers_language(org, client, auth, initiative):
    org.management.language = "en"
    db.session.commit()
    auth.login("ledning@example.se")
    form = _open_form(client, initiative.id)
    _withdraw_as_owner(client, initiative.id)
    response = client.post(
        f"/initiatives/{initiative.id}/decisions", data=form, follow_redirects=True
    )
    assert (
        "The decision has been recorded. The support request was withdrawn by Cecilia Chef while "
        "you were writing the decision. The decision does not answer it, and the request stays "
        "withdrawn."
    ) in response.get_data(as_text=True)


def test_a_request_answered_by_someone_else_meanwhile_keeps_that_answer(
    org, client, auth, initiative
):
    factories.make_user(Role.MANAGEMENT, org.departments[0], email="lg2@example.se", name="Lars Ek")
    db.session.commit()
    auth.login("ledning@example.se")
    mine = _open_form(client, initiative.id)
    other = client.application.test_client()
    AuthActions(other).login("lg2@example.se")
    theirs = _open_form(other, initiative.id)
    theirs["kind"] = "prioritise"
    assert other.post(f"/initiatives/{initiative.id}/decisions", data=theirs).status_code == 303
    response = client.post(
        f"/initiatives/{initiative.id}/decisions", data=mine, follow_redirects=True
    )
    first, second = _decisions(initiative.id)
    [request] = _requests(initiative.id)
    assert request.decision_id == first.id and request.closed_by_id != org.management.id
    assert second.author_id == org.management.id and second.kind is DecisionKind.SUPPORT
    assert (
        "Begäran om stöd besvarades med ett beslut som Lars Ek registrerade medan du skrev ditt. "
        "Ditt beslut besvarar därför inte begäran."
    ) in response.get_data(as_text=True)


def test_a_request_opened_after_the_shown_one_was_withdrawn_stays_open(
    org, client, auth, initiative
):
    """The decision answers the request its form showed, not whichever is open when it is
    saved: one the decision-maker never saw is not answered behind their back."""
    auth.login("ledning@example.se")
    form = _open_form(client, initiative.id)
    _withdraw_as_owner(client, initiative.id)
    newer = factories.ask_support(db.session.get(Initiative, initiative.id), "Nu en ekonom.")
    newer.opened_at = datetime.now(UTC)
    db.session.commit()
    response = client.post(
        f"/initiatives/{initiative.id}/decisions", data=form, follow_redirects=True
    )
    withdrawn, reopened = _requests(initiative.id)
    assert withdrawn.outcome is SupportOutcome.WITHDRAWN and withdrawn.decision_id is None
    assert reopened.is_open and reopened.decision_id is None
    html = response.get_data(as_text=True)
    assert WITHDRAWN_SV in html
    assert "En ny begäran om stöd kom in medan du skrev beslutet." in html


def test_a_request_opened_while_a_form_without_one_was_open_stays_open(org, client, auth):
    initiative = factories.make_initiative(
        org.manager, principles=org.principles[:1], updates=1, title="Utan begäran"
    )
    db.session.commit()
    auth.login("ledning@example.se")
    form = _open_form(client, initiative.id)
    assert form["support_request"] == ""
    factories.ask_support(db.session.get(Initiative, initiative.id), ASK)
    db.session.commit()
    response = client.post(
        f"/initiatives/{initiative.id}/decisions", data=form, follow_redirects=True
    )
    [request] = _requests(initiative.id)
    assert request.is_open
    assert len(_decisions(initiative.id)) == 1
    assert (
        "En ny begäran om stöd kom in medan du skrev beslutet. Beslutet besvarar inte den nya "
        "begäran, som förblir öppen."
    ) in response.get_data(as_text=True)


def test_a_form_shown_again_says_what_changed_and_names_what_it_now_shows(
    org, client, auth, initiative
):
    auth.login("ledning@example.se")
    form = _open_form(client, initiative.id)
    _withdraw_as_owner(client, initiative.id)
    form["meeting"] = ""  # an error: the form comes back
    response = client.post(
        f"/initiatives/{initiative.id}/decisions", data=form, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Begäran om stöd drogs tillbaka av Cecilia Chef medan du skrev beslutet." in html
    assert re.search(r'name="support_request" type="hidden" value=""', html) or re.search(
        r'type="hidden" name="support_request" value=""', html
    )
    assert _decisions(initiative.id) == []


def test_a_double_click_is_no_news(org, client, auth, initiative):
    auth.login("ledning@example.se")
    form = _open_form(client, initiative.id)
    assert client.post(f"/initiatives/{initiative.id}/decisions", data=form).status_code == 303
    client.get("/accessibility")  # the first answer's notice is read
    again = client.post(f"/initiatives/{initiative.id}/decisions", data=form, follow_redirects=True)
    assert "medan du skrev" not in again.get_data(as_text=True)
    [decision] = _decisions(initiative.id)
    [request] = _requests(initiative.id)
    assert request.decision_id == decision.id


def test_a_post_that_names_no_request_answers_the_open_one(org, client, auth, initiative):
    """A client of its own that does not send the field keeps the earlier behaviour."""
    auth.login("ledning@example.se")
    form = _open_form(client, initiative.id)
    del form["support_request"]
    assert client.post(f"/initiatives/{initiative.id}/decisions", data=form).status_code == 303
    [request] = _requests(initiative.id)
    assert request.outcome is SupportOutcome.ANSWERED


def test_two_decisions_in_the_same_minute_are_told_apart_by_id(org, client, auth, initiative):
    """The same time to the microsecond: the later one (the higher id) is the latest, on the
    manager's start page and in the timeline, and the one that answered is marked by id."""
    auth.login("ledning@example.se")
    first_form = _open_form(client, initiative.id)
    first_form["kind"] = "prioritise"
    first_form["keep_support_open"] = "y"
    assert (
        client.post(f"/initiatives/{initiative.id}/decisions", data=first_form).status_code == 303
    )
    second_form = _open_form(client, initiative.id)
    second_form["meeting"] = "Extra möte"
    assert (
        client.post(f"/initiatives/{initiative.id}/decisions", data=second_form).status_code == 303
    )
    first, second = _decisions(initiative.id)
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    # The earlier one written last: in PostgreSQL's heap and index its row now comes after the
    # later one's, so an order by time alone returns the two the wrong way round.
    for decision in (second, first):
        decision.created_at = at
        db.session.flush()
    db.session.commit()
    [request] = _requests(initiative.id)
    assert request.decision_id == second.id
    # Each order must not depend on how the database happens to return ties.
    loaded = db.session.get(Initiative, initiative.id)
    assert [d.id for d in loaded.decisions] == [second.id, first.id]
    auth.logout()
    auth.login("chef@example.se")
    home = client.get("/").get_data(as_text=True)
    card = home.split("Digital post", 1)[1]
    assert "Extra möte" in card.split("card__decision", 2)[1].split("</p>", 1)[0]
    page = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    timeline = page.split('id="timeline"', 1)[1]
    assert timeline.index("Extra möte") < timeline.index("Kommunledningsgruppen")
    answered = timeline.split("Extra möte", 1)[1].split("timeline__item", 1)[0]
    assert "besvarade begäran om stöd" in answered
