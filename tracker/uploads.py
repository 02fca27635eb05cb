"""Reading an uploaded table, CSV or XLSX, for the imports (users, maturity rounds).

CSV is read as UTF-8 with or without a byte order mark, with ``;`` or ``,`` as separator (what a
Swedish Excel writes, and what others do). XLSX is read from its first sheet. Both give plain rows
of strings; each import checks its own columns and values.

An XLSX file is a zip of XML parts, so a small upload can unpack to gigabytes (one 409 KB file
held a 400 MB cell) or hold millions of rows, and its XML could declare entities (external ones
read files; nested ones, "billion laughs", exhaust memory). Before openpyxl reads anything, the
archive is checked: the number of parts, each part's and the total unpacked size (from the zip
directory, which zipfile also enforces while it unpacks), then every XML part is streamed
through defusedxml, which refuses any document type declaration and malformed XML, while the
worksheet's rows are counted and the reading stops at the limit.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from flask_babel import lazy_gettext as _l

MAX_COLUMNS = 50
MAX_PARTS = 500
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Rows beyond the import's limit that may be blank (formatted but empty) before a file is refused.
BLANK_ROW_ALLOWANCE = 1000


class ImportFileError(ValueError):
    """The file cannot be read as a table; nothing is written. The message is for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def heading_key(text: str) -> str:
    """A heading as compared: lower case, without spaces, dashes, underscores or a BOM."""
    return re.sub(r"[\s_\-]", "", text.strip().lower().lstrip("\ufeff"))


def read_table(
    filename: str, data: bytes, max_rows: int, *, percent_as_shown: bool = False
) -> tuple[list[str], list[list[str]]]:
    """The heading and the rows (at most ``max_rows`` + 1 are read) of an uploaded file,
    without blank rows and without empty cells after the last heading. ``percent_as_shown``:
    an XLSX number in a percent format is read as the sheet shows it (0.725 as "72.5")."""
    if not data:
        raise ImportFileError(_l("Choose a CSV or XLSX file to import."))
    name = filename or ""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "xlsx":
        table = _read_xlsx(data, max_rows, percent_as_shown=percent_as_shown)
    elif suffix in ("csv", "txt"):
        table = _read_csv(data, max_rows)
    else:
        raise ImportFileError(_l("The file must be a CSV file (.csv) or an XLSX workbook (.xlsx)."))
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise ImportFileError(_l("The file is empty."))
    # Trailing empty cells (common in spreadsheets) are not columns.
    header = list(table[0])
    while header and not header[-1].strip():
        header.pop()
    return header, table[1:]


def check_row_count(body: list[list[str]], max_rows: int, empty_message, too_many_message) -> None:
    """Refuse a file with no rows under its heading, or with more than ``max_rows``."""
    if not body:
        raise ImportFileError(empty_message)
    if len(body) > max_rows:
        raise ImportFileError(too_many_message)


