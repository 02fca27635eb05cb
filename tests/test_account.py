"""Mitt konto: every user changes their own name, language and password and sees their sign-ins."""

import pytest
from sqlalchemy import select

from tracker.account import services
from tracker.auth.passwords import verify_password
from tracker.extensions import db
from tracker.models import AuditEvent, User

from .conftest import AuthActions
from .factories import PASSWORD

NEW_PASSWORD = "ett nytt och långt lösenord"


def post(client, auth, url, data=None):
    token = auth.csrf_token("/accessibility")
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_update_profile_service(org):
    changes = services.update_profile(org.manager, name=" Cecilia  Chef-Berg ", language="en")
    assert changes == {
        "name": ["Cecilia Chef", "Cecilia Chef-Berg"],
        "language": ["sv", "en"],
    }
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.update"))
    assert event.actor_id == org.manager.id and event.changes == changes
    with pytest.raises(services.AccountError):
        services.update_profile(org.manager, name="x", language="de")


def test_change_password_service(org):
    with pytest.raises(services.AccountError) as error:
        services.change_password(org.manager, current="wrong password", new=NEW_PASSWORD)
    assert error.value.field == "current_password"
    for bad in ("short", "password1234", PASSWORD):
        with pytest.raises(services.AccountError) as error:
            services.change_password(org.manager, current=PASSWORD, new=bad)
        assert error.value.field == "new_password"
    long_password = "å" * 70 + " 🙂 ' \" <script>"  # long, any characters
    token = org.manager.session_token
    services.change_password(org.manager, current=PASSWORD, new=long_password)
    assert verify_password(org.manager.password_hash, long_password)
    assert org.manager.session_token != token
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "account.password_change")
    )


@pytest.mark.parametrize("role", ["admin", "management", "committee", "manager"])
def test_every_role_has_an_account_page(org, client, auth, role):
    auth.login(org.user(role).email)
    response = client.get("/account")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Mitt konto" in html and org.user(role).email in html
    assert "Dina senaste inloggningar" in html


def test_account_needs_sign_in(client):
    assert client.get("/account").status_code == 302
    assert client.get("/account/password").status_code == 302


def test_change_name_and_language(org, client, auth):
    auth.login(org.manager.email)
    response = post(client, auth, "/account", {"name": "Cecilia C", "language": "en"})
    assert response.status_code == 303
    html = client.get("/account").get_data(as_text=True)
    assert '<html lang="en">' in html and "My account" in html
    db.session.expire_all()
    assert db.session.get(User, org.manager.id).language == "en"


def test_bad_profile_is_422_with_input_kept(org, client, auth):
    auth.login(org.manager.email)
    response = post(client, auth, "/account", {"name": "", "language": "sv"})
    assert response.status_code == 422
    assert "Ange ditt namn." in response.get_data(as_text=True)
    response = post(client, auth, "/account", {"name": "Kept Name", "language": "xx"})
    assert response.status_code == 422
    assert 'value="Kept Name"' in response.get_data(as_text=True)


def test_change_password_keeps_this_session_and_ends_others(org, app, client, auth):
    other = app.test_client()
    AuthActions(other).login(org.manager.email)
    auth.login(org.manager.email)
    assert other.get("/").status_code == 200
    response = post(
        client,
        auth,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert client.get("/").status_code == 200  # this browser stays signed in
    assert other.get("/").status_code == 302  # the other one is signed out
    auth.logout()
    assert auth.login(org.manager.email, NEW_PASSWORD).status_code == 302


def test_a_password_change_keeps_the_language_of_the_session(org, client, auth):
    """Renewing the session after a password change is no sign-in: the language chosen with
    ?lang= stays, it is not put back to the stored one."""
    auth.login(org.manager.email)  # stored language: Swedish
    client.get("/account?lang=en")
    response = post(
        client,
        auth,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert '<html lang="en">' in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"current_password": "wrong one", "new_password": NEW_PASSWORD},
            "Det nuvarande lösenordet är fel.",
        ),
        ({"current_password": PASSWORD, "new_password": "kort"}, "minst 12 tecken"),
        ({"current_password": PASSWORD, "new_password": "password1234"}, "för vanligt"),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": "x"},
            "Lösenorden är inte likadana.",
        ),
    ],
)
def test_bad_password_change_is_422(org, client, auth, data, message):
    auth.login(org.manager.email)
    data = {"confirm_password": data["new_password"], **data}
    response = post(client, auth, "/account/password", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert PASSWORD not in html  # passwords are never echoed
    db.session.expire_all()
    assert verify_password(db.session.get(User, org.manager.id).password_hash, PASSWORD)


def test_own_recent_sign_ins(org, client, auth):
    auth.login(org.manager.email, "wrong password!!")
    auth.login(org.management.email)  # someone else's sign-in is not shown
    auth.logout()
    auth.login(org.manager.email)
    events = services.recent_sign_ins(db.session.get(User, org.manager.id))
    assert [e.action for e in events] == ["auth.login", "auth.login_failed"]
    html = client.get("/account").get_data(as_text=True)
    assert "Misslyckat försök" in html and "127.0.0.1" in html


def test_own_sign_ins_with_the_municipality_account_are_shown(org, client, auth):
    """A sign-in with the municipality's account (SSO) is one of the user's sign-ins too (was
    left out of "Dina senaste inloggningar"), and so is a refused one."""
    from tracker import audit

    user = db.session.get(User, org.manager.id)
    audit.record(user, "auth.sso_refused", user, {"reason": "no_role"})
    audit.record(user, "auth.sso_login", user, {"role": "manager"})
    db.session.commit()
    auth.login(org.manager.email)
    events = services.recent_sign_ins(db.session.get(User, org.manager.id))
    assert [e.action for e in events] == ["auth.login", "auth.sso_login", "auth.sso_refused"]
    html = client.get("/account").get_data(as_text=True)
    assert "Loggade in med kommunens konto" in html and "Misslyckat försök" in html
