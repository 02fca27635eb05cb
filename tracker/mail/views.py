"""Mail preferences (Mitt konto), the admin's send log and schedule, and the nudge button."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import conflicts, params
from ..errors import render_error
from ..extensions import db, limiter
from ..permissions import can_administer, require
from ..reports import periods
from ..reports.errors import ReportNotFound
from . import bp, services
from .forms import PreferencesForm, ScheduleForm


def _user():
    return current_user._get_current_object()


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _preferences_form(user, formdata=None):
    kinds = services.kinds_for(user)
    current = services.preferences(user)
    form = PreferencesForm(formdata, data=current if formdata is None else None)
    for name in list(form._fields):
        if name != "csrf_token" and name not in kinds:
            del form[name]
    return form, kinds


@bp.route("/account/mail", methods=["GET", "POST"])
@login_required
def preferences():
    user = _user()
    if request.method == "POST":
        form, kinds = _preferences_form(user, request.form)
        if form.validate_on_submit():
            services.save_preferences(user, {k for k in kinds if form[k].data})
            db.session.commit()
            flash(_("Your e-mail choices have been saved."), "success")
            return redirect(url_for("mail.preferences"), 303)
        return render_template("mail/preferences.html", form=form, kinds=kinds), 422
    form, kinds = _preferences_form(user)
    return render_template("mail/preferences.html", form=form, kinds=kinds)


def _schedule_form(formdata=None):
    if formdata is not None:
        return ScheduleForm(formdata)
    form = ScheduleForm(formdata, data=services.schedule_values())
    form.version.data = services.schedule_version()
    return form


def _log_page(form, status_code=200, saved=None):
    user = _user()
    status = request.args.get("status", "")
    status = status if status in ("queued", "sending", "sent", "failed") else ""
    pagination = services.send_log(user, params.page_number(request.args.get("page")), status)
    return render_template(
        "mail/send_log.html",
        form=form,
        pagination=pagination,
        counts=services.counts(user),
        status=status,
        args={"status": status} if status else {},
        saved=saved,
        # No mail server set: the messages are written as files, "sent" means written there.
        mail_folder=None
        if current_app.config.get("MAIL_SERVER")
        else str(Path(current_app.instance_path) / "mail"),
    ), status_code


@bp.get("/admin/mail")
@login_required
def send_log():
    require(can_administer(_user()))
    return _log_page(_schedule_form())


@bp.post("/admin/mail")
@login_required
def schedule():
    require(can_administer(_user()))
    form = _schedule_form(request.form)
    if not form.validate_on_submit():
        return _log_page(form, 422)
    try:
        services.save_schedule(
            _user(),
            reminder_days=form.reminder_days.data,
            digest_weekday=int(form.digest_weekday.data),
            digest_hour=form.digest_hour.data,
            expected_version=conflicts.posted_version(form),
        )
    except conflicts.StaleVersion as error:
        db.session.rollback()
        saved = conflicts.answer(
            form, services.schedule_values(), services.schedule_version(), error.message
        )
        return _log_page(form, 409, saved)
    except services.MailError as error:
        db.session.rollback()
        form[error.field].errors = [*form[error.field].errors, error.message]
        return _log_page(form, 422)
    db.session.commit()
    flash(_("The e-mail schedule has been saved."), "success")
    return redirect(url_for("mail.send_log"), 303)


@bp.post("/admin/mail/<int:message_id>/resend")
@login_required
def resend(message_id: int):
    require(can_administer(_user()))
    try:
        services.resend(_user(), message_id)
    except services.MailError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("mail.send_log"), 303)
    db.session.commit()
    flash(_("The message is queued and goes out with the next send run."), "success")
    return redirect(url_for("mail.send_log"), 303)


@bp.post("/reports/periods/<int:period_id>/nudge")
@login_required
@limiter.limit("20/hour", key_func=_user_key)
def nudge(period_id: int):
    user = _user()
    try:
        period = periods.get_period(period_id)
    except ReportNotFound:
        return render_error(404)
    owner_id = request.form.get("owner", type=int) or 0
    try:
        owner = services.nudge(user, period, owner_id)
    except services.MailError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("A reminder to %(name)s is queued and goes out within minutes.", name=owner.name),
              "success")  # fmt: skip
    return redirect(url_for("reports.period", period_id=period.id) + "#reported", 303)
