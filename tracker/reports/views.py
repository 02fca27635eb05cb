"""Thin views for the reporting calendar, the period's follow-up, freezing, and frozen reports."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import quote

from flask import Response, flash, request, url_for
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit, conflicts, params, settings
from ..benefits import sections as benefit_sections
from ..errors import render_error
from ..exports import documents, tabular
from ..exports import services as export_services
from ..exports.heading import Heading
from ..exports.views import MIMETYPES
from ..extensions import db, limiter
from ..htmx import redirect_to, render
from ..initiatives import services as initiative_services
from ..models import Committee, Department, StatusUpdate
from ..permissions import can_manage_periods, can_read_portfolio, committee_scope, require
from . import bp, compare, forms, periods, reporting, services
from . import render as report_render
from .errors import FreezeError, PeriodConflict, PeriodError, PeriodNotOpen, ReportNotFound


def _user():
    return current_user._get_current_object()


def _today():
    return datetime.now(get_timezone()).date()


def _locale() -> str:
    return str(get_locale() or "sv")


@bp.errorhandler(ReportNotFound)
def not_found(_error):
    db.session.rollback()
    return render_error(404)


# --- the calendar and the archive -------------------------------------------------------------


@bp.get("/reports")
@login_required
def index():
    user = _user()
    require(can_read_portfolio(user))
    all_periods = periods.all_periods()
    scope = committee_scope(user)
    return render(
        "reports/index.html",
        "reports/_calendar.html",
        periods=all_periods,
        archive=services.archive(user),
        today=_today(),
        scope=scope,
        may_manage=can_manage_periods(user),
    )


def _committees() -> list[Committee]:
    return list(db.session.scalars(select(Committee).order_by(Committee.name)))


def _period_form_page(form, period=None, status: int = 200, saved=()):
    return render(
        "reports/period_form.html",
        "reports/_period_form.html",
        status=status,
        form=form,
        period=period,
        saved=saved,
    )


def _period_conflict(form, period_id: int):
    """Someone saved the period meanwhile: the user's input stays in the form, which now names
    the saved version (sending it again applies it on top), and what was saved is shown beside
    it, field by field where the two differ."""
    db.session.rollback()
    saved = periods.get_period(period_id)
    saved_data = {field.name: None for field in form} | forms.period_form_data(saved)
    differs = conflicts.answer(
        form,
        saved_data,
        periods.version_of(saved),
        _(
            "Someone else changed this period while you were editing it. Your input is kept "
            "below and what they saved is shown above it; save again to apply your changes."
        ),
    )
    return _period_form_page(form, saved, status=409, saved=differs)


def _save_period(form, period=None):
    user = _user()
    if form.validate():
        try:
            data = forms.to_period_data(form)
            if period is None:
                period = periods.create_period(user, data)
            else:
                # A form without the field (made by hand) edits the period as it is.
                expected = form.version.data if "version" in request.form else None
                periods.update_period(user, period, data, expected)
        except PeriodConflict:
            return _period_conflict(form, period.id)
        except PeriodError as error:
            db.session.rollback()
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash(_("The period has been saved."), "success")
            return redirect_to(url_for(".period", period_id=period.id))
    return _period_form_page(form, period, status=422)


@bp.route("/reports/periods/new", methods=["GET", "POST"])
@login_required
def new_period():
    require(can_manage_periods(_user()))
    if request.method == "GET":
        return _period_form_page(forms.period_form(_committees(), formdata=None))
    return _save_period(forms.period_form(_committees()))


@bp.route("/reports/periods/<int:period_id>/edit", methods=["GET", "POST"])
@login_required
def edit_period(period_id: int):
    require(can_manage_periods(_user()))
    period = periods.get_period(period_id, for_edit=request.method == "POST")
    if request.method == "GET":
        form = forms.period_form(_committees(), formdata=None, data=forms.period_form_data(period))
        form.version.data = periods.version_of(period)
        return _period_form_page(form, period)
    return _save_period(forms.period_form(_committees()), period)


@bp.post("/reports/periods/<int:period_id>/<any(open, close, reopen):action>")
@login_required
def period_state(period_id: int, action: str):
    user = _user()
    require(can_manage_periods(user))
    period = periods.get_period(period_id)
    {"open": periods.open_early, "close": periods.close, "reopen": periods.reopen}[action](
        user, period
    )
    db.session.commit()
    flash(
        {
            "open": _("The period is open for reports."),
            "close": _("The period is closed."),
            "reopen": _("The period is open again."),
        }[action],
        "success",
    )
    return redirect_to(url_for(".period", period_id=period.id))


# --- one period: who has reported, and freezing -------------------------------------------------


def _missing_filter():
    department = (request.args.get("department") or "").strip()
    department = department if re.fullmatch(r"[\w-]{1,20}", department) else None
    owner_text = (request.args.get("owner") or "").strip()
    owner = params.plain_int(owner_text, max_digits=9)
    return department, owner


def _period_page(period, freeze_form=None, status: int = 200):
    user = _user()
    tz = get_timezone()
    committees = services.committees_for(user)
    latest = services.latest_versions(period)
    if freeze_form is None:
        freeze_form = forms.FreezeForm(formdata=None)
        freeze_form.set_choices(committees)
        freeze_form.committee.data = forms.ALL
    freeze_form.expected.data = forms.expected_text(latest, committees)
    department, owner = _missing_filter()
    department_name = (
        db.session.scalar(select(Department.name).where(Department.code == department))
        if department
        else None
    )
    return render(
        "reports/period.html",
        "reports/_freeze.html",
        status=status,
        period=period,
        overview=reporting.overview(user, period, tz),
        missing=reporting.missing(user, period, tz, department, owner),
        missing_department=department_name,
        missing_owner=owner,
        committees=committees,
        reports=services.period_reports(period),
        freeze_form=freeze_form,
        today=_today(),
        reminded=_reminded_today(period),
    )


def _reminded_today(period) -> set[str]:
    """The owners reminded of the period today (their button would be refused), as the owner
    keys of the period's tallies."""
    from ..mail import planning  # the mail package reads this one's services

    return {str(owner_id) for owner_id in planning.reminded_on(period, planning.timezone_today())}


