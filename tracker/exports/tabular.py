"""The status list as a spreadsheet: CSV for a Swedish Excel, and XLSX with real types.

Both take rows one at a time from an iterator and hold at most a buffer of them, so memory does
not grow with the number of initiatives.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .cells import clean, csv_line, csv_text, neutralise
from .heading import Heading
from .maturity import Section
from .services import Row, Summary, Table


@dataclass(frozen=True)
class Column:
    label: Any  # a lazy string, translated when the file is written
    width: int
    kind: str  # "text", "date", "percent" or "number"


COLUMNS = (
    Column(_l("Title"), 40, "text"),
    Column(_l("Committee"), 28, "text"),
    Column(_l("Department"), 28, "text"),
    Column(_l("Owner"), 22, "text"),
    Column(_l("Status"), 14, "text"),
    Column(_l("Health"), 14, "text"),
    Column(_l("Progress (%)"), 12, "percent"),
    Column(_l("Start date"), 12, "date"),
    Column(_l("Target date"), 12, "date"),
    Column(_l("Last update"), 12, "date"),
    Column(_l("Needs an update"), 12, "text"),
    Column(_l("Guiding principles"), 30, "text"),
    Column(_l("Support needed"), 40, "text"),
    Column(_l("Support requested on"), 12, "date"),
    Column(_l("Latest decision"), 40, "text"),
    Column(_l("Purpose"), 60, "text"),
    Column(_l("ID"), 8, "number"),
)


def headers() -> list[str]:
    return [str(c.label) for c in COLUMNS]


def row_values(row: Row, yes: str, no: str) -> list[Any]:
    """The row in column order, typed: str, date, int (progress in percent) or None."""
    return [
        row.title,
        row.committee,
        row.department,
        row.owner,
        row.status_label,
        row.health_label,
        row.progress,
        row.start_date,
        row.target_date,
        row.last_update,
        yes if row.stale else no,
        row.principle_names,
        row.support.text if row.support else "",
        row.support.since if row.support else None,
        row.decision.one_line() if row.decision else "",
        row.purpose,
        row.id,
    ]


# --- CSV ----------------------------------------------------------------------------------------

FLUSH_AT = 64 * 1024


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):  # the locale's decimal sign, no grouping: Excel reads it
        return format_decimal(value, format="0.####")
    return neutralise(value)


def csv_chunks(
    rows: Iterable[Row], heading: Iterable[str] = (), tables: Iterable[Table] = (), lines=None
) -> Iterator[str]:
    """The status list as CSV (see ``csv_table``); ``lines``: the finished lines instead
    (``sheet_csv_lines``), when the rows are not ``Row`` objects."""
    return csv_table(
        headers(),
        csv_rows(rows) if lines is None else lines,
        _("No initiatives match the filter."),
        heading,
        tables,
        ready=True,
    )


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def csv_rows(rows: Iterable[Row]) -> Iterator[str]:
    """Each row as its CSV line, the same as ``csv_line`` of ``_csv_cell`` of ``row_values``,
    but with each column's type known: no type test per cell, and text that needs nothing (most
    of it) passes one regular-expression search."""
    yes, no = csv_text(_("Yes")), csv_text(_("No"))
    text = csv_text
    for row in rows:
        support, decision = row.support, row.decision
        yield (
            ";".join(
                (
                    text(row.title),
                    text(row.committee),
                    text(row.department),
                    text(row.owner),
                    text(row.status_label),
                    text(row.health_label),
                    str(row.progress),
                    _iso(row.start_date),
                    _iso(row.target_date),
                    _iso(row.last_update),
                    yes if row.stale else no,
                    text(row.principle_names),
                    text(support.text) if support else "",
                    support.since.isoformat() if support else "",
                    text(decision.one_line()) if decision else "",
                    text(row.purpose),
                    str(row.id),
                )
            )
            + "\r\n"
        )


def sheet_csv_lines(values: Iterable[tuple]) -> Iterator[str]:
    """Each of ``services.sheet_rows`` as its CSV line: the same text as ``csv_rows`` of the
    same initiatives. The columns that repeat from row to row (committee, department, owner,
    labels, principles) are formatted once per distinct value; title and purpose pass one
    regular-expression search each."""
    yes, no = csv_text(_("Yes")), csv_text(_("No"))
    text = csv_text
    seen: dict[str, str] = {}

    def once(value: str) -> str:
        done = seen.get(value)
        if done is None:
            done = seen[value] = text(value)
        return done

    for (
        title,
        committee,
        department,
        owner,
        status,
        health,
        progress,
        start_date,
        target_date,
        last_update,
        stale,
        principles,
        support,
        since,
        decision,
        purpose,
        id_,
    ) in values:
        yield (
            ";".join(
                (
                    text(title),
                    once(committee),
                    once(department),
                    once(owner),
                    once(status),
                    once(health),
                    str(progress),
                    start_date.isoformat() if start_date else "",
                    target_date.isoformat() if target_date else "",
                    last_update.isoformat() if last_update else "",
                    yes if stale else no,
                    once(principles),
                    text(support) if support else "",
                    since.isoformat() if since else "",
                    text(decision) if decision else "",
                    text(purpose),
                    str(id_),
                )
            )
            + "\r\n"
        )


def csv_table(
    header: list[str],
    rows: Iterable[list[Any]],
    empty_text: str | None,
    heading: Iterable[str] = (),
    tables: Iterable[Table] = (),
    ready: bool = False,
) -> Iterator[str]:
    """UTF-8 with BOM (so Excel reads åäö), ``;`` between fields (Swedish Excel's list
    separator), RFC 4180 quoting and CRLF; every cell through ``_csv_cell``. Yields about 64 kB
    at a time; a table without rows says so in a row of its own (``empty_text``; None: the
    header alone, as open data is read by programs).

    ``heading`` lines (title, "Status per …", dnr, meeting) come first with an empty line after
    them; ``tables`` (e.g. what changed) follow the list, each after an empty line and its title.
    ``ready``: ``rows`` are finished CSV lines (``csv_rows``).
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    heading = list(heading)
    for line in heading:
        buffer.write(csv_line([neutralise(line)]))
    if heading:
        buffer.write("\r\n")
    buffer.write(csv_line([neutralise(h) for h in header]))
    empty = True
    for values in rows:
        empty = False
        buffer.write(values if ready else csv_line([_csv_cell(v) for v in values]))
        if buffer.tell() > FLUSH_AT:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if empty and empty_text is not None:
        buffer.write(csv_line([neutralise(empty_text)]))
    for table in tables:
        buffer.write("\r\n")
        buffer.write(csv_line([neutralise(table.title)]))
        if table.rows:
            buffer.write(csv_line([neutralise(h) for h in table.headers]))
            for row in table.rows:
                buffer.write(csv_line([neutralise(c) for c in row]))
        else:
            buffer.write(csv_line([neutralise(table.empty)]))
    yield buffer.getvalue()


