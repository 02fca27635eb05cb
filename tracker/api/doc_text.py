"""The words of the OpenAPI description: English in openapi.json, the reader's language on the
documentation page.

openapi.json is the API's one machine contract: the same bytes for every client and every
language (one ETag, nothing to vary on, diffable from release to release, what code generators
and Schemathesis read), so its texts are English, as the field names and codes are. The
documentation page at /api/v1/docs is for people: it shows each of those texts translated.

So every text of the description (an operation's summary and each paragraph of its description,
a parameter's or a field's description, a response's description) is written once, in English,
marked with ``N_`` where it is written. ``N_`` is gettext's no-op mark: it returns the text as it
is, so the description holds the English words, and ``pybabel extract`` finds it (it is one of
Babel's default keywords), so the catalogue holds the text as a msgid. The page then looks each
text up with ``translated``. Never a lazy string here: the description is built once per
application and shared by every request, whatever its language.
"""

from __future__ import annotations

from flask_babel import gettext


def N_(text: str) -> str:  # noqa: N802 - gettext's conventional name for the mark
    """Mark ``text`` for the catalogue, and leave it as it is (English)."""
    return text


def translated(text: str | None) -> str:
    """A text of the description in the reader's language (the English text when the catalogue
    has no translation of it)."""
    return gettext(text) if text else ""


def paragraphs(text: str | None) -> list[str]:
    """A description's paragraphs, each translated: a description of several paragraphs is
    written (and translated) paragraph by paragraph, joined by a blank line."""
    return [translated(p.strip()) for p in (text or "").split("\n\n") if p.strip()]


# The texts flask-smorest writes into every description itself (the fields of its
# PaginationMetadata schema), so that the page can show them translated as well.
LIBRARY_TEXTS = (
    N_("Total number of items."),
    N_("Total number of pages."),
    N_("First available page number."),
    N_("Last available page number."),
    N_("Current page number."),
    N_("Previous page number."),
    N_("Next page number."),
)
