"""Committee exports as spreadsheets (issue 5): CSV and XLSX read back with real readers, plus
what every format shares: rights, filters, audit, file names, rate limits and the export page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tracker import models
from tracker.exports import cells, services
from tracker.extensions import db
from tracker.models import AuditEvent, Health, Status

from . import factories

FORMATS = ["csv", "xlsx", "pdf", "docx"]
FORMULA = '=HYPERLINK("http://x","y")'
# Reports are dated in Swedish time, which runs ahead of the machine's UTC around midnight.
TODAY = datetime.now(ZoneInfo("Europe/Stockholm")).date().isoformat()


@pytest.fixture
def portfolio(org):
    """Two initiatives in KS (IT, HR), one in BUN (Grundskolan), one archived."""
    it, hr, school = org.departments
    signing = factories.make_initiative(
        org.manager,
        principles=org.principles[:2],
        updates=2,
        title="Digital signering; avtal",
        purpose="Signera avtal digitalt",
        status=Status.IN_PROGRESS,
        health=Health.AT_RISK,
        progress=40,
        start_date=date(2026, 1, 15),
        target_date=date(2026, 12, 31),
    )
    factories.ask_support(signing, "Juridiskt stöd")
    formula = factories.make_initiative(
        org.manager,
        department=hr,
        principles=org.principles[2:],
        updates=1,
        last_update_days_ago=90,
        title=FORMULA,
        status=Status.PLANNED,
        health=Health.ON_TRACK,
        progress=5,
    )
    school_platform = factories.make_initiative(
        org.other_manager,
        principles=org.principles[:1],
        updates=1,
        title="Skolplattform för åäö",
        status=Status.IN_PROGRESS,
        health=Health.OFF_TRACK,
        progress=70,
    )
    archived = factories.make_initiative(
        org.manager, title="Arkiverat initiativ", archived_at=datetime.now().astimezone()
    )
    db.session.commit()
    return {"signing": signing, "formula": formula, "school": school_platform, "old": archived}


def fetch(client, url: str, **kwargs):
    """GET and read the whole body, then close the response as a WSGI server would (a streamed
    body or a file must not outlive the request)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.get_data()))


# --- the formula rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("=1+1", "'=1+1"),
        ("+46 8 123", "'+46 8 123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\x00=cmd", "'=cmd"),
        ("Vanlig text", "Vanlig text"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_neutralise(text, expected):
    assert cells.neutralise(text) == expected


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_is_swedish_excel_friendly(portfolio, client, auth):
    auth.login("ledning@example.se")
    response = client.get("/exports/initiatives.csv")
    assert response.is_streamed  # rows are sent while they are read
    response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert b"\r\n" in response.get_data()
    rows = read_csv(response)
    header = rows[0]
    assert header[:7] == [
        "Titel",
        "Nämnd",
        "Avdelning",
        "Ägare",
        "Status",
        "Bedömning",
        "Framdrift (%)",
    ]
    by_title = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_title) == {"Digital signering; avtal", "'" + FORMULA, "Skolplattform för åäö"}
    signing = by_title["Digital signering; avtal"]  # the ";" survives thanks to quoting
    assert signing["Nämnd"] == "Kommunstyrelsen"
    assert signing["Avdelning"] == "IT-avdelningen"
    assert signing["Ägare"] == "Cecilia Chef"
    assert signing["Status"] == "Pågående" and signing["Bedömning"] == "Risk"
    assert signing["Framdrift (%)"] == "40"
    assert signing["Startdatum"] == "2026-01-15" and signing["Måldatum"] == "2026-12-31"
    assert date.fromisoformat(signing["Senaste rapport"])
    assert signing["Ledord"] == "Tillgänglighet, Trygghet"
    assert signing["Stöd som behövs"] == "Juridiskt stöd"
    assert signing["Syfte"] == "Signera avtal digitalt"
    assert signing["ID"] == str(portfolio["signing"].id)
    assert by_title["'" + FORMULA]["Behöver uppdateras"] == "Ja"
    assert signing["Behöver uppdateras"] == "Nej"


