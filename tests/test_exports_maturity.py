"""The digital maturity comparison in the exports (issue 8): a sheet in the XLSX file and a section
in the PDF and Word reports with ``maturity=1``, read back with openpyxl, pypdf and python-docx;
the case of no round; nothing without the parameter; its validation and its audit."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent

from .test_exports import fetch, portfolio, read_csv, read_xlsx  # noqa: F401 - the fixture
from .test_maturity import make_rounds

HEADER = [
    "Nivå",
    "Dimension",
    "Kategori",
    "Förmåga",
    "Fråga",
    "Senaste mätomgången (%)",
    "Föregående mätomgång (%)",
    "Förändring (procentenheter)",
    "Svagt område",
]
NO_ROUND = "Ingen mätning av digital mognad har registrerats."


@pytest.fixture
def two_rounds(portfolio, org):  # noqa: F811
    rounds = make_rounds(org)
    db.session.commit()
    return rounds


def maturity_table(sheet) -> tuple[list[list], dict[tuple[str, str], tuple]]:
    """The rows above the table, and the table's rows by (level, name) with their cells."""
    rows = [list(r) for r in sheet.iter_rows()]
    start = next(i for i, r in enumerate(rows) if [c.value for c in r] == HEADER)
    table = {}
    for r in rows[start + 1 :]:
        level, dimension, category, _capability, question = (c.value for c in r[:5])
        name = {"Dimension": dimension, "Kategori": category, "Fråga": question}[level]
        table[(level, name)] = tuple(r[5:])
    return [[c.value for c in r if c.value is not None] for r in rows[:start]], table


def pdf_text(response) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(response.get_data()))
    return reader, " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def docx_headings(doc) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]


# --- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_has_a_maturity_sheet_with_typed_figures(two_rounds, client, auth):
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.xlsx?committee=KS&maturity=1")
    assert response.status_code == 200
    workbook = read_xlsx(response)
    assert workbook.sheetnames == [
        "Sammanfattning",
        "Initiativ",
        "Digital mognad",
        "Nyttorealisering",
    ]
    top, table = maturity_table(workbook["Digital mognad"])
    # A committee has no figures of its own: the whole organisation's are shown.
    assert top[:6] == [
        ["Digital mognad"],
        ["Resultat för", "Hela organisationen"],
        ["Senaste mätomgången", "Mätning 2021"],
        ["Mätt", datetime(2021, 10, 1)],
        ["Föregående mätomgång", "Mätning 2020"],
        ["Mätt", datetime(2020, 10, 1)],
    ]
    weakest = top.index(["De tre svagaste områdena", "Senaste mätomgången (%)"])
    assert top[weakest + 1 : weakest + 4] == [
        ["Processer och arbetssätt", 18.8],
        ["Innovation och tjänsteutveckling", 20],
        ["Kompetens och kultur", 33.3],
    ]

    def values(key):
        return tuple(c.value for c in table[key][:3])

    assert values(("Dimension", "Digital förmåga")) == (35.8, 33.3, 2.5)
    assert values(("Dimension", "Digitalt arv")) == (48.9, 46.7, 2.2)
    assert values(("Kategori", "Strategi och ledning")) == (54, 50, 4)
    assert values(("Kategori", "Teknik och infrastruktur")) == (68, 70, -2)
    assert values(("Fråga", "Fråga K1")) == (33.3, 30, 3.3)
    assert values(("Fråga", "Fråga P1")) == (12.5, 10, 2.5)
    assert len(table) == 2 + 6 + 9  # dimensions, categories, questions
    latest, previous, change, weak = table[("Kategori", "Processer och arbetssätt")]
    for cell in (latest, previous, change):
        assert cell.data_type == "n" and isinstance(cell.value, int | float)
    assert latest.number_format == previous.number_format == "0.0"
    assert change.number_format == "+0.0;-0.0;0.0"
    assert weak.value == "Ja" and table[("Kategori", "Strategi och ledning")][3].value is None


def test_xlsx_maturity_table_header_is_frozen_and_printed_on_every_page(two_rounds, client, auth):
    """As on the list sheet: the long table of questions keeps its bold header in view and on
    every printed page."""
    auth.login("ledning@example.se")
    sheet = read_xlsx(fetch(client, "/exports/initiatives.xlsx?maturity=1"))["Digital mognad"]
    header = next(r[0].row for r in sheet.iter_rows() if [c.value for c in r] == HEADER)
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.print_title_rows == f"${header}:${header}"
    assert all(c.font.b for c in sheet[header] if c.value)
    assert sheet.auto_filter.ref.startswith(f"A{header}:")


