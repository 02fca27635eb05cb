"""Security headers on every response (ASVS 3.4) and the proxy setting that HTTPS needs."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

# Record ids are 32-bit integers in both databases; a larger number names nothing. Without a
# bound, 2**63 in a URL reached the database and failed there (500) instead of answering 404.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every URL: a record id from 1 to MAX_ID in ASCII digits, else 404."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    # Before any blueprint adds its rules: every ``<int:…>`` is bounded.
    app.url_map.converters["int"] = IdConverter
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.before_request
    def refuse_nul_in_query():
        """NUL names nothing and PostgreSQL cannot even compare it: 400, not a database error.
        (Form fields refuse it, with every other control character, in the shared base form.)"""
        if request.path.startswith("/api/"):
            return None  # the API checks its parameters itself and answers a problem (422)
        if "\x00" in request.query_string.decode("latin-1") or any(
            "\x00" in key + "".join(values) for key, values in request.args.lists()
        ):
            from .errors import render_error

            return render_error(
                400,
                _("The address holds a control character"),
                _("Remove the control character (NUL) from the address and try again."),
            )
        return None

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("HTTPS") or request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and current_user.is_authenticated:
            # Portfolio data must not linger in shared caches or the back-forward cache.
            headers["Cache-Control"] = "no-store"
        return response
