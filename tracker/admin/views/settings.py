"""Organisation settings."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import settings as current_settings
from ...extensions import db
from .. import bp
from ..forms import SettingsForm
from ..services import AdminConflict, AdminError
from ..services import settings as services
from . import conflict, invalid, posted_version


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form = SettingsForm(data=services.settings_values())
    if not form.validate_on_submit():
        if form.is_submitted():
            return invalid("admin/settings.html", form)
        form.version.data = services.settings_version()
        return render_template("admin/settings.html", form=form)
    try:
        services.save_settings(
            current_user,
            organisation_name=form.organisation_name.data,
            stale_days=form.stale_days.data,
            expected_version=posted_version(form),
        )
    except AdminConflict as error:
        db.session.rollback()
        current_settings.forget()
        saved = services.settings_values()
        return conflict("admin/settings.html", form, error, saved, services.settings_version())
    except AdminError as error:
        return invalid("admin/settings.html", form, error)
    db.session.commit()
    flash(_("The settings have been saved."), "success")
    return redirect(url_for("admin.settings"), 303)
