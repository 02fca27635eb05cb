"""Registering, reading, editing and reporting on initiatives (issue: initiatives and updates)."""

import re

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.initiatives import services
from tracker.models import AuditEvent, Health, Initiative, Status, StatusUpdate

from . import factories
from .conftest import csrf_from
from .resilience_support import form_fields


def form_data(org, **overrides):
    principle = org.principles[0]
    data = {
        "title": "Digital signering av avtal",
        "purpose": "Att kunna signera avtal digitalt.",
        "benefit": "Snabbare besked till företag.",
        "target_group": "Företagare",
        "department_id": str(org.departments[0].id),
        "start_date": "2026-01-01",
        "target_date": "2026-12-31",
        "funding_source": "Ordinarie budget",
        "cost_estimate": "150000",
        "risks": "Leverantörsberoende",
        f"principle_{principle.id}": "y",
        f"motivation_{principle.id}": "Effektivare handläggning.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, path, data, page="/accessibility", **kwargs):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


@pytest.fixture
def initiative(org):
    initiative = factories.make_initiative(
        org.manager,
        principles=org.principles[:1],
        updates=2,
        status=Status.IN_PROGRESS,
        health=Health.ON_TRACK,
        progress=20,
    )
    db.session.commit()
    return initiative


# --- register ----------------------------------------------------------------------------


def test_manager_registers_an_initiative(org, client, auth):
    auth.login("chef@example.se")
    response = post(client, "/initiatives", form_data(org))
    assert response.status_code == 303, response.headers.get("Location")
    initiative = db.session.scalar(select(Initiative))
    assert response.headers["Location"] == f"/initiatives/{initiative.id}"
    assert initiative.owner_id == org.manager.id
    assert initiative.cost_estimate == 150000
    assert [link.motivation for link in initiative.principle_links] == ["Effektivare handläggning."]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "initiative.create"))
    assert (
        event.entity_id == initiative.id and event.changes["title"] == "Digital signering av avtal"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Digital signering av avtal" in page and "Effektivare handläggning." in page


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"title": ""}, "Ange en titel."),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"target_date": "2025-01-01"}, "Måldatumet kan inte vara före startdatumet."),
        ({"department_id": "999999"}, "Välj en avdelning i listan."),
        ({"progress": None, "cost_estimate": "-5"}, "Kostnaden kan inte vara negativ."),
        ({"cost_estimate": "12,5"}, "Ange kostnaden i hela kronor, till exempel 250000."),
    ],
)
def test_invalid_input_comes_back_with_422_and_is_kept(org, client, auth, overrides, message):
    auth.login("chef@example.se")
    data = form_data(org, **overrides)
    response = post(client, "/initiatives", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert "Att kunna signera avtal digitalt." in html  # the input is kept
    assert message in html or "Fältet får inte vara längre än 200 tecken." in html
    assert db.session.scalar(select(func.count(Initiative.id))) == 0


@pytest.mark.parametrize(
    "lang, message",
    [
        ("sv", "Fältet får inte vara längre än 5000 tecken."),
        ("en", "Field cannot be longer than 5000 characters."),
    ],
)
def test_a_too_long_motivation_is_told_in_the_users_language(org, client, auth, lang, message):
    """The motivations are added to the form per principle: they get the form's translations
    like every declared field (was WTForms' English on the Swedish page)."""
    auth.login("chef@example.se")
    client.get(f"/accessibility?lang={lang}")
    p = org.principles[0]
    response = post(client, "/initiatives", form_data(org, **{f"motivation_{p.id}": "x" * 5001}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="motivation_{p.id}-error">.*{re.escape(message)}', html)
    if lang == "sv":
        assert "Field cannot be longer" not in html
    assert db.session.scalar(select(func.count(Initiative.id))) == 0


@pytest.mark.parametrize(
    "field, message",
    [
        ("department_id", "Välj en avdelning i listan."),
        ("maturity_category_ids", "Välj områden för digital mognad i listan."),
    ],
)
@pytest.mark.parametrize("editing", [False, True])
def test_an_id_too_large_for_the_database_is_a_message_not_a_500(
    org, client, auth, field, message, editing
):
    """A posted id beyond what the database holds names no record: the field's message (was an
    OverflowError on SQLite, a DataError on PostgreSQL: a 500)."""
    auth.login("chef@example.se")
    data = form_data(org, **{field: "99999999999999999999"})
    if editing:
        initiative = factories.make_initiative(org.manager, principles=org.principles[:1])
        db.session.commit()
        response = post(client, f"/initiatives/{initiative.id}/edit", {**data, "version": "1"})
    else:
        response = post(client, "/initiatives", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "Att kunna signera avtal digitalt." in html


@pytest.mark.parametrize("text", ["Bidrar\x01 till", "Bidrar \u202etill"])
def test_a_motivation_with_control_characters_is_refused_at_its_field(org, client, auth, text):
    """Every text field refuses invisible control characters, the motivations too."""
    auth.login("chef@example.se")
    p = org.principles[0]
    response = post(client, "/initiatives", form_data(org, **{f"motivation_{p.id}": text}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="motivation_{p.id}-error"' in html and "Ta bort" in html
    assert "Att kunna signera avtal digitalt." in html  # the input is kept
    assert db.session.scalar(select(func.count(Initiative.id))) == 0


@pytest.mark.parametrize(
    "field, value",
    [("department_id", "abc"), ("co_owner_ids", "x"), ("maturity_category_ids", "x")],
)
@pytest.mark.parametrize(
    "lang, message", [("sv", "Inte ett giltigt val."), ("en", "Not a valid choice.")]
)
def test_a_tampered_choice_gets_the_products_message_not_wtforms(
    org, client, auth, field, value, lang, message
):
    """A value no select or checkbox offers, not even a number: the message every choice field
    gives, not WTForms' own ("Felaktigt val; kunde inte ceorce:a")."""
    auth.login("chef@example.se")
    client.get(f"/accessibility?lang={lang}")
    response = post(client, "/initiatives", form_data(org, **{field: value}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'class="error-summary"' in html
    assert "coerc" not in html and "ceorce" not in html
    assert "Att kunna signera avtal digitalt." in html  # the input is kept
    assert db.session.scalar(select(func.count(Initiative.id))) == 0


def test_checked_principle_needs_a_motivation(org, client, auth):
    auth.login("chef@example.se")
    p = org.principles[1]
    response = post(client, "/initiatives", form_data(org, **{f"principle_{p.id}": "y"}))
    assert response.status_code == 422
    assert "Beskriv hur initiativet bidrar." in response.get_data(as_text=True)


def test_at_least_one_principle(org, client, auth):
    auth.login("chef@example.se")
    p = org.principles[0]
    data = form_data(org, **{f"principle_{p.id}": None, f"motivation_{p.id}": None})
    response = post(client, "/initiatives", data)
    assert response.status_code == 422
    assert "Välj minst ett ledord." in response.get_data(as_text=True)


def test_invalid_htmx_submission_returns_the_form_fragment(org, client, auth):
    auth.login("chef@example.se")
    response = post(
        client, "/initiatives", form_data(org, title=""), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="initiative-form">')
    assert "<html" not in html


def test_fields_the_form_does_not_offer_cannot_be_set(org, client, auth):
    auth.login("chef@example.se")
    data = form_data(
        org,
        owner_id=str(org.other_manager.id),
        version="99",
        status="done",
        progress="100",
        archived_at="2020-01-01",
    )
    assert post(client, "/initiatives", data).status_code == 303
    initiative = db.session.scalar(select(Initiative))
    assert initiative.owner_id == org.manager.id
    assert initiative.version == 1 and initiative.status == Status.IDEA
    assert initiative.progress == 0 and initiative.archived_at is None


@pytest.mark.parametrize("role", ["management", "committee"])
def test_readers_cannot_register(org, client, auth, role):
    auth.login(org.user(role).email)
    assert client.get("/initiatives/new").status_code == 403
    assert post(client, "/initiatives", form_data(org)).status_code == 403


# --- read ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "management", "committee", "manager"])
def test_every_role_reads_the_list_and_the_initiative(org, client, auth, initiative, role):
    auth.login(org.user(role).email)
    assert initiative.title in client.get("/initiatives").get_data(as_text=True)
    page = client.get(f"/initiatives/{initiative.id}")
    assert page.status_code == 200
    assert "Hände 1" in page.get_data(as_text=True)  # the timeline


def test_committee_reader_limited_to_their_committee(org, client, auth, initiative):
    reader = db.session.get(type(org.committee_reader), org.committee_reader.id)
    reader.committee_id = org.committees[1].id  # BUN; the initiative is in KS
    db.session.commit()
    auth.login("namnd@example.se")
    assert client.get(f"/initiatives/{initiative.id}").status_code == 404
    assert initiative.title not in client.get("/initiatives").get_data(as_text=True)


def test_unknown_initiative_is_404(org, client, auth):
    auth.login("chef@example.se")
    assert client.get("/initiatives/12345").status_code == 404


# --- status updates -----------------------------------------------------------------------


def update_data(**overrides):
    data = {
        "status": "in_progress",
        "health": "at_risk",
        "progress": "45",
        "happened": "Upphandlingen är klar.",
        "next_steps": "Pilot i mars.",
        "support_needed": "Beslut om finansiering.",
    }
    data.update(overrides)
    return data


def test_posting_an_update_moves_the_current_state(org, client, auth, initiative):
    auth.login("chef@example.se")
    response = post(client, f"/initiatives/{initiative.id}/updates", update_data())
    assert response.status_code == 303
    db.session.expire_all()
    fresh = db.session.get(Initiative, initiative.id)
    assert (fresh.status, fresh.health, fresh.progress) == (Status.IN_PROGRESS, Health.AT_RISK, 45)
    latest = db.session.scalar(select(StatusUpdate).order_by(StatusUpdate.id.desc()))
    assert latest.support_needed == "Beslut om finansiering."
    assert fresh.last_update_at == latest.created_at


def test_htmx_update_returns_the_timeline_fragment(org, client, auth, initiative):
    auth.login("chef@example.se")
    response = post(
        client,
        f"/initiatives/{initiative.id}/updates",
        update_data(),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="updates"')
    assert "Upphandlingen är klar." in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("progress", ["101", "-1", "mycket"])
def test_progress_outside_0_to_100_is_refused(org, client, auth, initiative, progress):
    auth.login("chef@example.se")
    response = post(client, f"/initiatives/{initiative.id}/updates", update_data(progress=progress))
    assert response.status_code == 422
    assert "Upphandlingen är klar." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == 2


@pytest.mark.parametrize("role,status", [("management", 403), ("committee", 403)])
def test_readers_cannot_post_updates(org, client, auth, initiative, role, status):
    auth.login(org.user(role).email)
    response = post(client, f"/initiatives/{initiative.id}/updates", update_data())
    assert response.status_code == status


def test_other_manager_cannot_touch_the_initiative(org, client, auth, initiative):
    auth.login("rektor@example.se")
    assert post(client, f"/initiatives/{initiative.id}/updates", update_data()).status_code == 403
    assert client.get(f"/initiatives/{initiative.id}/edit").status_code == 403
    assert post(client, f"/initiatives/{initiative.id}/archive", {}).status_code == 403
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.denied"))


def test_co_owner_may_post_updates(org, client, auth, initiative):
    fresh = db.session.get(Initiative, initiative.id)
    fresh.co_owners.append(db.session.get(type(org.other_manager), org.other_manager.id))
    db.session.commit()
    auth.login("rektor@example.se")
    assert post(client, f"/initiatives/{initiative.id}/updates", update_data()).status_code == 303


def test_updates_are_append_only_in_the_service(org, initiative):
    actor = db.session.get(type(org.manager), org.manager.id)
    fresh = db.session.get(Initiative, initiative.id)
    before = [u.id for u in services.timeline(fresh)]
    services.post_update(actor, fresh, services.UpdateData(Status.PAUSED, Health.OFF_TRACK, 30))
    db.session.commit()
    after = [u.id for u in services.timeline(fresh)]
    assert after[1:] == before  # the old updates are untouched, the new one is on top


# --- edit and conflict --------------------------------------------------------------------


def edit_data(org, initiative, **overrides):
    p = org.principles[0]
    data = form_data(
        org, title=initiative.title, purpose="Nytt syfte", **{f"motivation_{p.id}": "Ny motivering"}
    )
    data.update(overrides)
    return data


def test_edit_saves_and_audits_the_changed_fields(org, client, auth, initiative):
    auth.login("chef@example.se")
    page = client.get(f"/initiatives/{initiative.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page or 'value="1"' in page
    response = post(
        client, f"/initiatives/{initiative.id}/edit", edit_data(org, initiative, version="1")
    )
    assert response.status_code == 303
    db.session.expire_all()
    fresh = db.session.get(Initiative, initiative.id)
    assert fresh.purpose == "Nytt syfte" and fresh.version == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "initiative.update"))
    assert event.changes["purpose"] == ["Ett syfte", "Nytt syfte"]


def test_an_initiative_in_a_deactivated_department_can_still_be_edited(
    org, client, auth, initiative
):
    """A deactivated department keeps its initiatives: their edit form still shows it chosen,
    and saving another change keeps it (was "Välj en avdelning i listan", or in a browser a
    silent move to the first department in the list)."""
    department = org.departments[0]
    assert initiative.department_id == department.id
    department.active = False
    db.session.commit()
    auth.login("chef@example.se")
    page = client.get(f"/initiatives/{initiative.id}/edit").get_data(as_text=True)
    assert re.search(
        rf'<option selected value="{department.id}">|value="{department.id}" selected', page
    )
    response = post(
        client, f"/initiatives/{initiative.id}/edit", edit_data(org, initiative, version="1")
    )
    assert response.status_code == 303
    db.session.expire_all()
    fresh = db.session.get(Initiative, initiative.id)
    assert fresh.purpose == "Nytt syfte" and fresh.department_id == department.id
    # It still cannot be chosen for a new initiative, nor moved back into once left.
    form = client.get("/initiatives/new").get_data(as_text=True)
    assert f'value="{department.id}"' not in form
    other = org.departments[1].id
    moved = post(
        client,
        f"/initiatives/{initiative.id}/edit",
        edit_data(org, initiative, version="2", department_id=str(other)),
    )
    assert moved.status_code == 303
    back = post(
        client,
        f"/initiatives/{initiative.id}/edit",
        edit_data(org, initiative, version="3", department_id=str(department.id)),
    )
    assert back.status_code == 422
    assert "Välj en avdelning i listan." in back.get_data(as_text=True)


def test_a_deactivated_co_owner_stays_on_an_edited_initiative(org, client, auth, initiative):
    """Deactivating a co-owner does not make the initiative's edit fail or drop them unasked:
    the form shows them chosen and saving keeps them; unticked, they leave."""
    initiative.co_owners.append(org.other_manager)
    org.other_manager.active = False
    db.session.commit()
    co_owner = org.other_manager.id
    auth.login("chef@example.se")
    page = client.get(f"/initiatives/{initiative.id}/edit").get_data(as_text=True)
    assert f'id="co-owner-{co_owner}" name="co_owner_ids" value="{co_owner}" checked' in page
    search = client.get(
        f"/initiatives/co-owners?co_owner_q=ada&co_owner_ids={co_owner}"
        f"&owner={initiative.owner_id}&initiative={initiative.id}",
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert f'value="{co_owner}" checked' in search
    data = edit_data(org, initiative, version="1", co_owner_ids=str(co_owner))
    response = post(client, f"/initiatives/{initiative.id}/edit", data)
    assert response.status_code == 303
    db.session.expire_all()
    fresh = db.session.get(Initiative, initiative.id)
    assert fresh.purpose == "Nytt syfte"
    assert [u.id for u in fresh.co_owners] == [co_owner]
    # A deactivated user still cannot be made a co-owner of another initiative.
    other = factories.make_initiative(org.manager, principles=org.principles[:1])
    db.session.commit()
    refused = post(
        client,
        f"/initiatives/{other.id}/edit",
        edit_data(org, other, version="1", co_owner_ids=str(co_owner)),
    )
    assert refused.status_code == 422
    assert "Välj medägare i listan." in refused.get_data(as_text=True)


def test_conflict_shows_both_versions_and_keeps_the_users_text(org, app, auth, initiative):
    first, second = app.test_client(), app.test_client()
    from .conftest import AuthActions

    AuthActions(first).login("chef@example.se")
    AuthActions(second).login("admin@example.se")
    # Both open version 1; the admin saves first.
    post(
        second,
        f"/initiatives/{initiative.id}/edit",
        edit_data(org, initiative, version="1", purpose="Adminens syfte"),
    )
    response = post(
        first,
        f"/initiatives/{initiative.id}/edit",
        edit_data(org, initiative, version="1", purpose="Chefens syfte"),
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Chefens syfte" in html and "Adminens syfte" in html
    assert "Områden för digital mognad" in html  # every field the form edits is compared
    assert 'name="version" type="hidden" value="2"' in html
    db.session.expire_all()
    assert db.session.get(Initiative, initiative.id).purpose == "Adminens syfte"
    # Sending their version again applies it.
    again = post(
        first,
        f"/initiatives/{initiative.id}/edit",
        edit_data(org, initiative, version="2", purpose="Chefens syfte"),
    )
    assert again.status_code == 303
    db.session.expire_all()
    fresh = db.session.get(Initiative, initiative.id)
    assert fresh.purpose == "Chefens syfte" and fresh.version == 3


def _edit_page_form(client, initiative) -> dict:
    page = client.get(f"/initiatives/{initiative.id}/edit").get_data(as_text=True)
    return form_fields(page, must_have="opened")


@pytest.mark.parametrize(
    "theirs",
    [
        {"purpose": "Adminens syfte"},
        {"target_date": "2027-06-30", "cost_estimate": "120 000"},
        {"principles": True},
    ],
    ids=["text", "date-and-cost", "principles"],
)
def test_a_conflict_keeps_the_other_persons_changes_to_fields_the_user_left(
    org, app, auth, initiative, theirs
):
    """Both open the form; the admin saves a change; the manager changes only the risks and
    meets the conflict. The form they get back holds the admin's values in the fields they had
    not touched, and sending it again keeps both changes: nothing of the admin's is undone."""
    from .conftest import AuthActions

    first, second = app.test_client(), app.test_client()
    AuthActions(first).login("chef@example.se")
    AuthActions(second).login("admin@example.se")
    mine, admins = _edit_page_form(first, initiative), _edit_page_form(second, initiative)
    other = org.principles[1]
    changed = dict(theirs)
    if changed.pop("principles", None):
        changed |= {f"principle_{other.id}": "y", f"motivation_{other.id}": "Tryggare inloggning"}
    assert post(second, f"/initiatives/{initiative.id}/edit", admins | changed).status_code == 303
    db.session.expire_all()
    after_admin = services._snapshot(db.session.get(Initiative, initiative.id))
    conflict = post(first, f"/initiatives/{initiative.id}/edit", mine | {"risks": "Chefens risk"})
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Fält som du inte hade ändrat innehåller nu den andras ändringar" in html
    again = form_fields(html, must_have="opened")
    assert again["risks"].strip() == "Chefens risk" and again["version"] == "2"
    done = post(first, f"/initiatives/{initiative.id}/edit", again)
    assert done.status_code == 303, done.get_data(as_text=True)[:3000]
    db.session.expire_all()
    saved = services._snapshot(db.session.get(Initiative, initiative.id))
    assert saved["risks"] == "Chefens risk"
    assert saved == after_admin | {"risks": "Chefens risk"}  # the admin's change stays


def test_a_conflict_on_the_same_field_keeps_the_users_value_and_a_bad_fingerprint_takes_nothing(
    org, app, auth, initiative
):
    from .conftest import AuthActions

    first, second = app.test_client(), app.test_client()
    AuthActions(first).login("chef@example.se")
    AuthActions(second).login("admin@example.se")
    mine, admins = _edit_page_form(first, initiative), _edit_page_form(second, initiative)
    admins |= {"purpose": "Adminens syfte", "risks": "Adminens risk"}
    assert post(second, f"/initiatives/{initiative.id}/edit", admins).status_code == 303
    both = post(first, f"/initiatives/{initiative.id}/edit", mine | {"purpose": "Chefens syfte"})
    again = form_fields(both.get_data(as_text=True), must_have="opened")
    # Changed by both: the user's value, shown as differing.
    assert again["purpose"].strip() == "Chefens syfte"
    assert again["risks"].strip() == "Adminens risk"  # changed by the admin alone: taken
    for opened in ("", "not json", "[1]", '{"risks": 5}', "[" * 1999, "{}" * 5000):
        tampered = post(
            first,
            f"/initiatives/{initiative.id}/edit",
            mine | {"purpose": "Chefens syfte", "opened": opened},
        )
        assert tampered.status_code == 409
        kept = form_fields(tampered.get_data(as_text=True), must_have="opened")
        # Nothing taken: the user's whole version.
        assert kept["risks"].strip() == mine["risks"].strip(), opened


def test_conflict_in_the_service(org, initiative):
    actor = db.session.get(type(org.manager), org.manager.id)
    fresh = db.session.get(Initiative, initiative.id)
    data = services.InitiativeData(
        title="T",
        purpose="P",
        department_id=fresh.department_id,
        principles={org.principles[0].id: "M"},
    )
    with pytest.raises(services.EditConflict):
        services.update_initiative(actor, fresh, data, expected_version=0)


# --- status round, archive, delete ---------------------------------------------------------


def test_status_round_saves_the_ticked_and_the_changed_rows_only(org, client, auth):
    a = factories.make_initiative(org.manager, principles=org.principles[:1], status=Status.PLANNED)
    b = factories.make_initiative(
        org.manager, principles=org.principles[:1], status=Status.IN_PROGRESS
    )
    db.session.commit()
    auth.login("chef@example.se")
    page = client.get("/initiatives/round").get_data(as_text=True)
    assert a.title in page and b.title in page
    token = csrf_from(page)
    ids = [
        int(m)
        for m in re.findall(r'name="rows-\d+-initiative_id" type="hidden" value="(\d+)"', page)
    ]
    assert sorted(ids) == sorted([a.id, b.id])
    assert "checked" not in page.split('name="csrf_token"', 1)[1]  # nothing pre-ticked
    data = {"csrf_token": token}
    for n, iid in enumerate(ids):
        # a: ticked and unchanged; b: neither ticked nor changed.
        current = a if iid == a.id else b
        data.update(
            {
                f"rows-{n}-initiative_id": str(iid),
                f"rows-{n}-status": current.status.value,
                f"rows-{n}-health": current.health.value,
                f"rows-{n}-progress": str(current.progress),
            }
        )
        if iid == a.id:
            data[f"rows-{n}-include"] = "y"
    response = client.post("/initiatives/round", data=data)
    assert response.status_code == 303
    updates = db.session.scalars(select(StatusUpdate)).all()
    assert [(u.initiative_id, u.status, u.happened) for u in updates] == [
        (a.id, Status.PLANNED, "")
    ]
    # A change reports a row without a tick.
    for n, iid in enumerate(ids):
        data.pop(f"rows-{n}-include", None)
        if iid == b.id:
            data[f"rows-{n}-happened"] = "Går enligt plan\nAndra raden"
    assert client.post("/initiatives/round", data=data).status_code == 303
    latest = db.session.scalars(select(StatusUpdate).order_by(StatusUpdate.id.desc())).first()
    assert (latest.initiative_id, latest.happened) == (b.id, "Går enligt plan\nAndra raden")


def test_a_done_initiative_leaves_the_round_and_the_active_count(org, client, auth):
    """Done and cancelled initiatives owe no reports: the status round and the start page's
    "active" count and period list leave them out; the start page lists them apart, linked."""
    active = factories.make_initiative(org.manager, title="Pågår", status=Status.IN_PROGRESS)
    done = factories.make_initiative(org.manager, title="Klart och levererat", status=Status.DONE)
    db.session.commit()
    auth.login("chef@example.se")
    home = client.get("/?lang=sv").get_data(as_text=True)
    assert "Du äger eller är medägare till 1 aktivt initiativ." in home
    active_part, finished_part = home.split('id="finished-heading"')
    assert "Pågår" in active_part and "Klart och levererat" not in active_part
    assert f'href="/initiatives/{done.id}"' in finished_part
    round_page = client.get("/initiatives/round").get_data(as_text=True)
    ids = re.findall(r'name="rows-\d+-initiative_id" type="hidden" value="(\d+)"', round_page)
    assert ids == [str(active.id)]


def test_status_round_with_an_error_saves_nothing(org, client, auth, initiative):
    auth.login("chef@example.se")
    token = csrf_from(client.get("/initiatives/round").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "rows-0-initiative_id": str(initiative.id),
        "rows-0-include": "y",
        "rows-0-status": "in_progress",
        "rows-0-health": "on_track",
        "rows-0-progress": "150",
        "rows-0-happened": "Min kommentar",
    }
    response = client.post("/initiatives/round", data=data)
    assert response.status_code == 422
    assert "Min kommentar" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == 2


def test_archive_and_restore(org, client, auth, initiative):
    auth.login("chef@example.se")
    assert post(client, f"/initiatives/{initiative.id}/archive", {}).status_code == 303
    assert initiative.title not in client.get("/initiatives").get_data(as_text=True)
    assert client.get(f"/initiatives/{initiative.id}").status_code == 200  # still readable
    assert post(client, f"/initiatives/{initiative.id}/restore", {}).status_code == 303
    assert initiative.title in client.get("/initiatives").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "initiative.archive" in actions and "initiative.restore" in actions


@pytest.mark.parametrize("htmx", [False, True])
def test_an_archived_initiative_takes_no_status_update(org, client, auth, initiative, htmx):
    """Archived, an initiative is restored before it is reported on: the service refuses the
    update (the page only hid the form), and the text the manager wrote comes back with why."""
    auth.login("chef@example.se")
    page = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert post(client, f"/initiatives/{initiative.id}/archive", {}).status_code == 303
    headers = {"HX-Request": "true"} if htmx else {}
    token = csrf_from(page)
    response = client.post(
        f"/initiatives/{initiative.id}/updates",
        data={**update_data(), "csrf_token": token},
        headers=headers,
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Upphandlingen är klar." in html  # the input is kept
    assert "Initiativet är arkiverat: återställ det innan du rapporterar om det." in html
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == 2
    actor = db.session.get(type(org.manager), org.manager.id)
    fresh = db.session.get(Initiative, initiative.id)
    with pytest.raises(services.InitiativeArchived):
        services.post_update(actor, fresh, services.UpdateData(Status.DONE, Health.ON_TRACK, 100))
    # Restored, it is reported on again.
    assert post(client, f"/initiatives/{initiative.id}/restore", {}).status_code == 303
    again = post(client, f"/initiatives/{initiative.id}/updates", update_data())
    assert again.status_code == 303
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == 3


@pytest.mark.parametrize("role", ["manager", "management", "committee"])
def test_only_admins_delete(org, client, auth, initiative, role):
    auth.login(org.user(role).email)
    assert post(client, f"/initiatives/{initiative.id}/delete", {"reason": "x"}).status_code == 403


def test_admin_deletes_with_a_reason_kept_in_the_audit_log(org, client, auth, initiative):
    initiative_id = initiative.id
    auth.login("admin@example.se")
    assert post(client, f"/initiatives/{initiative_id}/delete", {"reason": ""}).status_code == 422
    response = post(client, f"/initiatives/{initiative_id}/delete", {"reason": "Dubblett"})
    assert response.status_code == 303
    assert db.session.get(Initiative, initiative_id) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "initiative.delete"))
    assert event.changes["reason"] == "Dubblett" and event.changes["status_updates"] == 2


# --- list: filters, sort, pages, queries ----------------------------------------------------


def test_filters_sort_and_text_search(org, client, auth):
    red = factories.make_initiative(
        org.manager,
        principles=org.principles[:1],
        title="Röd e-tjänst",
        status=Status.IN_PROGRESS,
        health=Health.OFF_TRACK,
    )
    factories.make_initiative(
        org.other_manager,
        principles=org.principles[1:2],
        title="Skolplattform",
        status=Status.PLANNED,
        last_update_days_ago=90,
        updates=1,
    )
    db.session.commit()
    auth.login("ledning@example.se")

    def titles(query):
        html = client.get("/initiatives?" + query).get_data(as_text=True)
        return [t for t in ("Röd e-tjänst", "Skolplattform") if t in html]

    assert titles("health=off_track") == ["Röd e-tjänst"]
    assert titles("committee=BUN") == ["Skolplattform"]
    assert titles("department=IT") == ["Röd e-tjänst"]
    assert titles("principle=trygghet") == ["Skolplattform"]
    assert titles("status=planned") == ["Skolplattform"]
    assert titles("stale=1") == ["Skolplattform"]
    assert titles("q=E-TJÄNST") == ["Röd e-tjänst"]
    assert titles("q=%25") == []  # LIKE wildcards are searched literally
    html = client.get("/initiatives?sort=-title").get_data(as_text=True)
    assert html.index("Skolplattform") < html.index("Röd e-tjänst")
    html = client.get("/initiatives?sort=title;drop table").get_data(as_text=True)
    assert red.title in html  # an unknown sort falls back to the default


def test_unknown_filter_value_is_explained(org, client, auth):
    auth.login("ledning@example.se")
    response = client.get("/initiatives?committee=NOPE")
    assert response.status_code == 200
    assert "Det finns ingen nämnd med koden NOPE." in response.get_data(as_text=True)


def test_list_fragment_for_htmx(org, client, auth, initiative):
    auth.login("ledning@example.se")
    response = client.get("/initiatives?q=Initiativ", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_pagination(org, client, auth):
    for n in range(30):
        factories.make_initiative(org.manager, principles=org.principles[:1], title=f"Init {n:02d}")
    db.session.commit()
    auth.login("ledning@example.se")
    first = client.get("/initiatives?sort=title").get_data(as_text=True)
    second = client.get("/initiatives?sort=title&page=2").get_data(as_text=True)
    assert "Init 00" in first and "Init 29" not in first
    assert "Init 29" in second and "sida 2 av 2" in second


def _queries_for_list(org, client, count_queries, n):
    for _ in range(n):
        factories.make_initiative(org.manager, principles=org.principles, updates=1)
    db.session.commit()
    with count_queries() as counter:
        assert client.get("/initiatives").status_code == 200
    return counter.count


def test_list_queries_do_not_grow_with_the_data(org, client, auth, count_queries):
    auth.login("ledning@example.se")
    small = _queries_for_list(org, client, count_queries, 10)
    large = _queries_for_list(org, client, count_queries, 190)
    assert small == large, (small, large)


def test_manager_start_page_queries_do_not_grow(org, client, auth, count_queries):
    auth.login("chef@example.se")
    small = _queries_for_list(org, client, count_queries, 3)
    with count_queries() as counter:
        client.get("/")
    small = counter.count
    _queries_for_list(org, client, count_queries, 40)
    with count_queries() as counter:
        client.get("/")
    assert counter.count == small


def test_conflict_for_htmx_is_a_fragment_for_the_content_region(org, client, auth, initiative):
    auth.login("chef@example.se")
    post(client, f"/initiatives/{initiative.id}/edit", edit_data(org, initiative, version="1"))
    response = post(
        client,
        f"/initiatives/{initiative.id}/edit",
        edit_data(org, initiative, version="1", purpose="Min text"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#content"
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Min text" in html and 'id="conflict"' in html
