"""The file to fill in: the Swedish headings, an example row, and (XLSX) a sheet explaining each
column and its allowed values, with the departments and principles of this organisation."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from sqlalchemy import select

from ..exports.cells import neutralise
from ..extensions import db
from ..models import Department, Principle
from . import columns as cols

EXAMPLE_MOTIVATIONS = {
    0: "Tjänsten ska gå att använda med skärmläsare och på mobilen.",
    1: "",
    2: "Handläggarna slipper skriva av ansökningar för hand.",
}


def _principles() -> list[Principle]:
    principles = db.session.scalars(select(Principle).order_by(Principle.sort_order, Principle.id))
    return [p for p in principles if p.retired_at is None]


def _departments() -> list[Department]:
    return list(
        db.session.scalars(
            select(Department).where(Department.active.is_(True)).order_by(Department.name)
        )
    )


def rows() -> list[list[str]]:
    """The heading and one example row."""
    principles = _principles()
    departments = _departments()
    heading = [c.sv for c in cols.COLUMNS if c.key != "owner_name"]
    example = []
    for column in cols.COLUMNS:
        if column.key == "owner_name":
            continue
        value = column.example
        if column.key == "department":
            value = departments[0].code if departments else "IT"
        elif column.key == "owner":
            value = "fornamn.efternamn@kommun.se"
        example.append(value)
    for index, principle in enumerate(principles):
        heading.append(principle.name_sv)
        example.append(EXAMPLE_MOTIVATIONS.get(index, ""))
    return [heading, example]


def explanation() -> list[list[str]]:
    """Column, required or not, what it holds and the allowed values: in the user's language."""
    table = [[_("Column"), _("Required"), _("What it holds and the allowed values")]]
    for column in cols.COLUMNS:
        if column.key == "owner_name":
            continue
        table.append([column.sv, _("Yes") if column.required else _("No"), str(column.help)])
    for principle in _principles():
        table.append(
            [
                principle.name_sv,
                _("At least one"),
                _(
                    "How the initiative contributes to %(name)s. A text links the principle; "
                    "leave it empty if the initiative does not contribute. Only “ja” is not "
                    "enough.",
                    name=principle.name_sv,
                ),
            ]
        )
    table.append(
        [
            cols.BY_KEY["owner_name"].sv,
            _("No"),
            _("An extra column you may add: %(help)s", help=cols.BY_KEY["owner_name"].help),
        ]
    )
    table.append([])
    table.append([_("Departments"), _("Code"), _("Name")])
    for department in _departments():
        table.append(["", department.code, department.name])
    table.append([])
    table.append([_("Statuses"), ", ".join(cols.STATUS_SV.values())])
    table.append([_("Assessments"), ", ".join(cols.HEALTH_SV.values())])
    table.append([])
    table.append(
        [
            _("Title row"),
            "",
            _(
                "A title may stand in the rows above the headings. English headings are "
                "recognised too. Each row is one initiative."
            ),
        ]
    )
    return table


def as_csv() -> bytes:
    """Semicolons, UTF-8 with a byte order mark: what a Swedish Excel opens as it is."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows():
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Initiativ"
    for r, row in enumerate(rows(), start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = neutralise(value)
            cell.data_type = "s"  # text, never a formula
            if r == 1:
                cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for c in range(1, sheet.max_column + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = 24
    help_sheet = workbook.create_sheet(_("Instructions")[:31])
    for r, row in enumerate(explanation(), start=1):
        for c, value in enumerate(row, start=1):
            cell = help_sheet.cell(row=r, column=c)
            cell.value = neutralise(value)
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r == 1 or c == 1:
                cell.font = Font(bold=True)
    for letter, width in zip("ABC", (26, 14, 90), strict=True):
        help_sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
