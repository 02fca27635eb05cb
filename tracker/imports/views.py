"""Thin views: upload, preview (as often as the user changes a choice), import; and the template."""

from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from .. import downloads
from ..extensions import db
from ..permissions import require
from ..uploads import ImportFileError
from . import bp, services, sheet, template
from .forms import PreviewForm, UploadForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user():
    return current_user._get_current_object()


def _page(form: UploadForm, status: int = 200):
    user = _user()
    return render_template(
        "imports/start.html",
        form=form,
        may_create_owners=services.may_create_owners(user),
        max_rows=sheet.MAX_ROWS,
    ), status


@bp.get("/initiatives/import")
@login_required
def start():
    require(services.may_import(_user()))
    return _page(UploadForm(formdata=None))


@bp.get("/initiatives/import/template.<any(csv, xlsx):extension>")
@login_required
def template_file(extension: str):
    require(services.may_import(_user()))
    if extension == "csv":
        body, content_type = template.as_csv(), "text/csv; charset=utf-8"
    else:
        body, content_type = template.as_xlsx(), XLSX
    name = f"initiativ-mall.{extension}"
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": downloads.attachment(name)},
    )


def _options(form, headings: list[str]) -> sheet.Options:
    user = _user()
    mapping = {}
    for index in range(len(headings)):
        chosen = request.form.get(f"map_{index}", "")
        if chosen:
            mapping[index] = chosen[:40]
    return sheet.Options(
        mapping=mapping,
        existing="update" if form.existing.data == "update" else "skip",
        create_owners=bool(form.create_owners.data) and services.may_create_owners(user),
    )


def _preview(check: sheet.Check, form: PreviewForm, status: int | None = None, message=None):
    user = _user()
    form.payload.data = sheet.sign(
        current_app.config["SECRET_KEY"], user.id, check.sheet, check.versions
    )
    form.existing.data = check.options.existing
    form.create_owners.data = check.options.create_owners
    return render_template(
        "imports/preview.html",
        check=check,
        form=form,
        message=message,
        may_create_owners=services.may_create_owners(user),
    ), status or (200 if check.valid else 422)


def _check(data: sheet.Sheet, options: sheet.Options, versions=None) -> sheet.Check:
    user = _user()
    return sheet.check(
        data,
        options,
        may_create_owners=services.may_create_owners(user),
        versions=versions,
        locale=str(get_locale()),
    )


@bp.post("/initiatives/import")
@login_required
def submit():
    user = _user()
    require(services.may_import(user))
    if "payload" in request.form:
        return _from_preview()
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    upload = form.file.data
    try:
        if upload is None or not getattr(upload, "filename", ""):
            raise ImportFileError(_("Choose a CSV or XLSX file to import."))
        data = sheet.read(upload.filename, upload.read())
    except ImportFileError as error:
        form.file.errors = [error.message]
        return _page(form, 422)
    preview = PreviewForm(formdata=None)
    return _preview(_check(data, _options(form, data.headings)), preview)


def _from_preview():
    user = _user()
    form = PreviewForm()
    if not form.validate_on_submit():
        return _page(UploadForm(formdata=None), 422)
    try:
        data, versions = sheet.unsign(current_app.config["SECRET_KEY"], user.id, form.payload.data)
    except ImportFileError as error:
        upload = UploadForm(formdata=None)
        upload.file.errors = [error.message]
        return _page(upload, 422)
    options = _options(form, data.headings)
    if form.action.data != "import":
        return _preview(_check(data, options), form)
    check = _check(data, options, versions)
    if not check.valid:
        return _preview(check, form)
    try:
        result = services.run(user, check)
        db.session.flush()
    except (services.ImportProblems, IntegrityError) as error:
        db.session.rollback()
        message = getattr(error, "message", None) or _(
            "Someone changed the data while the sheet was imported. Nothing was imported. "
            "Check the file again."
        )
        return _preview(_check(data, options), form, 409, message)
    db.session.commit()
    return render_template("imports/done.html", result=result)
