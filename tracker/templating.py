"""Template helpers: labels of the vocabularies, dates in Swedish time, who may do what."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, url_for
from flask_babel import format_date, format_datetime, format_number, get_locale
from flask_login import current_user

from . import permissions, settings
from .initiatives import labels
from .models import Health, Role, Status, utcnow


def days_since(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return (utcnow() - moment).days


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
    app.jinja_env.filters["datetime"] = lambda v, fmt="short": format_datetime(v, fmt) if v else ""
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else ""
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["days_since"] = days_since
    app.jinja_env.globals["list_url"] = list_url
    app.jinja_env.globals["audit_label"] = labels.audit_label
    app.jinja_env.filters["field_label"] = labels.field_label
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
    }
