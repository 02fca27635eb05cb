"""Thin views: read the form, call a service, commit once, render."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import conflicts, params, settings
from ..benefits import overview as benefit_overview
from ..extensions import db
from ..htmx import redirect_to, render, wants_fragment
from ..models import Initiative, utcnow
from ..permissions import (
    can_create_initiative,
    can_delete_initiative,
    can_edit_initiative,
    require,
)
from ..portfolio import filters as portfolio_filters
from ..portfolio.services import initiatives_of
from ..redirects import path_at
from ..security import MAX_ID
from . import bp, listing, services, support
from .forms import (
    ConfirmForm,
    DeleteForm,
    InitiativeForm,
    RoundRowForm,
    StatusRoundForm,
    StatusUpdateForm,
)


def _stale_days() -> int:
    return settings.stale_days()


def _user():
    return current_user._get_current_object()


# --- the list -------------------------------------------------------------------------------


@bp.get("/initiatives")
@login_required
def index():
    filters = portfolio_filters.for_page(request.args)
    sort = listing.normalise_sort(request.args.get("sort"))
    page_number = params.page_number(request.args.get("page"))
    page = listing.search(_user(), filters, _stale_days(), sort, page_number)
    return render(
        "initiatives/index.html",
        "initiatives/_results.html",
        announce=ngettext("%(num)d initiative", "%(num)d initiatives", page.total),
        page=page,
        filters=filters,
        sort=sort,
        choices=portfolio_filters.choices(),
        stale_days=_stale_days(),
    )


# --- one initiative -------------------------------------------------------------------------


def _reporting():
    """tracker.reports.reporting, imported when needed: the reports package imports this one's
    neighbours (exports, portfolio), so a module-level import would be circular."""
    from ..reports import reporting

    return reporting


def _report_period():
    """The open reporting period an update written now can be marked as the report of."""
    return _reporting().period_of_update_now(utcnow(), get_timezone())


def _detail(
    initiative: Initiative,
    update_form: StatusUpdateForm | None = None,
    status=200,
    regions: tuple[str, ...] = (),
):
    user = _user()
    # Opened from the meeting mode of the board: the way back to the same board, at the card.
    meeting = path_at(request.values.get("return_to"), url_for("portfolio.board_view"))
    editable = can_edit_initiative(user, initiative)
    if update_form is None and editable:
        update_form = StatusUpdateForm(
            formdata=None,
            data={
                "status": initiative.status.value,
                "health": initiative.health.value,
                "progress": initiative.progress,
                "state": services.state_of(initiative),
            },
        )
    return render(
        "initiatives/detail.html",
        "initiatives/_updates.html",
        status=status,
        regions=regions,
        initiative=initiative,
        editable=editable,
        update_form=update_form,
        entries=services.timeline_entries(initiative),
        answered=services.answering_decision_ids(initiative),
        history=services.change_history(initiative),
        benefit_rows=benefit_overview.rows_of(initiative),
        stale_days=_stale_days(),
        confirm_form=ConfirmForm(),
        meeting=meeting,
        report_period=_report_period() if editable else None,
    )


@bp.get("/initiatives/<int:initiative_id>")
@login_required
def show(initiative_id: int):
    return _detail(services.get_initiative(_user(), initiative_id))


REFRESHED_BY_UPDATE = ("initiatives/_current_state.html", "initiatives/_history.html")


@bp.post("/initiatives/<int:initiative_id>/updates")
@login_required
def post_update(initiative_id: int):
    # What the page shows is loaded only when a page is drawn (an error, or an htmx swap).
    initiative = services.get_initiative(_user(), initiative_id, for_edit=True, for_page=False)
    form = StatusUpdateForm()
    if form.validate():
        period = _report_period() if form.as_report.data else None
        entry = (initiative, form.to_data(), period is not None, form.drawn_on())
        try:
            _reporting().post_updates(_user(), [entry], period, get_timezone())
        except services.StateChanged as error:
            # Someone else reported meanwhile: nothing saved; the user's input is kept, what
            # they left as it was takes the state now, and sending again saves.
            db.session.rollback()
            initiative = services.get_initiative(_user(), initiative_id)
            form.take_current(initiative)
            form.status.errors.append(error.message)
            return _detail(initiative, update_form=form, status=409)  # also from the start page
        except services.InitiativeArchived as error:
            # Archived since the page was opened: the text stays, with why it was not saved.
            db.session.rollback()
            form.status.errors.append(error.message)
            initiative = services.get_initiative(_user(), initiative_id)
            return _detail(initiative, update_form=form, status=409)
        except services.InitiativeError as error:
            getattr(form, error.field).errors.append(error.message)
        except _reporting().PeriodError as error:
            form.as_report.errors.append(error.message)
        else:
            # Read before the commit expires them: afterwards each would reload the initiative
            # with its relations (ten queries) only to build the redirect.
            period_name = period.name if period is not None else None
            db.session.commit()
            if period_name is not None:
                flash(
                    _("Your status update has been saved as the report for %(period)s.",
                      period=period_name),
                    "success",
                )  # fmt: skip
            else:
                flash(_("Your status update has been saved."), "success")
            if request.form.get("return_to") == "home":
                return redirect_to(url_for("pages.home"))
            if not request.headers.get("HX-Request"):
                return redirect(url_for(".show", initiative_id=initiative_id) + "#timeline", 303)
            # The swap replaces the updates; the state box and the history refresh out of band.
            initiative = services.get_initiative(_user(), initiative_id)
            return _detail(initiative, regions=REFRESHED_BY_UPDATE)
    db.session.rollback()
    return _detail(services.get_initiative(_user(), initiative_id), update_form=form, status=422)


@bp.post("/initiatives/<int:initiative_id>/support/withdraw")
@login_required
def withdraw_support(initiative_id: int):
    initiative = services.get_initiative(_user(), initiative_id, for_edit=True)
    if not ConfirmForm().validate():
        abort(400)
    try:
        support.withdraw(_user(), initiative)
    except support.SupportError as error:
        db.session.rollback()
        flash(error.message, "info")
    else:
        db.session.commit()
        flash(_("The support request has been withdrawn."), "success")
    return redirect_to(url_for(".show", initiative_id=initiative_id))


# --- register and edit ----------------------------------------------------------------------


def _co_owner_context(
    chosen_ids, text: str, exclude_id: int | None, initiative: Initiative | None = None
) -> dict:
    """The co-owner choice: the chosen ones (with the initiative's own, even those since
    deactivated), and the managers that match the search."""
    keep = [u.id for u in initiative.co_owners] if initiative is not None else []
    chosen = services.co_owners_by_ids(chosen_ids or [], keep)
    text = (text or "").strip()[:100]
    exclude = {u.id for u in chosen} | ({exclude_id} if exclude_id else set())
    matches, more = services.find_co_owners(text, exclude) if text else ([], False)
    return {"chosen": chosen, "matches": matches, "more": more, "co_owner_q": text}


def _form_page(
    form: InitiativeForm, initiative: Initiative | None, status: int = 200, focus_search=False
):
    owner_id = initiative.owner_id if initiative else _user().id
    return render(
        "initiatives/form.html",
        "initiatives/_form.html",
        status=status,
        form=form,
        initiative=initiative,
        focus_search=focus_search,
        **_co_owner_context(
            form.co_owner_ids.data, request.form.get("co_owner_q", ""), owner_id, initiative
        ),
    )


def _searching(form: InitiativeForm) -> bool:
    """The form came back to search for co-owners (without script, or Enter in the search
    field): show the matches, save nothing. Enter in another field with no search text saves."""
    return bool(request.form.get("action")) and bool(request.form.get("co_owner_q", "").strip())


@bp.get("/initiatives/co-owners")
@login_required
def co_owner_search():
    """The live search of the co-owner choice (htmx): the chosen ones stay ticked."""
    user = _user()
    require(can_create_initiative(user))
    if not wants_fragment():
        return redirect(url_for(".new"), 303)
    ids = (params.plain_int(v) for v in request.args.getlist("co_owner_ids"))
    chosen = [i for i in ids if i is not None][:200]
    owner = request.args.get("owner", type=int)
    # Editing: the initiative's own co-owners stay chosen, also those since deactivated.
    initiative_id = request.args.get("initiative", type=int)
    initiative = (
        services.get_initiative(user, initiative_id, for_page=False)
        if initiative_id is not None and 0 < initiative_id <= MAX_ID
        else None
    )
    context = _co_owner_context(chosen, request.args.get("co_owner_q", ""), owner, initiative)
    if context["co_owner_q"]:
        found = len(context["matches"])
        announce = ngettext("%(num)d manager matches.", "%(num)d managers match.", found)
    else:
        announce = None
    return render(
        "initiatives/_co_owners.html", "initiatives/_co_owners.html", announce=announce, **context
    )


def _with_choices(
    form: InitiativeForm, owner, initiative: Initiative | None = None
) -> InitiativeForm:
    # An initiative's own department stays selectable after it has been deactivated.
    keep = initiative.department_id if initiative is not None else None
    form.department_id.choices = [(d.id, d.name) for d in services.department_choices(keep)]
    # The co-owner choice is a search (see _co_owner_context); the service checks the allow-list.
    form.co_owner_ids.choices = []
    locale = str(get_locale())
    form.maturity_category_ids.choices = [
        (c.id, c.name(locale)) for c in services.maturity_category_choices()
    ]
    return form


def _add_errors(form: InitiativeForm, errors) -> None:
    """Each service error beside its field, unless the form already found one there."""
    for error in errors:
        field = form.field_for_error(error.field)
        if not field.errors:
            field.errors = [error.message]


def _save_failed(form: InitiativeForm, error: services.InitiativeError) -> None:
    db.session.rollback()
    _add_errors(form, getattr(error, "errors", [error]))


def _validate(form: InitiativeForm, initiative: Initiative | None = None) -> bool:
    """The form's checks and the service's rules together: every error at once, not one per
    submit."""
    valid = form.validate()
    if not valid:
        _add_errors(form, services.problems(form.to_data(), initiative))
    return valid


@bp.get("/initiatives/new")
@login_required
def new():
    user = _user()
    require(can_create_initiative(user))
    form = InitiativeForm(
        formdata=None,
        principles=services.active_principles(),
        data={"department_id": user.department_id},
    )
    return _form_page(_with_choices(form, user), None)


@bp.post("/initiatives")
@login_required
def create():
    user = _user()
    require(can_create_initiative(user))
    form = _with_choices(InitiativeForm(principles=services.active_principles()), user)
    if _searching(form):
        return _form_page(form, None, focus_search=True)
    if _validate(form):
        try:
            initiative = services.create_initiative(user, form.to_data())
        except services.InitiativeError as error:
            _save_failed(form, error)
        else:
            db.session.commit()
            flash(_("The initiative has been registered."), "success")
            return redirect_to(url_for(".show", initiative_id=initiative.id))
    return _form_page(form, None, status=422)


def _edit_form(initiative: Initiative, formdata=None) -> InitiativeForm:
    links = {link.principle_id: link.motivation for link in initiative.principle_links}
    form = InitiativeForm(
        formdata=formdata,
        obj=initiative,
        principles=services.active_principles(set(links)),
        links=links,
        data={
            "co_owner_ids": [u.id for u in initiative.co_owners],
            "maturity_category_ids": [c.id for c in initiative.maturity_categories],
        },
    )
    return _with_choices(form, initiative.owner, initiative)


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@login_required
def edit(initiative_id: int):
    user = _user()
    initiative = services.get_initiative(user, initiative_id, for_edit=True)
    if request.method == "GET":
        form = _edit_form(initiative)
        form.version.data = initiative.version
        return _form_page(form, initiative)
    form = _edit_form(initiative, formdata=request.form)
    if _searching(form):
        return _form_page(form, initiative, focus_search=True)
    if _validate(form, initiative):
        expected = request.form.get("version", type=int) or 0
        try:
            services.update_initiative(user, initiative, form.to_data(), expected)
        except services.EditConflict as conflict:
            return _conflict(form, conflict.current)
        except services.InitiativeError as error:
            _save_failed(form, error)
        else:
            db.session.commit()
            flash(_("Your changes have been saved."), "success")
            return redirect_to(url_for(".show", initiative_id=initiative.id))
    return _form_page(form, initiative, status=422)


def _conflict(form: InitiativeForm, current: Initiative):
    """Show the user's edit beside the saved version. The form keeps what they changed, takes
    the saved values of the fields they left as they opened them (``conflicts.take_saved``),
    and now names the saved version, so sending it again applies their edit on top without
    undoing the other person's."""
    db.session.rollback()
    saved = db.session.get(Initiative, current.id)
    taken = conflicts.take_saved(form, {field.name: field.data for field in _edit_form(saved)})
    form.version.data = saved.version
    response = render(
        "initiatives/conflict.html",
        "initiatives/_conflict.html",
        status=409,
        form=form,
        initiative=saved,
        taken=conflicts.taken_message(taken) if taken else "",
        mine=form.to_data(),
        **_co_owner_context(form.co_owner_ids.data, "", saved.owner_id, saved),
    )
    response.headers["HX-Retarget"] = "#content"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


