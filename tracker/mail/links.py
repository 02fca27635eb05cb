"""Links in mail: ``TRACKER_BASE_URL`` and the application's own routes (pages that check rights
as usual)."""

from __future__ import annotations

from flask import current_app

from .. import settings as org_settings

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    return (current_app.config.get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def link(endpoint: str, _anchor: str | None = None, **values) -> str:
    """``TRACKER_BASE_URL`` (scheme, host and any path prefix) followed by the route's path,
    built from the URL map alone: the same in a request and in the CLI."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url() + path + (f"#{_anchor}" if _anchor else "")


def common() -> dict:
    """What every message's layout shows."""
    return {
        "organisation": org_settings.organisation_name(),
        "preferences_link": link("mail.preferences"),
    }