# --- XLSX ---------------------------------------------------------------------------------------

DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0%"
# Maturity figures are percent (0–100) and changes percentage points, both to one decimal.
DECIMAL_FORMAT = "0.0"
CHANGE_FORMAT = "+0.0;-0.0;0.0"


class _Writer:
    """Typed cells for one sheet. Text goes through ``write_string`` only, so nothing a user
    typed can become a formula (XlsxWriter's generic ``write`` would turn "=..." into one)."""

    def __init__(self, workbook, worksheet):
        self.ws = worksheet
        self.formats = {
            "bold": workbook.add_format({"bold": True}),
            "heading": workbook.add_format({"bold": True, "font_size": 14}),
            "date": workbook.add_format({"num_format": DATE_FORMAT}),
            "percent": workbook.add_format({"num_format": PERCENT_FORMAT}),
            "decimal": workbook.add_format({"num_format": DECIMAL_FORMAT}),
            "change": workbook.add_format({"num_format": CHANGE_FORMAT}),
        }
        self.row = 0

    def text(self, col: int, value: str | None, style: str | None = None) -> None:
        self.ws.write_string(self.row, col, clean(value), self.formats.get(style))

    def cell(self, col: int, kind: str, value: Any) -> None:
        if value is None or value == "":
            return
        if kind == "text":
            self.text(col, value)
        elif kind == "date":
            self.ws.write_datetime(self.row, col, value, self.formats["date"])
        elif kind == "percent":
            self.ws.write_number(self.row, col, value / 100, self.formats["percent"])
        elif kind in ("decimal", "change"):
            self.ws.write_number(self.row, col, value, self.formats[kind])
        else:
            self.ws.write_number(self.row, col, value)

    def line(self, *cells: tuple[str, Any] | None) -> None:
        """One row of (kind, value) pairs, then the next row."""
        for col, pair in enumerate(cells):
            if pair is not None:
                kind, value = pair
                if kind in ("bold", "heading"):
                    self.text(col, value, kind)
                else:
                    self.cell(col, kind, value)
        self.row += 1


