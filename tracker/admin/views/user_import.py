"""Importing users from a file: upload, preview every row, confirm; all or nothing."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from .. import bp
from ..forms import ImportConfirmForm, ImportForm
from ..services import AdminError
from ..services import user_import as services


@bp.get("/users/import")
def user_import():
    return render_template("admin/user_import.html", form=ImportForm())


@bp.post("/users/import")
def user_import_preview():
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("admin/user_import.html", form=form), 422
    upload = form.file.data
    try:
        if upload is None or not getattr(upload, "filename", ""):
            raise services.ImportFileError(_("Choose a CSV or XLSX file to import."))
        rows = services.parse_file(upload.filename, upload.read())
    except services.ImportFileError as error:
        form.file.errors = [error.message]
        return render_template("admin/user_import.html", form=form), 422
    valid = services.check_rows(rows)
    confirm = ImportConfirmForm()
    if valid:
        confirm.payload.data = services.sign_rows(
            current_app.config["SECRET_KEY"], current_user, rows
        )
    return render_template(
        "admin/user_import_preview.html",
        rows=rows,
        valid=valid,
        confirm=confirm,
        filename=upload.filename,
    ), (200 if valid else 422)


@bp.post("/users/import/confirm")
def user_import_confirm():
    confirm = ImportConfirmForm()
    form = ImportForm()
    if not confirm.validate_on_submit():
        return render_template("admin/user_import.html", form=form), 422
    try:
        rows = services.unsign_rows(
            current_app.config["SECRET_KEY"], current_user, confirm.payload.data
        )
    except services.ImportFileError as error:
        form.file.errors = [error.message]
        return render_template("admin/user_import.html", form=form), 422
    try:
        users = services.import_users(current_user, rows)
    except AdminError:
        db.session.rollback()
        # The database changed since the preview: the rows now carry their problems.
        return render_template(
            "admin/user_import_preview.html", rows=rows, valid=False, confirm=confirm
        ), 422
    # Plain values, read before the commit expires the objects (no query per row afterwards).
    done = [
        {
            "id": u.id,
            "name": u.name,
            "email": u.email,
            "role": u.role,
            "department": u.department.name if u.department else None,
        }
        for u in users
    ]
    db.session.commit()
    return render_template("admin/user_import_done.html", users=done)
