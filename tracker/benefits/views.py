"""Thin views: read the form, call a service, commit once, render."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, request, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from .. import audit, conflicts, settings
from ..errors import render_error
from ..exports import services as export_services
from ..exports import views as export_views
from ..extensions import db, limiter
from ..htmx import redirect_to, render, wants_fragment
from ..initiatives import services as initiative_services
from ..models import Benefit
from ..permissions import can_export, can_manage_benefits, can_measure_benefit, require
from ..portfolio import filters as portfolio_filters
from . import bp, exports, overview, services
from .figures import BenefitState, figures, format_value, input_value
from .forms import BenefitForm, MeasurementForm


def _user():
    return current_user._get_current_object()


def today() -> date:
    """Today in the user's time zone (Swedish time), as the dates people type."""
    return export_services.local_today(get_timezone())


@bp.errorhandler(services.BenefitNotFound)
def not_found(_error):
    return render_error(404)


@bp.record_once
def template_helpers(state) -> None:
    """Globals, so that imported macros see them too (they get no template context)."""
    state.app.jinja_env.globals.update(benefit_value=format_value, BenefitState=BenefitState)


# --- the overview ---------------------------------------------------------------------------


@bp.get("/benefits")
@login_required
def index():
    user = _user()
    filters = portfolio_filters.for_page(request.args)
    view = overview.build(user, filters, settings.stale_days(), today(), str(get_locale()))
    return render(
        "benefits/index.html",
        "benefits/_overview.html",
        view=view,
        filters=filters,
        choices=portfolio_filters.choices(),
        may_export=can_export(user),
    )


@bp.get("/exports/benefits.csv")
@login_required
# Lambdas: the exports' views import this package, so their module is complete only later.
@limiter.limit(lambda: export_views._sheet_limit(), key_func=lambda: export_views._user_key())
def export_csv():
    """One row per benefit with its latest measurement, for the same filters as the overview."""
    user = _user()
    require(can_export(user))
    filters = portfolio_filters.parse(request.args)
    view = overview.build(user, filters, settings.stale_days(), today(), str(get_locale()))
    response = exports.csv_response(view, today())
    # In a write of its own, as every export's: the read never waits for (or upgrades to) the
    # write lock, so two people downloading at once both get their file.
    audit.record_apart(
        user,
        "export.benefits",
        changes={
            "format": "csv",
            "filter": export_services.filter_for_audit(filters),
            "rows": len(view.rows),
        },
    )
    return response


@bp.errorhandler(portfolio_filters.FilterError)
def unknown_filter(error: portfolio_filters.FilterError):
    return export_views.unknown_filter(error)


# --- one initiative's benefits --------------------------------------------------------------


def _form_page(form: BenefitForm, initiative, benefit: Benefit | None, status: int = 200, saved=()):
    return render(
        "benefits/form.html",
        "benefits/_form.html",
        status=status,
        form=form,
        initiative=initiative,
        benefit=benefit,
        saved=saved,
    )


def _with_choices(form: BenefitForm) -> BenefitForm:
    form.set_choices(services.owner_choices(), services.principle_choices(), str(get_locale()))
    return form


def _show_errors(form, errors: services.BenefitErrors) -> None:
    db.session.rollback()
    _add_errors(form, errors.errors)


def _add_errors(form, errors) -> None:
    for error in errors:
        field = form._fields.get(error.field)
        if field is None:
            form.form_errors.append(error.message)
        elif not field.errors:  # one message per field: the first problem found
            field.errors = [*field.errors, error.message]


def _validate(form: BenefitForm, benefit=None) -> bool:
    """The form's checks and the service's rules together, so that every mistake is reported
    in one answer rather than one per submit."""
    valid = form.validate()
    data = form.typed_data()
    if data is not None:
        errors = services.benefit_errors(data, benefit)
        _add_errors(form, errors)
        valid = valid and not errors
    return valid


@bp.get("/initiatives/<int:initiative_id>/benefits/new")
@login_required
def new(initiative_id: int):
    user = _user()
    initiative = initiative_services.get_initiative(user, initiative_id)
    require(can_manage_benefits(user, initiative))
    form = BenefitForm(formdata=None, data={"owner_id": initiative.owner_id})
    return _form_page(_with_choices(form), initiative, None)


@bp.post("/initiatives/<int:initiative_id>/benefits")
@login_required
def create(initiative_id: int):
    user = _user()
    initiative = initiative_services.get_initiative(user, initiative_id)
    require(can_manage_benefits(user, initiative))
    form = _with_choices(BenefitForm())
    if _validate(form):
        try:
            benefit = services.create_benefit(user, initiative, form.to_data())
        except services.BenefitErrors as errors:
            _show_errors(form, errors)
        else:
            db.session.commit()
            flash(_("The benefit has been added."), "success")
            return redirect_to(url_for(".show", benefit_id=benefit.id))
    return _form_page(form, initiative, None, status=422)