def write_xlsx(
    target,
    rows: Iterable[Row],
    summary: Summary,
    title: str,
    described_filter: list[tuple[str, str]],
    day: date,
    maturity: Section | None = None,
    heading: Heading | None = None,
    tables: Iterable[Table] = (),
    created: datetime | None = None,
    sections: Iterable[Table] = (),
) -> int:
    """Write the workbook to ``target`` (a path or a binary file); returns the rows written.
    With ``maturity``, a third sheet holds the digital maturity comparison; with ``tables``, a
    sheet after it holds them (what changed). ``heading`` lines go under the title, and
    ``created`` fixes the file's creation time (a frozen report's file is the same every time).

    ``constant_memory``: each row goes to disk as it is written, so memory stays flat."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    if created is not None:
        workbook.set_properties({"created": created.replace(tzinfo=None)})
    _summary_sheet(workbook, summary, title, described_filter, day, heading or Heading())
    ws = workbook.add_worksheet(str(_("Initiatives"))[:31])
    # Printed: A4 landscape, as wide as the paper, the header row on every page, page numbers.
    _print_setup(ws, landscape=True, footer_title=title)
    ws.repeat_rows(0)
    sheet = _Writer(workbook, ws)
    for index, column in enumerate(COLUMNS):
        ws.set_column(index, index, column.width)
    ws.freeze_panes(1, 0)
    sheet.line(*(("bold", h) for h in headers()))
    yes, no = _("Yes"), _("No")
    kinds = [c.kind for c in COLUMNS]
    for row in rows:
        for col, (kind, value) in enumerate(zip(kinds, row_values(row, yes, no), strict=True)):
            sheet.cell(col, kind, value)
        sheet.row += 1
    written = sheet.row - 1
    if written:
        ws.autofilter(0, 0, written, len(COLUMNS) - 1)
    else:
        sheet.line(("text", _("No initiatives match the filter.")))
    if maturity is not None:
        _maturity_sheet(workbook, maturity)
    tables = list(tables)
    if tables:
        _tables_sheet(workbook, tables)
    for section in sections:  # after the sheets the status list always had, in their order
        _section_sheet(workbook, section)
    workbook.close()
    return written


def _section_sheet(workbook, section: Table) -> None:
    """A table of its own sheet (the benefits): frozen header, filter, printable."""
    ws = workbook.add_worksheet(str(section.title)[:31])
    _print_setup(ws, landscape=True, footer_title=section.title)
    ws.repeat_rows(0)
    headers, rows = section.sheet or (
        section.headers,
        [[("text", c) for c in row] for row in section.rows],
    )
    ws.set_column(0, 1, 36)
    ws.set_column(2, len(headers) - 1, 18)
    sheet = _Writer(workbook, ws)
    sheet.line(*(("bold", h) for h in headers))
    ws.freeze_panes(1, 0)
    for row in rows:
        sheet.line(*row)
    if rows:
        ws.autofilter(0, 0, len(rows), len(headers) - 1)
    else:
        sheet.line(("text", section.empty))


def _tables_sheet(workbook, tables: list[Table]) -> None:
    ws = workbook.add_worksheet(str(_("What changed"))[:31])
    _print_setup(ws, landscape=True, footer_title=_("What changed"))
    ws.set_column(0, 0, 40)
    ws.set_column(1, 6, 22)
    sheet = _Writer(workbook, ws)
    sheet.line(("heading", _("What changed")))
    for table in tables:
        sheet.line()
        sheet.line(("bold", table.title))
        if not table.rows:
            sheet.line(("text", table.empty))
            continue
        sheet.line(*(("bold", h) for h in table.headers))
        for row in table.rows:
            sheet.line(*(("text", c) for c in row))


def _print_setup(ws, landscape: bool, footer_title: str) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)  # one page wide, as many pages long as it takes
    ws.set_margins(left=0.7, right=0.7, top=0.8, bottom=0.8)
    # &P and &N: the page number and the number of pages ("Sida 2 av 5").
    title = str(footer_title).replace("&", "&&")[:100]
    ws.set_footer(f"&L{title}&R{_('Page')} &P {_('of')} &N")


def _summary_sheet(
    workbook, summary: Summary, title, described_filter, day: date, heading: Heading
) -> None:
    ws = workbook.add_worksheet(str(_("Summary"))[:31])
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, 50)
    _print_setup(ws, landscape=False, footer_title=title)
    sheet = _Writer(workbook, ws)
    for line in heading.lines():
        sheet.line(("bold", line))
    if heading:
        sheet.line()
    sheet.line(("heading", title))
    sheet.line(("text", _("Date")), ("date", day))
    sheet.line()
    sheet.line(("bold", _("Filter used")))
    for label, value in described_filter:
        sheet.line(("text", label), ("text", value))
    sheet.line()
    sheet.line(("bold", _("Initiatives")), ("number", summary.total))
    if not summary.total:
        sheet.line(("text", _("No initiatives match the filter.")))
    sheet.line(("text", _("Need an update")), ("number", summary.stale))
    if summary.average_progress is not None:
        sheet.line(("text", _("Average progress (active)")), ("percent", summary.average_progress))
    sheet.line()
    sheet.line(("bold", _("Status")), ("bold", _("Number")))
    for status, n in summary.by_status.items():
        sheet.line(("text", str(status.label)), ("number", n))
    sheet.line()
    sheet.line(("bold", _("Health (active initiatives)")), ("bold", _("Number")))
    for health, n in summary.by_health.items():
        sheet.line(("text", str(health.label)), ("number", n))


MATURITY_COLUMNS = (
    (_l("Level"), 12),
    (_l("Dimension"), 20),
    (_l("Category"), 30),
    (_l("Capability"), 24),
    (_l("Question"), 60),
    (_l("Latest round (%)"), 14),
    (_l("Previous round (%)"), 14),
    (_l("Change (percentage points)"), 14),
    (_l("Weak area"), 12),
)


def _maturity_sheet(workbook, section: Section) -> None:
    """The latest round against the previous one: the rounds, the three weakest categories, then
    one row per dimension, category and question, with the figures as numbers."""
    ws = workbook.add_worksheet(str(_("Digital maturity"))[:31])
    _print_setup(ws, landscape=True, footer_title=str(_("Digital maturity")))
    for index, (_label, width) in enumerate(MATURITY_COLUMNS):
        ws.set_column(index, index, width)
    sheet = _Writer(workbook, ws)
    sheet.line(("heading", _("Digital maturity")))
    if section.latest is None:
        sheet.line(("text", section.introduction))
        return
    sheet.line(("text", _("Results for")), ("text", section.scope))
    sheet.line(("text", _("Latest round")), ("text", section.latest.name))
    sheet.line(("text", _("Measured")), ("date", section.latest.measured_on))
    if section.previous is not None:
        sheet.line(("text", _("Previous round")), ("text", section.previous.name))
        sheet.line(("text", _("Measured")), ("date", section.previous.measured_on))
    else:
        sheet.line(("text", _("Previous round")), ("text", _("None to compare with")))
    sheet.line()
    sheet.line(("bold", _("The three weakest areas")), ("bold", _("Latest round (%)")))
    for weak in section.weakest:
        sheet.line(("text", weak.name), ("decimal", weak.latest))
    sheet.line()
    first = sheet.row
    # The table's header stays in view and is printed on every page, as on the list sheet.
    ws.freeze_panes(first + 1, 0)
    ws.repeat_rows(first)
    sheet.line(*(("bold", str(label)) for label, _width in MATURITY_COLUMNS))
    levels = (_("Dimension"), _("Category"), _("Question"))
    yes = _("Yes")

    def figures(level: str, dimension: str, category: str, line) -> None:
        sheet.line(
            ("text", level),
            ("text", dimension),
            ("text", category),
            ("text", line.capability),
            ("text", line.name if level == levels[2] else ""),
            ("decimal", line.latest),
            ("decimal", line.previous),
            ("change", line.change),
            ("text", yes if line.weak else ""),
        )

    for dimension in section.dimensions:
        figures(levels[0], dimension.line.name, "", dimension.line)
        for category in dimension.categories:
            figures(levels[1], dimension.line.name, category.line.name, category.line)
            for question in category.questions:
                figures(levels[2], dimension.line.name, category.line.name, question)
    ws.autofilter(first, 0, sheet.row - 1, len(MATURITY_COLUMNS) - 1)
