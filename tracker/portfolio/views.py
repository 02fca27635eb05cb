from flask import current_app, render_template
from flask_login import current_user, login_required

from ..permissions import can_read_portfolio, require
from . import bp, services


@bp.get("/dashboard")
@login_required
def dashboard():
    require(can_read_portfolio(current_user))
    stale_days = current_app.config["STALE_DAYS"]
    return render_template(
        "portfolio/dashboard.html",
        figures=services.key_figures(current_user, stale_days),
        committees=services.committee_rollup(current_user, stale_days),
        stale_days=stale_days,
    )
