"""Thin views for the public pages: no sign-in, no session, no cookie, never a write.

Each view reads through ``reading`` (published initiatives, public fields only) and renders the
public layout. Rate-limited per address.
"""

from __future__ import annotations

import json

from flask import Response, current_app, render_template, request, url_for
from flask_babel import get_locale

from .. import cache, downloads
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
    """Public data, the same for everyone: a cache may keep a page but must ask again every time
    (with its ETag, answered 304 while the page is the same), so that an initiative taken off
    the public pages is gone at once, not a minute later. An error is never kept."""
    if response.status_code == 200 and not response.is_streamed:
        response.add_etag()
        response.make_conditional(request)
        response.headers["Cache-Control"] = "public, no-cache"
    elif response.status_code != 304:
        response.headers["Cache-Control"] = "no-store"
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


def _open_data_csv(header: list[str], rows, file_name: str) -> Response:
    """An open-data file as programs read it: the header row first and one row per record,
    nothing above or below (a title or licence line there is read as the header, or as a
    record); the licence is in the ``Link`` header, as in the catalogue."""
    body = "".join(csv_table(header, rows, None))
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": downloads.attachment(file_name),
            "Link": f'<{opendata.LICENSE_URL}>; rel="license"',
        },
    )


def _report_csv(report: opendata.PublicReport) -> Response:
    header, rows = opendata.report_table(report)
    h = report.heading
    return _open_data_csv(header, rows, f"report-{h.committee_code}-{h.period_id}.csv")


def _report_json(report: opendata.PublicReport, url: str) -> Response:
    document = opendata.report_document(report, url)
    return Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json")


def _report_page(report: opendata.PublicReport, latest: bool) -> str:
    h = report.heading
    return render_template(
        "public/report.html",
        report=report,
        latest=latest,
        csv_url=url_for(".period_report_csv", code=h.committee_code, period_id=h.period_id),
        json_url=url_for(".period_report_json", code=h.committee_code, period_id=h.period_id),
        lang=_locale(),
    )


@bp.get("/reports")
@limiter.limit(_limit)
def reports():
    """Every committee's frozen reports, period by period, each as open data."""
    return render_template("public/reports.html", reports=opendata.all_reports(), lang=_locale())


@bp.get("/reports/<path:code>.csv")
@limiter.limit(_limit)
def committee_report_csv(code: str):
    return _report_csv(opendata.committee_report(code[:20], _locale()))


@bp.get("/reports/<path:code>.json")
@limiter.limit(_limit)
def committee_report_json(code: str):
    return _report_json(opendata.committee_report(code[:20], _locale()), request.base_url)


@bp.get("/reports/<path:code>")
@limiter.limit(_limit)
def committee_report(code: str):
    return _report_page(opendata.committee_report(code[:20], _locale()), latest=True)


# One committee's report for one period: stable addresses (the committee's code and the period's
# id), the newest version of what was frozen. The code is a ``path``: a code stored before codes
# were checked may hold a "/" ("KS/AU"), which no quoting keeps out of the path (a server decodes
# %2F before routing), so the rule takes it whole; the period's id ends the address.
@bp.get("/reports/<path:code>/<int:period_id>.csv")
@limiter.limit(_limit)
def period_report_csv(code: str, period_id: int):
    return _report_csv(opendata.period_report(code, period_id, _locale()))


@bp.get("/reports/<path:code>/<int:period_id>.json")
@limiter.limit(_limit)
def period_report_json(code: str, period_id: int):
    report = opendata.period_report(code, period_id, _locale())
    return _report_json(report, request.base_url)


@bp.get("/reports/<path:code>/<int:period_id>")
@limiter.limit(_limit)
def period_report(code: str, period_id: int):
    return _report_page(opendata.period_report(code, period_id, _locale()), latest=False)


def _bad_filter(message, as_json: bool) -> Response:
    """An open-data file asked for with a filter that names nothing: 400 and why, never the
    whole dataset as if it had been filtered."""
    if as_json:
        body = json.dumps({"error": str(message)}, ensure_ascii=False)
        return Response(body, status=400, mimetype="application/json")
    return Response(str(message) + "\n", status=400, mimetype="text/plain")


@bp.get("/initiatives.csv")
@limiter.limit(_limit)
def initiatives_csv():
    filters, filter_error = _filters()
    if filter_error is not None:
        return _bad_filter(filter_error, as_json=False)
    locale = _locale()
    items = reading.published(filters, locale)
    header, rows = opendata.table(items)
    return _open_data_csv(header, rows, "initiatives.csv")


@bp.get("/initiatives.json")
@limiter.limit(_limit)
def initiatives_json():
    filters, filter_error = _filters()
    if filter_error is not None:
        return _bad_filter(filter_error, as_json=True)
    items = reading.published(filters, _locale())
    document = opendata.json_document(items, url_for(".initiatives_json", _external=True))
    return Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json")


CATALOG_FORMATS = {
    "application/rdf+xml": "pretty-xml",
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
}


def _catalog(media_type: str) -> Response:
    def text() -> str:
        graph = catalog.build()
        if media_type == "application/ld+json":
            return graph.serialize(format="json-ld", context=catalog.CONTEXT, indent=1)
        return graph.serialize(format=CATALOG_FORMATS[media_type])

    # The same for everyone: cached per data version and minute (and host, for its addresses).
    key = ("public.catalog", media_type, request.host_url)
    return Response(cache.cached(key, text), mimetype=media_type)


@bp.get("/catalog")
@limiter.limit(_limit)
def catalog_negotiated():
    """The catalogue in the form the Accept header asks for (RDF/XML unless it asks for Turtle
    or JSON-LD)."""
    wanted = request.accept_mimetypes.best_match(list(CATALOG_FORMATS), "application/rdf+xml")
    response = _catalog(wanted)
    response.vary.add("Accept")
    return response


@bp.get("/catalog.rdf")
@limiter.limit(_limit)
def catalog_rdf():
    return _catalog("application/rdf+xml")


@bp.get("/catalog.ttl")
@limiter.limit(_limit)
def catalog_ttl():
    return _catalog("text/turtle")


@bp.get("/catalog.jsonld")
@limiter.limit(_limit)
def catalog_jsonld():
    return _catalog("application/ld+json")
