"""The API's resources. Thin: parse, call a service, commit once, dump through the schemas."""

from __future__ import annotations

from flask import g, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from .. import settings
from ..extensions import db
from ..initiatives import listing
from ..initiatives import services as initiative_services
from ..models import Health, Principle, Status
from ..portfolio import dashboard as dashboard_service
from ..portfolio import filters as portfolio_filters
from . import bp, represent, services, write_endpoint
from . import schemas as s
from .doc_text import N_
from .docs_helpers import ERRORS_READ, ERRORS_WRITE, described, documented, path_parameters
from .pagination import page_body


def _user():
    return current_user._get_current_object()


def _id(value: int) -> int:
    if not 1 <= value <= s.MAX_ID:
        raise NotFound
    return value


def _filters(args: dict) -> portfolio_filters.PortfolioFilter:
    """The validated query as the portfolio's own filter, parsed by the same function as the
    list, board, dashboard and exports."""
    multi = MultiDict()
    for name in ("committee", "department", "principle", "q"):
        if args.get(name):
            multi.add(name, args[name])
    for status in args.get("status") or ():
        multi.add("status", status)
    for health in args.get("health") or ():
        multi.add("health", health)
    if args.get("stale"):
        multi.add("stale", "1")
    return portfolio_filters.parse(multi)


# --- initiatives -----------------------------------------------------------------------------


@bp.get("/initiatives")
@bp.arguments(s.InitiativeArgs, location="query", as_kwargs=True)
@documented(s.list_schema(s.InitiativeSummarySchema, "InitiativePage"), ERRORS_READ)
@described(
    N_("The portfolio list, with the same filters as in the browser."),
    N_(
        "Filters: `committee` and `department` (codes), `principle` (key), `status` and "
        "`health` (may repeat), `stale=true`, `q` (text in title and purpose). Archived "
        "initiatives are not listed. A committee reader limited to one committee sees only its "
        "departments' initiatives."
    ),
)
def initiatives(page: int, per_page: int, sort: str | None = None, **args):
    filters = _filters(args)
    stale_days = settings.stale_days()
    result = listing.search(
        _user(), filters, stale_days, sort or listing.DEFAULT_SORT, page, per_page
    )
    committees = services.committee_codes()
    items = [represent.initiative_summary(i, committees, stale_days) for i in result.items]
    # The listing moves a page past the end back to the last one; report the page actually shown.
    if page > result.pages:
        items = []
    return page_body(items, result.total, page, per_page)


@bp.get("/initiatives/<int:initiative_id>", parameters=path_parameters("initiative_id"))
@documented(s.InitiativeSchema, ERRORS_READ)
@described(N_("One initiative with its principle links (how it contributes to each principle)."))
def initiative(initiative_id: int):
    found = initiative_services.get_initiative(_user(), _id(initiative_id))
    from .conditional import initiative_etag

    g.api_etag = initiative_etag(found)  # the same value If-Match is compared with
    return represent.initiative(found, services.committee_codes(), settings.stale_days())


@bp.get("/initiatives/<int:initiative_id>/updates", parameters=path_parameters("initiative_id"))
@bp.arguments(s.PageArgs, location="query", as_kwargs=True)
@documented(s.list_schema(s.StatusUpdateSchema, "StatusUpdatePage"), ERRORS_READ)
@described(N_("The initiative's status updates (append-only), the newest first."))
def status_updates(initiative_id: int, page: int, per_page: int):
    found = initiative_services.get_initiative(_user(), _id(initiative_id))
    items, total = services.status_updates(_user(), found.id, page, per_page)
    return page_body([represent.status_update(u) for u in items], total, page, per_page)