def test_csv_headers_follow_the_language(portfolio, client, auth):
    auth.login("ledning@example.se")
    rows = read_csv(fetch(client, "/exports/initiatives.csv?lang=en"))
    assert rows[0][:6] == ["Title", "Committee", "Department", "Owner", "Status", "Health"]
    assert "In progress" in {r[4] for r in rows[1:]}


def test_csv_never_starts_a_cell_with_a_formula(portfolio, client, auth):
    auth.login("ledning@example.se")
    rows = read_csv(fetch(client, "/exports/initiatives.csv"))
    for row in rows:
        for cell in row:
            assert not cell.startswith(cells.FORMULA_TRIGGERS), cell


# --- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_has_types_header_filter_and_summary(portfolio, client, auth):
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.xlsx")
    assert response.status_code == 200
    workbook = read_xlsx(response)
    assert workbook.sheetnames == ["Sammanfattning", "Initiativ", "Nyttorealisering"]
    sheet = workbook["Initiativ"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:Q4"
    header = [c.value for c in sheet[1]]
    assert header[0] == "Titel" and all(c.font.b for c in sheet[1])
    assert sheet.column_dimensions["A"].width >= 30
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    signing = rows["Digital signering; avtal"]
    col = {name: i for i, name in enumerate(header)}
    progress = signing[col["Framdrift (%)"]]
    assert progress.value == pytest.approx(0.4) and progress.number_format == "0%"
    start = signing[col["Startdatum"]]
    assert isinstance(start.value, datetime) and start.value.date() == date(2026, 1, 15)
    assert start.number_format == "yyyy-mm-dd"
    assert isinstance(signing[col["Senaste rapport"]].value, datetime)
    assert signing[col["ID"]].value == portfolio["signing"].id
    # Text from a user is text, never a formula.
    formula = rows[FORMULA][0]
    assert formula.data_type == "s" and formula.value == FORMULA

    summary = workbook["Sammanfattning"]
    values = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r and r[0]}
    assert values["Initiativ"] == 3
    assert values["Pågående"] == 2 and values["Planerad"] == 1 and values["Idé"] == 0
    assert values["Avvikelse"] == 1 and values["Risk"] == 1 and values["Enligt plan"] == 1
    assert values["Behöver uppdateras"] == 1
    assert values["Urval"] == "Inget: alla initiativ du får se"


def test_xlsx_summary_names_the_filter(portfolio, client, auth):
    auth.login("ledning@example.se")
    workbook = read_xlsx(fetch(client, "/exports/initiatives.xlsx?committee=KS&status=in_progress"))
    pairs = [r[:2] for r in workbook["Sammanfattning"].iter_rows(values_only=True) if r]
    assert ("Nämnd", "Kommunstyrelsen (KS)") in pairs
    assert ("Status", "Pågående") in pairs
    assert workbook["Sammanfattning"]["A1"].value == "Statuslista: Kommunstyrelsen"
    titles = [r[0] for r in workbook["Initiativ"].iter_rows(min_row=2, values_only=True)]
    assert titles == ["Digital signering; avtal"]


def test_a_department_export_is_titled_and_named_for_the_department(portfolio, client, auth):
    """Filtered on a department, the list is the department's (not "alla nämnder"), and its
    committee is the department's committee, in the title, the summary and the file name."""
    auth.login("ledning@example.se")
    response = fetch(client, "/exports/initiatives.xlsx?department=IT")
    workbook = read_xlsx(response)
    assert workbook["Sammanfattning"]["A1"].value == "Statuslista: IT-avdelningen"
    assert ("Avdelning", "IT-avdelningen") in [
        r[:2] for r in workbook["Sammanfattning"].iter_rows(values_only=True) if r
    ]
    assert "statuslista-ks-" in response.headers["Content-Disposition"]
    assert "alla" not in response.headers["Content-Disposition"].lower()