# --- status round ---------------------------------------------------------------------------


@dataclass
class RoundRow:
    """A row of the round as shown: its form, its initiative (None when the posted id names none
    the user may report on) and what is wrong with the id."""

    form: RoundRowForm
    initiative: Initiative | None
    problem: str | None = None


@bp.route("/initiatives/round", methods=["GET", "POST"])
@login_required
def status_round():
    user = _user()
    require(can_create_initiative(user))
    initiatives = [i for i in initiatives_of(user) if can_edit_initiative(user, i)]
    by_id = {i.id: i for i in initiatives}
    if request.method == "GET":
        form = StatusRoundForm(
            formdata=None,
            data={
                "rows": [
                    {
                        "initiative_id": i.id,
                        "include": False,
                        "status": i.status.value,
                        "health": i.health.value,
                        "progress": i.progress,
                        "state": services.state_of(i),
                    }
                    for i in initiatives
                ]
            },
        )
        rows = [
            RoundRow(entry.form, by_id[i.id])
            for entry, i in zip(form.rows, initiatives, strict=True)
        ]
        return _round_page(form, rows)
    form = StatusRoundForm()
    valid = form.validate()
    rows = _round_rows(user, form, by_id)
    problem = None
    period = _report_period()
    if valid and not any(row.problem for row in rows):
        # A row marked as the period's report is reported, changed or not.
        chosen = [
            row
            for row in rows
            if row.form.include.data
            or row.form.changes(row.initiative)
            or (period is not None and row.form.as_report.data)
        ]
        # A row drawn on a state someone else has changed since: nothing is saved, and each
        # such row shows the state now, with the user's changes kept (sent again, it saves).
        changed = [row for row in chosen if _drawn_on_another_state(row)]
        for row in changed:
            row.form.take_current(row.initiative)
            row.problem = str(services.StateChanged(row.initiative).message)
        reported = [
            (row.initiative, row.form.to_data(), bool(row.form.as_report.data), row.form.drawn_on())
            for row in chosen
        ]
        if changed:
            db.session.rollback()
            return _round_page(form, rows), 409
        if reported:
            try:
                updates, marked = _reporting().post_updates(user, reported, period, get_timezone())
            except (services.InitiativeError, _reporting().PeriodError) as error:
                db.session.rollback()  # a StateChanged here: a report that came in just now
                problem = error.message
            else:
                period_name = period.name if marked else ""  # before the commit expires it
                db.session.commit()
                message = ngettext(
                    "%(num)d status update saved.", "%(num)d status updates saved.", len(updates)
                )
                if marked:
                    message += " " + ngettext(
                        "%(num)d of them is marked as the report for %(period)s.",
                        "%(num)d of them are marked as the report for %(period)s.",
                        marked,
                        period=period_name,
                    )
                flash(message, "success")
                return redirect(url_for("pages.home"), 303)
        else:
            problem = _("Nothing to save: change an initiative, or tick “Confirm as it is”.")
    db.session.rollback()
    return _round_page(form, rows, problem), 422


