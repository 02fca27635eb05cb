"""Thin views for the public pages: no sign-in, no session, no cookie, never a write.

Each view reads through ``reading`` (published initiatives, public fields only) and renders the
public layout. Rate-limited per address.
"""

from __future__ import annotations

import json

from flask import Response, current_app, render_template, request, url_for
from flask_babel import get_locale

from .. import cache, settings
from ..exports.tabular import csv_table
from ..extensions import limiter
from ..portfolio import filters as portfolio_filters
from . import bp, catalog, opendata, reading


def _limit() -> str:
    return current_app.config.get("PUBLIC_RATELIMIT", "120 per minute")


def _locale() -> str:
    return str(get_locale() or "sv")


@bp.errorhandler(reading.NotPublished)
def not_published(_error):
    from ..errors import render_error

    return render_error(404)


@bp.after_request
def public_headers(response: Response) -> Response:
    # Public data, the same for everyone: caches may keep it for a minute.
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers.pop("Set-Cookie", None)
    return response


def _filters():
    try:
        return reading.parse_filters(request.args), None
    except portfolio_filters.FilterError as error:
        return portfolio_filters.PortfolioFilter(), error.message


@bp.get("")
@bp.get("/")
@limiter.limit(_limit)
def index():
    filters, filter_error = _filters()
    locale = _locale()
    page = reading.page_number(request.args.get("page"))

    def page_html() -> str:
        total = reading.count(filters)
        initiatives = reading.published(
            filters, locale, limit=reading.PAGE_SIZE, offset=(page - 1) * reading.PAGE_SIZE
        )
        return render_template(
            "public/index.html",
            initiatives=initiatives,
            total=total,
            page=page,
            pages=max(1, -(-total // reading.PAGE_SIZE)),
            filters=filters,
            filter_error=filter_error,
            choices=portfolio_filters.choices(),
            reports=opendata.latest_reports(),
            lang=locale,
        )

    if filter_error is not None:
        return page_html(), 400
    # The same for every resident: cached per data version and minute (tracker.cache), keyed by
    # the parsed filters, so that odd query strings cannot crowd the cache.
    key = ("public.index", locale, page, tuple(filters.as_args().items(multi=True)))
    return cache.cached(key, page_html)


@bp.get("/initiatives/<int:initiative_id>")
@limiter.limit(_limit)
def initiative(initiative_id: int):
    locale = _locale()

    def page_html() -> str:
        item = reading.one(initiative_id, locale)
        return render_template("public/initiative.html", item=item, lang=locale)

    return cache.cached(("public.initiative", locale, initiative_id), page_html)


@bp.get("/reports/<code>.csv")
@limiter.limit(_limit)
def committee_report_csv(code: str):
    report = opendata.committee_report(code[:20])
    header, rows = opendata.report_table(report)
    heading = [f"{report.heading.committee}: {report.heading.period}", opendata.licence_line()]
    body = "".join(csv_table(header, rows, opendata.empty_text(), heading=heading))
    filename = f"report-{report.heading.report_id}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/reports/<code>.json")
@limiter.limit(_limit)
def committee_report_json(code: str):
    report = opendata.committee_report(code[:20])
    document = opendata.report_document(report)
    return Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json")


@bp.get("/reports/<code>")
@limiter.limit(_limit)
def committee_report(code: str):
    return render_template(
        "public/report.html", report=opendata.committee_report(code[:20]), lang=_locale()
    )


@bp.get("/initiatives.csv")
@limiter.limit(_limit)
def initiatives_csv():
    filters, _error = _filters()
    locale = _locale()
    items = reading.published(filters, locale)
    header, rows = opendata.table(items)
    heading = [
        f"{settings.organisation_name()}: {opendata.dataset_title()}",
        opendata.licence_line(),
    ]
    body = "".join(csv_table(header, rows, opendata.empty_text(), heading=heading))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="initiatives.csv"'},
    )


@bp.get("/initiatives.json")
@limiter.limit(_limit)
def initiatives_json():
    filters, _error = _filters()
    items = reading.published(filters, _locale())
    document = opendata.json_document(items, url_for(".initiatives_json", _external=True))
    return Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json")


@bp.get("/catalog.rdf")
@limiter.limit(_limit)
def catalog_rdf():
    return Response(catalog.build().serialize(format="pretty-xml"), mimetype="application/rdf+xml")


@bp.get("/catalog.ttl")
@limiter.limit(_limit)
def catalog_ttl():
    return Response(catalog.build().serialize(format="turtle"), mimetype="text/turtle")