# --- filters, empty selections, bad input --------------------------------------------------------


@pytest.mark.parametrize(
    "query,titles",
    [
        ("committee=BUN", {"Skolplattform för åäö"}),
        ("department=HR", {FORMULA}),
        ("principle=effektivitet", {FORMULA}),
        ("status=planned", {FORMULA}),
        ("health=off_track&health=at_risk", {"Skolplattform för åäö", "Digital signering; avtal"}),
        ("stale=1", {FORMULA}),
        ("q=SIGNERA", {"Digital signering; avtal"}),
    ],
)
def test_filters_narrow_the_export(portfolio, client, auth, query, titles):
    auth.login("ledning@example.se")
    rows = read_csv(fetch(client, f"/exports/initiatives.csv?{query}"))
    assert {r[0].removeprefix("'") for r in rows[1:]} == titles


@pytest.mark.parametrize("extension", FORMATS)
@pytest.mark.parametrize(
    "query,message",
    [
        ("committee=XYZ", "Det finns ingen nämnd med koden XYZ."),
        ("status=finished", "Okänd status."),
        ("health=purple", "Okänd bedömning."),
        ("principle=nope", "nope"),
        ("department=NOPE", "NOPE"),
    ],
)
def test_unknown_filter_values_are_refused(portfolio, client, auth, extension, query, message):
    auth.login("ledning@example.se")
    response = fetch(client, f"/exports/initiatives.{extension}?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Filtret kunde inte användas" in html and message in html
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.initiatives"))
        is None
    )


def test_empty_selection_gives_valid_files_that_say_so(portfolio, client, auth):
    auth.login("ledning@example.se")
    query = "?q=finns-inte"
    rows = read_csv(fetch(client, "/exports/initiatives.csv" + query))
    assert rows == [rows[0], ["Inga initiativ matchar filtret."]]
    workbook = read_xlsx(fetch(client, "/exports/initiatives.xlsx" + query))
    assert workbook["Initiativ"]["A2"].value == "Inga initiativ matchar filtret."
    assert workbook["Initiativ"].auto_filter.ref is None


# --- audit, file names ------------------------------------------------------------------------


@pytest.mark.parametrize("extension", FORMATS)
def test_every_export_is_audited(portfolio, client, auth, org, extension):
    auth.login("ledning@example.se")
    response = fetch(client, f"/exports/initiatives.{extension}?committee=KS&status=in_progress")
    assert response.status_code == 200
    response.get_data()  # a streamed body is consumed
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.initiatives"))
    assert event.actor_id == org.management.id
    assert event.changes == {
        "format": extension,
        "filter": {"committee": ["KS"], "status": ["in_progress"]},
        "rows": 1,
    }


@pytest.mark.parametrize("extension", FORMATS)
def test_download_is_an_attachment_named_after_committee_and_date(
    portfolio, client, auth, extension
):
    auth.login("ledning@example.se")
    response = fetch(client, f"/exports/initiatives.{extension}?committee=BUN")
    response.get_data()
    disposition = response.headers["Content-Disposition"]
    name = f"statuslista-bun-{TODAY}.{extension}"
    assert disposition == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response = fetch(client, f"/exports/initiatives.{extension}")
    response.get_data()
    assert (
        f'filename="statuslista-alla-{TODAY}.{extension}"'
        in response.headers["Content-Disposition"]
    )


def test_file_names_are_ascii_safe_with_an_utf8_original(app):
    committee = models.Committee(short_name="SÖN/Å", name="Södra nämnden")
    ascii_name, readable = services.file_names(committee, date(2026, 11, 27), "pdf")
    assert ascii_name == "statuslista-son-a-2026-11-27.pdf"
    assert readable == "statuslista-sön-å-2026-11-27.pdf"
    header = services.content_disposition(committee, date(2026, 11, 27), "pdf")
    assert "filename*=UTF-8''statuslista-s%C3%B6n-%C3%A5-2026-11-27.pdf" in header


