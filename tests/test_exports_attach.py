"""Documents a secretary attaches as they are: A4 Word with page numbers and real properties, a
tagged PDF whose header cells have /Scope and whose lists are L > LI > LBody, a printable
workbook, and the optional heading ("Bilaga till ärende", the meeting, "Status per") in each."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import openpyxl
import pikepdf
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader

from .test_exports import fetch, portfolio  # noqa: F401 - the fixture

HEADING = "dnr=KS+2026%2F123&meeting=Kommunstyrelsen+8+december+2026&as_of=2026-12-01"


def _close(a, b) -> bool:
    return abs(int(a) - int(b)) <= Mm(1)


# --- Word ---------------------------------------------------------------------------------------


def _docx(client, auth, query=HEADING):
    auth.login("ledning@example.se")
    response = fetch(client, f"/exports/initiatives.docx?committee=KS&{query}")
    assert response.status_code == 200
    return Document(io.BytesIO(response.get_data())), response.get_data()


def test_word_is_a4_with_swedish_margins_and_a_landscape_table(portfolio, client, auth):  # noqa: F811
    doc, _raw = _docx(client, auth)
    first, table_section = doc.sections[0], doc.sections[1]
    assert _close(first.page_width, Mm(210)) and _close(first.page_height, Mm(297))
    for section in doc.sections:
        for margin in (section.left_margin, section.right_margin, section.top_margin):
            assert _close(margin, Mm(25))
    assert table_section.orientation == WD_ORIENT.LANDSCAPE
    assert _close(table_section.page_width, Mm(297))


def test_word_table_widths_come_from_the_content(portfolio, client, auth):  # noqa: F811
    doc, _raw = _docx(client, auth)
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Initiativ")
    header = [c.text for c in table.rows[0].cells]
    assert "Måldatum" in header and "Kostnad" in header
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(set(widths)) > 3, "equal column widths"
    usable = Mm(297 - 50).twips
    assert sum(widths) <= usable * 1.01
    # No column narrower than its longest word at 8 pt (about 0.55 em a character).
    for index, width in enumerate(widths):
        words = [w for row in table.rows for w in row.cells[index].text.split()]
        longest = max(len(w) for w in words)
        assert width >= longest * 8 * 20 * 0.55, f"column {header[index]} splits words"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated header row


def test_word_has_page_numbers_real_properties_and_heading_styles(portfolio, client, auth):  # noqa: F811
    doc, raw = _docx(client, auth)
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "Sida" in footer and " av " in footer
    properties = doc.core_properties
    assert properties.title == "Statuslista: Kommunstyrelsen"
    assert properties.author == "Nykvarns kommun" and properties.language == "sv-SE"
    created = properties.created.replace(tzinfo=UTC)
    assert datetime.now(UTC) - created < timedelta(minutes=5)
    assert properties.last_modified_by != "python-docx" and properties.revision == 1
    app = zipfile.ZipFile(io.BytesIO(raw)).read("docProps/app.xml").decode()
    assert "<Company>Nykvarns kommun</Company>" in app and "Macintosh" not in app
    styles = {p.style.name for p in doc.paragraphs if p.text}
    assert {"Heading 1", "Heading 2"} <= styles


def test_word_prints_the_heading(portfolio, client, auth):  # noqa: F811
    doc, _raw = _docx(client, auth)
    first = [p.text for p in doc.paragraphs[:4]]
    assert first[:3] == [
        "Bilaga till ärende KS 2026/123",
        "Kommunstyrelsen 8 december 2026",
        "Status per 1 dec. 2026",
    ]


def test_word_without_a_heading(portfolio, client, auth):  # noqa: F811
    doc, _raw = _docx(client, auth, query="")
    assert doc.paragraphs[0].style.name == "Heading 1"
    assert not any("Bilaga" in p.text for p in doc.paragraphs)


# --- PDF ----------------------------------------------------------------------------------------


def _pdf(client, auth):
    auth.login("ledning@example.se")
    response = fetch(client, f"/exports/initiatives.pdf?committee=KS&{HEADING}")
    assert response.status_code == 200
    return response.get_data()


def _structure(pdf: bytes) -> list[tuple[list[str], pikepdf.Dictionary]]:
    out = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        stack = [(document.Root.StructTreeRoot, [])]
        while stack:
            node, path = stack.pop()
            kind = str(node.get("/S"))
            out.append((path + [kind], {"A": node.get("/A"), "kids": _kids(node)}))
            for kid in _kids(node):
                stack.append((kid, path + [kind]))
        # Read everything while the file is open.
        return [
            (p, {"scope": _scope(d["A"]), "kids": [str(k.get("/S")) for k in d["kids"]]})
            for p, d in out
        ]


def _kids(node):
    kids = node.get("/K")
    if kids is None:
        return []
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _scope(attributes):
    if isinstance(attributes, pikepdf.Dictionary) and "/Scope" in attributes:
        return str(attributes.Scope)
    return None


def test_pdf_header_cells_have_scope(portfolio, client, auth):  # noqa: F811
    nodes = _structure(_pdf(client, auth))
    headers = [(path, data) for path, data in nodes if path[-1] == "/TH"]
    assert headers
    for path, data in headers:
        expected = "/Column" if "/THead" in path else "/Row"
        assert data["scope"] == expected, f"{' > '.join(path)} has scope {data['scope']}"


def test_pdf_lists_are_l_li_lbody(portfolio, client, auth):  # noqa: F811
    nodes = _structure(_pdf(client, auth))
    lists = [(path, data) for path, data in nodes if path[-1] == "/L"]
    assert lists
    for path, data in lists:
        assert data["kids"] and set(data["kids"]) == {"/LI"}, f"{path}: L > {data['kids']}"
    for path, data in nodes:
        if path[-1] == "/LI":
            assert "/LBody" in data["kids"] and set(data["kids"]) <= {"/Lbl", "/LBody"}


def test_pdf_page_one_holds_the_heading_summary_and_the_start_of_the_table(
    portfolio,  # noqa: F811
    client,
    auth,
):
    reader = PdfReader(io.BytesIO(_pdf(client, auth)))
    first = reader.pages[0].extract_text()
    assert "Bilaga till ärende KS 2026/123" in first and "Status per 1 dec. 2026" in first
    assert "Sammanfattning" in first
    # The table starts on page 1, with the target date and the cost.
    assert "Måldatum" in first and "Kostnad" in first
    assert "Sida 1 av" in first


# --- XLSX ---------------------------------------------------------------------------------------


def test_workbook_prints_on_a4_landscape_fit_to_width(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    response = fetch(client, f"/exports/initiatives.xlsx?committee=KS&{HEADING}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    summary, initiatives = book.worksheets[0], book.worksheets[1]
    for sheet in (summary, initiatives):
        assert str(sheet.page_setup.paperSize) == "9"  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # fitToWidth 1 is the default, which xlsxwriter leaves out; 0 pages high: as many as needed.
        assert (sheet.page_setup.fitToWidth or 1) == 1 and sheet.page_setup.fitToHeight == 0
        assert "&P" in sheet.oddFooter.right.text and "&N" in sheet.oddFooter.right.text
    assert initiatives.page_setup.orientation == "landscape"
    assert initiatives.print_title_rows == "$1:$1"  # the header row on every page
    assert [summary.cell(row=r, column=1).value for r in (1, 2, 3)] == [
        "Bilaga till ärende KS 2026/123",
        "Kommunstyrelsen 8 december 2026",
        "Status per 1 dec. 2026",
    ]


# --- the heading on the export page, and hostile input ----------------------------------------


def test_export_page_offers_the_heading_and_its_links_carry_it(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    html = client.get(f"/exports?committee=KS&{HEADING}").get_data(as_text=True)
    for name in ("dnr", "meeting", "as_of"):
        assert f'name="{name}"' in html
    assert 'value="KS 2026/123"' in html
    for extension in ("pdf", "docx", "xlsx"):
        assert f"initiatives.{extension}?" in html
    assert html.count("dnr=KS+2026/123") >= 4  # pdf, docx, xlsx and csv


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("dnr=KS%0A2026", "styrtecken"),
        ("meeting=M%C3%B6te%00", "styrtecken"),
        ("dnr=" + "1" * 41, "högst 40"),
        ("meeting=" + "m" * 121, "högst 120"),
        ("dnr=%3Cscript%3E", "bokstäver, siffror"),
        ("as_of=2026-13-01", "ÅÅÅÅ-MM-DD"),
        ("as_of=igår", "ÅÅÅÅ-MM-DD"),
    ],
)
@pytest.mark.parametrize("extension", ["pdf", "docx", "xlsx", "csv"])
def test_a_bad_heading_is_refused_with_a_message(
    portfolio,  # noqa: F811
    client,
    auth,
    query,
    message,
    extension,
):
    auth.login("ledning@example.se")
    response = fetch(client, f"/exports/initiatives.{extension}?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_bad_heading_on_the_export_page_keeps_what_was_typed(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    response = client.get("/exports?dnr=%3Cb%3Ex&meeting=KS")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "bokstäver, siffror" in html and 'value="&lt;b&gt;x"' in html
    assert "<b>x" not in html


def test_every_bad_heading_field_gets_its_own_message_at_once(portfolio, client, auth):  # noqa: F811
    """Three mistakes, three messages, each tied to its field (aria-invalid, described by its
    message): the secretary does not fix one to find the next."""
    auth.login("ledning@example.se")
    html = client.get(f"/exports?dnr=%3Cb%3Ex&meeting={'m' * 121}&as_of=ig%C3%A5r").text
    for name, message in (
        ("export-dnr", "bokstäver, siffror"),
        ("export-meeting", "högst 120"),
        ("export-as-of", "ÅÅÅÅ-MM-DD"),
    ):
        error = re.search(rf'<p class="field__error" id="{name}-error">(.*?)</p>', html, re.S)
        assert error and message in error.group(1), name
        field = re.search(rf'<input[^>]*id="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field and f"{name}-error" in field, field
    assert html.count('class="field__error"') == 3
    # Filled in with JavaScript on, only the summary is swapped: the messages come in it, with
    # links to the fields, and no download goes out without the heading meanwhile.
    fragment = client.get(
        "/exports?dnr=%3Cb%3Ex&meeting=KS", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert 'role="alert"' in fragment and 'href="#export-dnr"' in fragment
    assert "bokstäver, siffror" in fragment
    assert "initiatives.pdf" not in fragment and "initiatives.csv" not in fragment
    fixed = client.get("/exports?dnr=KS+1&meeting=KS", headers={"HX-Request": "true"}).text
    assert 'role="alert"' not in fixed and "meeting=KS" in fixed


def test_csv_prints_the_heading_above_the_table(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    response = client.get("/exports/initiatives.csv?dnr=KS+2026/123&meeting=KS+15+januari")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).lstrip("\ufeff").split("\r\n")
    assert lines[0] == "Bilaga till ärende KS 2026/123"
    assert lines[1] == "KS 15 januari"
    assert lines[2] == "" and lines[3].startswith("Titel;")
    plain = client.get("/exports/initiatives.csv").get_data(as_text=True).lstrip("\ufeff")
    assert plain.startswith("Titel;")
