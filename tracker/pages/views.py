from datetime import datetime
from pathlib import Path

from flask import Response, current_app, jsonify, redirect, render_template, url_for
from flask_babel import get_timezone
from flask_login import current_user, login_required
from sqlalchemy import text

from .. import settings
from ..extensions import db, limiter
from ..initiatives import services as initiative_services
from ..models import Role, utcnow
from ..portfolio import services as portfolio
from ..reports import periods as report_periods
from ..reports import reporting as report_status
from . import bp, statement


@bp.get("/")
@login_required
def home():
    if current_user.role != Role.MANAGER:
        return redirect(url_for("portfolio.dashboard"))
    initiatives = portfolio.initiatives_of(current_user)
    today = datetime.now(get_timezone()).date()
    period = report_periods.open_period(today)
    if period is not None and period.ends_on < today:
        period = None  # over, if not closed yet: a report written now would count for none of it
    updates = (
        report_status.period_updates(period, [i.id for i in initiatives], get_timezone())
        if period is not None
        else {}
    )
    return render_template(
        "pages/home_manager.html",
        initiatives=initiatives,
        finished=portfolio.initiatives_of(current_user, finished=True),
        stale_days=settings.stale_days(),
        period=period,
        reported=set(updates),
        period_updates=updates,
        reports_from=report_periods.reports_from(period, get_timezone()) if period else None,
        report_period=report_status.period_of_update_now(utcnow(), get_timezone()),
        state_of=initiative_services.state_of,
    )


@bp.get("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html", statement=statement)


@bp.get("/favicon.ico")
@limiter.exempt
def favicon():
    """The product's icon, also where a page names none (a PDF or a JSON answer in a tab): the
    browser then asks for /favicon.ico, and a 404 is an error in its console. The pages link
    to static/favicon.svg. Anyone may ask; nothing here touches the session (no cookie)."""
    icon = Path(current_app.static_folder, "favicon.svg").read_bytes()  # small: no open file
    response = Response(icon, mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the database does not answer
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
