"""Principles (ledord)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from .. import bp
from ..forms import ConfirmForm, PrincipleForm
from ..services import AdminConflict, AdminError
from ..services import principles as services
from . import conflict, invalid, posted_version


def _to_list(message: str):
    flash(message, "success")
    return redirect(url_for("admin.principles"), 303)


@bp.get("/principles")
def principles():
    return render_template(
        "admin/principles.html",
        principles=services.all_principles(current_user),
        form=ConfirmForm(),
    )


@bp.route("/principles/new", methods=["GET", "POST"])
@bp.route("/principles/<int:principle_id>/edit", methods=["GET", "POST"])
def principle_form(principle_id: int | None = None):
    principle = services.get_principle(current_user, principle_id) if principle_id else None
    form = PrincipleForm(obj=principle if request.method == "GET" else None)
    if not form.validate_on_submit():
        if form.is_submitted():
            return invalid("admin/principle_form.html", form, principle=principle)
        if principle is not None:
            form.version.data = services.principle_version(principle)
        return render_template("admin/principle_form.html", form=form, principle=principle)
    values = {f: form[f].data or "" for f in services.FIELDS}
    try:
        if principle is None:
            services.create_principle(current_user, **values)
        else:
            services.update_principle(
                current_user, principle, expected_version=posted_version(form), **values
            )
    except AdminConflict as error:
        db.session.rollback()
        saved = services.get_principle(current_user, principle_id)
        data = {f: getattr(saved, f) or "" for f in services.FIELDS}
        version = services.principle_version(saved)
        return conflict("admin/principle_form.html", form, error, data, version, principle=saved)
    except AdminError as error:
        if principle_id:
            principle = services.get_principle(current_user, principle_id)
        return invalid("admin/principle_form.html", form, error, principle=principle)
    db.session.commit()
    return _to_list(_("The principle has been saved."))


def _change(action, message: str):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            action()
        except AdminError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            return _to_list(message)
    return invalid("admin/principles.html", form, principles=services.all_principles(current_user))


@bp.post("/principles/<int:principle_id>/retire")
def principle_retire(principle_id: int):
    principle = services.get_principle(current_user, principle_id)
    return _change(
        lambda: services.set_retired(current_user, principle, True),
        _("The principle has been retired. Initiatives that use it keep it."),
    )


@bp.post("/principles/<int:principle_id>/reinstate")
def principle_reinstate(principle_id: int):
    principle = services.get_principle(current_user, principle_id)
    return _change(
        lambda: services.set_retired(current_user, principle, False),
        _("The principle can be chosen again."),
    )


@bp.post("/principles/<int:principle_id>/delete")
def principle_delete(principle_id: int):
    principle = services.get_principle(current_user, principle_id)
    return _change(
        lambda: services.delete_principle(current_user, principle),
        _("The principle has been deleted."),
    )
