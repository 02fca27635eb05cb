"""Sign-in with the municipality's account: start at the provider, come back, get a session."""

from __future__ import annotations

import logging

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale

from ..extensions import db, limiter
from . import bp, oidc
from .oidc import OidcError
from .oidc_services import SignInRefused, record_refusal
from .oidc_services import sign_in as match_user
from .sessions import start_session

log = logging.getLogger("tracker.auth.oidc")

IDENTITY_KEY = "oidc_identity"


@bp.record_once
def _init(state) -> None:
    oidc.init_app(state.app)


def _failed_sign_in(_response) -> bool:
    return bool(g.get("sso_failed"))


def _limit() -> str:
    # Each failure writes an audit event; many from one address are refused before that.
    return f"{int(current_app.config['LOGIN_FAILURES_PER_MINUTE']) * 4}/minute"


@bp.post("/login/oidc")
@limiter.limit(_limit, deduct_when=_failed_sign_in)
def oidc_start():
    """The button on the sign-in page (a POST with the CSRF token): off to the provider."""
    if not oidc.configured():
        abort(404)
    from .views import safe_next

    next_path = safe_next(request.form.get("next"))
    try:
        response = oidc.start(str(get_locale() or "sv"))
    except OidcError as error:
        return _failed(error)
    if next_path:
        session[oidc.NEXT_KEY] = next_path
    else:
        session.pop(oidc.NEXT_KEY, None)
    return response


@bp.get("/login/oidc/callback")
@limiter.limit(_limit, deduct_when=_failed_sign_in)
def oidc_callback():
    """The provider sends the browser back here with a code (or an error)."""
    if not oidc.configured():
        abort(404)
    next_path = session.pop(oidc.NEXT_KEY, None)
    try:
        signed_in = oidc.finish()
    except OidcError as error:
        return _failed(error)
    try:
        identity = match_user(signed_in)
        user = identity.user
    except SignInRefused as refused:
        db.session.rollback()
        log.warning("SSO sign-in refused: %s %r", refused.reason, refused.facts)
        record_refusal(refused.reason, refused.user, refused.facts)
        db.session.commit()
        return _page(refused.title, refused.message, 403)
    identity_id = identity.id
    db.session.commit()
    start_session(user)
    session[IDENTITY_KEY] = identity_id
    from .views import safe_next

    return redirect(safe_next(next_path) or url_for("pages.home"))


def _failed(error: OidcError):
    """The provider is down, answered nonsense, or the answer did not check out."""
    db.session.rollback()
    # repr: the detail may hold text from the query string; no line of the log can be forged.
    log.warning("SSO sign-in failed: %s %r", error.reason, error.detail)
    record_refusal(error.reason, None, {"detail": error.detail[:500]})
    db.session.commit()
    return _page(error.title, error.message, error.status)


def _page(title, message, status: int):
    g.sso_failed = True
    return (
        render_template("auth/oidc_error.html", title=title, message=message, status=status),
        status,
    )


def sign_out_target(user) -> str | None:
    """Where the browser goes after our sign-out: the provider's end-session endpoint when this
    session came from it and the provider has one (RP-initiated logout); else None."""
    identity_id = session.get(IDENTITY_KEY)
    if not identity_id or not current_app.extensions.get("tracker_oidc"):
        return None
    from .oidc_services import identity_for_sign_out

    identity = identity_for_sign_out(user, identity_id)
    return oidc.logout_url(identity.last_id_token if identity else None)
