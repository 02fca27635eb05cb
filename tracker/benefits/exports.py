"""``/exports/benefits.csv``: one row per benefit with its latest measurement, written by the
status list's CSV writer, so quoting, formula protection and encoding are the same."""

from __future__ import annotations

from datetime import date

from flask import Response
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import downloads
from ..exports.tabular import csv_table
from .overview import BenefitRow, Overview

COLUMNS = (
    _l("Initiative"),
    _l("Committee"),
    _l("Department"),
    _l("Benefit"),
    _l("Kind of benefit"),
    _l("Benefit owner"),
    _l("Guiding principles"),
    _l("Indicator"),
    _l("Unit"),
    _l("Which way is better?"),
    _l("Baseline value"),
    _l("Baseline date"),
    _l("Target value"),
    _l("Target date"),
    _l("Latest value"),
    _l("Latest measurement"),
    _l("Share of the way to the target (%)"),
    _l("Benefit state"),
    _l("Next measurement due"),
    _l("Measurement overdue"),
    _l("Initiative status"),
    _l("Initiative ID"),
    _l("Benefit ID"),
)


def values(row: BenefitRow, yes: str, no: str) -> list:
    benefit, fig = row.benefit, row.figures
    ind = benefit.indicator
    initiative = benefit.initiative
    return [
        initiative.title,
        initiative.department.committee.name,
        initiative.department.name,
        benefit.title,
        str(benefit.kind.label),
        benefit.owner.name,
        ", ".join(_principle_names(benefit)),
        ind.name,
        ind.unit,
        str(ind.direction.label),
        ind.baseline_value,
        ind.baseline_date,
        ind.target_value,
        ind.target_date,
        fig.latest.value if fig.latest else None,
        fig.latest.measured_on if fig.latest else None,
        fig.percent,
        str(fig.state.label),
        fig.next_due,
        yes if fig.overdue else no,
        str(initiative.status.label),
        initiative.id,
        benefit.id,
    ]


def _principle_names(benefit) -> list[str]:
    locale = str(get_locale())
    return [p.name(locale) for p in benefit.principles]


def csv_response(view: Overview, today: date) -> Response:
    yes, no = _("Yes"), _("No")
    # A portfolio has hundreds of benefits, not millions: written whole, before the request's
    # transaction ends, so that nothing is read from the database while the file streams.
    body = "".join(
        csv_table(
            [str(c) for c in COLUMNS],
            (values(row, yes, no) for row in view.rows),
            _("No benefits match the filter."),
        )
    )
    name = f"nyttor-{today.isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": downloads.attachment(name),
            "X-Content-Type-Options": "nosniff",
        },
    )
