"""Organisation settings: the database row when an admin has set a value, else the configuration.

Read through these functions only, so that the layout, the stale rule and the exports agree. The
row is read once per request and kept in ``g``.
"""

from __future__ import annotations

from flask import current_app, g, has_app_context
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .models import OrganisationSettings

SETTINGS_ID = 1


def stored() -> OrganisationSettings | None:
    """The settings row, or None when no admin has saved settings yet."""
    with db.session.no_autoflush:
        return db.session.get(OrganisationSettings, SETTINGS_ID)


def _current() -> tuple[str, int]:
    if has_app_context() and "organisation_settings" in g:
        return g.organisation_settings
    try:
        row = stored()
    except SQLAlchemyError:
        # The database does not answer: the error page still needs a name, so use the defaults.
        db.session.rollback()
        return current_app.config["ORGANISATION_NAME"], int(current_app.config["STALE_DAYS"])
    name = (row.organisation_name if row else None) or current_app.config["ORGANISATION_NAME"]
    days = (row.stale_days if row else None) or int(current_app.config["STALE_DAYS"])
    g.organisation_settings = (name, days)
    return name, days


def organisation_name() -> str:
    return _current()[0]


def stale_days() -> int:
    return _current()[1]


def forget() -> None:
    """Drop the cached values, after the settings changed in this request."""
    g.pop("organisation_settings", None)
