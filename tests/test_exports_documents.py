"""Committee exports as documents (issue 5): the PDF read back with pypdf, the Word file with
python-docx; their structure for accessibility, the size limit and the renderer's fetch rule."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from tracker.exports import documents, services
from tracker.extensions import db

from .test_exports import FORMULA, fetch, portfolio  # noqa: F401 - the fixture

# Reports are dated in Swedish time, which runs ahead of the machine's UTC around midnight.
TODAY = datetime.now(ZoneInfo("Europe/Stockholm")).date().isoformat()


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_report_content(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.pdf?committee=KS")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    first = reader.pages[0].extract_text()
    assert "Statuslista: Kommunstyrelsen" in first
    assert "Kommunstyrelsen (KS)" in first and TODAY in first  # committee, filter, date
    assert "Sammanfattning" in first and "Bedömning (aktiva initiativ)" in first
    text = pdf_text(reader)
    for expected in (
        "Digital signering; avtal",
        FORMULA,
        "IT-avdelningen",
        "Cecilia Chef",
        "Pågående",
        "Risk",
        "40 %",
        "Tillgänglighet, Trygghet",
        "Syfte",
        "Signera avtal digitalt",
        "Bidrar till Tillgänglighet",  # a principle motivation
        "Senaste lägesrapport",
        "Juridiskt stöd",  # support needed
        "Senaste beslut",
        "Inget beslut registrerat.",
    ):
        assert expected in text, expected
    assert "Skolplattform" not in text  # BUN is filtered out
    # Page numbers "Sida n av total" on every page (the table starts on page 1 now).
    total = len(reader.pages)
    assert total >= 2
    for n, page in enumerate(reader.pages, start=1):
        assert f"Sida {n} av {total}" in page.extract_text()


def test_pdf_is_tagged_with_language_and_title(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    reader = PdfReader(io.BytesIO(fetch(client, "/exports/initiatives.pdf").get_data()))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv-SE"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title.startswith("Statuslista: alla nämnder")
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_pdf_in_english(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.pdf?lang=en")
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    text = pdf_text(reader)
    assert "Status list: all committees" in text and "Latest status update" in text
    assert "status-list-all-" in response.headers["Content-Disposition"]


def test_pdf_table_header_repeats_on_every_page(org, client, auth):
    from . import factories

    for i in range(60):
        factories.make_initiative(org.manager, title=f"Initiativ nummer {i:02d}", updates=1)
    db.session.commit()
    auth.login("ledning@example.se")
    reader = PdfReader(io.BytesIO(fetch(client, "/exports/initiatives.pdf").get_data()))
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    table_pages = [t for t in texts if "Cecilia Chef Idé" in t]  # a row of the table
    assert len(table_pages) >= 2
    for text in table_pages:
        assert (
            "Initiativ Avdelning Ägare Status Bedömning Framdrift Måldatum Kostnad Senaste "
            "rapport Ledord"
        ) in text


def test_empty_pdf_and_docx_say_so(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.pdf?q=finns-inte")
    assert response.status_code == 200
    assert "Inga initiativ matchar filtret." in pdf_text(PdfReader(io.BytesIO(response.get_data())))
    response = fetch(client, "/exports/initiatives.docx?q=finns-inte")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.get_data())).paragraphs)
    assert "Inga initiativ matchar filtret." in text


@pytest.mark.parametrize("extension", ["pdf", "docx"])
def test_documents_above_the_limit_are_refused(portfolio, client, auth, monkeypatch, extension):  # noqa: F811
    monkeypatch.setattr(services, "DOCUMENT_LIMIT", 2)
    auth.login("ledning@example.se")
    response = fetch(client, f"/exports/initiatives.{extension}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Urvalet innehåller 3 initiativ" in html and "XLSX" in html
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert fetch(client, f"/exports/initiatives.{extension}?committee=KS").status_code == 200


# --- the renderer fetches only static files ---------------------------------------------------


def test_static_only_fetcher(app, tmp_path):
    static = app.static_folder
    fetcher = documents.StaticOnlyFetcher(static)
    response = fetcher.fetch(f"file://{static}/css/report.css")
    assert b"@page" in response.read() and response.content_type == "text/css"
    response.close()
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    for url in (
        "http://example.com/x.css",
        "https://127.0.0.1/x.png",
        f"file://{secret}",
        f"file://{static}/../pyproject.toml",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "ftp://example.com/x",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_report_with_an_outside_resource_renders_without_fetching_it(app, monkeypatch):
    """Even if a template pointed outside, the PDF is made and nothing is fetched."""
    fetched = []
    original = documents.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(documents.StaticOnlyFetcher, "fetch", spy)
    from weasyprint import HTML

    static = Path(app.static_folder)
    html = (
        '<html lang="sv"><link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>Hej</p></html>'
    )
    pdf = HTML(
        string=html,
        base_url=static.as_uri() + "/",
        url_fetcher=documents.StaticOnlyFetcher(static),
    ).write_pdf()
    assert pdf.startswith(b"%PDF") and fetched == ["http://127.0.0.1:9/x.css"]


# --- DOCX ---------------------------------------------------------------------------------------


def test_docx_has_headings_table_headers_and_language(portfolio, client, auth):  # noqa: F811
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.docx?committee=KS")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.get_data()))
    headings = [
        (p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings[0] == ("Heading 1", "Statuslista: Kommunstyrelsen")
    assert ("Heading 2", "Sammanfattning") in headings
    assert ("Heading 2", "Digital signering; avtal") in headings
    assert ("Heading 2", FORMULA) in headings  # text, as typed
    assert ("Heading 3", "Senaste beslut") in headings
    # Every table has a header row marked as such, repeated on each page.
    assert len(doc.tables) >= 4
    for table in doc.tables:
        marker = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert marker is not None and marker.get(qn("w:val")) == "true"
    initiatives = doc.tables[-1]
    assert [c.text for c in initiatives.rows[0].cells][:3] == ["Initiativ", "Avdelning", "Ägare"]
    assert {r.cells[0].text for r in initiatives.rows[1:]} == {"Digital signering; avtal", FORMULA}
    assert doc.core_properties.language == "sv-SE"
    lang = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == "sv-SE"
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Juridiskt stöd" in body and "Bidrar till Trygghet" in body
    # The table of initiatives is on landscape pages.
    assert any(s.page_width > s.page_height for s in doc.sections)


@pytest.mark.parametrize(
    ("lang", "query", "line"),
    [
        ("sv", "department=IT", "Nämnd: Kommunstyrelsen"),
        ("sv", "", "Nämnd: Alla nämnder"),
        ("en", "department=GRS", "Committee: Barn- och utbildningsnämnden"),
    ],
)
def test_docx_names_the_committee_as_the_pdf_does(portfolio, client, auth, lang, query, line):  # noqa: F811
    """The Word file holds the PDF's first-page facts: committee, date and filter. A department's
    list is titled with the department, so only this line says which committee it reports to."""
    auth.login("ledning@example.se")
    client.get(f"/?lang={lang}")
    pdf = fetch(client, f"/exports/initiatives.pdf?{query}")
    assert line.replace(": ", " ") in " ".join(pdf_text(PdfReader(io.BytesIO(pdf.data))).split())
    response = fetch(client, f"/exports/initiatives.docx?{query}")
    doc = Document(io.BytesIO(response.get_data()))
    first_page = "\n".join(p.text for p in doc.paragraphs[:4])
    assert line in first_page
    assert TODAY in first_page


# --- the layout runs in a child process -----------------------------------------------------------


def test_the_pdf_is_laid_out_in_a_child_process(portfolio, client, auth, monkeypatch):  # noqa: F811
    """The web process never lays a PDF out itself (its heap would keep the layout's tens of
    MiB): with WeasyPrint broken here, the export is still made, by the child."""
    from tracker.exports import pdf_render

    def not_here(*_args, **_kwargs):
        raise AssertionError("the PDF was laid out in the web process")

    monkeypatch.setattr(pdf_render, "HTML", not_here)
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.pdf?committee=KS")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert "Statuslista: Kommunstyrelsen" in pdf_text(reader)


def test_a_failing_child_is_an_error_not_a_broken_file(app, monkeypatch):
    from tracker.exports import pdf_render

    monkeypatch.setattr(pdf_render, "__file__", "/nonexistent/pdf_render.py")
    with pytest.raises(pdf_render.PdfError):
        pdf_render.render("<p>Hej</p>", app.static_folder)


@pytest.mark.database_independent
def test_the_child_is_made_for_one_document():
    """The child lays out with the garbage collector off, and pydyf's page references are made
    once per page count; the web process is left as it is."""
    import gc
    import zlib

    import pydyf

    from tracker.exports import pdf_render

    assert gc.isenabled()
    assert pydyf.PDF.page_references is pdf_render.ORIGINAL_PAGE_REFERENCES
    assert pydyf.zlib is zlib  # pydyf's own level 9 outside the child
    check = (
        "import gc, pydyf\n"
        "from tracker.exports import pdf_render\n"
        "pdf_render.prepare_for_one_document()\n"
        "assert not gc.isenabled()\n"
        "assert pydyf.PDF.page_references.fget is pdf_render.remembered_page_references\n"
        "assert pydyf.zlib.compressobj(level=9).compress(b'x' * 99)\n"
        "assert pydyf.zlib is pdf_render._Zlib\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True, capture_output=True)


@pytest.mark.database_independent
def test_remembered_page_references_follow_every_added_page():
    import pydyf

    from tracker.exports import pdf_render

    pdf = pydyf.PDF()
    for _ in range(4):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        remembered = pdf_render.remembered_page_references(pdf)
        assert remembered == pdf_render.ORIGINAL_PAGE_REFERENCES.fget(pdf)
        assert pdf_render.remembered_page_references(pdf) is remembered  # made once
    assert len(remembered) == 4


def _text_past_the_margin(html: str, static: str) -> list[tuple[int, str]]:
    """The text boxes of the laid-out report that end right of their page's text area."""
    from weasyprint.formatting_structure import boxes

    from tracker.exports import pdf_render

    document = pdf_render.HTML(
        string=html, base_url=Path(static).as_uri() + "/",
        url_fetcher=pdf_render.StaticOnlyFetcher(static),
    ).render()  # fmt: skip
    outside = []
    for number, page in enumerate(document.pages, 1):
        frame = page._page_box
        right = frame.content_box_x() + frame.width + 0.5
        for box in frame.descendants():
            if isinstance(box, boxes.TextBox) and box.position_x + box.width > right:
                outside.append((number, box.text[:40]))
    return outside


