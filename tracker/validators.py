"""Validators every form shares: text without control characters, dates a database can hold.

One home for each rule (STYLE.md: no rule written in several places).
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

# C0 controls, DEL and C1 controls; tab, line feed and carriage return are kept where a field
# holds several lines. Such characters cannot be typed, break the XML of Word and Excel files,
# and hide text from the reader.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def has_control_characters(text: str | None, multiline: bool = False) -> bool:
    if not text:
        return False
    return bool((_CONTROL_EXCEPT_LINES if multiline else _CONTROL).search(text))


class NoControlCharacters:
    """Refuse control characters; a multi-line field may hold tab, CR and LF."""

    def __init__(self, multiline: bool = False, message=None):
        self.multiline = multiline
        self.message = message

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and has_control_characters(field.data, self.multiline):
            raise ValidationError(
                self.message or _l("Remove the invisible control characters from the text.")
            )


class SensibleDate:
    """A date from 1900 to 2999: further away is a typing error, and some dates cannot be
    stored or compared (0001-01-01 less a day does not exist)."""

    def __call__(self, form, field) -> None:
        if field.data is not None and not EARLIEST_DATE <= field.data <= LATEST_DATE:
            raise ValidationError(_l("Give a date from the year 1900 to the year 2999."))


class TrackerForm(FlaskForm):
    """The base of every form: each text field refuses control characters (a text area keeps
    tab and line breaks). Hidden fields carry the application's own values (and ``next`` is
    normalised where it is used); passwords accept any character (ASVS 6.2.9). Every date is
    one from 1900 to 2999."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField) and not isinstance(
                field, HiddenField | PasswordField
            ):
                multiline = isinstance(field, TextAreaField)
                field.validators = [*field.validators, NoControlCharacters(multiline=multiline)]
            elif isinstance(field, DateField):
                field.validators = [*field.validators, SensibleDate()]
            return field
