"""Thin views: the maturity page for everyone signed in; recording and correcting rounds for
admins (checked here for a quick 403 and again in every service)."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import conflicts, downloads
from ..extensions import db, login_manager
from ..permissions import can_administer, require
from . import bp, figures, importing, page, radar, rounds
from .forms import ConfirmImportForm, RoundForm, RoundImportForm, ValueForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user():
    return current_user._get_current_object()


def _admin():
    user = _user()
    require(can_administer(user))
    return user


@bp.before_request
def signed_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.context_processor
def formatting():
    def percent(value: float | None) -> str:
        return "–" if value is None else format_decimal(value, format="0.0")

    def change(value: float | None) -> str:
        if value is None:
            return "–"
        sign = "+" if value > 0 else ("−" if value < 0 else "±")
        return sign + format_decimal(abs(value), format="0.0")

    return {"fmt_percent": percent, "fmt_change": change}


# --- the maturity page ----------------------------------------------------------------------


@bp.get("/")
def index():
    sort = request.args.get("sort", "change")
    if sort not in figures.QUESTION_SORTS:
        sort = "change"
    view = page.build(_user(), request.args.get("department") or None)
    chart = radar.radar(view.comparison.categories, str(get_locale())) if view.comparison else None
    return render_template("maturity/index.html", view=view, chart=chart, sort=sort)


# --- recording a round ----------------------------------------------------------------------


@bp.get("/rounds")
def round_list():
    user = _admin()
    return render_template("maturity/rounds.html", rounds=rounds.rounds(user))


@bp.get("/rounds/new")
def new_round():
    _admin()
    return render_template("maturity/new_round.html", form=RoundImportForm())


def _new_round_invalid(form: RoundImportForm, error: rounds.MaturityError | None = None):
    if error is not None:
        field = form._fields.get(error.field or "file") or form.file
        field.errors = [*field.errors, error.message]
    return render_template("maturity/new_round.html", form=form), 422


@bp.post("/rounds/new")
def preview_round():
    user = _admin()
    form = RoundImportForm()
    if not form.validate():
        return _new_round_invalid(form)
    data = form.to_data()
    try:
        rounds.check_round(data)
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            raise importing.ImportFileError(_("Choose a CSV or XLSX file to import."))
        rows = importing.parse_file(upload.filename, upload.read())
    except rounds.MaturityError as error:
        return _new_round_invalid(form, error)
    except importing.ImportFileError as error:
        return _new_round_invalid(form, rounds.MaturityError("file", error.message))
    valid = importing.check_rows(rows)
    confirm = ConfirmImportForm()
    if valid:
        confirm.payload.data = importing.sign(
            current_app.config["SECRET_KEY"], user, data.meta(), rows
        )
    return render_template(
        "maturity/preview.html",
        rows=rows,
        valid=valid,
        confirm=confirm,
        data=data,
        filename=upload.filename,
    ), (200 if valid else 422)


@bp.post("/rounds/confirm")
def confirm_round():
    user = _admin()
    confirm = ConfirmImportForm()
    form = RoundImportForm(formdata=None)
    if not confirm.validate():
        return _new_round_invalid(form)
    try:
        meta, rows = importing.unsign(current_app.config["SECRET_KEY"], user, confirm.payload.data)
    except importing.ImportFileError as error:
        return _new_round_invalid(form, rounds.MaturityError("file", error.message))
    data = rounds.RoundData.from_meta(meta)
    try:
        round_ = rounds.create_round(user, data, rows)
    except rounds.MaturityError as error:
        db.session.rollback()
        # The database changed since the preview: show the rows with their problems now.
        if error.field:
            form = RoundImportForm(formdata=None, obj=data)
            return _new_round_invalid(form, error)
        return render_template(
            "maturity/preview.html", rows=rows, valid=False, confirm=confirm, data=data
        ), 422
    db.session.commit()
    flash(_("The round “%(name)s” has been saved.", name=round_.name), "success")
    return redirect(url_for(".show_round", round_id=round_.id), 303)


@bp.get("/rounds/template.<any(csv, xlsx):extension>")
def template(extension: str):
    _admin()
    if extension == "csv":
        body, mimetype = importing.template_csv(), "text/csv; charset=utf-8"
    else:
        body, mimetype = importing.template_xlsx(), XLSX
    return Response(
        body,
        content_type=mimetype,  # as given: mimetype= would add a second charset
        headers={"Content-Disposition": downloads.attachment(f"dimios-mall.{extension}")},
    )


# --- one round, and corrections -------------------------------------------------------------


@bp.get("/rounds/<int:round_id>")
def show_round(round_id: int):
    user = _admin()
    round_ = rounds.get_round(user, round_id)
    departments = rounds.departments(round_)
    code = (request.args.get("department") or "").upper()
    department = next((d for d in departments if d.code == code), None)
    return render_template(
        "maturity/round.html",
        round=round_,
        values=rounds.values(round_, department.id if department else None),
        departments=departments,
        department=department,
        history=rounds.history(round_),
    )


def _posted_version(form) -> str | None:
    """The version the form was opened on; None when the request names none."""
    return form.version.data if "version" in request.form else None


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
def edit_round(round_id: int):
    user = _admin()
    round_ = rounds.get_round(user, round_id)
    if request.method == "GET":
        form = RoundForm(obj=round_)
        rate = round_.response_rate
        form.response_rate.data = "" if rate is None else format_decimal(rate, format="0.#")
        form.version.data = rounds.round_version(round_)
        return render_template("maturity/edit_round.html", form=form, round=round_)
    form = RoundForm()
    if form.validate():
        try:
            changes = rounds.update_round(user, round_, form.to_data(), _posted_version(form))
        except rounds.MaturityConflict as error:
            db.session.rollback()
            saved = rounds.get_round(user, round_id)
            rate = saved.response_rate
            data = {
                "name": saved.name,
                "measured_on": saved.measured_on,
                "respondents": saved.respondents,
                "response_rate": "" if rate is None else format_decimal(rate, format="0.#"),
            }
            differs = conflicts.answer(form, data, rounds.round_version(saved), error.message)
            page = render_template(
                "maturity/edit_round.html", form=form, round=saved, saved=differs
            )
            return page, 409
        except rounds.MaturityError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            if changes:
                flash(_("The round has been corrected. The change is in its history."), "success")
            return redirect(url_for(".show_round", round_id=round_id), 303)
    return render_template("maturity/edit_round.html", form=form, round=round_), 422


@bp.route("/values/<int:value_id>/edit", methods=["GET", "POST"])
def edit_value(value_id: int):
    user = _admin()
    value = rounds.get_value(user, value_id)
    back = url_for(
        ".show_round",
        round_id=value.round_id,
        department=value.department.code if value.department else None,
    )
    if request.method == "GET":
        form = ValueForm(data={"percent": format_decimal(value.percent, format="0.#")})
        form.version.data = rounds.value_version(value)
        return render_template("maturity/edit_value.html", form=form, value=value, back=back)
    form = ValueForm()
    if form.validate():
        try:
            changes = rounds.correct_value(user, value, form.percent.data, _posted_version(form))
        except rounds.MaturityConflict as error:
            db.session.rollback()
            saved = rounds.get_value(user, value_id)
            data = {"percent": format_decimal(saved.percent, format="0.#")}
            differs = conflicts.answer(form, data, rounds.value_version(saved), error.message)
            page = render_template(
                "maturity/edit_value.html", form=form, value=saved, back=back, saved=differs
            )
            return page, 409
        except rounds.MaturityError as error:
            db.session.rollback()
            form.percent.errors.append(error.message)
        else:
            db.session.commit()
            if changes:
                flash(
                    _("The value has been corrected. The change is in the round's history."),
                    "success",
                )
            return redirect(back, 303)
    return render_template("maturity/edit_value.html", form=form, value=value, back=back), 422
