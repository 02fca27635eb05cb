"""Admins manage users: list, create, change, deactivate, one-time passwords; all audited."""

import pytest
from sqlalchemy import select

from tracker.admin.services import AdminError
from tracker.admin.services import users as services
from tracker.auth.passwords import password_problem, verify_password
from tracker.extensions import db
from tracker.models import AuditEvent, Role, User
from tracker.permissions import PermissionDenied

from . import factories


def post(client, auth, url, data=None):
    token = auth.csrf_token("/accessibility")
    return client.post(url, data={"csrf_token": token, **(data or {})})


def last_event(action: str) -> AuditEvent:
    return db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    )


# --- services ------------------------------------------------------------------------------------


def test_create_user_with_one_time_password(org):
    user, password = services.create_user(
        org.admin,
        name="  Sara  Svensson ",
        email=" Sara.Svensson@Nykvarn.Example ",
        role="manager",
        department_id=org.departments[0].id,
    )
    assert user.email == "sara.svensson@nykvarn.example"
    assert user.name == "Sara Svensson"
    assert user.must_change_password
    assert verify_password(user.password_hash, password)
    assert password_problem(password) is None
    event = last_event("user.create")
    assert event.actor_id == org.admin.id and event.entity_id == user.id
    assert event.changes["email"] == "sara.svensson@nykvarn.example"
    assert password not in str(event.changes)


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"email": "CHEF@example.se"}, "email"),  # taken, case-insensitively
        ({"email": "not-an-address"}, "email"),
        ({"name": "   "}, "name"),
        ({"role": "superuser"}, "role"),
        ({"department_id": 99999}, "department"),
    ],
)
def test_create_user_refuses_bad_input(org, fields, field):
    values = {"name": "Ny", "email": "ny@example.se", "role": "manager", **fields}
    with pytest.raises(AdminError) as error:
        services.create_user(org.admin, **values)
    assert error.value.field == field


def test_committee_scope_only_for_committee_readers(org):
    ks = org.committees[0]
    reader, _ = services.create_user(
        org.admin, name="N", email="n@example.se", role="committee", committee_id=ks.id
    )
    manager, _ = services.create_user(
        org.admin, name="M", email="m@example.se", role="manager", committee_id=ks.id
    )
    assert reader.committee_id == ks.id
    assert manager.committee_id is None


def test_a_new_scope_must_be_an_active_committee(org):
    ks, bun = org.committees
    bun.active = False
    db.session.flush()
    with pytest.raises(AdminError) as error:
        services.create_user(
            org.admin, name="N", email="n@example.se", role="committee", committee_id=bun.id
        )
    assert error.value.field == "committee"
    reader = org.committee_reader
    with pytest.raises(AdminError) as error:
        services.update_user(
            org.admin,
            reader,
            name=reader.name,
            role="committee",
            department_id=None,
            committee_id=bun.id,
        )
    assert error.value.field == "committee"
    # A reader already scoped to a committee since deactivated keeps it through an edit.
    reader.committee = ks
    db.session.flush()
    ks.active = False
    db.session.flush()
    services.update_user(
        org.admin,
        reader,
        name="Nils N",
        role="committee",
        department_id=None,
        committee_id=ks.id,
    )
    assert reader.name == "Nils N" and reader.committee_id == ks.id


def test_only_admins_may_use_the_services(org):
    for role in ("management", "committee", "manager"):
        with pytest.raises(PermissionDenied):
            services.create_user(org.user(role), name="X", email="x@example.se", role="admin")
        with pytest.raises(PermissionDenied):
            services.set_active(org.user(role), org.manager, False)
        with pytest.raises(PermissionDenied):
            services.list_users(org.user(role))


def test_update_user_records_the_changed_fields(org):
    changes = services.update_user(
        org.admin,
        org.manager,
        name="Cecilia Chef",
        role="management",
        department_id=org.departments[1].id,
        committee_id=None,
    )
    assert changes == {"role": ["manager", "management"], "department": ["IT", "HR"]}
    assert last_event("user.update").changes == changes


def test_role_change_ends_the_users_sessions(org):
    token = org.manager.session_token
    services.update_user(
        org.admin,
        org.manager,
        name=org.manager.name,
        role="management",
        department_id=None,
        committee_id=None,
    )
    assert org.manager.session_token != token


def test_last_admin_cannot_demote_or_deactivate_themselves(org):
    with pytest.raises(AdminError):
        services.update_user(
            org.admin,
            org.admin,
            name="Ada",
            role="manager",
            department_id=None,
            committee_id=None,
        )
    with pytest.raises(AdminError):
        services.set_active(org.admin, org.admin, False)
    # With a second active admin, both are allowed.
    factories.make_user(Role.ADMIN, email="admin2@example.se")
    services.set_active(org.admin, org.admin, False)
    assert not org.admin.active


def test_deactivate_ends_sessions_and_reactivate(org):
    token = org.manager.session_token
    services.set_active(org.admin, org.manager, False)
    assert not org.manager.active and org.manager.session_token != token
    assert last_event("user.deactivate").changes == {"active": [True, False]}
    services.set_active(org.admin, org.manager, True)
    assert org.manager.active
    assert last_event("user.reactivate").entity_id == org.manager.id


