"""A status update written on a state that someone else has changed since the form was drawn
never puts the old state back (nothing lost): the status round leaves the rows nobody touched,
and a row or a form that was touched gets the state now, with the user's input kept; sent
again, it saves. Found by review: a co-owner's report was undone by a round that ticked
another row only, and by the initiative page's form."""

from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.initiatives import services
from tracker.models import Health, Initiative, Status, StatusUpdate

from . import factories
from .resilience_support import form_fields

CHANGED = "Någon annan har rapporterat"  # the start of StateChanged's message in Swedish


def _shared(org, **fields) -> Initiative:
    """An initiative of the manager's with the other manager as its co-owner."""
    initiative = factories.make_initiative(
        org.manager, principles=org.principles[:1], status=Status.IN_PROGRESS, **fields
    )
    initiative.co_owners.append(org.other_manager)
    db.session.commit()
    return initiative


def _co_owner_reports(org, initiative_id: int) -> None:
    """The co-owner, in another window, pauses the initiative and marks it off track at 48 %."""
    co_owner = db.session.get(type(org.other_manager), org.other_manager.id)
    initiative = db.session.get(Initiative, initiative_id)
    data = services.UpdateData(
        status=Status.PAUSED, health=Health.OFF_TRACK, progress=48, happened="Överprövat"
    )
    services.post_update(co_owner, initiative, data)
    db.session.commit()


def _state(initiative_id: int) -> tuple:
    db.session.expire_all()
    i = db.session.get(Initiative, initiative_id)
    return i.status, i.health, i.progress


def _row_of(fields: dict, initiative_id: int) -> str:
    return next(k[: -len("-initiative_id")] for k, v in fields.items() if v == str(initiative_id))


def test_the_round_leaves_a_row_nobody_touched(org, client, auth):
    shared = _shared(org, health=Health.ON_TRACK, progress=45)
    mine = factories.make_initiative(org.manager, principles=org.principles[:1])
    db.session.commit()
    shared_id, mine_id = shared.id, mine.id
    auth.login(org.manager.email)
    fields = form_fields(client.get("/initiatives/round").get_data(as_text=True), "rows-0-state")
    _co_owner_reports(org, shared_id)
    fields[f"{_row_of(fields, mine_id)}-include"] = "y"  # confirms only her own
    response = client.post("/initiatives/round", data=fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert _state(shared_id) == (Status.PAUSED, Health.OFF_TRACK, 48)  # the co-owner's stands
    authors = db.session.scalars(
        select(StatusUpdate.author_id).where(StatusUpdate.initiative_id == shared_id)
    ).all()
    assert authors == [org.other_manager.id]
    assert db.session.scalar(select(StatusUpdate).where(StatusUpdate.initiative_id == mine_id))


def test_a_touched_row_on_an_old_state_is_shown_again_with_the_state_now(org, client, auth):
    shared = _shared(org, health=Health.ON_TRACK, progress=45)
    shared_id = shared.id
    auth.login(org.manager.email)
    fields = form_fields(client.get("/initiatives/round").get_data(as_text=True), "rows-0-state")
    row = _row_of(fields, shared_id)
    _co_owner_reports(org, shared_id)
    fields[f"{row}-happened"] = "Min text om läget"
    fields[f"{row}-progress"] = "50"  # she changed the progress, not the status or health
    response = client.post("/initiatives/round?lang=sv", data=fields)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert CHANGED in html
    assert (
        db.session.scalar(select(StatusUpdate).where(StatusUpdate.author_id == org.manager.id))
        is None
    )  # nothing saved
    again = form_fields(html, "rows-0-state")
    assert again[f"{row}-happened"].strip() == "Min text om läget"
    assert again[f"{row}-progress"] == "50"  # hers
    assert (again[f"{row}-status"], again[f"{row}-health"]) == ("paused", "off_track")  # theirs
    assert client.post("/initiatives/round", data=again).status_code == 303
    assert _state(shared_id) == (Status.PAUSED, Health.OFF_TRACK, 50)
    latest = db.session.scalars(
        select(StatusUpdate).order_by(StatusUpdate.id.desc()).limit(1)
    ).one()
    assert (latest.author_id, latest.happened) == (org.manager.id, "Min text om läget")


def test_the_initiative_page_form_on_an_old_state(org, client, auth):
    shared = _shared(org, health=Health.AT_RISK, progress=45)
    shared_id = shared.id
    auth.login(org.manager.email)
    page = client.get(f"/initiatives/{shared_id}?lang=sv").get_data(as_text=True)
    fields = form_fields(page, "state")
    assert fields["state"] == "in_progress|at_risk|45"
    _co_owner_reports(org, shared_id)
    fields["happened"] = "Jag skrev medan någon annan rapporterade"
    response = client.post(f"/initiatives/{shared_id}/updates?lang=sv", data=fields)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert CHANGED in html
    assert _state(shared_id) == (Status.PAUSED, Health.OFF_TRACK, 48)
    again = form_fields(html, "state")
    assert again["happened"].strip() == "Jag skrev medan någon annan rapporterade"
    assert (again["status"], again["health"], again["progress"]) == ("paused", "off_track", "48")
    assert again["state"] == "paused|off_track|48"
    assert client.post(f"/initiatives/{shared_id}/updates", data=again).status_code == 303
    assert _state(shared_id) == (Status.PAUSED, Health.OFF_TRACK, 48)
    assert (
        db.session.scalar(
            select(StatusUpdate.happened).where(StatusUpdate.author_id == org.manager.id)
        )
        == "Jag skrev medan någon annan rapporterade"
    )


def test_the_start_page_form_on_an_old_state_keeps_the_text(org, client, auth):
    shared = _shared(org, health=Health.ON_TRACK, progress=45)
    shared_id = shared.id
    auth.login(org.manager.email)
    home = client.get("/?lang=sv").get_data(as_text=True)
    fields = form_fields(home, "return_to")
    assert fields["state"] == "in_progress|on_track|45"
    _co_owner_reports(org, shared_id)
    fields["happened"] = "Från startsidan"
    response = client.post(f"/initiatives/{shared_id}/updates?lang=sv", data=fields)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert CHANGED in html and "Från startsidan" in html
    assert _state(shared_id) == (Status.PAUSED, Health.OFF_TRACK, 48)


def test_a_double_click_and_a_request_without_a_state_still_save(org, client, auth):
    """The same form sent twice saves one update (the second is the first's copy, not a
    conflict); a request that names no state (made by hand) reports on the state as it is."""
    shared = _shared(org, health=Health.ON_TRACK, progress=45)
    shared_id = shared.id
    auth.login(org.manager.email)
    fields = form_fields(client.get(f"/initiatives/{shared_id}").get_data(as_text=True), "state")
    fields.update(progress="60", happened="Två klick")
    assert client.post(f"/initiatives/{shared_id}/updates", data=fields).status_code == 303
    assert client.post(f"/initiatives/{shared_id}/updates", data=fields).status_code == 303
    count = select(StatusUpdate).where(StatusUpdate.author_id == org.manager.id)
    assert len(db.session.scalars(count).all()) == 1
    for state in (None, "", "nonsense", "paused|off_track|9999", "in_progress|on_track|45|x"):
        data = {**fields, "happened": f"Utan tillstånd {state!r}"}
        if state is None:
            data.pop("state")
        else:
            data["state"] = state
        response = client.post(f"/initiatives/{shared_id}/updates", data=data)
        assert response.status_code == 303, state
