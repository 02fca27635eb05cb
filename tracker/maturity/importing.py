"""Reading a round's results from a CSV or XLSX file, every row checked, nothing written here.

The file has one row per value: a question's result in percent, for the whole organisation (the
department cell empty) or for one department. Headings, in any order (Swedish or English):

  category   the category's key or name, one of the six (e.g. "strategi" or "Strategi och ledning")
  capability the capability (förmåga) the question measures
  question   the question's code, e.g. "STR1": the same code is the same question in every round
  text       the question's text
  department a department code, or empty for the whole organisation
  percent    0–100; a decimal comma or point, and a trailing "%", are accepted
  capability_en, text_en   optional English texts

A question already stored needs only its code (capability and text may be left empty, and must
match the stored ones when given); a new question is defined by its first row. The file is read
with the user import's readers (UTF-8 with or without BOM, ";" or ",", the first sheet of an XLSX).
The checked rows travel to the confirmation in a signed hidden field, as in the user import.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from ..admin.services.user_import import MAX_ROWS, PAYLOAD_MAX_AGE
from ..extensions import db
from ..models import Department, MaturityQuestion, User
from ..uploads import ImportFileError, check_row_count, heading_key, read_table
from .structure import CATEGORIES

__all__ = ["ImportFileError", "ImportRow", "check_rows", "parse_file", "template_rows"]

SALT = "tracker.maturity.round-import"
REQUIRED = ("category", "capability", "question", "text", "department", "percent")
OPTIONAL = ("capability_en", "text_en")
HEADINGS = {
    "category": {"category", "kategori"},
    "capability": {"capability", "förmåga", "formaga"},
    "question": {"question", "questioncode", "fråga", "fraga", "frågekod", "fragekod"},
    "text": {"text", "questiontext", "frågetext", "fragetext"},
    "department": {"department", "departmentcode", "avdelning", "avdelningskod"},
    "percent": {"percent", "procent", "value", "värde", "varde", "%"},
    "capability_en": {"capabilityen", "förmågaen", "formagaen"},
    "text_en": {"texten", "questiontexten", "frågetexten", "fragetexten"},
}
QUESTION_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")


@dataclass
class ImportRow:
    line: int  # as the user sees it in the file: the heading is line 1
    category: str
    capability: str
    question: str
    text: str
    department: str
    percent: str
    capability_en: str = ""
    text_en: str = ""
    problems: list = field(default_factory=list)

    def values(self) -> list:
        return [
            self.line,
            self.category,
            self.capability,
            self.question,
            self.text,
            self.department,
            self.percent,
            self.capability_en,
            self.text_en,
        ]

    @property
    def question_key(self) -> str:
        return self.question.strip().upper()

    @property
    def department_code(self) -> str:
        return self.department.strip().upper()


def parse_percent(text: str) -> float | None:
    """72.5, "72,5", "72,5 %" -> 72.5; None when it is not a number from 0 to 100."""
    cleaned = (text or "").strip().removesuffix("%").strip().replace(",", ".").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 <= value <= 100 else None


def category_key(text: str) -> str | None:
    """The key of the category named by its key, Swedish or English name (any case)."""
    wanted = " ".join(text.split()).lower()
    for key, _dimension, name_sv, name_en in CATEGORIES:
        if wanted in (key, name_sv.lower(), name_en.lower()):
            return key
    return None


def _columns(header: list[str]) -> list[str]:
    names = []
    for heading in header:
        key = heading_key(heading)
        name = next((c for c, accepted in HEADINGS.items() if key in accepted), None)
        if name is None or name in names:
            raise ImportFileError(
                _l(
                    "Column “%(heading)s” is not one of the columns of the template, or appears "
                    "twice. Use the headings of the template file.",
                    heading=heading.strip()[:50],
                )
            )
        names.append(name)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ImportFileError(
            _l(
                "Columns are missing: %(columns)s. Use the template file.",
                columns=", ".join(missing),
            )
        )
    return names


def parse_file(filename: str, data: bytes) -> list[ImportRow]:
    """The rows of a CSV or XLSX file with its heading checked; ImportFileError if unreadable."""
    # "72,5 %" typed in a Swedish Excel is stored as 0.725 in a percent format: read 72.5.
    header, body = read_table(filename, data, MAX_ROWS, percent_as_shown=True)
    columns = _columns(header)
    check_row_count(
        body,
        MAX_ROWS,
        _l("The file has a heading but no values."),
        _l("The file has more than %(n)d rows. Split it into smaller files.", n=MAX_ROWS),
    )
    rows = []
    for number, cells in enumerate(body, start=2):
        values = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}
        row = ImportRow(number, **{c: values.get(c, "") for c in (*REQUIRED, *OPTIONAL)})
        if any(cell.strip() for cell in cells[len(columns) :]):
            row.problems.append(_l("The row has more cells than there are columns."))
        rows.append(row)
    if all(row.department.strip() for row in rows):
        raise ImportFileError(
            _l(
                "The file has no values for the whole organisation: "
                "leave the department empty on those rows."
            )
        )
    return rows


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def check_rows(rows: list[ImportRow]) -> bool:
    """Add every row's problems against the database and the rest of the file; True if none."""
    stored = {
        q.key: q
        for q in db.session.scalars(select(MaturityQuestion).join(MaturityQuestion.category))
    }
    stored_category = {q.key: q.category.key for q in stored.values()}
    departments = {d.code.upper() for d in db.session.scalars(select(Department))}
    defined: dict[str, ImportRow] = {}  # new questions: the row that defines each
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        key = category_key(row.category)
        if key is None:
            row.problems.append(_l("Unknown category."))
        code = row.question_key
        if not code:
            row.problems.append(_l("The question code is missing."))
        elif not QUESTION_KEY.match(code):
            row.problems.append(
                _l("A question code has at most 20 letters, digits, dots, hyphens or underscores.")
            )
        elif code in stored:
            question = stored[code]
            if key is not None and key != stored_category[code]:
                row.problems.append(
                    _l("The question belongs to another category in earlier rounds.")
                )
            if row.text and not _same(row.text, question.text_sv):
                row.problems.append(
                    _l(
                        "The question text differs from the stored one. "
                        "Use a new question code for a new question."
                    )
                )
            if row.capability and not _same(row.capability, question.capability_sv):
                row.problems.append(_l("The capability differs from the stored one."))
        elif code not in defined:
            if not row.text:
                row.problems.append(_l("Unknown question: give its text to add it."))
            if not row.capability:
                row.problems.append(_l("Give the capability the new question measures."))
            defined[code] = row
        else:
            first = defined[code]
            if key is not None and key != category_key(first.category):
                row.problems.append(
                    _l("The question has another category on line %(line)d.", line=first.line)
                )
            if (row.text and not _same(row.text, first.text)) or (
                row.capability and not _same(row.capability, first.capability)
            ):
                row.problems.append(
                    _l(
                        "The question has another text or capability on line %(line)d.",
                        line=first.line,
                    )
                )
        for name, limit in (
            ("text", 2000),
            ("text_en", 2000),
            ("capability", 200),
            ("capability_en", 200),
        ):
            if len(getattr(row, name)) > limit:
                row.problems.append(_l("A text is longer than %(n)d characters.", n=limit))
        department = row.department_code
        if department and department not in departments:
            row.problems.append(_l("Unknown department code."))
        if not row.percent.strip():
            row.problems.append(_l("The percent is missing."))
        elif parse_percent(row.percent) is None:
            row.problems.append(_l("The value must be a number from 0 to 100."))
        if code:
            scope = (code, department)
            if scope in seen:
                row.problems.append(
                    _l(
                        "The same question and department are also on line %(line)d.",
                        line=seen[scope],
                    )
                )
            else:
                seen[scope] = row.line
    return not any(row.problems for row in rows)