@bp.get("/reports/periods/<int:period_id>")
@login_required
def period(period_id: int):
    require(can_manage_periods(_user()))
    return _period_page(periods.get_period(period_id))


@bp.post("/reports/periods/<int:period_id>/freeze")
@login_required
def freeze(period_id: int):
    user = _user()
    require(can_manage_periods(user))
    period_ = periods.get_period(period_id)
    form = forms.FreezeForm()
    form.set_choices(services.committees_for(user))
    if form.validate():
        try:
            frozen = services.freeze(
                user,
                period_,
                form.to_request(),
                tz=get_timezone(),
                stale_days=settings.stale_days(),
                organisation=settings.organisation_name(),
                locale=_locale(),
            )
            db.session.commit()
        except FreezeError as error:
            db.session.rollback()
            form[error.field].errors.append(error.message)
        except IntegrityError:
            # Someone froze the same version in the same instant: theirs stands, ours is void.
            db.session.rollback()
            form.reason.errors.append(
                _("Someone else froze this report at the same moment. Look at their version.")
            )
        else:
            flash(
                # All at once says how many it froze (the active committees not yet frozen).
                ngettext(
                    "The report of %(num)d committee has been frozen.",
                    "The reports of %(num)d committees have been frozen.",
                    len(frozen),
                )
                if form.committee.data == forms.ALL
                else _("The report has been frozen."),
                "success",
            )
            if len(frozen) == 1:
                return redirect_to(url_for(".show", report_id=frozen[0].id))
            return redirect_to(url_for(".period", period_id=period_.id) + "#frozen")
    period_ = periods.get_period(period_id)
    return _period_page(period_, freeze_form=form, status=422)


@bp.post("/reports/periods/<int:period_id>/mark")
@login_required
def mark(period_id: int):
    """A manager names which of the period's updates is an initiative's report."""
    user = _user()
    period_ = periods.get_period(period_id)
    initiative_id = request.form.get("initiative", type=int) or 0
    update_id = request.form.get("update", type=int) or 0
    if not (0 < initiative_id <= periods.MAX_ID and 0 < update_id <= periods.MAX_ID):
        raise ReportNotFound
    initiative = initiative_services.get_initiative(user, initiative_id, for_edit=True)
    update = db.session.get(StatusUpdate, update_id)
    if update is None:
        raise ReportNotFound
    try:
        reporting.mark_report(user, period_, initiative, update, get_timezone())
    except PeriodError as error:
        # Not what the start page offers (a period closed meanwhile, or a crafted request): the
        # reason, with 409 for a period not open and 400 for an update not in it.
        db.session.rollback()
        status = 409 if isinstance(error, PeriodNotOpen) else 400
        return render_error(status, _("The report could not be chosen"), error.message)
    db.session.commit()
    flash(_("The report for the period has been chosen."), "success")
    return redirect_to(url_for("pages.home") + "#period-reports")


# --- a frozen report ------------------------------------------------------------------------------


@bp.get("/reports/<int:report_id>")
@login_required
def show(report_id: int):
    user = _user()
    report = services.get_report(user, report_id)
    content = services.content(report)
    tz = get_timezone()
    return render(
        "reports/report.html",
        "reports/_report.html",
        report=report,
        content=content,
        heading=report_render.heading(content, tz),
        title=report_render.title(content),
        rows=report_render.rows(content, _locale()),
        tables=report_render.change_tables(content.get("changes")),
        benefits=benefit_sections.table_from_snapshot(content.get("benefits")),
        changed=compare.has_changes(content.get("changes") or {}),
        versions=services.versions(report),
    )


