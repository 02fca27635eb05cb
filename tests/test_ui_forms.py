"""Issue 12, forms: every error at once and each message true; decisions that set the status and
never drop text; the language select's autocomplete; csrf fields without duplicate ids; htmx
answers that carry their messages and refresh what they changed."""

from __future__ import annotations

import re

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import (
    Decision,
    DecisionKind,
    Health,
    Initiative,
    Status,
    StatusUpdate,
    User,
)

from . import factories
from .test_initiatives import form_data, post

HX = {"HX-Request": "true"}


def test_registration_reports_every_error_at_once(org, client, auth):
    auth.login("chef@example.se")
    principle = org.principles[0]
    data = form_data(
        org,
        title="",
        purpose="",
        cost_estimate="-5",
        start_date="2026-05-01",
        target_date="2026-01-01",
        **{f"motivation_{principle.id}": ""},
    )
    response = post(client, "/initiatives", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[
        html.index('id="error-summary"') : html.index("</div>", html.index("error-summary"))
    ]
    for message in (
        "Ange en titel.",
        "Beskriv initiativets syfte.",
        "Kostnaden kan inte vara negativ.",
        "Måldatumet kan inte vara före startdatumet.",
        "Beskriv hur initiativet bidrar.",
    ):
        assert message in summary, (message, summary)
    assert "helt antal" not in html
    assert db.session.scalar(select(Initiative)) is None


def test_language_select_has_autocomplete_and_no_duplicate_csrf_ids(org, client, auth):
    auth.login("chef@example.se")
    html = client.get("/account").get_data(as_text=True)
    assert re.search(r'<select[^>]*autocomplete="language"[^>]*name="language"', html) or re.search(
        r'<select[^>]*name="language"[^>]*autocomplete="language"', html
    ), html
    initiative = factories.make_initiative(org.manager, principles=org.principles[:1], updates=1)
    db.session.commit()
    page = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert page.count('id="csrf_token"') <= 1
    assert page.count('name="csrf_token"') >= 2


def test_inline_update_answer_carries_message_state_and_history(org, client, auth):
    auth.login("chef@example.se")
    initiative = factories.make_initiative(
        org.manager, principles=org.principles[:1], updates=1, status=Status.IN_PROGRESS
    )
    db.session.commit()
    data = {"status": "paused", "health": "at_risk", "progress": "66", "happened": "Hänt"}
    response = post(client, f"/initiatives/{initiative.id}/updates", data, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert (
        'id="messages" hx-swap-oob="innerHTML"' in html and "Din lägesrapport har sparats." in html
    )
    state = html[html.index('id="current-state"') :]
    assert 'hx-swap-oob="true"' in state[:200] and "66 %" in state
    assert 'id="history-section" hx-swap-oob="true"' in html


def _decide(client, initiative, **fields):
    data = {"decided_on": "2026-11-24", "meeting": "Ledningsgruppen", "kind": "pause", **fields}
    return post(client, f"/initiatives/{initiative.id}/decisions", data)


def test_pause_and_close_decisions_set_the_status_in_the_same_save(org, client, auth):
    initiative = factories.make_initiative(
        org.manager, updates=1, status=Status.IN_PROGRESS, health=Health.AT_RISK, progress=30
    )
    db.session.commit()
    auth.login("ledning@example.se")
    assert _decide(client, initiative, new_status="paused").status_code == 303
    db.session.expire_all()
    assert initiative.status == Status.PAUSED and initiative.progress == 30
    latest = db.session.scalar(
        select(StatusUpdate)
        .where(StatusUpdate.initiative_id == initiative.id)
        .order_by(StatusUpdate.created_at.desc(), StatusUpdate.id.desc())
    )
    assert latest.status == Status.PAUSED and latest.author_id == org.management.id
    assert _decide(client, initiative, kind="close", new_status="cancelled").status_code == 303
    db.session.expire_all()
    assert initiative.status == Status.CANCELLED
    # A status that the decision does not give is refused, nothing saved.
    before = db.session.scalar(select(db.func.count()).select_from(Decision))
    response = _decide(client, initiative, kind="prioritise", new_status="done")
    assert response.status_code == 422 and "Bara ett beslut om att pausa" in response.get_data(
        as_text=True
    )
    response = _decide(client, initiative, kind="pause", new_status="done")
    assert response.status_code == 422
    assert db.session.scalar(select(db.func.count()).select_from(Decision)) == before


def test_text_written_with_a_kind_that_needs_none_is_kept_and_shown(org, client, auth):
    initiative = factories.make_initiative(org.manager, updates=1, status=Status.IN_PROGRESS)
    db.session.commit()
    auth.login("ledning@example.se")
    assert _decide(client, initiative, kind="prioritise", text="Före alla andra").status_code == 303
    decision = db.session.scalar(select(Decision))
    assert decision.kind == DecisionKind.PRIORITISE and decision.text == "Före alla andra"
    page = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert "Före alla andra" in page


def test_decision_form_and_attention_list_show_the_latest_report(org, client, auth):
    initiative = factories.make_initiative(
        org.manager, status=Status.IN_PROGRESS, health=Health.OFF_TRACK, progress=10
    )
    initiative.updates.append(
        StatusUpdate(
            author=org.manager,
            status=Status.IN_PROGRESS,
            health=Health.OFF_TRACK,
            progress=10,
            happened="Servern brann upp.",
            support_needed="Pengar till ny server.",
        )
    )
    db.session.flush()
    factories.ask_support(initiative, "Pengar till ny server.")
    db.session.commit()
    auth.login("ledning@example.se")
    form = client.get(f"/initiatives/{initiative.id}/decisions").get_data(as_text=True)
    assert "Servern brann upp." in form and "Pengar till ny server." in form
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Pengar till ny server." in dashboard
    board = client.get("/board").get_data(as_text=True)
    assert "Pengar till ny server." in board and "Servern brann upp." in board


def test_return_to_only_leads_to_the_board(org, client, auth):
    initiative = factories.make_initiative(org.manager, updates=1, status=Status.IN_PROGRESS)
    db.session.commit()
    auth.login("ledning@example.se")
    for hostile, expected in [
        ("https://evil.example/board", f"/initiatives/{initiative.id}"),
        ("//evil.example/board", f"/initiatives/{initiative.id}"),
        ("/board?present=1\r\nX-Evil: 1", f"/initiatives/{initiative.id}"),
        ("/admin", f"/initiatives/{initiative.id}"),
        ("/board?present=1#card-1", "/board?present=1#card-1"),
    ]:
        response = _decide(client, initiative, kind="prioritise", return_to=hostile)
        assert response.status_code == 303 and response.headers["Location"] == expected, hostile


def test_co_owners_are_a_search_that_scales_and_keeps_the_allow_list(org, client, auth):
    for n in range(30):
        factories.make_user(
            factories.Role.MANAGER,
            org.departments[0],
            email=f"chef{n}@example.se",
            name=f"Anna {n:02d}",
        )
    db.session.commit()
    auth.login("chef@example.se")
    form = client.get("/initiatives/new").get_data(as_text=True)
    assert "Anna 05" not in form  # no list of every user
    # the live search: matches by name, at most 20, the chosen stay ticked
    chosen = db.session.scalar(select(User).where(User.email == "chef3@example.se"))
    answer = client.get(
        f"/initiatives/co-owners?co_owner_q=anna&co_owner_ids={chosen.id}", headers=HX
    ).get_data(as_text=True)
    assert f'value="{chosen.id}" checked' in answer
    assert answer.count('name="co_owner_ids"') == 21 and "Skriv mer av namnet" in answer
    assert 'id="announcer" hx-swap-oob="innerHTML">20 chefer matchar.' in answer
    # without script: the form's search button shows the matches and saves nothing
    data = form_data(org, co_owner_q="Anna 07", action="find_co_owners")
    response = post(client, "/initiatives", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Anna 07" in html and "Anna 08" not in html
    assert db.session.scalar(select(Initiative)) is None
    assert 'value="Digital signering av avtal"' in html  # what was typed is kept
    # the allow-list holds on the server: a committee reader cannot be made co-owner
    data = form_data(org, co_owner_ids=str(org.committee_reader.id))
    response = post(client, "/initiatives", data)
    assert response.status_code == 422 and "Välj medägare i listan." in response.get_data(
        as_text=True
    )
    anna = db.session.scalar(select(User).where(User.email == "chef7@example.se"))
    assert (
        post(client, "/initiatives", form_data(org, co_owner_ids=str(anna.id))).status_code == 303
    )
    assert [u.id for u in db.session.scalar(select(Initiative)).co_owners] == [anna.id]


def test_every_choice_field_of_the_base_form_says_not_a_valid_choice(app):
    """Select, radio buttons and checkboxes, a value their coerce cannot read and one that is
    none of the choices: the product's message, in one place (the base form); a field's own
    message is kept."""
    from werkzeug.datastructures import MultiDict
    from wtforms import RadioField, SelectField, SelectMultipleField
    from wtforms.fields.choices import SelectChoice

    from tracker.validators import TrackerForm

    class Form(TrackerForm):
        class Meta:
            csrf = False

        one = SelectField(coerce=int, choices=[SelectChoice(1, "Ett")])
        many = SelectMultipleField(coerce=int, choices=[SelectChoice(1, "Ett")])
        radio = RadioField(choices=[SelectChoice("a", "A")])
        own = SelectField(
            coerce=int, choices=[SelectChoice(1, "Ett")], invalid_value_message="Eget"
        )

    tampered = [
        {"one": "abc", "many": "x", "radio": "b", "own": "abc"},
        {"one": "2", "many": "2", "radio": "", "own": "1"},
    ]
    with app.test_request_context("/"):
        for data in tampered:
            form = Form(MultiDict(data))
            assert not form.validate()
            for name in ("one", "many", "radio"):
                assert [str(e) for e in form[name].errors] == ["Inte ett giltigt val."], name
        form = Form(MultiDict(tampered[0]))
        assert not form.validate() and form.own.errors == ["Eget"]