def _drawn_on_another_state(row: RoundRow) -> bool:
    return services.overwrites(row.initiative, row.form.drawn_on(), row.form.to_data())


def _round_page(form: StatusRoundForm, rows: list[RoundRow], problem: str | None = None):
    return render_template(
        "initiatives/round.html",
        form=form,
        rows=rows,
        problem=problem,
        report_period=_report_period(),
    )


def _round_rows(user, form: StatusRoundForm, by_id: dict[int, Initiative]) -> list[RoundRow]:
    """Each posted row with the initiative it names; a row whose id is empty, malformed, unknown,
    archived, another manager's or repeated gets a message instead (never an error page)."""
    rows: list[RoundRow] = []
    seen: set[int] = set()
    for entry in form.rows:
        row = entry.form
        raw = (row.initiative_id.data or "").strip()
        if not raw:
            rows.append(RoundRow(row, None, _("This row names no initiative.")))
            continue
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            rows.append(RoundRow(row, None, _("This row does not name an initiative.")))
            continue
        initiative_id = int(raw)
        initiative = by_id.get(initiative_id)
        if initiative is None:
            rows.append(RoundRow(row, None, _unreportable(user, initiative_id)))
        elif initiative_id in seen:
            rows.append(RoundRow(row, None, _("This initiative is in the round twice.")))
        else:
            seen.add(initiative_id)
            rows.append(RoundRow(row, initiative))
    return rows