# --- rights -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "management", "committee", "manager"])
@pytest.mark.parametrize("extension", FORMATS)
def test_every_role_may_export(portfolio, client, auth, org, role, extension):
    auth.login(org.user(role).email)
    response = fetch(client, f"/exports/initiatives.{extension}")
    assert response.status_code == 200
    assert response.get_data()
    assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("path", ["/exports"] + [f"/exports/initiatives.{e}" for e in FORMATS])
def test_signed_out_users_are_sent_to_sign_in(portfolio, client, path):
    response = fetch(client, path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_committee_reader_gets_only_their_committee(portfolio, client, auth, org):
    org.committee_reader.committee_id = org.committees[1].id  # BUN
    db.session.commit()
    auth.login("namnd@example.se")
    rows = read_csv(fetch(client, "/exports/initiatives.csv"))
    assert [r[0] for r in rows[1:]] == ["Skolplattform för åäö"]
    response = fetch(client, "/exports/initiatives.xlsx?committee=KS")
    assert read_xlsx(response)["Initiativ"]["A2"].value == "Inga initiativ matchar filtret."
    # The file is named after the committee the reader is limited to.
    response = fetch(client, "/exports/initiatives.csv")
    response.get_data()
    assert f"statuslista-bun-{TODAY}.csv" in response.headers["Content-Disposition"]


def test_archived_initiatives_are_not_exported(portfolio, client, auth):
    auth.login("admin@example.se")
    titles = [r[0] for r in read_csv(fetch(client, "/exports/initiatives.csv"))]
    assert "Arkiverat initiativ" not in titles


# --- queries and rate limits ------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_queries_do_not_grow_with_rows(org, client, auth, count_queries, extension):
    def add(n):
        for i in range(n):
            owner = org.manager if i % 2 else org.other_manager
            factories.make_initiative(owner, principles=org.principles[: 1 + i % 3], updates=1)
        db.session.commit()

    def export() -> int:
        with count_queries() as counter:
            response = fetch(client, f"/exports/initiatives.{extension}")
            assert response.status_code == 200
            response.get_data()
        return counter.count

    auth.login("ledning@example.se")
    add(10)
    small = export()
    add(90)
    assert export() == small


def test_documents_are_rate_limited_per_user(portfolio, app, client, auth, org):
    app.config["EXPORT_DOCUMENT_RATE_LIMIT"] = "2/minute"
    auth.login("ledning@example.se")
    assert fetch(client, "/exports/initiatives.docx").status_code == 200
    assert fetch(client, "/exports/initiatives.docx").status_code == 200
    response = fetch(client, "/exports/initiatives.docx")
    assert response.status_code == 429
    assert "För många försök" in response.get_data(as_text=True)
    # Spreadsheets count separately, and so does another user.
    assert fetch(client, "/exports/initiatives.xlsx").status_code == 200
    auth.logout()
    auth.login("admin@example.se")
    assert fetch(client, "/exports/initiatives.docx").status_code == 200


def test_spreadsheets_are_rate_limited(portfolio, app, client, auth):
    app.config["EXPORT_RATE_LIMIT"] = "1/minute"
    auth.login("ledning@example.se")
    assert fetch(client, "/exports/initiatives.xlsx").status_code == 200
    assert fetch(client, "/exports/initiatives.xlsx").status_code == 429


# --- decisions ----------------------------------------------------------------------------------


def test_latest_decision_is_exported(portfolio, client, auth, org):
    decision_model = getattr(models, "Decision", None)
    if decision_model is None:
        pytest.skip("decisions are not in this build yet")
    initiative = portfolio["signing"]
    for day, text in ((date(2026, 9, 1), "Gammalt beslut"), (date(2026, 11, 2), "Nytt beslut")):
        db.session.add(
            decision_model(
                initiative_id=initiative.id,
                author_id=org.management.id,
                decided_on=day,
                meeting="KLG",
                kind="other",
                text=text,
                comment="",
                created_at=datetime(day.year, day.month, day.day).astimezone(),
            )
        )
    db.session.commit()
    assert services.latest_decisions([initiative.id])[initiative.id].text == "Nytt beslut"
    auth.login("ledning@example.se")
    rows = read_csv(fetch(client, "/exports/initiatives.csv"))
    column = rows[0].index("Senaste beslut")
    by_title = {r[0]: r[column] for r in rows[1:]}
    assert by_title["Digital signering; avtal"] == "2026-11-02 KLG: Nytt beslut"
    assert by_title["Skolplattform för åäö"] == ""


def test_latest_decisions_is_empty_without_the_model(app, monkeypatch):
    monkeypatch.delattr(models, "Decision", raising=False)
    assert services.latest_decisions([1, 2, 3]) == {}


# --- the export page ----------------------------------------------------------------------------


def test_export_page_counts_and_links_carry_the_filter(portfolio, client, auth):
    auth.login("ledning@example.se")
    response = fetch(client, "/exports?committee=KS&health=at_risk")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Exporten kommer att innehålla 1 initiativ." in html
    for extension in FORMATS:
        assert f"/exports/initiatives.{extension}?committee=KS&amp;health=at_risk" in html
    assert 'for="export-committee"' in html and 'id="export-committee"' in html
    assert "<script>" not in html and "style=" not in html


def test_the_export_page_keeps_every_filter_the_list_has(portfolio, client, auth):
    """'Export this selection' from the list: the export page's form has a field for each of
    the list's filters (support=1 was dropped by the next change of the form, and the files
    then held the whole portfolio)."""
    auth.login("ledning@example.se")

    def names(html: str, form_start: str) -> set[str]:
        form = html[html.index(form_start) :]
        form = form[: form.index("</form>")]
        return set(re.findall(r'name="([a-z_]+)"', form))

    listing = fetch(client, "/initiatives?support=1").get_data(as_text=True)
    page = fetch(client, "/exports?support=1").get_data(as_text=True)
    list_filters = names(listing, 'role="search"') - {"sort", "page"}
    assert "support" in list_filters and "stale" in list_filters
    export_form = page[page.index("<main") :]
    assert list_filters <= names(export_form, "<form"), list_filters - names(export_form, "<form")
    assert 'name="support" value="1" checked' in page


def test_export_page_fragment_for_htmx(portfolio, client, auth):
    auth.login("ledning@example.se")
    response = fetch(client, "/exports?status=planned", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'id="export-summary"' in html and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_export_page_warns_above_the_document_limit(portfolio, client, auth, monkeypatch):
    monkeypatch.setattr(services, "DOCUMENT_LIMIT", 2)
    auth.login("ledning@example.se")
    html = fetch(client, "/exports").get_data(as_text=True)
    assert "kan innehålla högst 2 initiativ" in html


def test_export_page_says_when_the_filter_is_wrong(portfolio, client, auth):
    auth.login("ledning@example.se")
    html = fetch(client, "/exports?committee=XYZ").get_data(as_text=True)
    assert "Det finns ingen nämnd med koden XYZ." in html


def test_export_page_offers_a_committee_reader_only_their_committee(portfolio, client, auth, org):
    org.committee_reader.committee_id = org.committees[1].id
    db.session.commit()
    auth.login("namnd@example.se")
    html = fetch(client, "/exports").get_data(as_text=True)
    assert "Barn- och utbildningsnämnden" in html and "Kommunstyrelsen" not in html
    assert "Exporten kommer att innehålla 1 initiativ." in html


@pytest.mark.parametrize("role", ["admin", "management", "committee", "manager"])
def test_navigation_and_list_link_to_the_export(portfolio, client, auth, org, role):
    auth.login(org.user(role).email)
    html = fetch(client, "/initiatives?committee=KS").get_data(as_text=True)
    assert 'href="/exports"' in html
    assert 'href="/exports?committee=KS"' in html
