"""Users: list, create, change, deactivate, one-time passwords."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...extensions import db
from .. import bp
from ..forms import ConfirmForm, UserEditForm, UserFilterForm, UserForm
from ..services import AdminConflict, AdminError, organisation
from ..services import users as services
from . import conflict, invalid, page_number, posted_version, select_id


@bp.get("/")
def index():
    return render_template("admin/index.html")


@bp.get("/users")
def users():
    departments = organisation.all_departments(current_user)
    form = UserFilterForm(request.args, departments=departments)
    form.validate()
    pagination = services.list_users(
        current_user,
        q=form.q.data or "" if not form.q.errors else "",
        role=form.role.data if not form.role.errors else "",
        department_id=select_id(form.department.data) if not form.department.errors else None,
        active=form.active.data if not form.active.errors else "",
        page=page_number(request.args.get("page")),
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/users.html", form=form, pagination=pagination, args=args)


def _user_form(form_class, **kwargs):
    return form_class(
        departments=organisation.all_departments(current_user, active_only=True),
        committees=organisation.all_committees(current_user, active_only=True),
        **kwargs,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = _user_form(UserForm)
    if not form.validate_on_submit():
        if form.is_submitted():
            return invalid("admin/user_form.html", form)
        return render_template("admin/user_form.html", form=form)
    try:
        user, password = services.create_user(
            current_user,
            name=form.name.data,
            email=form.email.data,
            role=form.role.data,
            department_id=select_id(form.department.data),
            committee_id=select_id(form.committee.data),
        )
    except AdminError as error:
        return invalid("admin/user_form.html", form, error)
    db.session.commit()
    # Shown in this answer only: never stored, never put in a redirect or the session cookie.
    return render_template("admin/one_time_password.html", person=user, password=password, new=True)


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    user = services.get_user(current_user, user_id)
    return render_template("admin/user.html", person=user, form=ConfirmForm())


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = services.get_user(current_user, user_id)
    if request.method == "GET":
        form = _user_form(UserEditForm, data=_user_form_data(user))
        form.version.data = services.user_version(user)
        # A deactivated department or committee stays selectable for the user still in it.
        _keep_current_department(form, user)
        return render_template("admin/user_form.html", form=form, person=user)
    form = _user_form(UserEditForm)
    _keep_current_department(form, user)
    if not form.validate_on_submit():
        return invalid("admin/user_form.html", form, person=user)
    try:
        services.update_user(
            current_user,
            user,
            name=form.name.data,
            role=form.role.data,
            department_id=select_id(form.department.data),
            committee_id=select_id(form.committee.data),
            expected_version=posted_version(form),
        )
    except AdminConflict as error:
        db.session.rollback()
        saved = services.get_user(current_user, user_id)
        version = services.user_version(saved)
        data = _user_form_data(saved)
        return conflict("admin/user_form.html", form, error, data, version, person=saved)
    except AdminError as error:
        return invalid(
            "admin/user_form.html", form, error, person=services.get_user(current_user, user_id)
        )
    db.session.commit()
    flash(_("The user's details have been saved."), "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)


def _user_form_data(user) -> dict:
    return {
        "name": user.name,
        "role": user.role.value,
        "department": str(user.department_id or ""),
        "committee": str(user.committee_id or ""),
    }


def _keep_current_department(form, user) -> None:
    if user.department and not user.department.active:
        label = f"{user.department.name} ({user.department.code})"
        form.department.choices.append(SelectChoice(str(user.department.id), label))
    if user.committee and not user.committee.active:
        label = f"{user.committee.name} ({user.committee.short_name})"
        form.committee.choices.append(SelectChoice(str(user.committee.id), label))


def _state_change(user_id: int, change, message: str):
    user = services.get_user(current_user, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return invalid("admin/user.html", form, person=user)
    try:
        result = change(user)
    except AdminError as error:
        return invalid(
            "admin/user.html", form, error, person=services.get_user(current_user, user_id)
        )
    db.session.commit()
    return result if result is not None else _flash_back(message, user)


def _flash_back(message: str, user):
    flash(message, "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int):
    return _state_change(
        user_id,
        lambda user: services.set_active(current_user, user, False),
        _("The user has been deactivated and signed out everywhere."),
    )


@bp.post("/users/<int:user_id>/reactivate")
def user_reactivate(user_id: int):
    return _state_change(
        user_id,
        lambda user: services.set_active(current_user, user, True),
        _("The user has been reactivated."),
    )


@bp.post("/users/<int:user_id>/one-time-password")
def user_one_time_password(user_id: int):
    def issue(user):
        password = services.issue_one_time_password(current_user, user)
        return render_template("admin/one_time_password.html", person=user, password=password)

    return _state_change(user_id, issue, "")
