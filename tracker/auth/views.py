from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db, limiter
from ..models import normalise_email
from ..redirects import same_site_path
from . import bp, oidc, oidc_views, services
from .forms import LoginForm
from .sessions import end_session, start_session


def _failed_sign_in(_response) -> bool:
    return bool(g.get("sign_in_failed"))


def _account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def login_limit() -> str:
    return f"{current_app.config['LOGIN_FAILURES_PER_MINUTE']}/minute"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit(login_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed_sign_in)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("pages.home"))
    form = LoginForm()
    if not form.is_submitted():
        form.next.data = request.args.get("next", "")
    if request.method == "POST" and oidc.password_login() == "off":
        services.refuse_password_sign_in(request.form.get("email", ""))
        db.session.commit()
        form.password.data = ""
        return render_template("auth/login.html", form=form), 403
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and not services.password_sign_in_allowed(user, oidc.password_login()):
            user = None
        if user is not None:
            db.session.commit()
            start_session(user)
            return redirect(same_site_path(form.next.data) or url_for("pages.home"))
        g.sign_in_failed = True
        db.session.commit()  # keep the audit event of the failure
        form.password.data = ""
        form.form_errors.append(_("The e-mail address or password is wrong."))
        return render_template("auth/login.html", form=form), 401
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    at_provider = oidc_views.sign_out_target(user)  # RP-initiated logout, when signed in by SSO
    services.sign_out(user)
    db.session.commit()
    end_session()
    flash(_("You are signed out."), "success")
    return redirect(at_provider or url_for("auth.login"))


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (open redirect). One rule for every
    redirect taken from user input (``tracker.redirects``)."""
    return same_site_path(target)
