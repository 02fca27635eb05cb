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


def neutralise(text: str | None) -> str:
    """Text a spreadsheet shows as typed and never evaluates: a leading formula character gets an
    apostrophe before it, which Excel and LibreOffice read as "this cell is text"."""
    text = clean(text)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
