"""Personal access tokens in My account and under Administration, through the real forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.api import tokens
from tracker.extensions import db
from tracker.models import AccessToken, AuditEvent
from tracker.validators import TrackerForm

from .conftest import csrf_from


def _create(client, name="Power BI", scope="read", days=30, **extra):
    token = csrf_from(client.get("/account/tokens").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "name": name,
        "scope": scope,
        "expires_on": (tokens.local_today() + timedelta(days=days)).isoformat(),
        **extra,
    }
    return client.post("/account/tokens", data=data)


def test_token_is_shown_once_then_listed(org, client, auth):
    auth.login("chef@example.se")
    response = _create(client)
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    stored = db.session.scalar(select(AccessToken))
    start = html.index('id="new-token"')
    secret = html[start:].split('value="', 1)[1].split('"', 1)[0]
    assert tokens.digest(secret) == stored.digest
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and "Power BI" in again and stored.hint in again
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "Ge token ett namn"),
        ({"days": 400}, "högst ett år"),
        ({"days": -1}, "kan inte ha passerat"),
        ({"scope": "admin"}, "Inte ett giltigt val"),
    ],
)
def test_bad_token_input_is_refused_and_kept(org, client, auth, fields, message):
    auth.login("chef@example.se")
    response = _create(client, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert db.session.scalar(select(AccessToken)) is None


def test_token_form_needs_csrf(org, client, auth):
    auth.login("chef@example.se")
    response = client.post("/account/tokens", data={"name": "x", "scope": "read"})
    assert response.status_code == 400
    assert db.session.scalar(select(AccessToken)) is None


def test_revoke_own_token_but_not_someone_elses(org, client, auth):
    mine = tokens.create_token(
        org.manager, name="mine", scope="read", expires_on=tokens.local_today()
    ).token
    theirs = tokens.create_token(
        org.other_manager, name="theirs", scope="read", expires_on=tokens.local_today()
    ).token
    db.session.commit()
    auth.login("chef@example.se")
    csrf = csrf_from(client.get("/account/tokens").get_data(as_text=True))
    assert "theirs" not in client.get("/account/tokens").get_data(as_text=True)
    response = client.post(f"/account/tokens/{theirs.id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 404
    response = client.post(f"/account/tokens/{mine.id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 303
    db.session.refresh(mine)
    db.session.refresh(theirs)
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert client.post(f"/account/tokens/{mine.id}/revoke").status_code == 400  # no CSRF


def test_admin_sees_and_revokes_everyones(org, client, auth):
    theirs = tokens.create_token(
        org.manager, name="chefens", scope="read_write", expires_on=tokens.local_today()
    ).token
    db.session.commit()
    auth.login("admin@example.se")
    html = client.get("/admin/tokens").get_data(as_text=True)
    assert "chefens" in html and "Cecilia Chef" in html
    csrf = csrf_from(html)
    response = client.post(f"/admin/tokens/{theirs.id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 303
    db.session.refresh(theirs)
    assert theirs.revoked_by_id == org.admin.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.revoke"))
    assert event.actor_id == org.admin.id
    assert "chefens</th>" not in client.get("/admin/tokens").get_data(as_text=True)
    assert "chefens" in client.get("/admin/tokens?all=1").get_data(as_text=True)


def _forms_built(monkeypatch) -> list[type]:
    """The classes of the forms built from now on, in order."""
    from flask_wtf import FlaskForm

    built = []
    original = FlaskForm.__init__

    def spy(self, *args, **kwargs):
        built.append(type(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(FlaskForm, "__init__", spy)
    return built


def test_the_admins_revoke_form_is_a_tracker_form_and_needs_csrf(org, client, auth, monkeypatch):
    """The house rule (every form subclasses TrackerForm): the revoke button's form too, with
    the CSRF token still required."""
    built = _forms_built(monkeypatch)
    theirs = tokens.create_token(
        org.manager, name="chefens", scope="read", expires_on=tokens.local_today()
    ).token
    db.session.commit()
    auth.login("admin@example.se")
    csrf = csrf_from(client.get("/admin/tokens").get_data(as_text=True))
    built.clear()
    assert client.post(f"/admin/tokens/{theirs.id}/revoke").status_code == 400  # no CSRF
    bad = client.post(f"/admin/tokens/{theirs.id}/revoke", data={"csrf_token": "x" + csrf})
    assert bad.status_code == 400
    db.session.refresh(theirs)
    assert theirs.revoked_at is None
    response = client.post(f"/admin/tokens/{theirs.id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 303
    db.session.refresh(theirs)
    assert theirs.revoked_at is not None
    revoke_forms = list(built)
    assert revoke_forms and all(issubclass(form, TrackerForm) for form in revoke_forms), built


def test_the_owners_revoke_form_is_a_tracker_form_and_needs_csrf(org, client, auth, monkeypatch):
    """The same house rule for the revoke button in "Mitt konto"."""
    built = _forms_built(monkeypatch)
    mine = tokens.create_token(
        org.manager, name="min", scope="read", expires_on=tokens.local_today()
    ).token
    db.session.commit()
    auth.login(org.manager.email)
    csrf = csrf_from(client.get("/account/tokens").get_data(as_text=True))
    built.clear()
    assert client.post(f"/account/tokens/{mine.id}/revoke").status_code == 400  # no CSRF
    db.session.refresh(mine)
    assert mine.revoked_at is None
    response = client.post(f"/account/tokens/{mine.id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 303
    db.session.refresh(mine)
    assert mine.revoked_at is not None
    assert built and all(issubclass(form, TrackerForm) for form in built), built


@pytest.mark.parametrize("role", ["management", "committee", "manager"])
def test_only_admins_see_everyones_tokens(org, client, auth, role):
    auth.login(org.user(role).email)
    assert client.get("/admin/tokens").status_code == 403


def test_tokens_page_needs_sign_in(client):
    assert client.get("/account/tokens").status_code == 302