def test_one_time_password(org):
    token = org.manager.session_token
    password = services.issue_one_time_password(org.admin, org.manager)
    assert verify_password(org.manager.password_hash, password)
    assert org.manager.must_change_password and org.manager.session_token != token
    assert password not in str(last_event("user.one_time_password").changes)


def test_list_users_filters_and_paginates(org):
    org.other_manager.active = False
    db.session.flush()
    names = lambda p: [u.name for u in p.items]  # noqa: E731
    assert names(services.list_users(org.admin, q="CHEF")) == ["Cecilia Chef"]
    assert names(services.list_users(org.admin, q="rektor@")) == ["Rolf Rektor"]
    assert names(services.list_users(org.admin, q="%")) == []  # a wildcard is only a character
    assert names(services.list_users(org.admin, role="committee")) == ["Nils Nämnd"]
    school = org.departments[2]
    assert names(services.list_users(org.admin, department_id=school.id)) == ["Rolf Rektor"]
    assert names(services.list_users(org.admin, active="no")) == ["Rolf Rektor"]
    assert len(services.list_users(org.admin, active="yes").items) == 4
    page = services.list_users(org.admin, per_page=2, page=2)
    assert page.total == 5 and page.pages == 3 and len(page.items) == 2


# --- views ---------------------------------------------------------------------------------------


def test_user_list_page(org, client, auth):
    auth.login(org.admin.email)
    html = client.get("/admin/users?q=chef").get_data(as_text=True)
    assert "Cecilia Chef" in html and "Rolf Rektor" not in html
    assert "1 användare hittades." in html
    assert '<th scope="col">' in html
    assert client.get("/admin/users?role=nonsense&page=abc").status_code == 200


