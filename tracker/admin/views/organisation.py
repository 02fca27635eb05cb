"""Committees and departments."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from .. import bp
from ..forms import CommitteeForm, ConfirmForm, DepartmentForm
from ..services import AdminConflict, AdminError
from ..services import organisation as services
from . import conflict, invalid, posted_version, select_id


def _to_overview(message: str):
    flash(message, "success")
    return redirect(url_for("admin.organisation"), 303)


@bp.get("/organisation")
def organisation():
    return render_template(
        "admin/organisation.html", overview=services.overview(current_user), form=ConfirmForm()
    )


@bp.route("/committees/new", methods=["GET", "POST"])
@bp.route("/committees/<int:committee_id>/edit", methods=["GET", "POST"])
def committee_form(committee_id: int | None = None):
    committee = services.get_committee(current_user, committee_id) if committee_id else None
    form = CommitteeForm(obj=committee if request.method == "GET" else None)
    context = {"committee": committee}
    if not form.validate_on_submit():
        if form.is_submitted():
            return invalid("admin/committee_form.html", form, **context)
        if committee is not None:
            form.version.data = services.committee_version(committee)
        return render_template("admin/committee_form.html", form=form, **context)
    try:
        services.save_committee(
            current_user,
            committee,
            name=form.name.data,
            short_name=form.short_name.data,
            expected_version=posted_version(form),
        )
    except AdminConflict as error:
        db.session.rollback()
        saved = services.get_committee(current_user, committee_id)
        values = {"name": saved.name, "short_name": saved.short_name}
        version = services.committee_version(saved)
        return conflict("admin/committee_form.html", form, error, values, version, committee=saved)
    except AdminError as error:
        if committee_id:
            context["committee"] = services.get_committee(current_user, committee_id)
        return invalid("admin/committee_form.html", form, error, **context)
    db.session.commit()
    return _to_overview(_("The committee has been saved."))


def _change(action, message: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return invalid("admin/organisation.html", form, overview=services.overview(current_user))
    try:
        action()
    except AdminError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return invalid("admin/organisation.html", form, overview=services.overview(current_user))
    db.session.commit()
    return _to_overview(message)


@bp.post("/committees/<int:committee_id>/deactivate")
def committee_deactivate(committee_id: int):
    committee = services.get_committee(current_user, committee_id)
    return _change(
        lambda: services.set_committee_active(current_user, committee, False),
        _("The committee has been deactivated."),
    )


@bp.post("/committees/<int:committee_id>/reactivate")
def committee_reactivate(committee_id: int):
    committee = services.get_committee(current_user, committee_id)
    return _change(
        lambda: services.set_committee_active(current_user, committee, True),
        _("The committee has been reactivated."),
    )


@bp.route("/departments/new", methods=["GET", "POST"])
@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
def department_form(department_id: int | None = None):
    department = services.get_department(current_user, department_id) if department_id else None

    def make_form(**kwargs):
        departments = [
            d
            for d in services.all_departments(current_user)
            if department is None or d.id != department.id
        ]
        return DepartmentForm(
            committees=services.all_committees(current_user),
            departments=departments,
            **kwargs,
        )

    if request.method == "GET":
        data = {}
        if department is not None:
            data = {
                "name": department.name,
                "code": department.code,
                "committee": str(department.committee_id),
                "parent": str(department.parent_id or ""),
            }
        form = make_form(data=data)
        if department is not None:
            form.version.data = services.department_version(department)
        return render_template("admin/department_form.html", form=form, department=department)
    form = make_form()
    if not form.validate_on_submit():
        return invalid("admin/department_form.html", form, department=department)
    try:
        services.save_department(
            current_user,
            department,
            name=form.name.data,
            code=form.code.data,
            committee_id=select_id(form.committee.data),
            parent_id=select_id(form.parent.data),
            expected_version=posted_version(form),
        )
    except AdminConflict as error:
        db.session.rollback()
        saved = services.get_department(current_user, department_id)
        values = {
            "name": saved.name,
            "code": saved.code,
            "committee": str(saved.committee_id),
            "parent": str(saved.parent_id or ""),
        }
        version = services.department_version(saved)
        return conflict(
            "admin/department_form.html", form, error, values, version, department=saved
        )
    except AdminError as error:
        if department_id:
            department = services.get_department(current_user, department_id)
        return invalid("admin/department_form.html", form, error, department=department)
    db.session.commit()
    return _to_overview(_("The department has been saved."))


@bp.post("/departments/<int:department_id>/deactivate")
def department_deactivate(department_id: int):
    department = services.get_department(current_user, department_id)
    return _change(
        lambda: services.set_department_active(current_user, department, False),
        _("The department has been deactivated. Its initiatives are kept."),
    )


@bp.post("/departments/<int:department_id>/reactivate")
def department_reactivate(department_id: int):
    department = services.get_department(current_user, department_id)
    return _change(
        lambda: services.set_department_active(current_user, department, True),
        _("The department has been reactivated."),
    )


@bp.post("/departments/<int:department_id>/delete")
def department_delete(department_id: int):
    department = services.get_department(current_user, department_id)
    return _change(
        lambda: services.delete_department(current_user, department),
        _("The department has been deleted."),
    )
