"""Reporting periods and frozen committee reports, read-only.

A frozen report is answered as it was frozen: the snapshot is the stored content, its SHA-256
is the stored digest, and ``/reports/<id>/snapshot`` gives the exact bytes that were hashed. The
rights are the browser's: the calendar is for everyone who reads the portfolio, a report for those
``can_read_committee_report`` allows (a committee reader outside their committee gets 404, as in
the browser). Nothing here changes anything: freezing stays in the browser, where the secretary
sees what is frozen.
"""

from __future__ import annotations

import base64
from datetime import datetime

from flask import Response
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import fields
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..permissions import can_read_portfolio, require
from ..portfolio import filters as portfolio_filters
from ..reports import periods as period_services
from ..reports import services as report_services
from ..reports.errors import ReportNotFound
from . import bp, represent
from . import schemas as s
from .doc_text import N_
from .docs_helpers import (
    ERRORS_READ,
    NOT_MODIFIED,
    described,
    documented,
    path_parameters,
    problems,
)
from .pagination import page_body
from .problems import problem
from .services import page_of
from .views import _id

# --- shapes ----------------------------------------------------------------------------------

PERIOD_STATES = ["open", "not_open", "closed"]


class MeetingSchema(s.Schema):
    committee = fields.String(required=True, metadata={"description": N_("The committee's code.")})
    meets_on = fields.Date(allow_none=True, required=True)
    dnr = fields.String(required=True, metadata={"description": N_("The diary number (dnr).")})