# --- between preview and confirmation -------------------------------------------------------


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def sign(secret_key: str, actor: User, meta: dict, rows: list[ImportRow]) -> str:
    """``meta``: the round's name, date (ISO), respondents and response rate as entered."""
    payload = {"actor": actor.id, "round": meta, "rows": [r.values() for r in rows]}
    return _serializer(secret_key).dumps(payload)


def unsign(secret_key: str, actor: User, payload: str) -> tuple[dict, list[ImportRow]]:
    """The round and rows of a preview this admin made within the hour, or ImportFileError."""
    expired = _l("The preview has expired or is not valid. Upload the file again.")
    try:
        data = _serializer(secret_key).loads(payload or "", max_age=PAYLOAD_MAX_AGE)
    except BadSignature:
        raise ImportFileError(expired) from None
    if not isinstance(data, dict) or data.get("actor") != actor.id:
        raise ImportFileError(expired)
    return data["round"], [ImportRow(*values) for values in data["rows"]]


# --- the template ---------------------------------------------------------------------------

HEADER = [
    "category",
    "capability",
    "question",
    "text",
    "department",
    "percent",
    "capability_en",
    "text_en",
]


def template_rows() -> list[list[str]]:
    """The heading and one row per stored question (whole organisation, percent empty); before
    the first round, one example row per category."""
    questions = db.session.scalars(
        select(MaturityQuestion)
        .join(MaturityQuestion.category)
        .order_by(MaturityQuestion.sort_order, MaturityQuestion.key)
    ).all()
    if questions:
        body = [
            [q.category.key, q.capability_sv, q.key, q.text_sv, "", "", q.capability_en, q.text_en]
            for q in questions
        ]
    else:
        body = [[key, "", f"{key[:3].upper()}1", "", "", "", "", ""] for key, *_ in CATEGORIES]
    return [HEADER, *body]


def template_csv() -> bytes:
    """The template as the status list's CSV is written: the same neutralising and quoting."""
    from ..exports.cells import csv_line, neutralise

    lines = "".join(csv_line([neutralise(cell) for cell in row]) for row in template_rows())
    return ("\ufeff" + lines).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "DiMiOS"
    for r, row in enumerate(template_rows(), start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            cell.data_type = "s"  # text, never a formula
            if r == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (16, 30, 10, 60, 12, 10, 30, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None
