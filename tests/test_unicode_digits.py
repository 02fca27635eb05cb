"""Digits that are not ASCII: "²".isdigit() is true, int("²") raises. A number typed or sent in
a query string with such a character is refused or ignored, never a server error."""

from __future__ import annotations

from tracker.extensions import db
from tracker.mail import planning

from .resilience_support import form_fields


def test_the_mail_schedule_refuses_a_superscript_digit(org, client, auth):
    auth.login(org.admin.email)
    form = form_fields(client.get("/admin/mail").get_data(as_text=True), "reminder_days")
    for days in ("²", "14, ²", "١٤"):
        response = client.post("/admin/mail", data={**form, "reminder_days": days})
        assert response.status_code == 422, days
        assert "Ange upp till fem antal dagar" in response.get_data(as_text=True)
    assert planning.parse_days("14, ², 3") == [3, 14]


def test_the_co_owner_search_ignores_a_superscript_id(org, client, auth):
    auth.login(org.manager.email)
    response = client.get(
        "/initiatives/co-owners?co_owner_ids=%C2%B2&co_owner_ids=1", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200


def test_the_period_page_ignores_a_superscript_owner(org, client, auth):
    from datetime import date

    from tracker.reports import periods

    period = periods.create_period(
        org.management,
        periods.PeriodData(
            name="Tertial 1 2031",
            starts_on=date(2031, 1, 1),
            ends_on=date(2031, 4, 30),
            deadline=date(2031, 4, 15),
            meetings=[],
        ),
    )
    db.session.commit()
    auth.login(org.management.email)
    response = client.get(f"/reports/periods/{period.id}?owner=%C2%B2")
    assert response.status_code == 200