def test_xlsx_sheet_in_english(two_rounds, client, auth):
    auth.login("ledning@example.se")
    workbook = read_xlsx(fetch(client, "/exports/initiatives.xlsx?maturity=1&lang=en"))
    assert workbook.sheetnames[-2:] == ["Digital maturity", "Benefits realisation"]
    assert workbook["Digital maturity"]["A2"].value == "Results for"


def test_a_department_with_values_gets_its_own_figures(two_rounds, client, auth):
    auth.login("ledning@example.se")
    workbook = read_xlsx(fetch(client, "/exports/initiatives.xlsx?department=IT&maturity=1"))
    top, table = maturity_table(workbook["Digital mognad"])
    assert top[1] == ["Resultat för", "IT-avdelningen"]
    # IT has values in 2021 only: S1 = 30, P1 = 80.
    assert [c.value for c in table[("Kategori", "Strategi och ledning")][:3]] == [30, None, None]
    # HR has none of its own: the whole organisation's figures.
    workbook = read_xlsx(fetch(client, "/exports/initiatives.xlsx?department=HR&maturity=1"))
    top, table = maturity_table(workbook["Digital mognad"])
    assert top[1] == ["Resultat för", "Hela organisationen"]
    assert [c.value for c in table[("Kategori", "Strategi och ledning")][:3]] == [54, 50, 4]


# --- PDF and DOCX -------------------------------------------------------------------------------


def test_pdf_has_a_maturity_section_after_the_summary(two_rounds, client, auth):
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.pdf?committee=KS&maturity=1")
    assert response.status_code == 200
    reader, text = pdf_text(response)
    assert "Digital mognad" not in reader.pages[0].extract_text()
    section = " ".join(reader.pages[1].extract_text().split())
    assert section.startswith("Digital mognad")
    assert "Mätning 2021 (2021-10-01) jämfört med Mätning 2020 (2020-10-01)" in section
    assert "Resultat för: Hela organisationen" in section
    weakest = [
        "Processer och arbetssätt: 18,8 % (+3,8 procentenheter)",
        "Innovation och tjänsteutveckling: 20,0 % (±0,0 procentenheter)",
        "Kompetens och kultur: 33,3 % (+3,3 procentenheter)",
    ]
    assert " ".join(weakest) in section  # the weakest first
    assert "Strategi och ledning 54,0 50,0 +4,0" in section
    assert "Teknik och infrastruktur 68,0 70,0 −2,0" in section
    assert "Dimensionen som helhet 35,8 33,3 +2,5" in section
    assert "Digital signering; avtal" in text  # the rest of the report follows


def test_docx_has_a_maturity_section_with_heading_and_table_header(two_rounds, client, auth):
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.docx?committee=KS&maturity=1")
    doc = Document(io.BytesIO(response.get_data()))
    headings = docx_headings(doc)
    section = headings.index(("Heading 2", "Digital mognad"))
    assert headings.index(("Heading 2", "Sammanfattning")) < section
    assert section < headings.index(("Heading 2", "Initiativ"))
    assert headings[section + 1 : section + 4] == [
        ("Heading 3", "De tre svagaste områdena"),
        ("Heading 3", "Digital förmåga"),
        ("Heading 3", "Digitalt arv"),
    ]
    tables = [t for t in doc.tables if t.rows[0].cells[0].text == "Kategori"]
    assert len(tables) == 2
    capability = tables[0]
    header = capability.rows[0]
    assert [c.text for c in header.cells] == [
        "Kategori",
        "Mätning 2021",
        "Mätning 2020",
        "Förändring (procentenheter)",
    ]
    assert header._tr.trPr.find(qn("w:tblHeader")).get(qn("w:val")) == "true"
    rows = [[c.text for c in r.cells] for r in capability.rows[1:]]
    assert ["Strategi och ledning", "54,0", "50,0", "+4,0"] in rows
    assert ["Innovation och tjänsteutveckling (Svagt område)", "20,0", "20,0", "±0,0"] in rows
    assert rows[-1] == ["Dimensionen som helhet", "35,8", "33,3", "+2,5"]


