"""Reading an uploaded table, CSV or XLSX, for the imports (users, maturity rounds).

CSV is read as UTF-8 with or without a byte order mark, with ``;`` or ``,`` as separator (what a
Swedish Excel writes, and what others do). XLSX is read from its first sheet. Both give plain rows
of strings; each import checks its own columns and values.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile

from flask_babel import lazy_gettext as _l

MAX_COLUMNS = 50


class ImportFileError(ValueError):
    """The file cannot be read as a table; nothing is written. The message is for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def heading_key(text: str) -> str:
    """A heading as compared: lower case, without spaces, dashes, underscores or a BOM."""
    return re.sub(r"[\s_\-]", "", text.strip().lower().lstrip("\ufeff"))


def read_table(filename: str, data: bytes, max_rows: int) -> tuple[list[str], list[list[str]]]:
    """The heading and the rows (at most ``max_rows`` + 1 are read) of an uploaded file,
    without blank rows and without empty cells after the last heading."""
    if not data:
        raise ImportFileError(_l("Choose a CSV or XLSX file to import."))
    name = filename or ""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "xlsx":
        table = _read_xlsx(data, max_rows)
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


def _read_xlsx(data: bytes, max_rows: int) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not need
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = []
                for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                    rows.append(["" if v is None else str(v) for v in row])
                    if len(rows) > max_rows + 1:
                        break
            finally:
                workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise ImportFileError(_l("The file is not a valid XLSX workbook.")) from None
    return rows