@bp.route("/benefits/<int:benefit_id>/edit", methods=["GET", "POST"])
@login_required
def edit(benefit_id: int):
    user = _user()
    benefit = services.get_benefit(user, benefit_id)
    require(can_manage_benefits(user, benefit.initiative))
    if request.method == "GET":
        form = _with_choices(BenefitForm(formdata=None, data=_form_data(benefit)))
        return _form_page(form, benefit.initiative, benefit)
    form = _with_choices(BenefitForm())
    if _validate(form, benefit):
        expected = request.form.get("version", type=int) or 0
        try:
            services.update_benefit(user, benefit, form.to_data(), expected)
        except services.BenefitConflict:
            db.session.rollback()
            saved = services.get_benefit(user, benefit_id)
            differs = conflicts.answer(
                form,
                _form_data(saved),
                saved.version,
                _(
                    "Someone else changed this benefit while you were editing it. Your text is "
                    "kept below and what they saved is shown above it; save again to apply "
                    "your changes."
                ),
            )
            return _form_page(form, saved.initiative, saved, status=409, saved=differs)
        except services.BenefitErrors as errors:
            _show_errors(form, errors)
        else:
            db.session.commit()
            flash(_("Your changes have been saved."), "success")
            return redirect_to(url_for(".show", benefit_id=benefit.id))
    return _form_page(form, benefit.initiative, benefit, status=422)


def _form_data(benefit: Benefit) -> dict:
    ind = benefit.indicator
    return {
        "title": benefit.title,
        "description": benefit.description,
        "kind": benefit.kind.value,
        "owner_id": benefit.owner_id,
        "principle_ids": [p.id for p in benefit.principles],
        "indicator_name": ind.name,
        "unit": ind.unit,
        "direction": ind.direction.value,
        "baseline_value": input_value(ind.baseline_value),
        "baseline_date": ind.baseline_date,
        "target_value": input_value(ind.target_value),
        "target_date": ind.target_date,
        "frequency": ind.frequency.value,
        "version": benefit.version,
    }


# --- one benefit and its measurements -------------------------------------------------------


def _measurement_form(benefit: Benefit, formdata=None, data=None) -> MeasurementForm:
    form = MeasurementForm(formdata=formdata, data=data or {"measured_on": today()})
    standing = figures(benefit.indicator, benefit.initiative.status, today()).measurements
    form.corrects_id.choices = [SelectChoice("", _("No, this is a new measurement"))] + [
        SelectChoice(
            m.id, f"{m.measured_on.isoformat()}: {format_value(m.value)} {benefit.indicator.unit}"
        )
        for m in reversed(standing)
    ]
    return form


def _detail(benefit: Benefit, form: MeasurementForm | None = None, status: int = 200, **extra):
    user = _user()
    may_measure = can_measure_benefit(user, benefit)
    if form is None and may_measure:
        form = _measurement_form(benefit)
    return render(
        "benefits/detail.html",
        "benefits/_measurements.html",
        status=status,
        benefit=benefit,
        figures=figures(benefit.indicator, benefit.initiative.status, today()),
        may_measure=may_measure,
        may_edit=can_manage_benefits(user, benefit.initiative),
        form=form,
        **extra,
    )


@bp.get("/benefits/<int:benefit_id>")
@login_required
def show(benefit_id: int):
    return _detail(services.get_benefit(_user(), benefit_id))


@bp.post("/benefits/<int:benefit_id>/measurements")
@login_required
def measure(benefit_id: int) -> Response:
    user = _user()
    benefit = services.get_benefit(user, benefit_id)
    require(can_measure_benefit(user, benefit))
    form = _measurement_form(benefit, formdata=request.form)
    valid = form.validate()
    if not valid:  # the service's rules too, so that every mistake is told in one answer
        _add_errors(form, services.measurement_errors(benefit, form.to_data(), today()))
    if valid:
        try:
            services.add_measurement(user, benefit, form.to_data(), today())
        except services.BenefitErrors as errors:
            _show_errors(form, errors)
        else:
            db.session.commit()
            message = _("The measurement has been registered.")
            if not wants_fragment():
                flash(message, "success")
                return redirect_to(url_for(".show", benefit_id=benefit.id) + "#measurements")
            benefit = services.get_benefit(user, benefit_id)
            return _detail(benefit, saved_message=message)
    db.session.rollback()
    benefit = services.get_benefit(user, benefit_id)
    return _detail(benefit, form=form, status=422)
