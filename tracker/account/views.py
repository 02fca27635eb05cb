from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import oidc
from ..auth.oidc_views import IDENTITY_KEY
from ..auth.services import may_use_password
from ..auth.sessions import start_session
from ..auth.views import login_limit
from ..errors import render_error
from ..extensions import db, limiter
from ..htmx import redirect_to
from . import bp, services
from .forms import PasswordForm, ProfileForm

# What a user who must change their password may still reach.
ALLOWED_BEFORE_PASSWORD_CHANGE = {
    "account.password",
    "auth.logout",
    "auth.login",
    "pages.accessibility",
    "pages.healthz",
    "static",
}


def require_password_change():
    """A user who signed in with a one-time password changes it before doing anything else.
    Signed in with the municipality's account (or with passwords not theirs to use) there is
    no password to change: an imported account has none at all."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in ALLOWED_BEFORE_PASSWORD_CHANGE
        and not session.get(IDENTITY_KEY)
        and _may_use_password()
    ):
        return redirect_to(url_for("account.password"))
    return None


def _may_use_password() -> bool:
    """``TRACKER_PASSWORD_LOGIN`` lets the signed-in user have a password."""
    return may_use_password(current_user._get_current_object(), oidc.password_login())


def _account_page(profile=None, status=200):
    user = current_user._get_current_object()
    profile = profile or ProfileForm(data={"name": user.name, "language": user.language})
    return render_template(
        "account/index.html",
        form=profile,
        sign_ins=services.recent_sign_ins(user),
        password_allowed=_may_use_password(),
    ), status


@bp.get("")
@login_required
def index():
    return _account_page()


@bp.post("")
@login_required
def profile():
    form = ProfileForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        return _account_page(form, 422)
    try:
        services.update_profile(user, name=form.name.data, language=form.language.data)
    except services.AccountError as error:
        db.session.rollback()
        field = form._fields.get(error.field) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            form.form_errors.append(error.message)
        return _account_page(form, 422)
    db.session.commit()
    session["lang"] = user.language  # the new language takes effect at once
    flash(_("Your details have been saved."), "success")
    return redirect(url_for("account.index"), 303)


def _wrong_current_password(_response) -> bool:
    return bool(g.get("wrong_current_password"))


def _password_key() -> str:
    return f"password-change:{current_user.get_id()}"


@bp.route("/password", methods=["GET", "POST"])
@login_required
# Guessing the current password here is guessing it at sign-in: the same throttle, per account
# and per address, counting only wrong current passwords (ASVS 6.3.1).
@limiter.limit(login_limit, methods=["POST"], deduct_when=_wrong_current_password)
@limiter.limit(
    login_limit, methods=["POST"], key_func=_password_key, deduct_when=_wrong_current_password
)
def password():
    if not _may_use_password():
        # TRACKER_PASSWORD_LOGIN: a password this user could never sign in with.
        return render_error(
            403,
            _("Your password cannot be changed here"),
            _("Passwords are not used in this service. Sign in with the municipality's account."),
        )
    form = PasswordForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("account/password.html", form=form), status
    try:
        services.change_password(
            user, current=form.current_password.data, new=form.new_password.data
        )
    except services.AccountError as error:
        db.session.rollback()
        g.wrong_current_password = error.field == "current_password"
        form[error.field].errors = [*form[error.field].errors, error.message]
        return render_template("account/password.html", form=form), 422
    db.session.commit()
    start_session(user, renewed=True)  # other sessions ended with the old token; this one goes on
    flash(_("Your password has been changed. You are signed out everywhere else."), "success")
    return redirect(url_for("account.index"), 303)