def test_a_name_that_is_one_long_word_stays_on_the_page(
    portfolio,  # noqa: F811 - the fixture
    org,
    app,
    client,
    auth,
    monkeypatch,
):
    """A department named with one long word, and a purpose holding a long address, break
    (the word in the table with a hyphen) instead of running past the page's edge: in the
    landscape table, in each initiative's line under its heading, and in its text."""
    from tracker.exports import pdf_render

    long_name = "Samhällsbyggnadsförvaltningensutvecklingsenhetsstödfunktionsavdelning" * 2
    org.departments[0].name = long_name
    portfolio["signing"].purpose = "Se https://example.se/" + "en_mycket_lang_adress_" * 8
    db.session.commit()
    drawn = []
    original = pdf_render.render

    def render(html, static):
        drawn.append(html)
        return original(html, static)

    monkeypatch.setattr(pdf_render, "render", render)
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.pdf?committee=KS")
    assert response.status_code == 200 and len(drawn) == 1
    assert _text_past_the_margin(drawn[0], app.static_folder) == []
    # The name is all there in the file (its soft hyphens are chances to break, not text).
    text = pdf_text(PdfReader(io.BytesIO(response.get_data())))
    assert "Samhällsbyggnadsförvaltningens" in text.replace("\u00ad", "")
