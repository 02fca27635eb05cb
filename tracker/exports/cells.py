"""Text that leaves the application in a file: safe to open in a spreadsheet and valid in XML.

One rule each, used by every writer, so that the formats cannot drift apart.
"""

from __future__ import annotations

import re

# Characters XML 1.0 forbids (C0 controls except tab, line feed and carriage return). Word and
# Excel files are XML: openpyxl and python-docx refuse them, so every writer drops them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# A spreadsheet treats a cell that starts with one of these as a formula (OWASP ASVS 1.2.10).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def clean(text: str | None) -> str:
    """The text without characters that no document format can hold."""
    if not text:
        return ""
    return _ILLEGAL.sub("", text)


# The separators a spreadsheet may choose when it opens a CSV file (Excel in English uses a
# comma, in Swedish a semicolon; LibreOffice asks), and the line breaks that end a row for a
# reader that ignores quotes.
SEPARATORS = (";", ",", "\t")
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,\t\r\n][ ]*)(?=[=+\-@])")
_MUST_QUOTE = re.compile(r'[;,\t"\r\n]')


def neutralise(text: str | None) -> str:
    """Text a spreadsheet shows as typed and never evaluates: a formula character that starts
    the text, or starts a piece of it after any separator a spreadsheet may split on, gets an
    apostrophe before it, which Excel and LibreOffice read as "this cell is text"."""
    text = clean(text)
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", text)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_field(value: str) -> str:
    """One field as RFC 4180 writes it, quoted when it holds a quote, a line break or any
    separator (not only the file's own ``;``): ``Komma,=1+2,`` stays one field with a comma."""
    if _MUST_QUOTE.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


# Anything ``neutralise`` or ``csv_field`` would change: a character to drop, a separator, a
# quote or a line break (before which a formula could hide), or a formula character first.
_CSV_PLAIN_NOT = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff;,\t"\r\n]|^[=+\-@]')


def csv_text(text: str | None) -> str:
    """``csv_field(neutralise(text))``, with the common case (plain text, nothing to do) at the
    cost of one regular-expression search."""
    if not text:
        return ""
    if _CSV_PLAIN_NOT.search(text) is None:
        return text
    return csv_field(neutralise(text))


def csv_line(values: list[str]) -> str:
    """A row of already neutralised text: fields joined by ``;``, ended by CRLF."""
    return ";".join(csv_field(v) for v in values) + "\r\n"
