"""Everyone's personal access tokens: the administrator sees them and revokes any of them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...api import tokens as token_services
from ...extensions import db
from .. import bp
from ..forms import ConfirmForm


@bp.get("/tokens")
def tokens():
    include_ended = request.args.get("all") == "1"
    return render_template(
        "admin/tokens.html",
        tokens=token_services.all_tokens(current_user, include_ended=include_ended),
        include_ended=include_ended,
        now=token_services.utcnow(),
    )


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        token = token_services.revoke(current_user, token_id)
    except token_services.TokenNotFound:
        abort(404)
    db.session.commit()
    flash(
        _(
            "The token “%(name)s” of %(user)s has been revoked.",
            name=token.name,
            user=token.user.name,
        ),
        "success",
    )
    return redirect(url_for("admin.tokens"), 303)