class PeriodSchema(s.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    deadline = fields.Date(
        required=True, metadata={"description": N_("The last day for managers' reports.")}
    )
    state = fields.String(required=True, metadata={"enum": PERIOD_STATES})
    state_label = fields.String(required=True)
    meetings = fields.List(fields.Nested(MeetingSchema), required=True)
    url = fields.String(required=True)


class ReportSummarySchema(s.Schema):
    id = fields.Integer(required=True)
    period_id = fields.Integer(required=True)
    period = fields.String(required=True, metadata={"description": N_("The period's name.")})
    committee = fields.String(required=True, metadata={"description": N_("The committee's code.")})
    committee_name = fields.String(required=True)
    version = fields.Integer(
        required=True, metadata={"description": N_("1, then one per correction.")}
    )
    correction = fields.Boolean(
        required=True, metadata={"description": N_("A version after the first.")}
    )
    reason = fields.String(
        required=True, metadata={"description": N_("Why a correction was made.")}
    )
    frozen_at = fields.DateTime(required=True)
    frozen_by = fields.String(required=True)
    initiative_count = fields.Integer(required=True)
    sha256 = fields.String(
        required=True,
        metadata={"description": N_("SHA-256 of the snapshot's stored text, in hex.")},
    )
    url = fields.String(required=True)


class PeriodDetailSchema(PeriodSchema):
    reports = fields.List(
        fields.Nested(ReportSummarySchema),
        required=True,
        metadata={"description": N_("The newest version of each committee's report you may read.")},
    )


class VersionSchema(s.Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    frozen_at = fields.DateTime(required=True)
    frozen_by = fields.String(required=True)
    reason = fields.String(required=True)
    sha256 = fields.String(required=True)
    url = fields.String(required=True)


class ReportSchema(ReportSummarySchema):
    snapshot = fields.Dict(
        required=True,
        metadata={
            "description": N_(
                "The report exactly as frozen. Serialised with sorted keys, no spaces "
                "and UTF-8 (as /snapshot gives it), its SHA-256 is `sha256`."
            )
        },
    )
    snapshot_url = fields.String(required=True)
    versions = fields.List(
        fields.Nested(VersionSchema),
        required=True,
        metadata={"description": N_("Every version of this committee's report for the period.")},
    )


class ReportArgs(s.PageArgs):
    committee = s.Text(metadata={"description": N_("Committee code, e.g. BUN.")})
    period = s.Int(validate=s.id_range(), metadata={"description": N_("A period's id.")})
    latest = fields.Boolean(
        metadata={
            "description": N_("Only the newest version of each report (corrections replace).")
        },
        error_messages=s._messages(invalid=_l("Use true or false.")),
    )


# --- errors ----------------------------------------------------------------------------------


@bp.errorhandler(ReportNotFound)
def report_not_found(_error):
    db.session.rollback()
    return problem(404)


# --- the calendar ----------------------------------------------------------------------------


def _user():
    return current_user._get_current_object()


def _today():
    return datetime.now(get_timezone()).date()


@bp.get("/periods")
@bp.arguments(s.PageArgs, location="query", as_kwargs=True)
@documented(s.list_schema(PeriodSchema, "PeriodPage"), ERRORS_READ)
@described(
    N_("The reporting calendar, the newest period first."),
    N_(
        "Each period with its last day for managers' reports, its state and the committees' "
        "meetings."
    ),
)
def periods(page: int, per_page: int):
    require(can_read_portfolio(_user()))
    items, total = page_of(period_services.periods_query(), page, per_page)
    today = _today()
    return page_body([represent.period(p, today) for p in items], total, page, per_page)


@bp.get("/periods/<int:period_id>", parameters=path_parameters("period_id"))
@documented(PeriodDetailSchema, ERRORS_READ)
@described(
    N_("One reporting period, with its frozen reports."),
    N_("`reports` holds the newest version of each committee's report that you may read."),
)
def period(period_id: int):
    user = _user()
    require(can_read_portfolio(user))
    found = period_services.get_period(_id(period_id))
    # The archive's own query keeps the committee scope: one report per committee at most.
    reports = db.session.scalars(
        report_services.archive_query(user, period_id=found.id, latest_only=True)
    )
    return {
        **represent.period(found, _today()),
        "reports": [represent.report_summary(r) for r in reports],
    }


# --- frozen reports --------------------------------------------------------------------------


def _committee_id(code: str | None) -> int | None:
    """The committee code, read by the portfolio's own filter (422 for an unknown code)."""
    if not code:
        return None
    return portfolio_filters.parse(MultiDict({"committee": code})).committee_id


@bp.get("/reports")
@bp.arguments(ReportArgs, location="query", as_kwargs=True)
@documented(s.list_schema(ReportSummarySchema, "ReportPage"), ERRORS_READ)
@described(
    N_("The archive of frozen committee reports, without their content."),
    N_(
        "Filters: `committee` (code), `period` (id), `latest=true` (only each report's newest "
        "version). A committee reader limited to one committee sees only that committee's "
        "reports."
    ),
)
def reports(
    page: int,
    per_page: int,
    committee: str | None = None,
    period: int | None = None,
    latest: bool = False,
):
    query = report_services.archive_query(
        _user(), committee_id=_committee_id(committee), period_id=period, latest_only=latest
    )
    items, total = page_of(query, page, per_page)
    return page_body([represent.report_summary(r) for r in items], total, page, per_page)


@bp.get("/reports/<int:report_id>", parameters=path_parameters("report_id"))
@documented(ReportSchema, ERRORS_READ)
@described(
    N_("One frozen report, exactly as frozen."),
    N_(
        "The snapshot as stored, its SHA-256, its version and, for a correction, the reason; "
        "and every version of the same committee's report for the period."
    ),
)
def report(report_id: int):
    found = report_services.get_report(_user(), _id(report_id))
    return represent.report(found, report_services.content(found), report_services.versions(found))


@bp.get("/reports/<int:report_id>/snapshot", parameters=path_parameters("report_id"))
@bp.response(
    200,
    {"type": "object"},
    content_type="application/json",
    description=N_(
        "The stored text of the snapshot, byte for byte: its SHA-256 is the report's "
        "`sha256`, also sent as `Repr-Digest` (RFC 9530)."
    ),
    headers={
        "ETag": {"schema": {"type": "string"}, "description": "The SHA-256."},
        "Repr-Digest": {"schema": {"type": "string"}, "description": "sha-256=:…:"},
    },
)
@bp.alt_response(304, description=NOT_MODIFIED, success=True)
@problems(ERRORS_READ)
@described(N_("The frozen snapshot's exact bytes, to check its SHA-256 or to archive it."))
def report_snapshot(report_id: int):
    found = report_services.get_report(_user(), _id(report_id))
    body = found.content.encode("utf-8")
    response = Response(body, mimetype="application/json")
    response.set_etag(found.sha256)
    digest = base64.b64encode(bytes.fromhex(found.sha256)).decode("ascii")
    response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
