"""Template helpers: labels of the vocabularies, dates in Swedish time, who may do what."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from flask_babel import format_date, format_datetime
from flask_login import current_user

from . import permissions
from .models import Health, Role, Status, utcnow


def days_since(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return (utcnow() - moment).days


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = lambda v, fmt="short": format_datetime(v, fmt) if v else ""
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else ""
    app.jinja_env.globals["days_since"] = days_since
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def vocabulary():
        return {
            "Status": Status,
            "Health": Health,
            "Role": Role,
            "permissions": permissions,
            "organisation_name": current_app.config["ORGANISATION_NAME"],
            "user": current_user,
        }
