"""Server-checked sessions on top of Flask-Login's signed cookie.

The cookie carries ``"<user id>:<session token>"``. The token must still match the user's row, so
signing out or deactivating a user (both replace the token) ends their sessions on the server, on
every process. Idle and absolute time-outs are timestamps in the signed cookie.
"""

from __future__ import annotations

import hmac
import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from ..extensions import db, htmx, login_manager
from ..models import User

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
KEPT_ACROSS_SIGN_IN = ("lang",)
# Set while the session's language was chosen by someone signed out (see ``start_session``).
LANGUAGE_CHOSEN_SIGNED_OUT = "lang_signed_out"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side token does this job, proxy-safe
    app.before_request(enforce_time_outs)


@login_manager.user_loader
def load_user(cookie_id: str) -> User | None:
    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    return to_sign_in(login_manager.login_message)


def to_sign_in(message):
    """Send the browser to the sign-in page; an htmx request gets HX-Redirect, not a page."""
    flash(message, "info")
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if htmx:
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def start_session(user: User, *, renewed: bool = False) -> None:
    """A fresh session for a user who just signed in (ASVS 7.2.4).

    The language: one chosen on the signed-out pages (the sign-in page's "English") is kept; one
    left in the browser's session by the last person signed in on it gives way to the user's own
    stored language. A session ``renewed`` for a user who was already signed in (after a
    password change) keeps the language chosen in it."""
    kept = {k: session[k] for k in KEPT_ACROSS_SIGN_IN if k in session}
    chosen_signed_out = session.get(LANGUAGE_CHOSEN_SIGNED_OUT, False)
    if not (renewed or chosen_signed_out) and user.language in current_app.config["LANGUAGES"]:
        kept["lang"] = user.language
    session.clear()
    session.update(kept)
    session.permanent = True
    login_user(user)
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def end_session() -> None:
    kept = {k: session[k] for k in KEPT_ACROSS_SIGN_IN if k in session}
    logout_user()
    session.clear()
    session.update(kept)


def enforce_time_outs():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle = int(current_app.config["SESSION_IDLE_MINUTES"]) * 60
    absolute = int(current_app.config["SESSION_ABSOLUTE_HOURS"]) * 3600
    login_at = int(session.get(LOGIN_AT, 0))
    seen_at = int(session.get(SEEN_AT, 0))
    if now - seen_at > idle or now - login_at > absolute:
        end_session()
        return to_sign_in(
            _l("You were signed out because your session expired. Please sign in again.")
        )
    session[SEEN_AT] = now
    return None
