"""Organisation settings."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import settings as current_settings
from ...extensions import db
from .. import bp
from ..forms import SettingsForm
from ..services import AdminError
from ..services import settings as services
from . import invalid


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form = SettingsForm(
        data={
            "organisation_name": current_settings.organisation_name(),
            "stale_days": current_settings.stale_days(),
        }
    )
    if not form.validate_on_submit():
        if form.is_submitted():
            return invalid("admin/settings.html", form)
        return render_template("admin/settings.html", form=form)
    try:
        services.save_settings(
            current_user,
            organisation_name=form.organisation_name.data,
            stale_days=form.stale_days.data,
        )
    except AdminError as error:
        return invalid("admin/settings.html", form, error)
    db.session.commit()
    flash(_("The settings have been saved."), "success")
    return redirect(url_for("admin.settings"), 303)
