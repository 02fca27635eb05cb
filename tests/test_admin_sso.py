"""The admin's page for sign-in with the municipality's accounts: unknown users and groups."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent, Role, SsoGroupRole, SsoSettings

from .conftest import csrf_from


def post(client, path, **data):
    token = csrf_from(client.get("/admin/sign-in").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


@pytest.mark.parametrize("role", ["management", "committee", "manager"])
def test_only_admins(client, auth, org, role):
    auth.login(org.user(role).email)
    assert client.get("/admin/sign-in").status_code == 403
    token = csrf_from(client.get("/account").get_data(as_text=True))
    response = client.post(
        "/admin/sign-in/groups", data={"csrf_token": token, "group_id": "g", "role": "admin"}
    )
    assert response.status_code == 403
    assert db.session.scalar(select(SsoGroupRole.id)) is None


def test_the_admin_turns_provisioning_on_and_off(client, auth, org):
    auth.login(org.admin.email)
    html = client.get("/admin/sign-in").get_data(as_text=True)
    assert 'value="no" checked' in html or 'checked value="no"' in html or "checked" in html
    response = post(client, "/admin/sign-in/settings", create_unknown_users="yes")
    assert response.status_code == 303
    assert db.session.get(SsoSettings, 1).create_unknown_users is True
    post(client, "/admin/sign-in/settings", create_unknown_users="no")
    db.session.expire_all()
    assert db.session.get(SsoSettings, 1).create_unknown_users is False
    assert post(client, "/admin/sign-in/settings", create_unknown_users="maybe").status_code == 422
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "sso.settings_update")
    ).all()
    assert len(actions) == 2


def test_the_admin_keeps_the_group_table(client, auth, org):
    auth.login(org.admin.email)
    school = org.departments[2]
    response = post(
        client,
        "/admin/sign-in/groups",
        group_id=" 0c6f0f1e-5f3c-4a53-9d8e-2f3b1c7a9e10 ",
        role="management",
        department=str(school.id),
    )
    assert response.status_code == 303
    mapping = db.session.scalar(select(SsoGroupRole))
    assert (mapping.group_id, mapping.role, mapping.department_id) == (
        "0c6f0f1e-5f3c-4a53-9d8e-2f3b1c7a9e10",
        Role.MANAGEMENT,
        school.id,
    )
    html = client.get("/admin/sign-in").get_data(as_text=True)
    assert "0c6f0f1e-5f3c-4a53-9d8e-2f3b1c7a9e10" in html and school.name in html

    again = post(client, "/admin/sign-in/groups", group_id=mapping.group_id, role="admin")
    assert again.status_code == 422 and "redan en roll" in again.get_data(as_text=True)

    mapping_id = mapping.id
    assert post(client, f"/admin/sign-in/groups/{mapping_id}/delete").status_code == 303
    assert db.session.scalar(select(SsoGroupRole.id)) is None
    assert post(client, f"/admin/sign-in/groups/{mapping_id}/delete").status_code == 303
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"sso.group_role_add", "sso.group_role_delete"} <= actions


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"group_id": "", "role": "admin"}, "Skriv gruppens id."),
        ({"group_id": "has space", "role": "admin"}, "utan mellanslag"),
        ({"group_id": "g\x01", "role": "admin"}, "kontrolltecknen"),
        ({"group_id": "x" * 256, "role": "admin"}, ""),
        ({"group_id": "g", "role": "emperor"}, ""),
        ({"group_id": "g", "role": "admin", "department": "99999"}, "aktiv avdelning"),
        ({"group_id": "<script>", "role": "admin", "department": "0"}, "aktiv avdelning"),
    ],
)
def test_hostile_input_is_refused_and_kept(client, auth, org, data, message):
    auth.login(org.admin.email)
    response = post(client, "/admin/sign-in/groups", **data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<script>" not in html and message in html
    assert db.session.scalar(select(SsoGroupRole.id)) is None


def test_the_admin_sees_and_disconnects_a_municipality_account(client, auth, org, app):
    from tests.conftest import AuthActions
    from tracker.models import UserIdentity

    identity = UserIdentity(user=org.manager, issuer="https://idp.example", subject="sub-<b>")
    db.session.add(identity)
    db.session.commit()
    identity_id = identity.id
    # The manager has a session that must end when the connection is undone.
    manager_client = app.test_client()
    AuthActions(manager_client).login(org.manager.email)
    assert manager_client.get("/account").status_code == 200

    auth.login(org.admin.email)
    html = client.get(f"/admin/users/{org.manager.id}").get_data(as_text=True)
    assert "sub-&lt;b&gt;" in html and "https://idp.example" in html and "Koppla bort" in html
    token = csrf_from(html)
    response = client.post(
        f"/admin/sign-in/identities/{identity_id}/delete", data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{org.manager.id}"
    assert db.session.scalar(select(UserIdentity.id)) is None
    assert manager_client.get("/account").status_code != 200
    assert "sso.identity_disconnect" in set(db.session.scalars(select(AuditEvent.action)))
    # Without an identity the section is not there; a second disconnect is a clear message.
    assert "Koppla bort" not in client.get(f"/admin/users/{org.manager.id}").get_data(as_text=True)
    again = client.post(
        f"/admin/sign-in/identities/{identity_id}/delete", data={"csrf_token": token}
    )
    assert again.status_code == 303
