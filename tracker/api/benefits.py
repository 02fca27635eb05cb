"""Benefits (nyttor) with their indicator and measurements; registering a measurement.

The list is the /benefits page's: the same service with the portfolio's filters (``principle``
means the benefits that serve the principle). The figures (latest value, the share of the way to
the target, the state, the next measurement due) come from ``benefits.figures``, as on the pages.
A measurement is registered through the browser's service with its rules: the initiative's owners
and the benefit owner may, with a read-write token; every broken rule is named in one 422.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import marshmallow as ma
from flask import url_for
from flask_babel import get_locale, get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import fields

from .. import settings
from ..benefits import overview
from ..benefits import services as benefit_services
from ..benefits.figures import (
    BenefitState,
    NumberOutOfRange,
    figures,
    parse_number,
    range_message,
)
from ..exports.services import local_today
from ..extensions import db
from ..models import BenefitKind, Direction, Frequency
from ..permissions import can_measure_benefit, require
from . import bp, represent, write_endpoint
from . import schemas as s
from .doc_text import N_
from .docs_helpers import ERRORS_READ, ERRORS_WRITE, described, documented, path_parameters
from .pagination import page_body
from .problems import problem
from .services import page_of
from .views import _filters, _id

# A measurement has no version to conflict with: no 409.
ERRORS_MEASURE = tuple(code for code in ERRORS_WRITE if code != 409)

# --- shapes ----------------------------------------------------------------------------------


def _decimal(**kwargs):
    """A stored value, exactly: a decimal string with a point (at most four decimals)."""
    return fields.Decimal(
        as_string=True,
        metadata={
            # apispec calls every Decimal a number; this one is sent as text, exactly.
            "type": ["string", "null"] if kwargs.get("allow_none") else "string",
            "pattern": r"^-?\d+(\.\d+)?$",
            "description": N_('A decimal number as text, e.g. "12.5000".'),
        },
        **kwargs,
    )


class BenefitFilterArgs(s.Schema):
    class Meta:
        ordered = True
        unknown = ma.EXCLUDE

    committee = s.InitiativeArgs._declared_fields["committee"]
    department = s.InitiativeArgs._declared_fields["department"]
    principle = s.Text(
        metadata={"description": N_("Principle key: the benefits that serve this principle.")}
    )
    status = s.InitiativeArgs._declared_fields["status"]
    health = s.InitiativeArgs._declared_fields["health"]
    stale = s.InitiativeArgs._declared_fields["stale"]
    q = s.InitiativeArgs._declared_fields["q"]


class BenefitArgs(s.PageArgs, BenefitFilterArgs):
    class Meta:
        ordered = True
        unknown = ma.EXCLUDE


class BenefitSummarySchema(s.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in BenefitKind]})
    kind_label = fields.String(required=True)
    initiative_id = fields.Integer(required=True)
    initiative = fields.String(
        required=True, metadata={"description": N_("The initiative's title.")}
    )
    department = fields.String(required=True, metadata={"description": N_("Department code.")})
    committee = fields.String(required=True, metadata={"description": N_("Committee code.")})
    owner = fields.String(required=True, metadata={"description": N_("The benefit owner's name.")})
    principles = fields.List(fields.String(), required=True)
    indicator = fields.String(required=True, metadata={"description": N_("The indicator's name.")})
    unit = fields.String(required=True)
    direction = fields.String(required=True, metadata={"enum": [d.value for d in Direction]})
    baseline_value = _decimal(required=True)
    baseline_date = fields.Date(required=True)
    target_value = _decimal(required=True)
    target_date = fields.Date(required=True)
    frequency = fields.String(required=True, metadata={"enum": [f.value for f in Frequency]})
    latest_value = _decimal(allow_none=True, required=True)
    latest_measured_on = fields.Date(allow_none=True, required=True)
    percent = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": N_("Share of the way from baseline to target, in percent.")},
    )
    expected_percent = fields.Integer(
        required=True, metadata={"description": N_("Where a straight line would be today.")}
    )
    state = fields.String(required=True, metadata={"enum": [st.value for st in BenefitState]})
    state_label = fields.String(required=True)
    next_due = fields.Date(allow_none=True, required=True)
    overdue = fields.Boolean(required=True)
    version = fields.Integer(required=True)
    url = fields.String(required=True)


class MeasurementSchema(s.Schema):
    id = fields.Integer(required=True)
    value = _decimal(required=True)
    measured_on = fields.Date(required=True)
    comment = fields.String(required=True)
    author = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    corrects_id = fields.Integer(allow_none=True, required=True)
    corrected_by_id = fields.Integer(allow_none=True, required=True)
    standing = fields.Boolean(
        required=True, metadata={"description": N_("False once a correction has replaced it.")}
    )


class BenefitSchema(BenefitSummarySchema):
    description = fields.String(required=True)
    principle_names = fields.List(fields.String(), required=True)
    direction_label = fields.String(required=True)
    frequency_label = fields.String(required=True)
    measurements = fields.List(
        fields.Nested(MeasurementSchema),
        required=True,
        metadata={"description": N_("Every measurement, corrected ones too, the oldest first.")},
    )


class RollupSchema(s.Schema):
    key = fields.String(
        required=True, metadata={"description": N_("Principle key or department code.")}
    )
    label = fields.String(required=True)
    total = fields.Integer(required=True)
    by_state = fields.Dict(
        keys=fields.String(metadata={"enum": [st.value for st in BenefitState]}),
        values=fields.Integer(),
        required=True,
    )
    overdue = fields.Integer(required=True)
    average_percent = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": N_("Average share of the way to target of the measured ones.")},
    )


class BenefitSummaryFiguresSchema(s.Schema):
    totals = fields.Nested(RollupSchema, required=True)
    principles = fields.List(fields.Nested(RollupSchema), required=True)
    departments = fields.List(fields.Nested(RollupSchema), required=True)


class NumberInput(fields.Field):
    """A number as JSON, or as text the way people type it (``12,5``, ``1 234,5``, ``12.5``),
    read by the same function as the browser's form."""

    default_error_messages = {  # noqa: RUF012 - marshmallow's own convention
        "invalid": _l("Enter a number, for example 12,5 (at most four decimals)."),
    }

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.make_error("invalid")
        try:
            return parse_number(str(value))
        except NumberOutOfRange:
            raise ma.ValidationError(range_message()) from None
        except ValueError:
            raise self.make_error("invalid") from None