def _unreportable(user, initiative_id: int) -> str:
    """Why the user cannot report on this initiative in a round (one query, on error only)."""
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None:
        return _("There is no initiative with this number.")
    if initiative.archived_at is not None:
        return _("This initiative is archived: restore it before you report on it.")
    if not can_edit_initiative(user, initiative):
        return _("This initiative is not one of yours: only its owner and co-owners report on it.")
    return _("This initiative cannot be reported on here.")


# --- archive, restore, delete ---------------------------------------------------------------


@bp.post("/initiatives/<int:initiative_id>/archive")
@login_required
def archive(initiative_id: int):
    initiative = services.get_initiative(_user(), initiative_id, for_edit=True)
    if not ConfirmForm().validate():
        abort(400)
    services.archive(_user(), initiative)
    db.session.commit()
    flash(_("The initiative has been archived. You can restore it from its page."), "success")
    return redirect_to(url_for(".show", initiative_id=initiative_id))


@bp.post("/initiatives/<int:initiative_id>/restore")
@login_required
def restore(initiative_id: int):
    initiative = services.get_initiative(_user(), initiative_id, for_edit=True)
    if not ConfirmForm().validate():
        abort(400)
    services.restore(_user(), initiative)
    db.session.commit()
    flash(_("The initiative has been restored."), "success")
    return redirect_to(url_for(".show", initiative_id=initiative_id))


@bp.route("/initiatives/<int:initiative_id>/delete", methods=["GET", "POST"])
@login_required
def delete(initiative_id: int):
    user = _user()
    require(can_delete_initiative(user))
    initiative = services.get_initiative(user, initiative_id)
    form = DeleteForm()
    if request.method == "POST" and form.validate():
        title = initiative.title
        services.delete(user, initiative, form.reason.data)
        db.session.commit()
        flash(_("The initiative “%(title)s” has been deleted.", title=title), "success")
        return redirect_to(url_for(".index"))
    status = 422 if request.method == "POST" else 200
    return render_template("initiatives/delete.html", form=form, initiative=initiative), status
