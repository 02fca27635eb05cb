"""Sign-in with the municipality's accounts: unknown users, and directory groups -> roles."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import conflicts
from ...auth import oidc
from ...extensions import db
from .. import bp
from ..forms import ConfirmForm
from ..services import AdminConflict, AdminError
from ..services import organisation as organisation_services
from ..services import sso as services
from ..sso_forms import GroupRoleForm, SsoSettingsForm
from . import posted_version, select_id


def _page(settings_form=None, group_form=None, status: int = 200, saved=None):
    departments = organisation_services.all_departments(current_user, active_only=True)
    if settings_form is None:
        settings_form = SsoSettingsForm(formdata=None, data=services.settings_values(current_user))
        settings_form.version.data = services.settings_version(current_user)
    if group_form is None:
        group_form = GroupRoleForm(formdata=None, departments=departments)
    return (
        render_template(
            "admin/sso.html",
            settings_form=settings_form,
            group_form=group_form,
            confirm_form=ConfirmForm(),
            mappings=services.group_roles(current_user),
            configured=oidc.configured(),
            discovery_url=current_app.config.get("OIDC_DISCOVERY_URL"),
            password_login=oidc.password_login(),
            saved=saved,
        ),
        status,
    )


def _error(form, error: AdminError) -> None:
    db.session.rollback()
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _done(message: str):
    flash(message, "success")
    return redirect(url_for("admin.sso"), 303)


@bp.get("/sign-in")
def sso():
    return _page()


@bp.post("/sign-in/settings")
def sso_settings():
    form = SsoSettingsForm()
    if not form.validate_on_submit():
        return _page(settings_form=form, status=422)
    try:
        services.save_settings(
            current_user,
            create_unknown_users=form.create_unknown_users.data == "yes",
            expected_version=posted_version(form),
        )
    except AdminConflict as error:
        db.session.rollback()
        saved = conflicts.answer(
            form,
            services.settings_values(current_user),
            services.settings_version(current_user),
            error.message,
        )
        return _page(settings_form=form, status=409, saved=saved)
    db.session.commit()
    return _done(_("The sign-in settings have been saved."))


@bp.post("/sign-in/groups")
def sso_group_add():
    departments = organisation_services.all_departments(current_user, active_only=True)
    form = GroupRoleForm(departments=departments)
    if not form.validate_on_submit():
        return _page(group_form=form, status=422)
    try:
        services.add_group_role(
            current_user,
            group_id=form.group_id.data,
            role=form.role.data,
            department_id=select_id(form.department.data),
        )
    except AdminError as error:
        _error(form, error)
        return _page(group_form=form, status=422)
    db.session.commit()
    return _done(_("The group has been added."))


@bp.post("/sign-in/groups/<int:mapping_id>/delete")
def sso_group_delete(mapping_id: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.delete_group_role(current_user, mapping_id)
        except AdminError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("admin.sso"), 303)
        db.session.commit()
        return _done(_("The group has been removed."))
    return _page(status=400)


@bp.app_template_global("sso_identities")
def sso_identities(person):
    """For the admin's user page: the municipality accounts connected to this user."""
    return services.identities_of(current_user, person)


@bp.post("/sign-in/identities/<int:identity_id>/delete")
def sso_identity_delete(identity_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(status=400)
    try:
        user = services.disconnect_identity(current_user, identity_id)
    except AdminError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("admin.users"), 303)
    db.session.commit()
    flash(_("The municipality account has been disconnected."), "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)
