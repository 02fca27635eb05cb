"""Nothing lost: two admins saving the same settings, and the same creation sent twice.

The admin's settings, the public pages' settings, the sign-in settings and the e-mail schedule
name the version their form was opened on: a save over another admin's is a 409 that keeps the
input, takes the other one's changes into the fields left as they were opened, and shows what
the other one saved (never a secret). A new benefit, a new reporting period
and a publication proposal sent twice at once are one record; sent again later, or with other
values, a record of their own.
"""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import ANY

import pytest
from sqlalchemy import func, select

from tracker import repeats
from tracker.extensions import db
from tracker.mail import planning
from tracker.models import (
    AuditEvent,
    Benefit,
    Publication,
    ReportingPeriod,
    Role,
    SsoSettings,
    utcnow,
)
from tracker.public import services as publication_services

from . import factories
from .conftest import AuthActions
from .resilience_support import form_fields

SECRETS = ("oidc-client-secret-never-shown", "smtp-password-never-shown")


@pytest.fixture
def app_config(app_config):
    """The app with a client secret and a mail password set, to look for in the answers."""
    return {**app_config, "OIDC_CLIENT_SECRET": SECRETS[0], "MAIL_PASSWORD": SECRETS[1]}


def _admins(app, org):
    """Two signed-in admins, each with a browser of their own."""
    other = factories.make_user(Role.ADMIN, org.departments[0], email="admin2@example.se")
    db.session.commit()
    clients = []
    for email in (org.admin.email, other.email):
        client = app.test_client()
        AuthActions(client).login(email)
        clients.append(client)
    return clients


def _saved_section(page: str, title_id: str) -> str:
    saved = page[page.index(f'id="{title_id}"') :]
    return saved[: saved.index("</section>")]


# page, the URL the form posts to, a field of the form, what the other admin saves, what
# this admin sends, the id of the saved section's title, what the page shows of the other's save
FORMS = [
    ("/admin/settings", "/admin/settings", "stale_days", {"organisation_name": "Deras kommun"},
     {"stale_days": "45"}, "admin-saved-title", ["Deras kommun"]),
    ("/admin/publication", "/admin/publication", "version", {"show_cost": "y"},
     {"show_owner": "y"}, "publication-saved-title",
     ["Visa kostnadsuppskattningen på de publika sidorna"]),
    ("/admin/sign-in", "/admin/sign-in/settings", "create_unknown_users",
     {"create_unknown_users": "yes"}, {"create_unknown_users": "no"},
     "sso-saved-title", ["Skapa ett konto med den roll som katalogen ger"]),
    ("/admin/mail", "/admin/mail", "reminder_days", {"reminder_days": "10, 2"},
     {"digest_hour": "9"}, "schedule-saved-title", ["10, 2"]),
]  # fmt: skip


def _stored(path: str):
    """What the form saves, as it is stored now."""
    db.session.rollback()
    if path == "/admin/settings":
        from tracker import settings

        settings.forget()
        return settings.organisation_name(), settings.stale_days()
    if path == "/admin/publication":
        return publication_services.allowed()
    if path == "/admin/sign-in":
        row = db.session.get(SsoSettings, 1)
        return bool(row and row.create_unknown_users)
    return planning.schedule()


@pytest.mark.parametrize("page, action, must_have, theirs, mine, title_id, shown", FORMS)
def test_a_settings_save_over_another_admins_is_a_409_with_both_shown(
    app, org, page, action, must_have, theirs, mine, title_id, shown
):
    me, other = _admins(app, org)
    first = form_fields(me.get(page).get_data(as_text=True), must_have)
    second = form_fields(other.get(page).get_data(as_text=True), must_have)
    assert first.get("version"), "the form names no version of the settings"
    assert other.post(action, data={**second, **theirs}).status_code == 303
    after_theirs = _stored(page)

    response = me.post(action, data={**first, **mine})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert _stored(page) == after_theirs  # nothing of mine saved over theirs
    kept = form_fields(html, must_have)
    changed_by_me = {name: value for name, value in mine.items() if first.get(name) != value}
    assert all(kept.get(name) == value for name, value in changed_by_me.items()), kept
    # The fields I left as I opened them now hold what the other admin saved, and say so.
    assert all(kept.get(name) == value for name, value in theirs.items()), kept
    assert "Fält som du inte hade ändrat innehåller nu den andras ändringar" in html
    for text in shown:  # what the other admin saved
        assert text in html
    for secret in SECRETS:
        assert secret not in html
    assert "$argon2" not in html and "test-secret-key" not in html

    # Sent again, the form names the saved version: it lands, mine on top of theirs, and
    # theirs is not undone.
    assert kept["version"] != first["version"]
    assert me.post(action, data=kept).status_code == 303
    if changed_by_me:
        assert _stored(page) != after_theirs
    assert form_fields(me.get(page).get_data(as_text=True), must_have) == {
        **kept,
        "csrf_token": ANY,
        "version": ANY,
        "opened": ANY,
    }


