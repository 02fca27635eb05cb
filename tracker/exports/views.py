"""Thin views: check the right and the filter, write the audit event, hand rows to a writer."""

from __future__ import annotations

import tempfile

from flask import Response, current_app, flash, request, send_file, stream_with_context
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import audit, settings
from ..errors import render_error
from ..extensions import db, limiter
from ..htmx import render
from ..models import Committee, Department
from ..permissions import can_export, committee_scope, require
from ..portfolio import filters as portfolio_filters
from . import bp, documents, heading, maturity, services, tabular

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _user():
    return current_user._get_current_object()


def _user_key() -> str:
    """Rate limits count per signed-in user, wherever they sign in from."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"addr:{request.remote_addr}"


def _sheet_limit() -> str:
    return current_app.config.get("EXPORT_RATE_LIMIT", "30/minute")


def _document_limit() -> str:
    return current_app.config.get("EXPORT_DOCUMENT_RATE_LIMIT", "10/minute")


def _locale() -> str:
    return str(get_locale() or "sv")


@bp.errorhandler(portfolio_filters.FilterError)
def unknown_filter(error: portfolio_filters.FilterError):
    """A filter that names nothing is refused, not answered with an empty file."""
    db.session.rollback()
    return render_error(400, _("The filter could not be used"), str(error.message))


def _selection():
    """The user may export, and the filter names things that exist (else FilterError); and
    whether the maturity comparison was asked for."""
    user = _user()
    require(can_export(user))
    filters = portfolio_filters.parse(request.args)
    with_maturity = maturity.requested(request.args)
    stale_days = settings.stale_days()
    query = services.export_query(user, filters, stale_days)
    return user, filters, stale_days, query, with_maturity


def _headers(user, filters, extension: str) -> dict[str, str]:
    day = services.local_today(get_timezone())
    committee = services.report_committee(user, filters)
    return {
        "Content-Disposition": services.content_disposition(committee, day, extension),
        "X-Content-Type-Options": "nosniff",
    }


def _audit(user, filters, extension: str, rows: int, with_maturity: bool = False) -> None:
    changes = {"format": extension, "filter": services.filter_for_audit(filters), "rows": rows}
    if with_maturity:
        changes["maturity"] = True
    # A read: the trace is committed on its own, so the export never takes the write lock.
    audit.record_apart(user, "export.initiatives", changes=changes)


def _title(user, filters) -> str:
    """ "Status list: <the department filtered on, else the committee>"."""
    if filters.department_id:
        department = db.session.get(Department, filters.department_id)
        return _("Status list: %(committee)s", committee=department.name)
    committee = services.report_committee(user, filters)
    if committee is None:
        return _("Status list: all committees")
    return _("Status list: %(committee)s", committee=committee.name)


# --- the export page ------------------------------------------------------------------------


@bp.get("/exports")
@login_required
def index():
    user = _user()
    require(can_export(user))
    try:
        filters = portfolio_filters.parse(request.args)
    except portfolio_filters.FilterError as error:
        flash(error.message, "error")
        filters = portfolio_filters.PortfolioFilter()
    try:
        with_maturity = maturity.requested(request.args)
    except portfolio_filters.FilterError as error:
        flash(error.message, "error")
        with_maturity = False
    try:
        report_heading = heading.parse(request.args)
        heading_errors = {}
    except heading.HeadingError as error:
        report_heading, heading_errors = heading.Heading(), error.errors
    stale_days = settings.stale_days()
    total = services.count(services.export_query(user, filters, stale_days))
    args = filters.as_args().to_dict(flat=False)
    if with_maturity:  # the download links carry the option with the filter
        args[maturity.PARAMETER] = ["1"]
    args.update(report_heading.as_args())  # and the heading
    return render(
        "exports/index.html",
        "exports/_summary.html",
        filters=filters,
        choices=_choices(user),
        total=total,
        document_limit=services.DOCUMENT_LIMIT,
        args=args,
        with_maturity=with_maturity,
        heading=report_heading,
        heading_errors=heading_errors,
        heading_input={k: request.args.get(k, "")[:200] for k in heading.PARAMETERS},
    )


def _choices(user) -> portfolio_filters.FilterChoices:
    """The filter form's options; a committee reader sees only their committee's."""
    choices = portfolio_filters.choices()
    scope = committee_scope(user)
    if scope is None:
        return choices
    return portfolio_filters.FilterChoices(
        committees=[c for c in choices.committees if c.id == scope]
        or list(db.session.scalars(select(Committee).where(Committee.id == scope))),
        departments=[d for d in choices.departments if d.committee_id == scope],
        principles=choices.principles,
    )


# --- the files --------------------------------------------------------------------------------


@bp.get("/exports/initiatives.<any(csv, xlsx):extension>")
@login_required
@limiter.limit(_sheet_limit, key_func=_user_key)
def sheet(extension: str):
    user, filters, stale_days, query, with_maturity = _selection()
    report_heading = heading.parse(request.args)
    with_maturity = with_maturity and extension == "xlsx"  # a CSV file holds one table only
    total = services.count(query)
    headers = _headers(user, filters, extension)
    section = maturity.section(user, filters, _locale()) if with_maturity else None
    # The audit event is committed before the first byte: a streamed file has no "after".
    _audit(user, filters, extension, total, with_maturity)
    if extension == "csv":
        # Plain tuples, each column formatted once per distinct value: no Row per initiative.
        values = services.sheet_rows(query, stale_days, _locale(), get_timezone())
        lines = tabular.sheet_csv_lines(values)
        # The secretary's heading (dnr, meeting, "Status per …") in lines above the table.
        body = stream_with_context(tabular.csv_chunks((), report_heading.lines(), lines=lines))
        return Response(body, content_type=MIMETYPES["csv"], headers=headers)
    # The spreadsheets show no status updates: not fetched.
    rows = services.rows(query, stale_days, _locale(), get_timezone(), updates=False)
    # A temporary file, not memory: the finished workbook is sent from disk in blocks, and the
    # response closes (and so deletes) it.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        tabular.write_xlsx(
            out,
            rows,
            services.summarise(query, stale_days),
            _title(user, filters),
            services.describe_filter(user, filters, _locale()),
            services.local_today(get_timezone()),
            section,
            report_heading,
            sections=_benefit_sections(user, filters, stale_days),
        )
    except BaseException:
        out.close()
        raise
    out.seek(0)
    response = send_file(out, mimetype=MIMETYPES["xlsx"], etag=False, max_age=0)
    response.headers.update(headers)
    return response


@bp.get("/exports/initiatives.<any(pdf, docx):extension>")
@login_required
@limiter.limit(_document_limit, key_func=_user_key)
def document(extension: str):
    user, filters, stale_days, query, with_maturity = _selection()
    report_heading = heading.parse(request.args)
    total = services.count(query)
    if total > services.DOCUMENT_LIMIT:
        return render_error(
            422,
            _("Too many initiatives for a document"),
            _(
                "The selection holds %(total)d initiatives. A PDF or Word document can hold at "
                "most %(limit)d. Narrow the filter, or download the list as an Excel file "
                "(XLSX), which has no limit.",
                total=total,
                limit=services.DOCUMENT_LIMIT,
            ),
        )
    locale = _locale()
    report = documents.Report(
        title=_title(user, filters),
        organisation=settings.organisation_name(),
        committee=_committee_name(user, filters),
        day=services.local_today(get_timezone()),
        locale=locale,
        described_filter=services.describe_filter(user, filters, locale),
        summary=services.summarise(query, stale_days),
        rows=list(services.rows(query, stale_days, locale, get_timezone())),
        maturity=maturity.section(user, filters, locale) if with_maturity else None,
        heading=report_heading,
        sections=_benefit_sections(user, filters, stale_days),
    )
    body = documents.render_pdf(report) if extension == "pdf" else documents.render_docx(report)
    _audit(user, filters, extension, len(report.rows), with_maturity)
    return Response(body, mimetype=MIMETYPES[extension], headers=_headers(user, filters, extension))


def _benefit_sections(user, filters, stale_days: int) -> list:
    """The benefits of the selection's initiatives, a section of the documents and a sheet of
    the workbook (the CSV holds one table: its benefits are ``/exports/benefits.csv``)."""
    # Imported here: the benefits package's views import this module.
    from ..benefits import overview, sections

    view = overview.build(
        user,
        filters,
        stale_days,
        services.local_today(get_timezone()),
        _locale(),
        of_selection=True,
    )
    return [sections.table(view)]


def _committee_name(user, filters) -> str:
    committee = services.report_committee(user, filters)
    return committee.name if committee else _("All committees")
