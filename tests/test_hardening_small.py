"""The smaller holes of issue 11: the password-change throttle, co-owners only from the form's
choices, a limited committee reader's maturity figures."""

from __future__ import annotations

from tracker.extensions import db
from tracker.models import Role

from . import factories
from .conftest import csrf_from
from .test_maturity import initiative_form, make_rounds


def _post(client, path, data, form_page="/accessibility"):
    token = csrf_from(client.get(form_page).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_wrong_current_passwords_are_throttled(org, client, auth):
    auth.login(org.manager.email)
    limit = client.application.config["LOGIN_FAILURES_PER_MINUTE"]
    wrong = {
        "current_password": "not the password at all",
        "new_password": "a brand new long passphrase",
        "confirm_password": "a brand new long passphrase",
    }
    for _ in range(limit):
        assert _post(client, "/account/password", wrong).status_code == 422
    response = _post(client, "/account/password", wrong)
    assert response.status_code == 429
    # Even the right password now waits: the guesser cannot tell which one was right.
    right = {**wrong, "current_password": factories.PASSWORD}
    assert _post(client, "/account/password", right).status_code == 429


def test_mistakes_in_the_new_password_are_not_throttled(org, client, auth):
    auth.login(org.manager.email)
    limit = client.application.config["LOGIN_FAILURES_PER_MINUTE"]
    mismatch = {
        "current_password": factories.PASSWORD,
        "new_password": "a brand new long passphrase",
        "confirm_password": "another brand new passphrase",
    }
    for _ in range(limit + 2):
        assert _post(client, "/account/password", mismatch).status_code == 422


def test_co_owners_posted_by_hand_must_be_offered_by_the_form(org, client, auth):
    auth.login(org.manager.email)
    outsiders = [org.management, org.committee_reader]
    inactive = factories.make_user(Role.MANAGER, org.departments[0], active=False)
    db.session.commit()
    for user_id in [u.id for u in outsiders] + [inactive.id, 2**63, 2**31, 0, -1]:
        data = initiative_form(org, co_owner_ids=str(user_id))
        response = _post(client, "/initiatives", data, "/initiatives/new")
        assert response.status_code == 422, user_id
    response = _post(
        client, "/initiatives", initiative_form(org, co_owner_ids=str(org.other_manager.id))
    )
    assert response.status_code in (302, 303)


def test_a_limited_reader_sees_only_their_committees_departments_figures(org, client, auth):
    make_rounds(org)  # IT (under KS) has values of its own
    school = org.departments[2]  # under BUN
    limited = factories.make_user(
        Role.COMMITTEE, None, email="bun@example.se", committee=org.committees[1]
    )
    db.session.commit()
    from tracker.maturity import page

    latest, _previous = page.latest_rounds()
    assert [d.code for d in page.departments_with_values(latest)] == ["IT"]
    assert page.departments_with_values(latest, limited) == []
    assert school.committee_id == limited.committee_id
    auth.login(limited.email)
    html = client.get("/maturity/").get_data(as_text=True)
    assert "IT-avdelningen" not in html
    assert client.get("/maturity/?department=IT").status_code == 404
    auth.login(org.committee_reader.email)  # not limited: sees every department
    assert client.get("/maturity/?department=IT").status_code == 200
