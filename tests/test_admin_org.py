"""Committees, departments, principles, organisation settings and the audit log."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tracker import settings
from tracker.admin.services import AdminError, audit_log, organisation, principles
from tracker.admin.services import settings as settings_service
from tracker.extensions import db
from tracker.models import AuditEvent, Committee, Department, Principle
from tracker.permissions import PermissionDenied

from . import factories


def post(client, auth, url, data=None):
    token = auth.csrf_token("/accessibility")
    return client.post(url, data={"csrf_token": token, **(data or {})})


def actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


# --- committees and departments ------------------------------------------------------------------


def test_create_and_rename_committee(org):
    committee = organisation.save_committee(org.admin, None, name="Socialnämnden", short_name="SN")
    assert committee.active and actions()[-1] == "committee.create"
    organisation.save_committee(
        org.admin, committee, name="Social- och omsorgsnämnden", short_name="SON"
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "committee.update"))
    assert event.changes == {
        "name": ["Socialnämnden", "Social- och omsorgsnämnden"],
        "short_name": ["SN", "SON"],
    }
    with pytest.raises(AdminError) as error:
        organisation.save_committee(org.admin, None, name="Dubblett", short_name="ks")
    assert error.value.field == "short_name"


@pytest.mark.parametrize("short_name", ["KS/AU", "KS AU", "KS.AU", "KS?", "KS#1", "50%", "K_S"])
def test_a_short_name_a_url_segment_cannot_carry_is_refused(org, short_name):
    with pytest.raises(AdminError) as refused:
        organisation.save_committee(org.admin, None, name="Arbetsutskottet", short_name=short_name)
    assert refused.value.field == "short_name"


@pytest.mark.parametrize("short_name", ["KSAU", "KS-AU", "SÖN", "Åäö-2", "BUN2"])
def test_letters_with_aao_digits_and_hyphens_make_a_short_name(org, short_name):
    committee = organisation.save_committee(org.admin, None, name="Utskott", short_name=short_name)
    assert committee.short_name == short_name


@pytest.mark.parametrize(
    "lang, message",
    [
        ("sv", "får bara innehålla bokstäver, siffror och bindestreck"),
        ("en", "may hold only letters, digits and hyphens"),
    ],
)
def test_the_form_says_why_a_short_name_is_refused_and_keeps_the_input(
    org, client, auth, lang, message
):
    auth.login(org.admin.email)
    client.get(f"/accessibility?lang={lang}")
    data = {"name": "Nämnd för ÅÄÖ – łódź ✓", "short_name": "KS/AU"}
    response = post(client, auth, "/admin/committees/new", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="KS/AU"' in html and 'value="Nämnd för ÅÄÖ – łódź ✓"' in html
    assert db.session.scalar(select(Committee).where(Committee.short_name == "KS/AU")) is None


def test_committee_with_active_departments_cannot_be_deactivated(org):
    ks = org.committees[0]
    with pytest.raises(AdminError):
        organisation.set_committee_active(org.admin, ks, False)
    empty = factories.make_committee("TN", "Tekniska nämnden")
    organisation.set_committee_active(org.admin, empty, False)
    assert not empty.active and actions()[-1] == "committee.deactivate"


def test_create_move_and_nest_department(org):
    ks, bun = org.committees
    it, hr, school = org.departments
    unit = organisation.save_department(
        org.admin, None, name="Servicedesk", code=" sd ", committee_id=ks.id, parent_id=it.id
    )
    assert unit.code == "SD" and unit.parent is it
    organisation.save_department(
        org.admin, unit, name="Servicedesk", code="SD", committee_id=bun.id, parent_id=school.id
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "department.update"))
    assert event.changes == {"committee": ["KS", "BUN"], "parent": ["IT", "GRS"]}
    # No cycles: IT cannot become part of its own unit.
    organisation.save_department(
        org.admin, unit, name="Servicedesk", code="SD", committee_id=ks.id, parent_id=it.id
    )
    with pytest.raises(AdminError) as error:
        organisation.save_department(
            org.admin, it, name=it.name, code=it.code, committee_id=ks.id, parent_id=unit.id
        )
    assert error.value.field == "parent"
    with pytest.raises(AdminError) as error:
        organisation.save_department(
            org.admin, None, name="Dubblett", code="it", committee_id=ks.id, parent_id=None
        )
    assert error.value.field == "code"


def test_department_with_initiatives_is_deactivated_never_deleted(org):
    it, hr, _school = org.departments
    initiative = factories.make_initiative(org.manager, hr)
    with pytest.raises(AdminError):
        organisation.delete_department(org.admin, hr)
    organisation.set_department_active(org.admin, hr, False)
    assert not hr.active and initiative.department is hr
    empty = factories.make_department(org.committees[0], "TOM", "Tom avdelning")
    organisation.delete_department(org.admin, empty)
    assert db.session.get(Department, empty.id) is None
    assert actions()[-1] == "department.delete"


def test_organisation_pages(org, client, auth):
    factories.make_initiative(org.manager)
    db.session.commit()
    auth.login(org.admin.email)
    html = client.get("/admin/organisation").get_data(as_text=True)
    assert "Kommunstyrelsen" in html and "IT-avdelningen" in html
    assert f"/admin/departments/{org.departments[0].id}/delete" not in html  # in use
    response = post(
        client, auth, "/admin/committees/new", {"name": "Kulturnämnden", "short_name": "KN"}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(Committee).where(Committee.short_name == "KN"))
    response = post(client, auth, "/admin/committees/new", {"name": "Igen", "short_name": "KN"})
    assert response.status_code == 422
    assert 'value="Igen"' in response.get_data(as_text=True)
    response = post(client, auth, f"/admin/departments/{org.departments[0].id}/delete")
    assert response.status_code == 422
    assert "Inaktivera den i stället" in response.get_data(as_text=True)
    response = post(client, auth, f"/admin/departments/{org.departments[0].id}/deactivate")
    assert response.status_code == 303
    response = post(
        client,
        auth,
        "/admin/departments/new",
        {"name": "Ny", "code": "NY", "committee": str(org.committees[1].id), "parent": ""},
    )
    assert response.status_code == 303
    assert db.session.scalar(select(Department).where(Department.code == "NY")).committee_id == (
        org.committees[1].id
    )


# --- principles ----------------------------------------------------------------------------------


def test_add_edit_retire_principles(org):
    p = principles.create_principle(
        org.admin,
        name_sv="Hållbarhet",
        name_en="Sustainability",
        description_sv="Bra för miljön",
        description_en="",
    )
    assert p.key == "hallbarhet" and p.sort_order == 4
    principles.update_principle(
        org.admin,
        p,
        name_sv="Hållbarhet",
        name_en="Sustainability",
        description_sv="",
        description_en="Green",
    )
    assert p.description_en == "Green" and p.key == "hallbarhet"
    principles.set_retired(org.admin, p, True)
    assert p.retired_at is not None
    principles.set_retired(org.admin, p, False)
    assert p.retired_at is None
    principles.delete_principle(org.admin, p)  # never used
    assert db.session.get(Principle, p.id) is None
    assert actions()[-5:] == [
        "principle.create",
        "principle.update",
        "principle.retire",
        "principle.reinstate",
        "principle.delete",
    ]
    with pytest.raises(AdminError):
        principles.create_principle(org.admin, name_sv="trygghet", name_en="X")


def test_principle_in_use_is_never_deleted(org, client, auth):
    used = org.principles[0]
    factories.make_initiative(org.manager, principles=[used])
    db.session.commit()
    auth.login(org.admin.email)
    html = client.get("/admin/principles").get_data(as_text=True)
    assert f"/admin/principles/{used.id}/delete" not in html
    response = post(client, auth, f"/admin/principles/{used.id}/delete")
    assert response.status_code == 422
    assert db.session.get(Principle, used.id) is not None
    response = post(client, auth, f"/admin/principles/{used.id}/retire")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Principle, used.id).retired_at is not None


def test_principle_form_422_keeps_input(org, client, auth):
    auth.login(org.admin.email)
    response = post(client, auth, "/admin/principles/new", {"name_sv": "", "name_en": "Openness"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Openness"' in html and "Ange namnet på svenska." in html


# --- settings ------------------------------------------------------------------------------------


def test_settings_default_to_the_configuration(org, app):
    assert settings.organisation_name() == app.config["ORGANISATION_NAME"]
    assert settings.stale_days() == app.config["STALE_DAYS"]


def test_save_settings(org, client, auth):
    auth.login(org.admin.email)
    response = post(
        client,
        auth,
        "/admin/settings",
        {"organisation_name": "Södertälje kommun", "stale_days": "14"},
    )
    assert response.status_code == 303
    html = client.get("/account").get_data(as_text=True)
    assert "Södertälje kommun" in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.update"))
    assert event.changes["stale_days"] == [30, 14]
    for bad in ("0", "366", "abc"):
        response = post(
            client, auth, "/admin/settings", {"organisation_name": "X", "stale_days": bad}
        )
        assert response.status_code == 422
        assert 'value="X"' in response.get_data(as_text=True)


def test_stale_days_setting_changes_the_stale_rule(org, client, auth):
    factories.make_initiative(org.manager, updates=1, last_update_days_ago=20, status="in_progress")
    db.session.commit()
    auth.login(org.manager.email)
    assert "card--stale" not in client.get("/").get_data(as_text=True)  # 20 < 30 days
    settings_service.save_settings(org.admin, organisation_name="Nykvarns kommun", stale_days=10)
    db.session.commit()
    assert "card--stale" in client.get("/").get_data(as_text=True)
    settings.forget()
    assert settings.stale_days() == 10


def test_settings_service_needs_admin(org):
    with pytest.raises(PermissionDenied):
        settings_service.save_settings(org.manager, organisation_name="X", stale_days=5)


# --- the audit log -------------------------------------------------------------------------------


def test_audit_log_filters(org):
    now = datetime.now(UTC)
    db.session.add_all(
        [
            AuditEvent(actor_id=org.admin.id, action="user.create", at=now - timedelta(days=10)),
            AuditEvent(actor_id=org.manager.id, action="auth.login", at=now - timedelta(days=1)),
            AuditEvent(actor_id=org.admin.id, action="auth.login", at=now),
        ]
    )
    db.session.flush()
    assert audit_log.events(org.admin).total == 3
    assert audit_log.events(org.admin, actor_id=org.admin.id).total == 2
    assert audit_log.events(org.admin, action="auth.login").total == 2
    today = now.date()
    assert audit_log.events(org.admin, date_from=today - timedelta(days=2)).total == 2
    assert audit_log.events(org.admin, date_to=today - timedelta(days=5)).total == 1
    assert audit_log.actions(org.admin) == ["auth.login", "user.create"]
    assert audit_log.events(org.admin, per_page=2, page=2).items[0].action == "user.create"
    with pytest.raises(PermissionDenied):
        audit_log.events(org.manager)


def test_audit_log_page_is_read_only_and_escapes(org, client, auth):
    db.session.add(
        AuditEvent(
            actor_id=org.manager.id, action="auth.login_failed", changes={"email": "<b>x</b>"}
        )
    )
    db.session.commit()
    auth.login(org.admin.email)
    html = client.get("/admin/audit?action=auth.login_failed").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert (
        client.get(f"/admin/audit?actor={org.manager.id}&date_from={date.today()}").status_code
        == 200
    )
    assert client.get("/admin/audit?date_from=not-a-date&page=-1").status_code == 200
    assert client.post("/admin/audit").status_code in (400, 405)
