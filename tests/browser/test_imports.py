"""The initiatives import in a real browser, in Swedish and English: from the list to the import
page, download the template, fill it in, upload it with mistakes, see every problem, map an
unknown column by keyboard, fix the sheet, import, and find the initiatives in the list.
axe-core finds nothing on any of the pages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Initiative

from .helpers import assert_no_axe_violations, expect_focus

pytestmark = pytest.mark.browser

TEXT = {
    "sv": {
        "link": "Importera från kalkylark",
        "xlsx": "Ladda ner mallen (Excel, .xlsx)",
        "check": "Granska arket",
        "again": "Granska igen med dessa val",
        "import": "Importera 2 rader",
        "list": "Se alla initiativ",
        "no_department": "det finns ingen avdelning ”Okänd”",
        "mark": "markerar ledordet men säger inte hur",
        "unknown": "Kolumnen ”Anteckningar” kändes inte igen",
        "ignore": "Hoppa över kolumnen",
    },
    "en": {
        "link": "Import from a spreadsheet",
        "xlsx": "Download the template (Excel, .xlsx)",
        "check": "Check the sheet",
        "again": "Check again with these choices",
        "import": "Import 2 rows",
        "list": "See all initiatives",
        "no_department": "there is no department “Okänd”",
        "mark": "marks the principle but does not say how",
        "unknown": "The column “Anteckningar” was not recognised",
        "ignore": "Ignore the column",
    },
}


def _count(live_server, title_prefix: str) -> int:
    with live_server.app.app_context():
        return db.session.scalar(
            select(func.count(Initiative.id)).where(Initiative.title.like(f"{title_prefix}%"))
        )


def _fill(template: bytes, rows: list[dict], extra_heading: str | None = None) -> bytes:
    """The downloaded template with the example row replaced by ``rows`` ({heading: value})."""
    workbook = load_workbook(io.BytesIO(template))
    heading = [cell.value for cell in workbook.worksheets[0][1]]
    out = Workbook()
    sheet = out.active
    sheet.append(["Initiativ från workshopen"])  # a title row above the headings
    sheet.append(heading + ([extra_heading] if extra_heading else []))
    for row in rows:
        values = [row.get(h, "") for h in heading]
        if extra_heading:
            values.append(row.get(extra_heading, ""))
        sheet.append(values)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _upload(page, content: bytes, label: str) -> None:
    page.locator("input[type=file]").set_input_files(
        {"name": "workshop.xlsx", "mimeType": "application/octet-stream", "buffer": content}
    )
    with page.expect_navigation():  # wait for the page the request leads to
        page.get_by_role("button", name=label).click()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_import_journey(page, sign_in, live_server, console, lang):
    text = TEXT[lang]
    prefix = f"Import {lang}"
    sign_in("admin")
    page.goto(f"/initiatives?lang={lang}")
    with page.expect_navigation():  # wait for the page the request leads to
        page.get_by_role("link", name=text["link"]).click()
    assert page.url.endswith("/initiatives/import")
    assert_no_axe_violations(page, f"import page ({lang})")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=text["xlsx"]).click()
    template = Path(download_info.value.path()).read_bytes()

    good = {
        "Titel": f"{prefix}: E-tjänst",
        "Syfte": "Söka bygglov digitalt",
        "Avdelning": "IT",
        "Ägare (e-post)": live_server.emails["manager"],
        "Tillgänglighet": "Fungerar med skärmläsare",
        "Status": "Pågående",
        "Framdrift (%)": "20",
    }
    bad = {
        "Titel": f"{prefix}: Chattbot",
        "Syfte": "Svara dygnet runt",
        "Avdelning": "Okänd",
        "Ägare (e-post)": live_server.emails["manager"],
        "Trygghet": "ja",
        "Anteckningar": "en anteckning",
    }
    _upload(page, _fill(template, [good, bad], "Anteckningar"), text["check"])
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    expect_focus(page, "error-summary")
    for expected in (text["no_department"], text["mark"], text["unknown"]):
        assert expected in summary.inner_text(), expected
    assert text["no_department"] in page.locator("#row-4").inner_text()
    assert text["mark"] in page.locator("#row-4").inner_text()
    assert page.get_by_role("button", name=text["import"]).count() == 0
    assert_no_axe_violations(page, f"preview with problems ({lang})")
    assert _count(live_server, prefix) == 0

    # Fixed sheet; the unknown column is mapped away by keyboard, then checked again.
    bad["Avdelning"] = "HR"
    bad["Trygghet"] = "Säker inloggning"
    page.goto(f"/initiatives/import?lang={lang}")
    _upload(page, _fill(template, [good, bad], "Anteckningar"), text["check"])
    select = page.locator("select[name^=map_]")
    select.focus()
    select.select_option(label=text["ignore"])
    again = page.get_by_role("button", name=text["again"])
    again.focus()
    with page.expect_navigation():  # wait for the page the request leads to
        page.keyboard.press("Enter")
    assert page.locator("#error-summary").count() == 0
    assert_no_axe_violations(page, f"valid preview ({lang})")
    with page.expect_navigation():  # wait for the page the request leads to
        page.get_by_role("button", name=text["import"]).click()
    assert_no_axe_violations(page, f"import done ({lang})")
    assert _count(live_server, prefix) == 2

    with page.expect_navigation():  # wait for the page the request leads to
        page.get_by_role("link", name=text["list"]).click()
    listing = page.locator("main").inner_text()
    assert f"{prefix}: E-tjänst" in listing and f"{prefix}: Chattbot" in listing
    assert not console.csp_violations() and not console.page_errors


@pytest.mark.parametrize("role", ["management", "committee", "manager"])
def test_the_link_only_for_those_who_may_import(page, sign_in, role):
    sign_in(role)
    page.goto("/initiatives?lang=sv")
    link = page.get_by_role("link", name=TEXT["sv"]["link"])
    assert link.count() == (1 if role == "management" else 0)
    response = page.goto("/initiatives/import")
    assert response.status == (200 if role == "management" else 403)
    if role == "management":
        assert_no_axe_violations(page, "import page as management")
