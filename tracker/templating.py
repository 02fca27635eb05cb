"""Template helpers: labels of the vocabularies, dates in Swedish time, who may do what."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from flask import Flask, url_for
from flask_babel import (
    format_date,
    format_datetime,
    format_number,
    format_time,
    get_locale,
    ngettext,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from . import audit_labels, conflicts, permissions, settings
from .initiatives import labels
from .models import Health, Role, Status, utcnow

# The longest run of characters the PDF's table keeps unbroken (see ``breakable``): longer than
# the long Swedish compounds ("Informationssäkerhetsutbildning", 31), which stay whole.
BREAKABLE_LENGTH = 32


def days_since(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return (utcnow() - moment).days


def age_text(days: int | None) -> str:
    """How long ago, in words: "i dag", "i går", "för 3 dagar sedan"."""
    if days is None:
        return _("No update yet")
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("%(num)d day ago", "%(num)d days ago", days)


# One date style: "1 dec. 2026" in running text, ISO 8601 (2026-12-01) in tables and files.
def text_date(value: date | datetime | None, _format: str | None = None) -> str:
    """(A format asked for is ignored: one style for every date in running text.)"""
    return format_date(value, "medium") if value else ""


def text_datetime(value: datetime | None, _format: str | None = None) -> str:
    """ "1 dec. 2026 10:05" in Swedish time."""
    if not value:
        return ""
    return f"{format_date(value, 'medium')} {format_time(value, 'HH:mm')}"


def iso_date(value: date | datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "yyyy-MM-dd")
    return value.isoformat()


def iso_datetime(value: datetime | None) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def month_name(label: str, short: bool = True) -> str:
    """A month "YYYY-MM" by its localised name: "dec" on a chart axis, "december 2026" in text."""
    return _month_name(label, short, str(get_locale()))


@lru_cache(maxsize=1024)
def _month_name(label: str, short: bool, _locale: str) -> str:
    """(Kept per locale: Babel's formatting is slow and a month's name never changes.)"""
    year, month = (int(part) for part in label.split("-"))
    day = date(year, month, 1)
    if short:
        return format_date(day, "LLL").rstrip(".")
    return format_date(day, "LLLL y")


_LONG_WORD = re.compile(rf"\S{{{BREAKABLE_LENGTH + 1},}}")


def breakable(text) -> str:
    """``text`` with a soft hyphen every ``BREAKABLE_LENGTH`` characters inside longer words, so
    that a table laid out to its words (the PDF's list) can still fit the page when a name is
    one long word ("Samhällsbyggnadsförvaltningens…"). Shorter words are left whole."""
    if text is None:
        return ""
    return _LONG_WORD.sub(_with_soft_hyphens, str(text))


def _with_soft_hyphens(match: re.Match) -> str:
    word = match.group(0)
    return "\u00ad".join(
        word[i : i + BREAKABLE_LENGTH] for i in range(0, len(word), BREAKABLE_LENGTH)
    )


def list_url(filters, endpoint: str = "initiatives.index", **overrides) -> str:
    """A URL carrying the current filters, with some of them replaced (None removes one)."""
    args = filters.as_args().to_dict(flat=False)
    for key, value in overrides.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(endpoint, **args)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = text_datetime
    app.jinja_env.filters["breakable"] = breakable
    app.jinja_env.filters["date"] = text_date
    app.jinja_env.filters["isodate"] = iso_date
    app.jinja_env.filters["isodatetime"] = iso_datetime
    app.jinja_env.filters["month_name"] = month_name
    app.jinja_env.globals["age_text"] = age_text
    app.jinja_env.globals["opened_input"] = conflicts.opened_input
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["days_since"] = days_since
    app.jinja_env.globals["list_url"] = list_url
    app.jinja_env.globals["audit_label"] = labels.audit_label
    app.jinja_env.filters["field_label"] = labels.field_label
    app.jinja_env.globals["changed_fields"] = audit_labels.changed_fields
    app.jinja_env.globals["audit_record"] = audit_labels.record_label
    app.jinja_env.globals["audit_changes"] = audit_labels.change_rows
    app.jinja_env.globals["conflict_rows"] = lambda mine, saved: labels.conflict_rows(
        mine, saved, str(get_locale())
    )
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def vocabulary():
        return {
            **shared_vocabulary(),
            "permissions": permissions,
            "user": current_user,
        }


def shared_vocabulary() -> dict:
    """What every template may use that is the same for every user (cached fragments get only
    this, never the user)."""
    return {
        "Status": Status,
        "Health": Health,
        "Role": Role,
        "organisation_name": settings.organisation_name(),
        "current_locale": str(get_locale() or "sv"),
        # What users write is Swedish: in the English interface it says so (WCAG 3.1.2).
        "content_lang": Markup(' lang="sv"') if str(get_locale() or "sv") != "sv" else "",
    }
