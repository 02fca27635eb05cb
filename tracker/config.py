"""Configuration: defaults, then ``instance/config.py``, then ``TRACKER_*`` environment variables.

The application refuses to start without a secret key unless it is testing or running the demo,
because a guessable key lets anyone forge a session cookie.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "STALE_DAYS": 30,
    "ORGANISATION_NAME": "Nykvarns kommun",
    "CONTACT_EMAIL": "digitalisering@nykvarn.example",
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_ABSOLUTE_HOURS": 12,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": False,
    # When the shared store (Redis) goes away, each process counts in its own memory, with a
    # warning in the log, and tries the store again now and then; a failing store never gives a
    # 500.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "LOGIN_FAILURES_PER_MINUTE": 5,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 512 * 1024,
    "MAX_FORM_PARTS": 1000,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PREFERRED_URL_SCHEME": "http",
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "LANGUAGES": ("sv", "en"),
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "DEMO": False,
    "TRUSTED_PROXIES": 0,
    "MAIL_SECURITY": "starttls",
    "MAIL_CLAIM_MINUTES": 15,
    "MAIL_LOG_DAYS": 90,
}


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to set."""


def load_config(app: Flask, test_config: dict[str, Any] | None, demo: bool) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("TRACKER")
    if test_config:
        app.config.from_mapping(test_config)
    if demo:
        app.config["DEMO"] = True

    # An explicit test configuration wins over the environment.
    url = (
        (test_config or {}).get("SQLALCHEMY_DATABASE_URI")
        or app.config.get("DATABASE_URL")
        or app.config.get("SQLALCHEMY_DATABASE_URI")
    )
    if not url:
        url = "sqlite:///" + str(Path(app.instance_path) / "tracker.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(str(url))

    if not app.config.get("SECRET_KEY"):
        if app.config["DEMO"]:
            app.config["SECRET_KEY"] = demo_secret_key(Path(app.instance_path))
        elif not app.testing:
            raise ConfigError(
                "TRACKER_SECRET_KEY is not set. Generate one with "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )

    check_values(app.config)

    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://")):
        # A store that does not answer must not hold a request up: fail fast, then fall back.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )

    app.permanent_session_lifetime = timedelta(hours=int(app.config["SESSION_ABSOLUTE_HOURS"]))
    if app.config.get("HTTPS"):
        # Behind TLS: Secure cookies with the __Host- prefix (ASVS 3.3.1, 3.3.4).
        app.config.update(
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SECURE=True,
            SESSION_COOKIE_NAME="__Host-session",
            PREFERRED_URL_SCHEME="https",
        )


# How mail reaches the server (tracker.mail.transport reads this list too).
MAIL_SECURITY_VALUES = ("none", "starttls", "tls")


def check_values(config) -> None:
    """Values the environment gives that would otherwise break every request, or a later
    command, are refused at start with what to set. ``from_prefixed_env`` reads each value as
    JSON, so a secret key of digits arrives as a number: it is meant as text."""
    key = config.get("SECRET_KEY")
    if key is not None and not isinstance(key, str | bytes):
        config["SECRET_KEY"] = str(key)
    days = config.get("STALE_DAYS")
    whole = isinstance(days, int | str) and not isinstance(days, bool) and str(days).isdigit()
    if not whole or not 1 <= int(days) <= 365:
        raise ConfigError("TRACKER_STALE_DAYS must be a whole number of days from 1 to 365.")
    config["STALE_DAYS"] = int(days)
    security = str(config.get("MAIL_SECURITY") or "starttls").strip().lower()
    if security not in MAIL_SECURITY_VALUES:
        raise ConfigError(
            f"TRACKER_MAIL_SECURITY must be one of {', '.join(MAIL_SECURITY_VALUES)}."
        )


def normalise_database_url(url: str) -> str:
    """Let people write ``postgresql://``; we talk to PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def demo_secret_key(instance: Path) -> str:
    """A key kept in ``instance/`` so that a restarted demo keeps its sessions."""
    path = instance / "demo-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
