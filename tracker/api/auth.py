"""Bearer tokens only. The API ignores the session cookie, so it needs no CSRF token.

Before anything else in an API request runs, the request is made anonymous (``g._login_user``) and
its session is an empty one that is never saved: a browser's cookie gives an API request nothing.
Then the blueprint checks the ``Authorization: Bearer`` header and acts as the token's user.
"""

from __future__ import annotations

from flask import g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import refresh

from .. import audit
from ..extensions import db, login_manager
from ..models import User
from . import tokens
from .problems import is_api_request

DOCS_PATH = "/api/v1/docs"


class ApiAwareSessionInterface(SecureCookieSessionInterface):
    """The normal signed-cookie session, except on API paths: there it is neither read nor
    written, so neither a cookie sent along nor a Set-Cookie can carry a browser session."""

    def open_session(self, app, request):
        if request.path.startswith("/api/") and request.path != DOCS_PATH:
            return self.session_class()
        # The documentation is a page people read: its session is read for the language the
        # reader chose (never written, and nobody is signed in by it: ``start_anonymous``).
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        from flask import request as current_request

        if current_request.path == DOCS_PATH:
            # Its language comes from the cookie or the header: a cache must not share it.
            response.vary.update(("Cookie", "Accept-Language"))
            response.headers.setdefault("Cache-Control", "private, no-cache")
        if current_request.path.startswith("/api/"):
            return None
        return super().save_session(app, session, response)


class ApiAuthError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ScopeError(Exception):
    """A read-only token tried to change something."""


def start_anonymous() -> None:
    """Run first in every request: on API paths nobody is signed in until a token says so."""
    if not is_api_request():
        return
    g._login_user = login_manager.anonymous_user()
    chosen = request.args.get("lang")
    g.api_locale = chosen if chosen in ("sv", "en") else None
    if g.api_locale is None and request.path == DOCS_PATH:
        g.api_locale = _reader_language()
    g.api_locale = g.api_locale or request.accept_languages.best_match(("sv", "en"))


def _reader_language() -> str | None:
    """The documentation page's reader: the language chosen in the session, else the signed-in
    user's own (the user is looked up, not signed in)."""
    from ..auth.sessions import load_user

    if session.get("lang") in ("sv", "en"):
        return session["lang"]
    cookie_id = session.get("_user_id")
    user = load_user(cookie_id) if isinstance(cookie_id, str) else None
    return user.language if user is not None and user.language in ("sv", "en") else None


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate_request() -> None:
    """The blueprint's first step: find the token's user or refuse the request (401)."""
    if request.method == "OPTIONS":
        return
    if "Authorization" not in request.headers:
        raise ApiAuthError("missing")
    secret = bearer_secret()
    if secret is None:
        _refused(tokens.Refused("not_bearer"))
    try:
        found = tokens.authenticate(secret)
    except tokens.Refused as refused:
        _refused(refused)
    user = db.session.get(User, found.user_id)
    if user is None or not user.active:
        _refused(tokens.Refused("user_inactive", found.token_id, found.user_id))
    g._login_user = user
    g.api_token = found
    if not g.get("api_locale") and user.language in ("sv", "en"):
        g.api_locale = user.language
    refresh()


def _refused(refused: tokens.Refused):
    """Every refused token goes to the audit log (without the secret), in its own commit."""
    db.session.rollback()
    actor = db.session.get(User, refused.user_id) if refused.user_id else None
    changes = {"reason": refused.reason, "path": request.path, "method": request.method}
    if refused.token_id:
        changes["token_id"] = refused.token_id
    audit.record(actor, "api_token.refused", None, changes)
    db.session.commit()
    raise ApiAuthError(refused.reason)


def require_write() -> None:
    token = g.get("api_token")
    from ..permissions import can_write_with_token

    if token is None or not can_write_with_token(token.scope.value):
        raise ScopeError
