"""The status list as a document: a tagged PDF (WeasyPrint) and an editable Word file.

Both hold the same content, in the same order: a first page with the committee, the date, the
filter and the figures; the digital maturity comparison when asked for; a table of the
initiatives; then one section per initiative.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .cells import clean
from .maturity import Section
from .services import Row, Summary, SupportInfo

LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}


@dataclass(frozen=True)
class Report:
    """Everything a document shows besides the rows."""

    title: str
    organisation: str
    committee: str
    day: date
    locale: str
    described_filter: list[tuple[str, str]]
    summary: Summary
    rows: list[Row]
    maturity: Section | None = None  # the digital maturity comparison, when asked for

    @property
    def language_tag(self) -> str:
        return LANGUAGE_TAGS.get(self.locale, self.locale)


# --- PDF ----------------------------------------------------------------------------------------


class StaticOnlyFetcher(URLFetcher):
    """Serves WeasyPrint the project's own static files and refuses every other URL, so that a
    report can never make the server fetch from the network or read other files."""

    def __init__(self, root: str | Path):
        super().__init__(allowed_protocols=("file",), fail_on_errors=False)
        self.root = Path(root).resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused to fetch {url!r}: not a static file")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"refused to fetch {url!r}: not a static file")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def support_age(support: SupportInfo) -> str:
    """E.g. "Requested on 2026-11-03, open for 28 days"."""
    days = ngettext("open for %(num)d day", "open for %(num)d days", support.days)
    return _("Requested on %(date)s, %(days)s", date=support.since.isoformat(), days=days)


def render_pdf(report: Report) -> bytes:
    html = render_template("exports/report.html", report=report, support_age=support_age)
    static = Path(current_app.static_folder).resolve()
    document = HTML(
        string=html, base_url=static.as_uri() + "/", url_fetcher=StaticOnlyFetcher(static)
    )
    # PDF/UA-1: tagged, with the document language and title, for screen readers.
    return document.write_pdf(pdf_variant="pdf/ua-1")


# --- DOCX ---------------------------------------------------------------------------------------


def render_docx(report: Report) -> bytes:
    doc = Document()
    _set_language(doc, report.language_tag)
    doc.core_properties.title = report.title
    doc.core_properties.author = report.organisation
    doc.core_properties.language = report.language_tag
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)

    doc.add_heading(clean(report.title), level=1)
    doc.add_paragraph(f"{report.organisation} · {_('Date')}: {report.day.isoformat()}")

    doc.add_heading(_("Filter used"), level=2)
    _table(
        doc,
        [_("Selection"), _("Value")],
        [[label, value] for label, value in report.described_filter],
    )

    doc.add_heading(_("Summary"), level=2)
    _figures(doc, report)
    if report.maturity is not None:
        _maturity(doc, report.maturity)

    landscape = doc.add_section(WD_SECTION.NEW_PAGE)
    _orient(landscape, WD_ORIENT.LANDSCAPE)
    doc.add_heading(_("Initiatives"), level=2)
    if report.rows:
        _table(doc, table_headers(), [table_cells(r) for r in report.rows], font_size=Pt(9))
    else:
        doc.add_paragraph(_("No initiatives match the filter."))

    if report.rows:
        portrait = doc.add_section(WD_SECTION.NEW_PAGE)
        _orient(portrait, WD_ORIENT.PORTRAIT)
        for row in report.rows:
            _section(doc, row)

    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def table_headers() -> list[str]:
    return [
        _("Initiative"),
        _("Department"),
        _("Owner"),
        _("Status"),
        _("Health"),
        _("Progress"),
        _("Last update"),
        _("Guiding principles"),
    ]


def table_cells(row: Row) -> list[str]:
    return [
        row.title,
        row.department,
        row.owner,
        row.status_label,
        f"{row.health.symbol} {row.health_label}",
        f"{row.progress} %",
        row.last_update.isoformat() if row.last_update else _("Never"),
        row.principle_names,
    ]


def _figures(doc, report: Report) -> None:
    s = report.summary
    rows = [[_("Initiatives"), str(s.total)], [_("Need an update"), str(s.stale)]]
    if s.average_progress is not None:
        rows.append([_("Average progress (active)"), f"{s.average_progress} %"])
    _table(doc, [_("Figure"), _("Number")], rows)
    doc.add_paragraph()
    _table(
        doc, [_("Status"), _("Number")], [[str(k.label), str(n)] for k, n in s.by_status.items()]
    )
    doc.add_paragraph()
    _table(
        doc,
        [_("Health (active initiatives)"), _("Number")],
        [[f"{k.symbol} {k.label}", str(n)] for k, n in s.by_health.items()],
    )


def maturity_headers(section: Section) -> list[str]:
    return [
        _("Category"),
        section.latest.name if section.latest else _("Latest round"),
        section.previous.name if section.previous else _("Previous round"),
        _("Change (percentage points)"),
    ]


def _maturity(doc, section: Section) -> None:
    doc.add_heading(_("Digital maturity"), level=2)
    doc.add_paragraph(clean(section.introduction))
    if section.latest is None:
        return
    _labelled(doc, _("Results for"), section.scope)
    doc.add_heading(_("The three weakest areas"), level=3)
    for weak in section.weakest:
        doc.add_paragraph(f"{clean(weak.name)}: {weak.latest_text} %", style="List Number")
    for dimension in section.dimensions:
        doc.add_heading(clean(dimension.line.name), level=3)
        rows = [
            [
                c.line.name + (f" ({_('Weak area')})" if c.line.weak else ""),
                c.line.latest_text,
                c.line.previous_text,
                c.line.change_text,
            ]
            for c in dimension.categories
        ]
        total = dimension.line
        rows.append(
            [
                _("The dimension as a whole"),
                total.latest_text,
                total.previous_text,
                total.change_text,
            ]
        )
        _table(doc, maturity_headers(section), rows)


def _section(doc, row: Row) -> None:
    doc.add_heading(clean(row.title), level=2)
    doc.add_paragraph(
        f"{row.department} · {_('Owner')}: {row.owner} · {row.status_label} · "
        f"{row.health.symbol} {row.health_label} · {row.progress} %"
    )
    doc.add_heading(_("Purpose"), level=3)
    doc.add_paragraph(clean(row.purpose) or "–")
    doc.add_heading(_("Guiding principles"), level=3)
    for name, motivation in row.principles:
        paragraph = doc.add_paragraph(style="List Bullet")
        paragraph.add_run(f"{name}: ").bold = True
        paragraph.add_run(clean(motivation))
    if not row.principles:
        doc.add_paragraph("–")
    doc.add_heading(_("Latest status update"), level=3)
    if row.update:
        doc.add_paragraph(row.update.day.isoformat())
        _labelled(doc, _("What happened"), row.update.happened)
        _labelled(doc, _("Next steps"), row.update.next_steps)
    else:
        doc.add_paragraph(_("No status update yet."))
    doc.add_heading(_("Support needed"), level=3)
    if row.support:
        doc.add_paragraph(clean(row.support.text))
        doc.add_paragraph(support_age(row.support))
    else:
        doc.add_paragraph(_("None stated."))
    doc.add_heading(_("Latest decision"), level=3)
    if row.decision:
        doc.add_paragraph(clean(row.decision.one_line()))
        if row.decision.comment:
            _labelled(doc, _("Comment"), row.decision.comment)
    else:
        doc.add_paragraph(_("No decision recorded."))


def _labelled(doc, label: str, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(clean(text) or "–")


def _table(doc, header: list[str], rows: list[list[str]], font_size: Pt | None = None) -> None:
    """A table whose first row is a real header row, repeated on every page (``w:tblHeader``)."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    first = table.rows[0]
    properties = first._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)
    for cell, text in zip(first.cells, header, strict=True):
        run = cell.paragraphs[0].add_run(clean(text))
        run.bold = True
        if font_size:
            run.font.size = font_size
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            run = cell.paragraphs[0].add_run(clean(text))
            if font_size:
                run.font.size = font_size


def _orient(section, orientation) -> None:
    width, height = section.page_width, section.page_height
    if (orientation == WD_ORIENT.LANDSCAPE) != (width > height):
        section.page_width, section.page_height = height, width
    section.orientation = orientation


def _set_language(doc, tag: str) -> None:
    """The language of every run by default (Word's spelling and screen readers use it)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), tag)