class NewMeasurementSchema(s.Schema):
    class Meta:
        ordered = True
        unknown = ma.RAISE

    value = NumberInput(
        required=True,
        error_messages={"required": s.MESSAGES["required"], "null": s.MESSAGES["null"]},
        metadata={"type": ["number", "string"], "description": N_('e.g. 12.5 or "12,5".')},
    )
    measured_on = fields.Date(
        required=True,
        error_messages=s._messages(invalid=_l("Enter a date as YYYY-MM-DD, e.g. 2027-04-30.")),
    )
    comment = s.Text(multiline=True, load_default="")
    corrects_id = s.Int(
        allow_none=True,
        load_default=None,
        validate=s.id_range(),
        metadata={
            "description": N_("The measurement this one corrects (then a comment is needed).")
        },
    )


# --- errors ----------------------------------------------------------------------------------


@bp.errorhandler(benefit_services.BenefitNotFound)
def benefit_not_found(_error):
    db.session.rollback()
    return problem(404)


@bp.errorhandler(benefit_services.BenefitErrors)
def invalid_measurement(error: benefit_services.BenefitErrors):
    db.session.rollback()
    return problem(422, errors=[{"field": e.field, "message": e.message} for e in error.errors])


# --- reading ---------------------------------------------------------------------------------


def _user():
    return current_user._get_current_object()


def _today() -> date:
    """Today in the organisation's time zone, as on the pages."""
    return local_today(get_timezone())


