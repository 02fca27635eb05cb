"""Helpers shared by the admin views."""

from __future__ import annotations

from flask import render_template
from flask_wtf import FlaskForm

from ... import conflicts, params
from ...extensions import db
from ..services import AdminConflict, AdminError


def select_id(value: str | None) -> int | None:
    """The id chosen in a select, or None for the empty choice."""
    return int(value) if value and value.isdigit() else None


def invalid(template: str, form: FlaskForm, error: AdminError | None = None, **context):
    """Re-render a form with 422, the input kept and a domain error beside its field."""
    if error is not None:
        db.session.rollback()
        field = form._fields.get(error.field) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            form.form_errors.append(error.message)
    return render_template(template, form=form, **context), 422


posted_version = conflicts.posted_version


def conflict(
    template: str, form: FlaskForm, error: AdminConflict, saved: dict, version: str, **context
):
    """Re-render an edit form with 409 after someone saved the record meanwhile: the input
    kept, the form naming the saved version (so that sending it again applies the input on
    top), and what was saved shown beside it. ``saved`` is the saved record as form data; the
    session has been rolled back and the record read again."""
    differs = conflicts.answer(form, saved, version, error.message)
    return render_template(template, form=form, saved=differs, **context), 409


page_number = params.page_number