def _read_csv(data: bytes, max_rows: int) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _l("The file is not in UTF-8. In Excel, save it as “CSV UTF-8 (comma delimited)”.")
        ) from None
    if "\x00" in text:
        raise ImportFileError(_l("The file is not a CSV text file."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            rows.append(row)
            if len(rows) > max_rows + 1:
                break
    except csv.Error:
        raise ImportFileError(_l("The file is not a well-formed CSV file.")) from None
    return rows


class TooManyRows(ImportFileError):
    """More rows than may be read; ``max_rows`` is the limit the message names."""

    def __init__(self, max_rows: int):
        super().__init__(
            _l("The file has more than %(n)d rows. Split it into smaller files.", n=max_rows)
        )
        self.max_rows = max_rows


def _too_many_rows(max_rows: int):
    return TooManyRows(max_rows)


def check_xlsx(data: bytes, max_rows: int) -> None:
    """Refuse a workbook that would exhaust the server or hide entities, before it is read."""
    invalid = ImportFileError(_l("The file is not a valid XLSX workbook."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise invalid from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise invalid
        if any(p.file_size > MAX_PART_BYTES for p in parts) or (
            sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES
        ):
            raise ImportFileError(
                _l(
                    "The file unpacks to more than %(n)d MB. Remove what the import does not "
                    "need, or split it into smaller files.",
                    n=MAX_UNPACKED_BYTES // (1024 * 1024),
                )
            )
        for part in parts:
            if part.filename.lower().endswith((".xml", ".rels", ".vml")):
                _check_xml(archive, part, max_rows)


def _check_xml(archive: zipfile.ZipFile, part: zipfile.ZipInfo, max_rows: int) -> None:
    is_sheet = part.filename.lower().startswith("xl/worksheets/")
    rows = 0
    try:
        with archive.open(part) as stream:
            for _event, element in iterparse(stream, events=("end",), forbid_dtd=True):
                if is_sheet and element.tag.endswith("}row"):
                    rows += 1
                    if rows > max_rows + 1 + BLANK_ROW_ALLOWANCE:
                        raise _too_many_rows(max_rows)
                element.clear()  # keep memory flat: only the count matters here
    except ImportFileError:
        raise
    except (DefusedXmlException, ValueError):
        raise ImportFileError(
            _l("The file contains XML declarations that are not allowed (entities or a DTD).")
        ) from None
    except (SyntaxError, zipfile.BadZipFile, OSError, EOFError):  # ParseError is a SyntaxError
        raise ImportFileError(_l("The file is not a valid XLSX workbook.")) from None


def _percent_text(value: float) -> str:
    """A fraction stored under a percent format, as the percent the sheet shows: 0.725 -> 72.5."""
    shown = round(value * 100, 6)
    return str(int(shown)) if shown == int(shown) else repr(shown)


def _cell_text(cell, percent_as_shown: bool) -> str:
    value = cell.value
    if value is None:
        return ""
    if (
        percent_as_shown
        and type(value) in (int, float)
        and "%" in str(getattr(cell, "number_format", "") or "")
    ):
        return _percent_text(value)
    return str(value)


def _read_xlsx(
    data: bytes, max_rows: int, *, fill_merged: bool = False, percent_as_shown: bool = False
) -> list[list[str]]:
    """The first sheet's rows as text. With ``fill_merged``, a cell merged down over several
    rows (a department written once beside the initiatives it has) gives its value to each of
    those rows, as the sheet shows it. With ``percent_as_shown``, a number in a percent format
    (what Excel stores for "72,5 %" typed in a cell: 0.725) is the percent ("72.5")."""
    from openpyxl import load_workbook

    check_xlsx(data, max_rows)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not need
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = []
                for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=not percent_as_shown):
                    if percent_as_shown:
                        rows.append([_cell_text(cell, True) for cell in row])
                    else:
                        rows.append(["" if v is None else str(v) for v in row])
                    if len(rows) > max_rows + 1:
                        break
                if fill_merged:
                    _fill_merged_down(rows, sheet)
            finally:
                workbook.close()
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        IndexError,
        TypeError,
        SyntaxError,
        EOFError,
    ):
        raise ImportFileError(_l("The file is not a valid XLSX workbook.")) from None
    return rows


def _fill_merged_down(rows: list[list[str]], sheet) -> None:
    """Give the value of each range merged within one column to every row of the range that
    has values (the file keeps it in the range's first cell only). The sheet's XML was checked
    by ``check_xlsx``; ranges over several columns (a title) are left as they are."""
    from openpyxl.utils.cell import range_boundaries

    first_row, first_column = sheet.min_row or 1, sheet.min_column or 1
    source = sheet._get_source()
    try:
        for _event, element in iterparse(source, events=("end",), forbid_dtd=True):
            if element.tag.endswith("}mergeCell"):
                try:
                    left, top, right, bottom = range_boundaries(element.get("ref", ""))
                except (TypeError, ValueError):
                    left = right = top = bottom = None
                if left is not None and left == right and top < bottom:
                    column = left - first_column
                    start, end = top - first_row, min(bottom - first_row, len(rows) - 1)
                    if 0 <= column < MAX_COLUMNS and 0 <= start < len(rows):
                        value = rows[start][column] if column < len(rows[start]) else ""
                        for row in rows[start + 1 : end + 1]:
                            if not any(cell.strip() for cell in row):
                                continue  # a blank row stays blank
                            row.extend([""] * (column + 1 - len(row)))
                            if not row[column]:
                                row[column] = value
            element.clear()
    finally:
        source.close()


# --- additions for imports that need more (the initiatives import) ----------------------------
# These only accept more than the readers above: a CSV in Windows-1252 (what older Excel saves as
# "CSV (semicolon delimited)"), a separator sniffed from the first lines rather than the first
# line alone, and rows that keep their line numbers so that a title row or blank rows above the
# heading still give the user the line numbers they see in their spreadsheet.

SNIFF_LINES = 10


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252; ImportFileError if neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            _l("The file is not in UTF-8. In Excel, save it as “CSV UTF-8 (comma delimited)”.")
        ) from None


def sniff_delimiter(text: str) -> str:
    """``;`` or ``,``: the one that splits the first non-blank lines into more cells (a title
    line above the heading has few or none), ``;`` when they tie (what a Swedish Excel writes)."""
    lines = [line for line in text.splitlines()[: SNIFF_LINES * 4] if line.strip()][:SNIFF_LINES]
    semicolons = max((line.count(";") for line in lines), default=0)
    commas = max((line.count(",") for line in lines), default=0)
    return "," if commas > semicolons else ";"


def read_rows(filename: str, data: bytes, max_rows: int) -> list[tuple[int, list[str]]]:
    """``(line, cells)`` for every non-blank row of an uploaded CSV or XLSX file, where ``line``
    is the row's number in the file (1 for the first). At most ``max_rows`` + 1 rows are read.

    CSV may be UTF-8 or Windows-1252, separated by ``;`` or ``,``; XLSX is read from its first
    sheet with the reader above. Cells are plain strings; nothing is ever evaluated."""
    if not data:
        raise ImportFileError(_l("Choose a CSV or XLSX file to import."))
    name = filename or ""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        if suffix == "xlsx":
            table = _read_xlsx(
                data, max_rows + SNIFF_LINES, fill_merged=True, percent_as_shown=True
            )
        elif suffix in ("csv", "txt"):
            table = _read_legacy_csv(data, max_rows + SNIFF_LINES)
        else:
            raise ImportFileError(
                _l("The file must be a CSV file (.csv) or an XLSX workbook (.xlsx).")
            )
    except TooManyRows:
        # The reader's limit has room for title rows above the heading; the user's is this one.
        raise TooManyRows(max_rows) from None
    rows = [
        (number, row[:MAX_COLUMNS])
        for number, row in enumerate(table, start=1)
        if any(cell.strip() for cell in row)
    ]
    if not rows:
        raise ImportFileError(_l("The file is empty."))
    return rows


def _read_legacy_csv(data: bytes, max_rows: int) -> list[list[str]]:
    text = decode_text(data)
    if "\x00" in text:
        raise ImportFileError(_l("The file is not a CSV text file."))
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > max_rows + 1:
                break
    except csv.Error:
        raise ImportFileError(_l("The file is not a well-formed CSV file.")) from None
    return rows


def find_heading(rows: list[tuple[int, list[str]]], recognised, search: int = SNIFF_LINES) -> int:
    """The index in ``rows`` of the heading: the first of the first ``search`` rows in which at
    least two cells are headings that ``recognised(text)`` knows (rows above it are a title)."""
    best, best_count = None, 1
    for index, (_line, cells) in enumerate(rows[:search]):
        count = sum(1 for cell in cells if cell.strip() and recognised(cell))
        if count > best_count:
            best, best_count = index, count
            break
    if best is None:
        raise ImportFileError(
            _l("The heading row was not found. Use the headings of the template file.")
        )
    return best