@pytest.mark.parametrize("page, action, must_have, theirs, mine, title_id, shown", FORMS)
def test_a_settings_post_made_by_hand_without_a_version_still_saves(
    app, org, page, action, must_have, theirs, mine, title_id, shown
):
    me, other = _admins(app, org)
    first = form_fields(me.get(page).get_data(as_text=True), must_have)
    second = form_fields(other.get(page).get_data(as_text=True), must_have)
    assert other.post(action, data={**second, **theirs}).status_code == 303
    after_theirs = _stored(page)
    first.pop("version")
    assert me.post(action, data={**first, **mine}).status_code == 303
    assert _stored(page) != after_theirs


# --- the same creation sent twice ------------------------------------------------------------


def _sent_twice(client, path: str, data: dict) -> list:
    return [client.post(path, data=data) for _ in range(2)]


def _count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _events(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


def _age(model, *where) -> None:
    """Make the rows older than a resend can be."""
    db.session.rollback()
    for row in db.session.scalars(select(model).where(*where)):
        if hasattr(row, "created_at"):
            row.created_at = utcnow() - repeats.REPEAT_WINDOW - timedelta(seconds=1)
        if hasattr(row, "proposed_at"):
            row.proposed_at = utcnow() - repeats.REPEAT_WINDOW - timedelta(seconds=1)
    db.session.commit()


def test_a_benefit_sent_twice_is_one_benefit(org, client, auth):
    initiative = factories.make_initiative(org.manager, principles=org.principles[:1], updates=1)
    db.session.commit()
    auth.login(org.manager.email)
    path = f"/initiatives/{initiative.id}/benefits"
    form = form_fields(client.get(f"{path}/new").get_data(as_text=True), "indicator_name")
    form.update(
        title="Dubbelklickad nytta",
        kind="residents",
        owner_id=str(org.manager.id),
        indicator_name="Andel digitala ansökningar",
        unit="%",
        direction="higher",
        baseline_value="12,5",
        baseline_date="2025-01-01",
        target_value="70",
        target_date="2027-01-01",
        frequency="quarterly",
        principle_ids=str(org.principles[0].id),
    )
    first, second = _sent_twice(client, path, form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]  # to the first benefit
    mine = Benefit.initiative_id == initiative.id
    assert _count(Benefit, mine) == 1
    assert _events("benefit.create") == 1

    # The same benefit added again a minute later is one of its own.
    _age(Benefit, mine)
    assert client.post(path, data=form).status_code == 303
    assert _count(Benefit, mine) == 2
    # Another benefit at once (another target) is one of its own too.
    assert client.post(path, data={**form, "target_value": "80"}).status_code == 303
    assert _count(Benefit, mine) == 3
    assert _events("benefit.create") == 3


def test_a_reporting_period_sent_twice_is_one_period(org, client, auth):
    auth.login(org.management.email)
    path = "/reports/periods/new"
    form = form_fields(client.get(path).get_data(as_text=True), "starts_on")
    committee = org.committees[0].id
    form.update(
        {
            "name": "Tertial 1 2031",
            "starts_on": "2031-01-01",
            "ends_on": "2031-04-30",
            "deadline": "2031-04-15",
            f"meeting_{committee}": "2031-05-20",
            f"dnr_{committee}": "KS 2031/3",
        }
    )
    first, second = _sent_twice(client, path, form)
    # The resend is not refused for overlapping the period it made itself: it leads there.
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(ReportingPeriod) == 1
    assert _events("period.create") == 1

    # Another period at once is one of its own.
    other = {**form, "name": "Tertial 2 2031", "starts_on": "2031-05-01", "ends_on": "2031-08-31",
             "deadline": "2031-08-15", f"meeting_{committee}": ""}  # fmt: skip
    assert client.post(path, data=other).status_code == 303
    assert _count(ReportingPeriod) == 2
    # The same period a minute later is a new one, which the calendar's rules refuse.
    _age(ReportingPeriod)
    response = client.post(path, data=form)
    assert response.status_code == 422
    assert "Tertial 1 2031" in response.get_data(as_text=True)
    assert _count(ReportingPeriod) == 2
    # Another admin's identical period at once is theirs to be refused, not a resend of mine,
    # and the answer says that it was just made, not only that it overlaps.
    third = {**other, "name": "Tertial 3 2031", "starts_on": "2031-09-01",
             "ends_on": "2031-12-31", "deadline": "2031-12-15"}  # fmt: skip
    assert client.post(path, data=third).status_code == 303
    # The same person's period with other meetings is no resend, and not "someone else's".
    mine = {**third, f"meeting_{committee}": "2032-01-10"}
    response = client.post(f"{path}?lang=en", data=mine)
    assert response.status_code == 422
    assert "overlaps Tertial 3 2031" in response.get_data(as_text=True)
    assert "someone else" not in response.get_data(as_text=True)
    auth.logout()
    auth.login(org.admin.email)
    token = form_fields(client.get(path).get_data(as_text=True), "starts_on")["csrf_token"]
    response = client.post(path, data={**third, "csrf_token": token})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tertial 3 2031 med de här datumen lades upp alldeles nyss av någon annan" in page
    assert 'value="Tertial 3 2031"' in page  # the input is kept
    assert _count(ReportingPeriod) == 3
    # The same period a minute later is only an overlap.
    _age(ReportingPeriod)
    response = client.post(f"{path}?lang=en", data={**third, "csrf_token": token})
    assert response.status_code == 422
    assert "overlaps Tertial 3 2031" in response.get_data(as_text=True)


def test_a_publication_proposal_sent_twice_is_one_proposal(org, client, auth):
    initiative = factories.make_initiative(org.manager, principles=org.principles[:1], updates=1)
    db.session.commit()
    auth.login(org.manager.email)
    page = f"/initiatives/{initiative.id}"
    path = f"{page}/publication/propose"
    form = form_fields(client.get(page).get_data(as_text=True), "public_summary")
    form["public_summary"] = "Invånarna bokar tid på webben."
    first, second = _sent_twice(client, path, form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(Publication, Publication.initiative_id == initiative.id) == 1
    assert _events("publication.propose") == 1
    proposed_at = db.session.scalar(select(Publication.proposed_at))

    # Another summary at once is a new proposal; so is the same one a minute later.
    client.post(path, data={**form, "public_summary": "Invånarna bokar tid i appen."})
    assert _events("publication.propose") == 2
    assert db.session.scalar(select(Publication.proposed_at)) > proposed_at
    _age(Publication, Publication.initiative_id == initiative.id)
    again = client.post(path, data={**form, "public_summary": "Invånarna bokar tid i appen."})
    assert again.status_code == 303
    assert _events("publication.propose") == 3
    assert _count(Publication, Publication.initiative_id == initiative.id) == 1


@pytest.mark.parametrize("page, action, must_have, theirs, mine, title_id, shown", FORMS)
def test_the_same_settings_sent_twice_or_by_two_admins_are_no_conflict(
    app, org, page, action, must_have, theirs, mine, title_id, shown
):
    """Nothing would be lost when what is saved now is what the form sends: a resend after a
    slow answer, or a second admin making the same change, is saved, not a 409 that says
    someone else changed it and shows nothing of theirs."""
    me, other = _admins(app, org)
    first = form_fields(me.get(page).get_data(as_text=True), must_have)
    second = form_fields(other.get(page).get_data(as_text=True), must_have)
    assert me.post(action, data={**first, **theirs}).status_code == 303
    saved = _stored(page)
    assert me.post(action, data={**first, **theirs}).status_code == 303  # sent again
    assert other.post(action, data={**second, **theirs}).status_code == 303  # the same change
    assert _stored(page) == saved
    # Another change on the old version is still a conflict.
    assert other.post(action, data={**second, **mine}).status_code == 409
    assert _stored(page) == saved