# --- no round, one round, no parameter ----------------------------------------------------------


def test_without_a_round_the_files_say_so(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    workbook = read_xlsx(fetch(client, "/exports/initiatives.xlsx?maturity=1"))
    assert [[c.value for c in r] for r in workbook["Digital mognad"].iter_rows()] == [
        ["Digital mognad"],
        [NO_ROUND],
    ]
    response = fetch(client, "/exports/initiatives.pdf?maturity=1")
    assert response.status_code == 200
    assert f"Digital mognad {NO_ROUND}" in pdf_text(response)[1]
    doc = Document(io.BytesIO(fetch(client, "/exports/initiatives.docx?maturity=1").get_data()))
    assert ("Heading 2", "Digital mognad") in docx_headings(doc)
    assert NO_ROUND in [p.text for p in doc.paragraphs]


def test_with_one_round_there_is_nothing_to_compare_with(two_rounds, client, auth):
    _latest, previous = two_rounds
    db.session.delete(previous)
    db.session.commit()
    auth.login("ledning@example.se")
    top, table = maturity_table(
        read_xlsx(fetch(client, "/exports/initiatives.xlsx?maturity=1"))["Digital mognad"]
    )
    assert ["Föregående mätomgång", "Ingen att jämföra med"] in top
    assert [c.value for c in table[("Kategori", "Strategi och ledning")][:3]] == [54, None, None]
    text = pdf_text(fetch(client, "/exports/initiatives.pdf?maturity=1"))[1]
    assert "Det finns ingen tidigare mätomgång att jämföra med än." in text
    assert "Strategi och ledning 54,0 – –" in text


def test_without_the_parameter_nothing_changes(two_rounds, client, auth):
    auth.login("ledning@example.se")
    workbook = read_xlsx(fetch(client, "/exports/initiatives.xlsx"))
    assert workbook.sheetnames == ["Sammanfattning", "Initiativ", "Nyttorealisering"]
    assert "Digital mognad" not in pdf_text(fetch(client, "/exports/initiatives.pdf"))[1]
    doc = Document(io.BytesIO(fetch(client, "/exports/initiatives.docx").get_data()))
    assert "Digital mognad" not in [text for _style, text in docx_headings(doc)]
    # The CSV file is one table: the parameter changes nothing in it.
    plain = read_csv(fetch(client, "/exports/initiatives.csv"))
    assert read_csv(fetch(client, "/exports/initiatives.csv?maturity=1")) == plain


@pytest.mark.parametrize("extension", ["csv", "xlsx", "pdf", "docx"])
def test_unknown_values_are_refused(portfolio, client, auth, extension):  # noqa: F811
    auth.login("ledning@example.se")
    for value in ("yes", "0", "2"):
        response = fetch(client, f"/exports/initiatives.{extension}?maturity={value}")
        assert response.status_code == 400
        assert "maturity=1" in response.get_data(as_text=True)
        assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert fetch(client, f"/exports/initiatives.{extension}?maturity=").status_code == 200


@pytest.mark.parametrize(
    "extension,recorded", [("xlsx", True), ("pdf", True), ("docx", True), ("csv", False)]
)
def test_the_audit_event_records_the_section(two_rounds, client, auth, extension, recorded):
    auth.login("ledning@example.se")
    assert fetch(client, f"/exports/initiatives.{extension}?maturity=1").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.initiatives"))
    assert event.changes.get("maturity", False) is recorded


# --- the export page ----------------------------------------------------------------------------


def test_export_page_offers_the_option_and_links_carry_it(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    html = fetch(client, "/exports?committee=KS").get_data(as_text=True)
    assert 'id="export-maturity" name="maturity" value="1"' in html
    assert "Ta med jämförelsen av digital mognad" in html
    assert "maturity=1" not in html and "checked" not in html
    html = fetch(client, "/exports?committee=KS&maturity=1").get_data(as_text=True)
    for extension in ("pdf", "docx", "xlsx"):
        assert f"/exports/initiatives.{extension}?committee=KS&amp;maturity=1" in html
    assert 'value="1" checked aria-describedby="export-maturity-hint"' in html
    html = fetch(client, "/exports?maturity=yes").get_data(as_text=True)
    assert "Okänt värde för maturity" in html
