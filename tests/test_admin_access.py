"""Only admins reach /admin/…: every route, every other role gets 403; signed-out users sign in."""

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent

from .conftest import csrf_from

GET_PAGES = [
    "/admin/",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{user}",
    "/admin/users/{user}/edit",
    "/admin/users/import",
    "/admin/organisation",
    "/admin/committees/new",
    "/admin/committees/{committee}/edit",
    "/admin/departments/new",
    "/admin/departments/{department}/edit",
    "/admin/principles",
    "/admin/principles/new",
    "/admin/principles/{principle}/edit",
    "/admin/audit",
    "/admin/settings",
]
POSTS = [
    "/admin/users/new",
    "/admin/users/{user}/edit",
    "/admin/users/{user}/deactivate",
    "/admin/users/{user}/reactivate",
    "/admin/users/{user}/one-time-password",
    "/admin/users/import",
    "/admin/users/import/confirm",
    "/admin/committees/new",
    "/admin/committees/{committee}/edit",
    "/admin/committees/{committee}/deactivate",
    "/admin/committees/{committee}/reactivate",
    "/admin/departments/new",
    "/admin/departments/{department}/edit",
    "/admin/departments/{department}/deactivate",
    "/admin/departments/{department}/reactivate",
    "/admin/departments/{department}/delete",
    "/admin/principles/new",
    "/admin/principles/{principle}/edit",
    "/admin/principles/{principle}/retire",
    "/admin/principles/{principle}/reinstate",
    "/admin/principles/{principle}/delete",
    "/admin/settings",
]
NON_ADMINS = ["management", "committee", "manager"]


def _url(template, org):
    return template.format(
        user=org.manager.id,
        committee=org.committees[0].id,
        department=org.departments[1].id,
        principle=org.principles[0].id,
    )


@pytest.mark.parametrize("role", NON_ADMINS)
def test_non_admins_get_403_on_every_page(org, client, auth, role):
    auth.login(org.user(role).email)
    for path in GET_PAGES:
        response = client.get(_url(path, org))
        assert response.status_code == 403, path
        assert "Du har inte behörighet" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", NON_ADMINS)
def test_non_admins_get_403_on_every_change(org, client, auth, role):
    auth.login(org.user(role).email)
    token = auth.csrf_token("/accessibility")
    for path in POSTS:
        before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
        response = client.post(
            _url(path, org), data={"csrf_token": token, "name": "X", "short_name": "X"}
        )
        assert response.status_code == 403, path
        # Nothing changed; only the refused access is logged.
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > before)).all()
        assert actions == ["access.denied"], path


def test_signed_out_users_are_sent_to_sign_in(org, client):
    for path in GET_PAGES:
        response = client.get(_url(path, org))
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
    response = client.post(_url(POSTS[2], org))
    assert response.status_code in (302, 400)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_admin_reaches_every_page(org, client, auth, lang):
    auth.login(org.admin.email)
    for path in GET_PAGES:
        response = client.get(_url(path, org) + f"?lang={lang}")
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, path
        assert "style=" not in html and "<script>" not in html, path


def test_admin_link_in_the_navigation_only_for_admins(org, client, auth):
    auth.login(org.manager.email)
    html = client.get("/account").get_data(as_text=True)
    assert "/admin/" not in html
    assert 'href="/account"' in html
    auth.logout()
    auth.login(org.admin.email)
    html = client.get("/account").get_data(as_text=True)
    assert 'href="/admin/"' in html


def test_posts_need_csrf(org, client, auth):
    auth.login(org.admin.email)
    response = client.post(f"/admin/users/{org.manager.id}/deactivate")
    assert response.status_code == 400
    csrf_from(client.get("/admin/users").get_data(as_text=True))  # the page still has a token
