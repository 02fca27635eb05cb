"""Mitt konto → personal access tokens: make one (shown once), see them, revoke one."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..api import tokens as token_services
from ..extensions import db
from . import bp
from .forms import TokenForm


def _user():
    return current_user._get_current_object()


def _page(form: TokenForm | None = None, status: int = 200, new=None):
    user = _user()
    today = token_services.local_today()
    if form is None:
        form = TokenForm(
            formdata=None,
            data={
                "scope": "read",
                "expires_on": today + timedelta(days=token_services.DEFAULT_DAYS),
            },
        )
    return (
        render_template(
            "account/tokens.html",
            form=form,
            tokens=token_services.tokens_of(user),
            new=new,
            today=today,
            latest=today + timedelta(days=token_services.MAX_DAYS),
            now=token_services.utcnow(),
        ),
        status,
    )


@bp.get("/tokens")
@login_required
def tokens():
    return _page()


@bp.post("/tokens")
@login_required
def create_token():
    form = TokenForm()
    if not form.validate():
        return _page(form, 422)
    try:
        new = token_services.create_token(
            _user(),
            name=form.name.data,
            scope=form.scope.data,
            expires_on=form.expires_on.data,
        )
    except token_services.TokenError as error:
        db.session.rollback()
        getattr(form, error.field).errors = [*getattr(form, error.field).errors, error.message]
        return _page(form, 422)
    db.session.commit()
    # Shown in this answer only: no redirect, so the secret is never stored anywhere to show again.
    return _page(new=new, status=201)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    from .forms import RevokeTokenForm

    if not RevokeTokenForm().validate():
        return _page(status=400)
    try:
        token = token_services.revoke(_user(), token_id)
    except token_services.TokenNotFound:
        from werkzeug.exceptions import NotFound

        raise NotFound from None
    db.session.commit()
    flash(
        _("The token “%(name)s” has been revoked. It no longer works.", name=token.name), "success"
    )
    return redirect(url_for("account.tokens"), 303)
