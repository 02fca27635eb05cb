"""Helpers shared by the admin views."""

from __future__ import annotations

from flask import render_template
from flask_wtf import FlaskForm

from ... import params
from ...extensions import db
from ..services import AdminError


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


page_number = params.page_number
