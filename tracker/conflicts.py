"""What the other person saved, beside what the user typed: the conflict answer of a form whose
record was saved by someone else since it was opened (optimistic locking, 409)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
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
    """Ready ``form`` for the conflict answer (409): it keeps the input, takes the saved values
    of the fields the user left as they opened them (``take_saved``), names the saved version
    (so that sending it again applies the input on top) and says what happened. Returns what
    the other person saved (``saved``, the record as form data) where it still differs from the
    input, for the ``saved_values`` macro."""
    taken = take_saved(form, saved)
    form.version.data = version
    form.form_errors.append(message)
    if taken:
        form.form_errors.append(taken_message(taken))
    return saved_differences(form, saved)


# --- fields the user left as they opened them --------------------------------------------------
#
# Each edit form sends back, in the hidden field ``opened``, a digest of every field as the form
# showed it when opened (``opened_fingerprint``, drawn by the ``opened_input`` global beside the
# version). A save that meets someone else's takes the saved value of each field whose value
# the user sent is still the one they opened and that the other person changed: sending the
# form again then saves the user's own changes without undoing the other person's. A field
# both changed keeps the user's value (and is shown as differing); a missing or tampered
# fingerprint takes nothing.

OPENED = "opened"


def _plain(field: Field, value) -> str:
    """A value as the form shows it, with a browser's line ends (CR LF) as the stored ones."""
    return _shown(field, value).replace("\r\n", "\n")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _fingerprint(form, values: dict) -> str:
    return json.dumps(
        {
            field.name: _digest(_plain(field, values[field.name]))
            for field in form
            if field.type not in SKIPPED and field.name in values
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def opened_fingerprint(form) -> str:
    """The value of the form's ``opened`` field: the one the conflict answer set (the saved
    record's), else the one the form was sent with (it still names what the user opened,
    through every answer with errors; none when it came without one), else the form's fields
    as it is drawn now (opened)."""
    given = getattr(form, "_opened", None)
    if given is not None:
        return given
    if request.method == "POST":
        return request.form.get(OPENED, "")
    return _fingerprint(form, {field.name: field.data for field in form})


def opened_input(form) -> Markup:
    """The hidden ``opened`` field, drawn beside the form's version in every edit form."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        OPENED, opened_fingerprint(form)
    )


def _opened_digests() -> dict:
    text = request.form.get(OPENED, "")
    if not text or len(text) > 20000:  # a digest is 16 characters a field
        return {}
    try:
        digests = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return digests if isinstance(digests, dict) else {}


def take_saved(form, saved: dict) -> list[str]:
    """Put the saved value (``saved``, the record as form data) into each field the user sent
    as they opened it and someone else has changed since; returns those fields' labels. The
    form's ``opened`` field then names the saved record, the one the form is now on."""
    opened = _opened_digests()
    taken = []
    for field in form:
        if field.type in SKIPPED or field.name not in saved or field.name not in opened:
            continue
        sent = _plain(field, field.data)
        if opened[field.name] == _digest(sent) and _plain(field, saved[field.name]) != sent:
            field.data = saved[field.name]
            field.raw_data = None  # drawn from the value, not from what was posted
            taken.append(str(field.label.text))
    form._opened = _fingerprint(form, saved)
    return taken


def taken_message(labels: list[str]) -> str:
    return _(
        "Fields you had not changed now hold the other person's changes, so that sending your "
        "version again keeps them: %(fields)s.",
        fields=", ".join(labels),
    )


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