@bp.get("/benefits")
@bp.arguments(BenefitArgs, location="query", as_kwargs=True)
@documented(s.list_schema(BenefitSummarySchema, "BenefitPage"), ERRORS_READ)
@described(
    N_("Every benefit you may read, with its indicator and latest measurement."),
    N_(
        "The same filters as the benefits page: `committee`, `department`, `status`, `health`, "
        "`stale=true` and `q` select by the initiative; `principle` (key) gives the benefits "
        "that serve the principle. A committee reader sees only their committee's benefits."
    ),
)
def benefits(page: int, per_page: int, **args):
    query = benefit_services.search_query(_user(), _filters(args), settings.stale_days())
    items, total = page_of(query, page, per_page)
    today = _today()
    body = [
        represent.benefit_summary(b, figures(b.indicator, b.initiative.status, today))
        for b in items
    ]
    return page_body(body, total, page, per_page)


@bp.get("/benefits/summary")
@bp.arguments(BenefitFilterArgs, location="query", as_kwargs=True)
@documented(BenefitSummaryFiguresSchema, ERRORS_READ)
@described(
    N_("The benefits page's roll-ups: in all, per guiding principle and per department."),
    N_(
        "The same filters as `/benefits`; counts per state, overdue measurements and the "
        "average share of the way to the target, computed by the same function as the page and "
        "dashboard."
    ),
)
def benefits_summary(**args):
    view = overview.build(
        _user(), _filters(args), settings.stale_days(), _today(), str(get_locale() or "sv")
    )
    return {
        "totals": represent.rollup(view.totals),
        "principles": [represent.rollup(r) for r in view.by_principle],
        "departments": [represent.rollup(r) for r in view.by_department],
    }


@bp.get("/benefits/<int:benefit_id>", parameters=path_parameters("benefit_id"))
@documented(BenefitSchema, ERRORS_READ)
@described(
    N_("One benefit with its indicator, figures and every measurement."),
    N_(
        "A correction names the measurement it replaces (`corrects_id`); the replaced one has "
        "`standing` false and `corrected_by_id`."
    ),
)
def benefit(benefit_id: int):
    found = benefit_services.get_benefit(_user(), _id(benefit_id))
    return represent.benefit(found, figures(found.indicator, found.initiative.status, _today()))


# --- registering a measurement ---------------------------------------------------------------


@bp.post("/benefits/<int:benefit_id>/measurements", parameters=path_parameters("benefit_id"))
@write_endpoint
@bp.arguments(NewMeasurementSchema, location="json")
@documented(MeasurementSchema, ERRORS_MEASURE, status=201, conditional=False)
@described(
    N_("Register a measurement, or a correction of one."),
    N_(
        "A correction names the measurement it replaces in `corrects_id` and says why in "
        "`comment`; measurements are never changed or deleted."
    ),
    N_(
        "Needs a read-write token and the right to measure: the initiative's owner, a co-owner, "
        "the benefit owner or an administrator. The date may not be before the baseline nor in "
        "the future; every broken rule is named in one 422 answer."
    ),
)
def post_measurement(body: dict, benefit_id: int):
    user = _user()
    found = benefit_services.get_benefit(user, _id(benefit_id))
    require(can_measure_benefit(user, found))
    data = benefit_services.MeasurementData(
        value=body["value"],
        measured_on=body["measured_on"],
        comment=body["comment"],
        corrects_id=body["corrects_id"],
    )
    saved = benefit_services.add_measurement(user, found, data, _today())
    db.session.commit()
    fresh = benefit_services.get_benefit(user, found.id)
    shown = figures(fresh.indicator, fresh.initiative.status, _today())
    standing = {m.id for m in shown.measurements}
    corrected_by = {m.corrects_id: m.id for m in fresh.indicator.measurements if m.corrects_id}
    measurement = next(m for m in fresh.indicator.measurements if m.id == saved.id)
    location = url_for(".benefit", benefit_id=found.id, _external=True)
    return (
        represent.measurement(measurement, standing, corrected_by),
        201,
        {"Location": location},
    )
