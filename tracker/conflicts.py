"""What the other person saved, beside what the user typed: the conflict answer of a form whose
record was saved by someone else since it was opened (optimistic locking, 409)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field

from . import repeats
from .extensions import db

# What a conflict answer says, for every form without a wording of its own.
CONFLICT_MESSAGE = _l(
    "Someone else changed this while you were editing it. Your input is kept below and what "
    "they saved is shown above it; save again to apply your changes."
)
# Never shown beside the input: the form's machinery, and secrets (a password is never echoed).
SKIPPED = frozenset({"CSRFTokenField", "HiddenField", "PasswordField", "SubmitField"})


class StaleVersion(Exception):
    """The form was opened on another version of the record than the one saved now."""

    message = CONFLICT_MESSAGE


def version_of(values: dict) -> str:
    """A record as its form shows it, as a short digest, for a record without a version
    counter: the form sends it back, and a save made to another one than the record's now is a
    conflict, not an overwrite."""
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def in_turn(name: str, *records) -> None:
    """Saves of the record ``name`` one after the other, so that two saves at the same instant
    cannot both pass the version check against what both read before either wrote: the second
    checks against what the first saved, and is a conflict. Called before the record is read
    for ``check_version``; ``records`` are the rows already loaded in this request (a settings
    row may not exist yet: None). On PostgreSQL a lock on ``name`` held until the request
    commits, then ``records`` read again as the save before this one left them; on SQLite every
    write request already holds the write lock (``BEGIN IMMEDIATE``)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    repeats.lock_kind(name)
    for record in records:
        if record is not None:
            db.session.expire(record)


def check_version(
    expected: str | None,
    values: dict,
    error: Callable[[], Exception] = StaleVersion,
    wanted: dict | None = None,
):
    """Raise ``error()`` when the form was opened on another version of the record than
    ``values`` (its form's values now). A request without a version (made by hand) edits the
    record as it is. A save that leaves the record as it is now (``wanted``, the record as the
    save would leave it, equals ``values``) loses nothing and is no conflict: the same form sent
    again after a slow answer, or two people making the same change."""
    if expected is not None and expected != version_of(values) and wanted != values:
        raise error()


def posted_version(form) -> str | None:
    """The version of the record the form was opened on; None when the request names none."""
    return form.version.data if "version" in request.form else None


def answer(form, saved: dict, version: str, message=CONFLICT_MESSAGE) -> list[tuple[str, str]]:
    """Ready ``form`` for the conflict answer (409): it keeps the input, names the saved version
    (so that sending it again applies the input on top) and says what happened. Returns what
    the other person saved (``saved``, the record as form data) where it differs from the input,
    for the ``saved_values`` macro."""
    form.version.data = version
    form.form_errors.append(message)
    return saved_differences(form, saved)


def _shown(field: Field, value) -> str:
    """A value as the form shows it: a choice by its label, a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(field, "iter_choices"):
        labels = {str(choice[0]): str(choice[1]) for choice in field.iter_choices()}
        values = value if isinstance(value, list | tuple | set) else [value]
        return ", ".join(sorted(labels.get(str(v), str(v)) for v in values))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def saved_differences(form, saved: dict) -> list[tuple[str, str]]:
    """(label, saved value) for each field of ``form`` whose saved value (``saved``, by field
    name, as the form's data) differs from what the user sent."""
    rows = []
    for field in form:
        if field.type in SKIPPED or field.name not in saved:
            continue
        theirs = _shown(field, saved[field.name])
        if theirs != _shown(field, field.data):
            rows.append((str(field.label.text), theirs))
    return rows
