"""Validators every form shares: text without control characters, dates a database can hold.

One home for each rule (STYLE.md: no rule written in several places): the forms, the API's text
fields, the import and the export heading all ask :func:`has_control_characters`, after each
has dropped the invisible characters that carry nothing (:func:`strip_invisible`).
"""

from __future__ import annotations

import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

# Characters no text may hold: controls (Cc: C0, DEL, C1), format characters (Cf), lone
# surrogates (Cs, which only JSON can carry) and private use (Co, whose look depends on the font).
# They cannot be typed, break the XML of Word and Excel files, hide text from the reader, or,
# the bidirectional ones, make a text read differently from what it is ("Trojan Source").
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
# The format characters a text needs: the soft hyphen (Word's optional hyphen in a long Swedish
# compound, "verksamhets\u00adutveckling") and the zero-width joiner that makes one emoji of
# several (woman, ZWJ, laptop: the woman technologist). Neither changes the order or the
# meaning of what is read.
_ALLOWED_FORMAT = frozenset("\u00ad\u200c\u200d")  # and ZWNJ, which Persian and Kurdish spell with
# Tab, line feed and carriage return, kept where a field holds several lines.
_LINE_CHARACTERS = frozenset("\t\n\r")
# The bidirectional controls: marks (LRM, RLM, ALM), embeddings and overrides (LRE, RLE, PDF,
# LRO, RLO) and isolates (LRI, RLI, FSI, PDI). Refused as the rest; named in their own message.
DIRECTION_CHARACTERS = frozenset(
    "\u061c\u200e\u200f"  # ALM, LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
)

# Invisible characters that carry nothing a reader sees, which Word and web pages leave in pasted
# text: the zero-width space, the word joiner and the byte order mark (U+FEFF, also the old
# zero-width no-break space). Dropped without a word wherever text comes in, typed or stored before
# the rule above, so that nobody has to hunt for a character they cannot see; the rest of the
# text is kept exactly as it was. The zero-width joiner and non-joiner are not among them: they
# change what is seen (one emoji or several, the letter forms of Persian).
INVISIBLE_CHARACTERS = frozenset("\u200b\u2060\ufeff")
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE_CHARACTERS))

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)

# What every choice field says of a value that is none of its choices, also one that cannot even
# be read as one ("abc" for an id), instead of WTForms' "Felaktigt val; kunde inte ceorce:a".
NOT_A_CHOICE = _l("Not a valid choice.")


def strip_invisible(text):
    """The text without its zero-width spaces, word joiners and byte order marks; anything else
    (None, a value that is no text) as it is."""
    if not isinstance(text, str) or not text:
        return text
    return text.translate(_DROP_INVISIBLE)


def forbidden_characters(text: str | None, multiline: bool = False) -> set[str]:
    """The characters of the text that no text may hold; a multi-line text may hold tab, CR and
    LF."""
    if not text:
        return set()
    allowed = _ALLOWED_FORMAT | _LINE_CHARACTERS if multiline else _ALLOWED_FORMAT
    return {
        ch
        for ch in set(text)
        if ch not in allowed and unicodedata.category(ch) in _FORBIDDEN_CATEGORIES
    }


def has_control_characters(text: str | None, multiline: bool = False) -> bool:
    return bool(forbidden_characters(text, multiline))


class NoControlCharacters:
    """Refuse control and other invisible characters; a multi-line field may hold tab, CR and
    LF. A character that changes the direction of the text gets a message that says so."""

    def __init__(self, multiline: bool = False, message=None):
        self.multiline = multiline
        self.message = message

    def __call__(self, form, field) -> None:
        if not isinstance(field.data, str):
            return
        found = forbidden_characters(field.data, self.multiline)
        if not found:
            return
        if self.message:
            raise ValidationError(self.message)
        if found & DIRECTION_CHARACTERS:
            raise ValidationError(
                _l(
                    "Remove the invisible characters that change the direction of the text: "
                    "they can make it read differently from what it says."
                )
            )
        # Named by code point: the user cannot see them, but can look them up or ask for help.
        names = ", ".join(f"U+{ord(ch):04X}" for ch in sorted(found)[:5])
        raise ValidationError(
            _l("Remove the invisible control characters from the text (%(characters)s).",
               characters=names)
        )  # fmt: skip


SENSIBLE_DATE_MESSAGE = _l("Give a date from the year 1900 to the year 2999.")


def is_sensible_date(value: date | None) -> bool:
    """A date from 1900 to 2999 (or none): further away is a typing error, and some dates
    cannot be stored or compared (0001-01-01 less a day does not exist)."""
    return value is None or EARLIEST_DATE <= value <= LATEST_DATE


class SensibleDate:
    """Every form's date fields: ``is_sensible_date``. (The services apply the same rule to what
    comes in another way: an import, the API.)"""

    def __call__(self, form, field) -> None:
        if not is_sensible_date(field.data):
            raise ValidationError(SENSIBLE_DATE_MESSAGE)


class TrackerForm(FlaskForm):
    """The base of every form: each text field drops the invisible characters that carry
    nothing (:func:`strip_invisible`, from what was typed and from the stored value it shows)
    and refuses other control characters (a text area keeps tab and line breaks). Hidden
    fields carry the application's own values (and ``next`` is normalised where it is used);
    passwords accept any character (ASVS 6.2.9). Every date is one from 1900 to 2999. Every
    choice field (select, radio buttons, checkboxes) answers a value that is none of its
    choices with :data:`NOT_A_CHOICE`, unless it has its own message."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField) and not isinstance(
                field, HiddenField | PasswordField
            ):
                multiline = isinstance(field, TextAreaField)
                field.filters = (*field.filters, strip_invisible)
                field.validators = [*field.validators, NoControlCharacters(multiline=multiline)]
            elif isinstance(field, DateField):
                field.validators = [*field.validators, SensibleDate()]
            elif isinstance(field, SelectField):
                # A value its coerce cannot read ("abc" for an id), and one it can but that is
                # none of the choices.
                field.invalid_value_message = field.invalid_value_message or NOT_A_CHOICE
                field.invalid_choice_message = field.invalid_choice_message or NOT_A_CHOICE
            return field