def _file_name(content, report, extension: str) -> str:
    """An attachment named after the committee, the period and the version, in ASCII and in
    UTF-8 (RFC 5987), e.g. ``rapport-bun-tertial-2-2026-v1.csv``."""
    stem = _("report")
    name = (
        f"{stem}-{content['committee']['short_name']}-{content['period']['name']}"
        f"-v{report.version}.{extension}"
    )
    readable = re.sub(r"[\s/\\\"';:,]+", "-", name.lower())
    plain = unicodedata.normalize("NFKD", readable).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", plain)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(readable, safe='')}"


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


@bp.get("/reports/<int:report_id>.<any(csv, xlsx, pdf, docx):extension>")
@login_required
@limiter.limit("30/minute", key_func=_user_key)
def download(report_id: int, extension: str):
    """A frozen report's file, made from its snapshot; each download is in the audit trail, as
    every export is (written apart: a read never waits for a writer)."""
    user = _user()
    report = services.get_report(user, report_id)
    response = _report_file(report, extension)
    if response.status_code == 200:
        audit.record_apart(user, "export.report", report, {"format": extension})
    return response


def _report_file(report, extension: str):
    content = services.content(report)
    tz = get_timezone()
    locale = _locale()
    rows = report_render.rows(content, locale)
    heading = report_render.heading(content, tz, report.sha256)
    tables = report_render.change_tables(content.get("changes"))
    benefits = benefit_sections.table_from_snapshot(content.get("benefits"))
    title = report_render.title(content)
    day = report_render.frozen_day(content, tz)
    created = datetime.fromisoformat(content["frozen_at"]).astimezone(UTC)
    headers = {
        "Content-Disposition": _file_name(content, report, extension),
        "X-Content-Type-Options": "nosniff",
    }
    if extension == "csv":
        extra = [*tables, benefits] if benefits else tables
        body = "".join(tabular.csv_chunks(rows, [title, *heading], extra))
        return Response(body, content_type=MIMETYPES["csv"], headers=headers)
    summary = export_services.summary_of(rows)
    maturity = report_render.maturity_section(content.get("maturity"))
    if extension == "xlsx":
        out = io.BytesIO()
        tabular.write_xlsx(
            out,
            rows,
            summary,
            title,
            report_render.described(content),
            day,
            maturity,
            heading=Heading(fixed=tuple(heading)),
            tables=tables,
            created=created,
            sections=[benefits] if benefits else [],
        )
        return Response(out.getvalue(), mimetype=MIMETYPES["xlsx"], headers=headers)
    if len(rows) > export_services.DOCUMENT_LIMIT:
        return render_error(
            422,
            _("Too many initiatives for a document"),
            _(
                "The report holds %(total)d initiatives. A PDF or Word document can hold at "
                "most %(limit)d. Download it as an Excel file (XLSX), which has no limit.",
                total=len(rows),
                limit=export_services.DOCUMENT_LIMIT,
            ),
        )
    document = documents.Report(
        title=title,
        organisation=content["organisation"],
        committee=content["committee"]["name"],
        day=day,
        locale=locale,
        described_filter=report_render.described(content),
        summary=summary,
        rows=rows,
        maturity=maturity,
        heading=Heading(fixed=tuple(heading)),
        tables=tables,
        tables_title=_("What changed since the previous committee report"),
        created=created,
        sections=[benefits] if benefits else [],
        in_period=True,
    )
    body = documents.render_pdf(document) if extension == "pdf" else documents.render_docx(document)
    return Response(body, mimetype=MIMETYPES[extension], headers=headers)


# --- the live comparison --------------------------------------------------------------------------


@bp.get("/reports/changes")
@login_required
def changes():
    user = _user()
    require(can_read_portfolio(user))
    committees = services.committees_for(user)
    code = (request.args.get("committee") or "").strip()
    committee = next((c for c in committees if c.short_name == code), None)
    if code and committee is None:
        raise ReportNotFound
    if committee is None and len(committees) == 1:
        committee = committees[0]
    today = _today()
    period_ = periods.open_period(today) or next(iter(periods.all_periods()), None)
    live = None
    if committee is not None and period_ is not None:
        live = services.live_comparison(
            user,
            committee,
            period_,
            tz=get_timezone(),
            stale_days=settings.stale_days(),
            organisation=settings.organisation_name(),
        )
    return render(
        "reports/changes.html",
        "reports/_changes.html",
        committees=committees,
        committee=committee,
        period=period_,
        live=live,
        tables=report_render.change_tables(live.changes) if live else [],
    )