@bp.post("/initiatives/<int:initiative_id>/updates", parameters=path_parameters("initiative_id"))
@write_endpoint
@bp.arguments(s.NewStatusUpdateSchema, location="json")
@documented(s.StatusUpdateSchema, ERRORS_WRITE, status=201, conditional=False)
@described(
    N_("Post a status update: it becomes the initiative's current status, health and progress."),
    N_(
        "Needs a read-write token and the right to change the initiative (its owner, a co-owner "
        "or an administrator). Send `version` (the initiative's `version` you based the report "
        "on: it counts edits of the initiative's details, not status updates), or an `If-Match` "
        "header with the initiative's ETag (any change, another status update included): when "
        "the initiative has changed since in that sense, the answer is 409 with its current "
        "state in `current`, and nothing is saved."
    ),
)
def post_status_update(body: dict, initiative_id: int):
    user = _user()
    found = initiative_services.get_initiative(user, _id(initiative_id), for_edit=True)
    from .conditional import check_if_match

    check_if_match(found)
    data = initiative_services.UpdateData(
        status=Status(body["status"]),
        health=Health(body["health"]),
        progress=body["progress"],
        happened=body["happened"],
        next_steps=body["next_steps"],
        support_needed=body["support_needed"],
    )
    update = initiative_services.post_update(
        user, found, data, expected_version=body.get("version")
    )
    db.session.commit()
    location = url_for(".status_updates", initiative_id=found.id, _external=True)
    return represent.status_update(update), 201, {"Location": location}


# --- decisions and the organisation ----------------------------------------------------------


@bp.get("/decisions")
@bp.arguments(s.DecisionArgs, location="query", as_kwargs=True)
@documented(s.list_schema(s.DecisionSchema, "DecisionPage"), ERRORS_READ)
@described(
    N_("The management group's decisions on the initiatives you may read, the newest first.")
)
def decisions(page: int, per_page: int, initiative: int | None = None):
    items, total = services.decisions(_user(), page, per_page, initiative)
    return page_body([represent.decision(d) for d in items], total, page, per_page)


@bp.get("/principles")
@bp.arguments(s.PageArgs, location="query", as_kwargs=True)
@documented(s.list_schema(s.PrincipleSchema, "PrinciplePage"), ERRORS_READ)
@described(N_("The guiding principles (ledord), retired ones included and marked."))
def principles(page: int, per_page: int):
    items, total = services.principles(_user(), page, per_page)
    return page_body([represent.principle(p) for p in items], total, page, per_page)


@bp.get("/committees")
@bp.arguments(s.PageArgs, location="query", as_kwargs=True)
@documented(s.list_schema(s.CommitteeSchema, "CommitteePage"), ERRORS_READ)
@described(N_("The political committees (nämnder)."))
def committees(page: int, per_page: int):
    items, total = services.committees(_user(), page, per_page)
    body = [
        {"id": c.id, "short_name": c.short_name, "name": c.name, "active": c.active} for c in items
    ]
    return page_body(body, total, page, per_page)


@bp.get("/departments")
@bp.arguments(s.PageArgs, location="query", as_kwargs=True)
@documented(s.list_schema(s.DepartmentSchema, "DepartmentPage"), ERRORS_READ)
@described(N_("The departments (kontor, avdelningar, enheter) and the committee each reports to."))
def departments(page: int, per_page: int):
    items, total = services.departments(_user(), page, per_page)
    body = [
        {
            "id": d.id,
            "code": d.code,
            "name": d.name,
            "committee": d.committee.short_name,
            "parent": d.parent.code if d.parent else None,
            "active": d.active,
        }
        for d in items
    ]
    return page_body(body, total, page, per_page)


# --- the dashboard ---------------------------------------------------------------------------


@bp.get("/dashboard")
@bp.arguments(s.DashboardArgs, location="query", as_kwargs=True)
@documented(s.DashboardSchema, ERRORS_READ)
@described(
    N_(
        "The dashboard's figures for your scope and the filters: totals, per committee and "
        "department, the last twelve months' status updates, and what needs attention."
    )
)
def dashboard(**args):
    filters = _filters(args)
    stale_days = settings.stale_days()
    board = dashboard_service.build(_user(), filters, stale_days)
    keys = dict(db.session.execute(select(Principle.id, Principle.key)).all())
    # The figures may come from the cache, with records of an earlier request: show the
    # initiatives that need attention as loaded now, in a fixed number of queries.
    attention = services.initiatives_by_id([a.initiative.id for a in board.attention])
    return represent.dashboard(board, services.committee_codes(), stale_days, keys, attention)


def current_state(initiative_id: int) -> dict:
    """The initiative as it is now, for a 409 answer."""
    db.session.rollback()
    fresh = initiative_services.get_initiative(_user(), initiative_id)
    return s.InitiativeSchema().dump(
        represent.initiative(fresh, services.committee_codes(), settings.stale_days())
    )


__all__ = ["current_state", "g"]