def test_create_user_through_the_form(org, client, auth):
    auth.login(org.admin.email)
    response = post(
        client,
        auth,
        "/admin/users/new",
        {
            "name": "Sara Svensson",
            "email": "sara@example.se",
            "role": "manager",
            "department": str(org.departments[0].id),
            "committee": "",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Engångslösenord" in html
    user = db.session.scalar(select(User).where(User.email == "sara@example.se"))
    assert user.must_change_password
    password = html.split('id="one-time-password"><code>')[1].split("</code>")[0]
    assert verify_password(user.password_hash, password)


def test_create_user_bad_input_is_422_with_input_kept(org, client, auth):
    auth.login(org.admin.email)
    response = post(
        client,
        auth,
        "/admin/users/new",
        {
            "name": "Dubbel Chef",
            "email": "Chef@Example.se",
            "role": "manager",
            "department": "",
            "committee": "",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Det finns redan en användare med den här e-postadressen." in html
    assert 'value="Dubbel Chef"' in html
    assert 'href="#email"' in html  # the error summary links to the field
    response = post(client, auth, "/admin/users/new", {"name": "", "email": "", "role": "x"})
    assert response.status_code == 422
    assert db.session.scalar(select(User).where(User.name == "Dubbel Chef")) is None


def test_fields_not_offered_cannot_be_posted(org, client, auth):
    auth.login(org.admin.email)
    post(
        client,
        auth,
        f"/admin/users/{org.manager.id}/edit",
        {
            "name": "Cecilia Chef",
            "role": "manager",
            "department": str(org.departments[0].id),
            "email": "hijack@example.se",
            "active": "n",
            "password_hash": "x",
        },
    )
    db.session.expire_all()
    user = db.session.get(User, org.manager.id)
    assert user.email == "chef@example.se" and user.active and user.password_hash != "x"


def test_edit_user_through_the_form(org, client, auth):
    auth.login(org.admin.email)
    response = post(
        client,
        auth,
        f"/admin/users/{org.committee_reader.id}/edit",
        {"name": "Nils N", "role": "committee", "department": "", "committee": "ks"},
    )
    assert response.status_code == 422  # not one of the choices
    response = post(
        client,
        auth,
        f"/admin/users/{org.committee_reader.id}/edit",
        {
            "name": "Nils N",
            "role": "committee",
            "department": "",
            "committee": str(org.committees[1].id),
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, org.committee_reader.id).committee_id == org.committees[1].id


def committee_select(html: str) -> str:
    """The committee scope's <select> of a user form."""
    start = html.index('name="committee"')
    return html[start : html.index("</select>", start)]


def test_the_user_form_offers_only_active_committees(org, client, auth):
    ks, bun = org.committees
    reader = org.committee_reader
    reader.committee = bun
    bun.active = False
    db.session.commit()
    bun_option = f'<option value="{bun.id}"'
    auth.login(org.admin.email)
    html = committee_select(client.get("/admin/users/new").get_data(as_text=True))
    assert f'<option value="{ks.id}"' in html and bun_option not in html
    response = post(
        client,
        auth,
        "/admin/users/new",
        {"name": "Ny", "email": "ny@example.se", "role": "committee", "committee": str(bun.id)},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(User).where(User.email == "ny@example.se")) is None
    other = client.get(f"/admin/users/{org.manager.id}/edit").get_data(as_text=True)
    assert bun_option not in committee_select(other)
    # The reader still scoped to the deactivated committee is edited without losing it.
    html = committee_select(client.get(f"/admin/users/{reader.id}/edit").get_data(as_text=True))
    assert f'<option selected value="{bun.id}"' in html
    response = post(
        client,
        auth,
        f"/admin/users/{reader.id}/edit",
        {"name": "Nils N", "role": "committee", "department": "", "committee": str(bun.id)},
    )
    assert response.status_code == 303
    db.session.expire_all()
    user = db.session.get(User, reader.id)
    assert user.name == "Nils N" and user.committee_id == bun.id


def test_last_admin_demotion_in_the_form_is_422(org, client, auth):
    auth.login(org.admin.email)
    response = post(
        client,
        auth,
        f"/admin/users/{org.admin.id}/edit",
        {"name": "Ada Admin", "role": "manager", "department": "", "committee": ""},
    )
    assert response.status_code == 422
    assert "sista aktiva systemförvaltaren" in response.get_data(as_text=True)
    response = post(client, auth, f"/admin/users/{org.admin.id}/deactivate")
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, org.admin.id).active


def test_deactivation_signs_the_user_out_at_once(org, app):
    manager_client, admin_client = app.test_client(), app.test_client()
    from .conftest import AuthActions

    manager_auth, admin_auth = AuthActions(manager_client), AuthActions(admin_client)
    manager_auth.login(org.manager.email)
    assert manager_client.get("/").status_code == 200
    admin_auth.login(org.admin.email)
    response = post(admin_client, admin_auth, f"/admin/users/{org.manager.id}/deactivate")
    assert response.status_code == 303
    assert manager_client.get("/").status_code == 302
    fresh = AuthActions(app.test_client())
    assert fresh.login(org.manager.email).status_code == 401
    response = post(admin_client, admin_auth, f"/admin/users/{org.manager.id}/reactivate")
    assert fresh.login(org.manager.email).status_code == 302


def test_one_time_password_must_be_changed_at_next_sign_in(org, app, client, auth):
    admin_client = app.test_client()
    from .conftest import AuthActions

    admin_auth = AuthActions(admin_client)
    admin_auth.login(org.admin.email)
    response = post(admin_client, admin_auth, f"/admin/users/{org.manager.id}/one-time-password")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    password = html.split('id="one-time-password"><code>')[1].split("</code>")[0]
    assert response.headers["Cache-Control"] == "no-store"

    assert auth.login(org.manager.email, factories.PASSWORD).status_code == 401
    auth.login(org.manager.email, password)
    for path in ("/", "/dashboard", "/account", "/admin/"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"] == "/account/password"
    assert client.get("/account/password").status_code == 200
    assert client.get("/accessibility").status_code == 200
    response = post(
        client,
        auth,
        "/account/password",
        {
            "current_password": password,
            "new_password": "a brand new long passphrase",
            "confirm_password": "a brand new long passphrase",
        },
    )
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, org.manager.id).must_change_password


def test_htmx_request_gets_hx_redirect_to_password_change(org, client, auth):
    user = db.session.get(User, org.manager.id)
    user.must_change_password = True
    db.session.commit()
    auth.login(org.manager.email)
    response = client.get("/dashboard", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/account/password"


# --- two admins edit the same record: the later save is a conflict, not an overwrite -----------


@pytest.mark.parametrize(
    "path, must_have, theirs, mine",
    [
        ("/admin/users/{manager}/edit", "role", {"name": "Deras namn"}, {"name": "Mitt namn"}),
        ("/admin/committees/{committee}/edit", "short_name", {"name": "Deras nämnd"},
         {"name": "Min nämnd"}),
        ("/admin/departments/{department}/edit", "code", {"name": "Deras kontor"},
         {"name": "Mitt kontor"}),
        ("/admin/principles/{principle}/edit", "name_sv", {"name_sv": "Deras ledord"},
         {"name_sv": "Mitt ledord"}),
    ],
)  # fmt: skip
def test_an_admin_edit_made_meanwhile_is_a_409_with_both_shown(
    org, client, auth, path, must_have, theirs, mine
):
    from .resilience_support import form_fields

    url = path.format(
        manager=org.manager.id,
        committee=org.committees[0].id,
        department=org.departments[0].id,
        principle=org.principles[0].id,
    )
    auth.login(org.admin.email)
    first = form_fields(client.get(url).get_data(as_text=True), must_have)
    second = form_fields(client.get(url).get_data(as_text=True), must_have)
    assert first.get("version"), "the form names no version of the record"
    assert client.post(url, data={**second, **theirs}).status_code == 303
    response = client.post(url, data={**first, **mine})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    [value] = mine.values()
    assert f'value="{value}"' in page  # the user's input kept
    saved = page[page.index('id="admin-saved-title"') :]
    [other] = theirs.values()
    assert other in saved[: saved.index("</section>")]  # the other admin's change shown
    # Sent again, the form names the saved version: it lands.
    assert client.post(url, data=form_fields(page, must_have)).status_code == 303
