"""The status list as a document: a tagged PDF (WeasyPrint) and an editable Word file.

Both hold the same content, in the same order: a first page with the committee, the date, the
filter and the figures; the digital maturity comparison when asked for; a table of the
initiatives; then one section per initiative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from io import BytesIO
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt
from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from . import pdf_render
from .cells import clean
from .heading import Heading
from .maturity import Section
from .pdf_render import StaticOnlyFetcher  # noqa: F401 (its home)
from .services import Row, Summary, SupportInfo, Table

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
    heading: Heading = Heading()  # "Bilaga till ärende …", the meeting, "Status per …"
    tables: list[Table] = field(default_factory=list)  # e.g. what changed, after the figures
    tables_title: str = ""
    created: datetime | None = None  # fixed for a frozen report
    # Tables that are sections of their own (the benefits), each under its own heading.
    sections: list[Table] = field(default_factory=list)
    # What each initiative's update is: a frozen report shows the period's report, which is not
    # always the latest (the manager may mark an earlier one).
    in_period: bool = False

    @property
    def update_title(self) -> str:
        return _("Report in the period") if self.in_period else _("Latest status update")

    @property
    def no_update(self) -> str:
        return _("No report in the period") if self.in_period else _("No status update yet.")

    @property
    def language_tag(self) -> str:
        return LANGUAGE_TAGS.get(self.locale, self.locale)


# --- PDF ----------------------------------------------------------------------------------------


def support_age(support: SupportInfo) -> str:
    """E.g. "Requested on 2026-11-03, open for 28 days"."""
    days = ngettext("open for %(num)d day", "open for %(num)d days", support.days)
    return _("Requested on %(date)s, %(days)s", date=support.since.isoformat(), days=days)


def render_pdf(report: Report) -> bytes:
    """The HTML is drawn here, with the request's language and templates; the layout is made
    in a child process (``tracker.exports.pdf_render``), which takes its memory with it."""
    html = render_template("exports/report.html", report=report, support_age=support_age)
    return pdf_render.render(html, current_app.static_folder)


# --- DOCX ---------------------------------------------------------------------------------------


A4 = (Mm(210), Mm(297))
MARGIN = Mm(25)  # the margins of Swedish official documents


def render_docx(report: Report) -> bytes:
    doc = Document()
    _set_language(doc, report.language_tag)
    _properties(doc, report)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    first = doc.sections[0]
    _page(first, WD_ORIENT.PORTRAIT)
    _page_numbers(first)

    for index, line in enumerate(report.heading.lines()):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run(clean(line)).bold = index == 0
    doc.add_heading(clean(report.title), level=1)
    # The PDF's first-page facts: a department's list is titled with the department, so this
    # is what says which committee it reports to.
    doc.add_paragraph(
        f"{report.organisation} · {_('Committee')}: {clean(report.committee)} · "
        f"{_('Date')}: {report.day.isoformat()}"
    )

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
    if report.tables:
        doc.add_heading(clean(report.tables_title), level=2)
        for table in report.tables:
            doc.add_heading(clean(table.title), level=3)
            if table.rows:
                _table(doc, table.headers, table.rows)
            else:
                doc.add_paragraph(clean(table.empty))
    for section in report.sections:
        doc.add_heading(clean(section.title), level=2)
        if section.rows:
            _table(doc, section.headers, section.rows, font_size=Pt(8))
        else:
            doc.add_paragraph(clean(section.empty))

    landscape = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(landscape, WD_ORIENT.LANDSCAPE)
    doc.add_heading(_("Initiatives"), level=2)
    if report.rows:
        cells = [table_cells(r) for r in report.rows]
        # 8 pt: ten columns whose longest words all fit across the landscape page.
        usable = landscape.page_width - landscape.left_margin - landscape.right_margin
        widths = column_widths(table_headers(), cells, usable, Pt(8))
        _table(doc, table_headers(), cells, font_size=Pt(8), widths=widths)
    else:
        doc.add_paragraph(_("No initiatives match the filter."))

    if report.rows:
        portrait = doc.add_section(WD_SECTION.NEW_PAGE)
        _page(portrait, WD_ORIENT.PORTRAIT)
        styles = _Styles(doc)
        _append(doc, "".join(_section(styles, row, report) for row in report.rows))

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
        _("Target date"),
        _("Cost"),
        _("Last update"),
        _("Guiding principles"),
    ]


def table_cells(row: Row) -> list[str]:
    return [
        row.title,
        row.department,
        row.owner,
        row.status_label,
        f"{row.health.symbol}\N{NO-BREAK SPACE}{row.health_label}",
        f"{row.progress}\N{NO-BREAK SPACE}%",
        row.target_date.isoformat() if row.target_date else "–",
        row.cost_text or "–",
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


# The per-initiative sections and the rows of the big tables are written as WordprocessingML text
# and parsed once: the same elements python-docx's add_paragraph, add_run and add_row make, at a
# tenth of the cost (they look a style up by name, and build each element on its own).

_SPECIAL = re.compile(r"([\t\r\n])")


def _run(text: str, bold: bool = False, size: Pt | None = None) -> str:
    """``<w:r>`` as ``paragraph.add_run(text)`` makes it: a tab is ``<w:tab/>``, a line break
    ``<w:br/>``, a text with space at either end keeps it (``xml:space``)."""
    properties = ""
    if bold or size:
        half_points = f'<w:sz w:val="{round(size.pt * 2)}"/>' if size else ""
        properties = f"<w:rPr>{'<w:b/>' if bold else ''}{half_points}</w:rPr>"
    content = []
    for piece in _SPECIAL.split(text):
        if piece == "\t":
            content.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            content.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            content.append(f"<w:t{space}>{xml_escape(piece)}</w:t>")
    return f"<w:r>{properties}{''.join(content)}</w:r>"


def _paragraph(text: str = "", style: str | None = None, runs: str = "") -> str:
    """``<w:p>`` as ``doc.add_paragraph(text, style)`` makes it (``style`` is a style id)."""
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{properties}{_run(text) if text else ''}{runs}</w:p>"


class _Styles:
    """The ids of the paragraph styles the sections use, looked up by name once."""

    def __init__(self, doc):
        self.heading2 = doc.styles["Heading 2"].style_id
        self.heading3 = doc.styles["Heading 3"].style_id
        self.bullet = doc.styles["List Bullet"].style_id


def _append(doc, xml: str) -> None:
    """Parse the paragraphs and tables of ``xml`` and add them at the end of the document."""
    fragment = parse_xml(f"<w:body {nsdecls('w')}>{xml}</w:body>")
    end = doc.element.body.sectPr
    for element in list(fragment):
        end.addprevious(element)


def _labelled_xml(label: str, text: str) -> str:
    return _paragraph(runs=_run(f"{label}: ", bold=True) + _run(clean(text) or "–"))


def _section(styles: _Styles, row: Row, report: Report) -> str:
    h2, h3 = styles.heading2, styles.heading3
    parts = [
        _paragraph(clean(row.title), h2),
        _paragraph(
            f"{row.department} · {_('Owner')}: {row.owner} · {row.status_label} · "
            f"{row.health.symbol} {row.health_label} · {row.progress} %"
        ),
        _paragraph(_("Purpose"), h3),
        _paragraph(clean(row.purpose) or "–"),
        _paragraph(_("Guiding principles"), h3),
    ]
    for name, motivation in row.principles:
        parts.append(
            _paragraph(
                style=styles.bullet, runs=_run(f"{name}: ", bold=True) + _run(clean(motivation))
            )
        )
    if not row.principles:
        parts.append(_paragraph("–"))
    parts.append(_paragraph(report.update_title, h3))
    if row.update:
        parts.append(_paragraph(row.update.day.isoformat()))
        parts.append(_labelled_xml(_("What happened"), row.update.happened))
        parts.append(_labelled_xml(_("Next steps"), row.update.next_steps))
    else:
        parts.append(_paragraph(report.no_update))
    parts.append(_paragraph(_("Support needed"), h3))
    if row.support:
        parts.append(_paragraph(clean(row.support.text)))
        parts.append(_paragraph(support_age(row.support)))
    else:
        parts.append(_paragraph(_("None stated.")))
    parts.append(_paragraph(_("Latest decision"), h3))
    if row.decision:
        parts.append(_paragraph(clean(row.decision.one_line())))
        if row.decision.comment:
            parts.append(_labelled_xml(_("Comment"), row.decision.comment))
    else:
        parts.append(_paragraph(_("No decision recorded.")))
    return "".join(parts)


def _labelled(doc, label: str, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(clean(text) or "–")


def _table(
    doc,
    header: list[str],
    rows: list[list[str]],
    font_size: Pt | None = None,
    widths: list[int] | None = None,
):
    """A table whose first row is a real header row, repeated on every page (``w:tblHeader``).
    ``widths`` (EMU, from ``column_widths``) fix the columns; else Word's even split."""
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
    grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
    if widths is not None:
        _fix_widths(table, widths)
        twips = [Emu(width).twips for width in widths]
    else:  # as add_row sets them: each cell as wide as its grid column
        twips = [int(col.get(qn("w:w"))) for col in grid]
    if rows:
        cells = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p>' for w in twips]
        xml = "".join(
            "<w:tr>"
            + "".join(
                f"{start}{_run(clean(text), size=font_size)}</w:p></w:tc>"
                for start, text in zip(cells, values, strict=True)
            )
            + "</w:tr>"
            for values in rows
        )
        for row in parse_xml(f"<w:tbl {nsdecls('w')}>{xml}</w:tbl>"):
            table._tbl.append(row)
    return table


