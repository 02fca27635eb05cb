"""What moves the data version on, and what a cached fragment may see.

A commit without a flush before it still counts; sign-ins, exports and refused requests (which
change nothing a page shows) do not; a cached fragment is drawn without the user, so one user's
name or rights can never reach another through the cache.
"""

from __future__ import annotations

import pytest
from flask_login import login_user
from jinja2 import ChoiceLoader, DictLoader
from jinja2.exceptions import UndefinedError
from sqlalchemy import select

from tracker import cache
from tracker.extensions import db
from tracker.htmx import render_cached
from tracker.models import AuditEvent, Initiative, Role, Status, User

from . import factories
from .conftest import AuthActions


def test_a_commit_without_a_flush_first_moves_the_version_on(org):
    initiative = factories.make_initiative(org.manager, principles=org.principles[:1])
    db.session.commit()
    before = cache.current_version()
    db.session.rollback()  # a fresh transaction: nothing pending, nothing flushed
    initiative = db.session.get(Initiative, initiative.id)
    initiative.title = "Changed without a flush"
    db.session.commit()  # the change is flushed by the commit itself
    assert cache.current_version() == before + 1


def test_sign_ins_exports_and_refusals_leave_the_version_alone(org, client, auth):
    factories.make_initiative(org.manager, principles=org.principles[:1])
    db.session.commit()
    before = cache.current_version()
    assert auth.login("ledning@example.se").status_code == 302
    assert client.get("/exports/initiatives.csv").status_code == 200
    assert client.get("/admin/users").status_code == 403
    auth.logout()
    assert auth.login("ledning@example.se", "wrong password").status_code == 401
    db.session.rollback()
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"auth.login", "export.initiatives", "access.denied", "auth.logout"} <= actions
    assert cache.current_version() == before
    # ... while a change that a page shows still does.
    factories.make_initiative(org.manager, principles=org.principles[:1])
    db.session.commit()
    assert cache.current_version() == before + 1


def test_a_renamed_user_moves_the_version_on(org):
    before = cache.current_version()
    user = db.session.get(User, org.manager.id)
    user.name = "Nytt Namn"
    db.session.commit()
    assert cache.current_version() == before + 1


@pytest.fixture
def two_managers_of_management(org):
    anna = factories.make_user(Role.MANAGEMENT, email="anna@example.se", name="Anna Annorlunda")
    bertil = factories.make_user(Role.MANAGEMENT, email="bertil@example.se", name="Bertil Bortom")
    factories.make_initiative(org.manager, principles=org.principles[:1], status=Status.IN_PROGRESS)
    db.session.commit()
    return anna.id, bertil.id


def test_a_cached_fragment_cannot_read_the_user(app, two_managers_of_management):
    """A fragment that tries to show the signed-in user (or anything of their session) fails
    when it is drawn, rather than showing the first user's values to the next."""
    anna_id, bertil_id = two_managers_of_management
    app.jinja_loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "leaky_page.html": "{{ fragment_html }}",
                    "leaky_name.html": "<p>{{ user.name }}</p>",
                    "leaky_current.html": "<p>{{ current_user.name }}</p>",
                    "leaky_rights.html": "{% if permissions.can_export(user) %}x{% endif %}",
                    "leaky_csrf.html": "<p>{{ csrf_token() }}</p>",
                    "leaky_session.html": "<p>{{ session }}</p>",
                }
            ),
            app.jinja_loader,
        ]
    )
    app.jinja_env.cache.clear()
    for name in ("name", "current", "rights", "csrf", "session"):
        for user_id in (anna_id, bertil_id):
            with app.test_request_context("/dashboard"):
                login_user(db.session.get(User, user_id))
                with pytest.raises(UndefinedError):
                    render_cached(
                        "leaky_page.html",
                        f"leaky_{name}.html",
                        cache_key=("test",),
                        fragment_context=dict,
                    )


@pytest.mark.parametrize("path", ["/dashboard", "/board"])
def test_two_users_of_one_role_never_see_each_other_in_a_cached_fragment(
    app, two_managers_of_management, path
):
    anna, bertil = app.test_client(), app.test_client()
    AuthActions(anna).login("anna@example.se")
    AuthActions(bertil).login("bertil@example.se")
    first = anna.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    second = bertil.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert first == second  # the same fragment, from the cache
    for html in (first, second):
        assert "Anna Annorlunda" not in html and "Bertil Bortom" not in html
        assert "csrf" not in html.lower()
    # The whole page shows each their own name, around the shared fragment.
    assert "Bertil Bortom" in bertil.get(path).get_data(as_text=True)
    assert "Anna Annorlunda" not in bertil.get(path).get_data(as_text=True)
