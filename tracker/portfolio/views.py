"""Dashboard, board and decisions: the management group's view of the whole portfolio."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, request, url_for
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import params, settings
from ..benefits import overview as benefit_overview
from ..extensions import db
from ..htmx import redirect_to, render, render_cached
from ..initiatives import services as initiatives
from ..models import Status
from ..permissions import (
    can_export,
    can_read_portfolio,
    can_record_decision,
    committee_scope,
    require,
)
from ..redirects import path_at
from . import board, bp
from . import dashboard as dashboard_figures
from . import filters as portfolio_filters
from .decisions import DecisionError, check_decision, record_decision, support_news
from .forms import DecisionForm
from .services import latest_reports


def _user():
    return current_user._get_current_object()


def _filters() -> portfolio_filters.PortfolioFilter:
    return portfolio_filters.for_page(request.args)


@bp.get("/dashboard")
@login_required
def dashboard():
    user = _user()
    require(can_read_portfolio(user))
    filters = _filters()
    stale_days = settings.stale_days()
    today = datetime.now(get_timezone()).date()  # benefits fall due by the user's date
    return render_cached(
        "portfolio/dashboard.html",
        "portfolio/_dashboard.html",
        cache_key=(committee_scope(user), filters, stale_days, today),
        fragment_context=lambda: {
            "view": dashboard_figures.build(user, filters, stale_days),
            "benefits": benefit_overview.build(
                user, filters, stale_days, today, str(get_locale()), summary=True
            ),
        },
        shared={"can_export": can_export(user)},
        cache_scope=committee_scope(user),
        announce=lambda: ngettext(
            "%(num)d initiative in the selection",
            "%(num)d initiatives in the selection",
            dashboard_figures.build(user, filters, stale_days).totals.total,
        ),
        filters=filters,
        choices=portfolio_filters.choices(),
        stale_days=stale_days,
    )


@bp.get("/board")
@login_required
def board_view():
    user = _user()
    require(can_read_portfolio(user))
    filters = _filters()
    stale_days = settings.stale_days()
    present = request.args.get("present") == "1"
    return render_cached(
        "portfolio/board.html",
        "portfolio/_board.html",
        cache_key=(committee_scope(user), filters, stale_days, present),
        fragment_context=lambda: {"columns": board.columns(user, filters, stale_days)},
        shared={"can_export": can_export(user), "can_decide": can_record_decision(user)},
        cache_scope=committee_scope(user),
        announce=lambda: ngettext(
            "%(num)d initiative on the board",
            "%(num)d initiatives on the board",
            sum(column.total for column in board.columns(user, filters, stale_days)),
        ),
        filters=filters,
        choices=portfolio_filters.choices(),
        stale_days=stale_days,
        present=present,
    )


@bp.get("/board/<status>/more")
@login_required
def board_more(status: str):
    user = _user()
    require(can_read_portfolio(user))
    try:
        column_status = Status(status)
    except ValueError:
        abort(404)
    filters = _filters()
    offset = params.offset(request.args.get("offset"))
    stale_days = settings.stale_days()
    column = board.more_cards(user, filters, stale_days, column_status, offset)
    return render(
        "portfolio/board_more.html",
        "portfolio/_more_cards.html",
        announce=ngettext(
            "%(num)d more initiative shown under %(status)s.",
            "%(num)d more initiatives shown under %(status)s.",
            len(column.cards),
            status=column_status.label,
        ),
        column=column,
        offset=offset,
        filters=filters,
        stale_days=stale_days,
        present=request.args.get("present") == "1",
    )


def _decision_form_defaults() -> dict:
    today = datetime.now(get_timezone()).date()  # the user's date, not UTC's
    return {"decided_on": today, "meeting": _("Management group %(date)s", date=today.isoformat())}


def _return_target(value: str | None, initiative_id: int) -> str:
    """Where to go after the decision: back to the board it was taken from (its filter, its
    mode, its card), else the initiative's page. Only a path of the board on this site."""
    fallback = url_for("initiatives.show", initiative_id=initiative_id)
    if value == "board":
        return url_for(".board_view")
    return path_at(value, url_for(".board_view")) or fallback


def _add_errors(form: DecisionForm, problems) -> None:
    """Each rule's error beside its field, unless the form already found one there."""
    for problem in problems:
        field = getattr(form, problem.field)
        if not field.errors:
            field.errors = [problem.message]


def _decision_page(form: DecisionForm, initiative, status: int = 200, news: str | None = None):
    return render(
        "portfolio/decision.html",
        "portfolio/_decision_form.html",
        status=status,
        form=form,
        initiative=initiative,
        support_news=news,
        report=latest_reports([initiative.id]).get(initiative.id),
        back=_return_target(form.return_to.data, initiative.id),
    )


@bp.route("/initiatives/<int:initiative_id>/decisions", methods=["GET", "POST"])
@login_required
def decide(initiative_id: int):
    user = _user()
    require(can_record_decision(user))
    initiative = initiatives.get_initiative(user, initiative_id)
    if request.method == "GET":
        form = DecisionForm(formdata=None, data=_decision_form_defaults())
        form.return_to.data = request.args.get("return_to", "")[:2000]
        return _decision_page(form, initiative)
    form = DecisionForm()
    if not form.validate():
        # The form's checks and the rules together: every error at once, what was typed kept.
        _add_errors(form, check_decision(form.to_data(), initiative))
    else:
        data = form.to_data()
        try:
            decision = record_decision(user, initiative, data)
        except DecisionError as error:
            db.session.rollback()
            _add_errors(form, getattr(error, "errors", [error]))
        else:
            news = support_news(initiative, data, decision)
            db.session.commit()
            message = _("The decision has been recorded.")
            target = _return_target(form.return_to.data, initiative.id)
            if news:
                # One notice, met first on the page they land on (not the board card the
                # address would otherwise lead the focus to).
                message = f"{message} {news}"
                target = target.split("#", 1)[0]
            flash(message, "success")
            return redirect_to(target)
    return _decision_page(
        form, initiative, status=422, news=support_news(initiative, form.to_data())
    )
