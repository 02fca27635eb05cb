"""Error pages and htmx error fragments, in the user's language, never a traceback."""

from __future__ import annotations

import json
import logging
import math
import time

from flask import Flask, g, has_request_context, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import audit
from .database import SAFE_METHODS
from .extensions import db, htmx, limiter, login_manager
from .permissions import PermissionDenied

log = logging.getLogger("tracker.errors")

MESSAGES = {
    400: (
        _l("The request could not be understood"),
        _l("Something in the request was wrong. Go back and try again."),
    ),
    403: (
        _l("You do not have access"),
        _l("Your role does not allow this. Ask a system administrator if you need access."),
    ),
    404: (
        _l("Page not found"),
        _l(
            "The page does not exist, or it has been moved. Check the address or start again "
            "from the start page."
        ),
    ),
    405: (
        _l("Not allowed"),
        _l("The page cannot be used like this. Go back and use the buttons on the page."),
    ),
    409: (
        _l("Someone else has changed this"),
        _l(
            "The record was changed by someone else while you were working. Reload the page "
            "and try again."
        ),
    ),
    413: (
        _l("Too much data"),
        _l("What you sent is larger than the service accepts. Send less at a time."),
    ),
    422: (
        _l("Check what you entered"),
        _l("Some of what you entered could not be used. Correct it and try again."),
    ),
    429: (
        _l("Too many attempts"),
        _l("You have made too many attempts in a short time. Wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "An error occurred on our side. Try again in a while. If it happens again, "
            "contact the system administrator."
        ),
    ),
    503: (
        _l("The service is temporarily unavailable"),
        _l("The service cannot reach its database right now. Try again in a few minutes."),
    ),
}
CSRF_MESSAGE = (
    _l("The form has expired"),
    _l(
        "For your security the form was valid only for a limited time, or it was sent "
        "from another page. Reload the page and try again. What you entered may need to "
        "be entered again."
    ),
)


def retry_after() -> str:
    """A 429's ``Retry-After``: the seconds until the limit that was exceeded starts again (a
    minute if the limiter cannot say)."""
    current = limiter.current_limit
    wait = 60
    if current is not None:
        wait = max(1, math.ceil(current.reset_at - time.time()))
    return str(wait)


def render_error(status: int, title=None, message=None):
    default_title, default_message = MESSAGES.get(status, MESSAGES[500])
    context = {
        "status": status,
        "title": title or default_title,
        "message": message or default_message,
    }
    from .public.sessions import is_public_path

    if has_request_context() and is_public_path(request.path):
        # The public layout: no session, no CSRF token, no cookie; never kept by a cache (also
        # a 404 no public route matched); a JSON file's error as JSON, as its other errors.
        headers = {"Cache-Control": "no-store"}
        if request.path.endswith(".json"):
            body = json.dumps({"error": str(context["message"])}, ensure_ascii=False)
            return body, status, {**headers, "Content-Type": "application/json"}
        return render_template("public/error.html", **context), status, headers
    if htmx:
        # Shown in the page's message region instead of replacing whatever the swap targeted.
        response = render_template("errors/_error.html", **context)
        return (
            response,
            status,
            {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML", "Vary": "HX-Request"},
        )
    return render_template("errors/error.html", **context), status, {"Vary": "HX-Request"}


def _is_api() -> bool:
    from .api.problems import is_api_request

    return is_api_request()


def _api_error(error):
    """Under /api/ every error is problem details, also for URLs no API route matches."""
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    from .api import api_http_error

    if isinstance(error, MethodNotAllowed) and not _names_a_record():
        # An id out of range (0, 2^31) fails the converter: werkzeug then answers 405 for a
        # path that names nothing. It is a 404, as for the same id by GET.
        error = NotFound()
    return api_http_error(error)


def _names_a_record() -> bool:
    """Whether some rule matches the request's path with its ids in range, for any method."""
    from flask import current_app

    adapter = current_app.url_map.bind("localhost")
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            adapter.match(request.path, method=method)
        except HTTPException:
            continue
        return True
    return False


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        log.warning(
            "CSRF check failed: %s %s: %s", request.method, request.path, _error.description
        )
        return render_error(400, *CSRF_MESSAGE)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(_error):
        if _is_api():
            return _api_error(_error)
        body, status, *headers = render_error(429)
        return body, status, {**(headers[0] if headers else {}), "Retry-After": retry_after()}

    @app.errorhandler(PermissionDenied)
    def permission_denied(_error):
        db.session.rollback()
        changes = {"path": request.path, "method": request.method}
        if request.method in SAFE_METHODS:
            # Committed on its own: a refused read must not take the write lock (nor fail for it).
            audit.record_apart(current_user, "access.denied", changes=changes)
        else:  # a write request begins with the write lock anyway
            audit.record(current_user, "access.denied", changes=changes)
            db.session.commit()
        return render_error(403)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        log.error("database error: %s", error.__class__.__name__, exc_info=error)
        try:
            db.session.rollback()
        except SQLAlchemyError:
            log.warning("rollback failed as well", exc_info=True)
        # The page must not need the database: without this, loading the signed-in user for the
        # layout would raise again, and the user would get a bare 500.
        g._login_user = login_manager.anonymous_user()
        return render_error(503)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if _is_api():
            return _api_error(error)
        return render_error(error.code)

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        original = getattr(error, "original_exception", None)
        if isinstance(original, OperationalError | DBAPIError):
            return database_unavailable(original)
        log.error("unhandled error", exc_info=original or error)
        db.session.rollback()
        if _is_api():
            return _api_error(error)
        return render_error(500)