def _page(section, orientation) -> None:
    """A4 with 25 mm margins, upright or on its side."""
    width, height = A4 if orientation == WD_ORIENT.PORTRAIT else (A4[1], A4[0])
    section.orientation = orientation
    section.page_width, section.page_height = width, height
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when they lay out pages."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, separate, shown, end):
        run._r.append(element)


def _page_numbers(section) -> None:
    """ "Sida 2 av 5" at the foot of every page (the later sections inherit the footer)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(f"{_('Page')} ")
    _field(paragraph, "PAGE")
    paragraph.add_run(f" {_('of')} ")
    _field(paragraph, "NUMPAGES")


def column_widths(header: list[str], rows: list[list[str]], usable, size) -> list[int]:
    """Column widths (EMU) from the content: each column at least as wide as its longest word
    (so that no word is split), and the rest of the width shared by how much text each column
    holds."""
    # Generous: Word shows Calibri, LibreOffice often a wider substitute (Carlito, DejaVu Sans);
    # digits and bold header words are wider than the average letter.
    char = size * 0.62
    padding = Mm(4)  # Word's default cell margins, 1.9 mm a side
    columns = list(zip(header, *rows, strict=True))

    def words(text: str) -> list[str]:
        # Split at plain spaces only: "2 500 000 kr" holds no-break spaces and stays one word.
        return [w for w in clean(text).split(" ") if w] or [""]

    longest_word = [
        max(
            max(len(w) * 1.12 for w in words(column[0])),  # the header row is bold
            max(len(w) for text in column[1:] for w in words(text)) if len(column) > 1 else 0,
        )
        * char
        + padding
        for column in columns
    ]
    text_length = [
        sum(min(len(clean(text)), 200) for text in column) / len(column) for column in columns
    ]
    spare = max(usable - sum(longest_word), 0)
    total_text = sum(text_length) or 1
    widths = [
        int(w + spare * t / total_text) for w, t in zip(longest_word, text_length, strict=True)
    ]
    scale = min(1.0, usable / sum(widths))
    return [int(w * scale) for w in widths]


def _fix_widths(table, widths: list[int]) -> None:
    """A fixed layout with these column widths, on the grid and the cells made so far."""
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(Emu(width).twips))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Emu(width)


def _properties(doc, report: Report) -> None:
    """Real document properties, not those of python-docx's template (created in 2013)."""
    # A frozen report's file is the same every time: its times are the freezing's.
    moment = report.created or datetime.now(UTC)
    now = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    properties = doc.core_properties
    # Word's core properties hold at most 255 characters each.
    properties.title = clean(report.title)[:255]
    properties.subject = (
        clean(" · ".join(report.heading.lines())) or _("Status list of the digital initiatives")
    )[:255]
    properties.author = clean(report.organisation)[:255]
    properties.last_modified_by = clean(report.organisation)[:255]
    properties.created = now
    properties.modified = now
    for printed in properties._element.findall(qn("cp:lastPrinted")):  # never printed yet
        properties._element.remove(printed)
    properties.revision = 1
    properties.language = report.language_tag
    properties.keywords = "Initiativportföljen"
    properties.comments = ""
    properties.category = _("Status list")
    app = next(p for p in doc.part.package.iter_parts() if p.partname == "/docProps/app.xml")
    xml = app.blob.decode("utf-8")
    xml = re.sub(
        r"<Application>.*?</Application>", "<Application>Initiativportföljen</Application>", xml
    )
    company = xml_escape(clean(report.organisation))
    if "<Company>" in xml:
        xml = re.sub(r"<Company>.*?</Company>", f"<Company>{company}</Company>", xml)
    else:
        xml = xml.replace("</Properties>", f"<Company>{company}</Company></Properties>")
    xml = re.sub(r"<Template>.*?</Template>", "<Template>Normal</Template>", xml)
    app._blob = xml.encode("utf-8")


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
