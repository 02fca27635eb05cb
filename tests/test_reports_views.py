"""Reporting periods and frozen reports through the browser's URLs: every role, bad input, the
four formats, and the number of queries per page."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    FrozenReport,
    Health,
    Initiative,
    ReportingPeriod,
    Status,
    StatusUpdate,
)

from . import factories
from .conftest import csrf_from
from .test_reports import TZ, at, freeze, initiative, period, update

ROLES = ("admin", "management", "committee", "manager")
EMAILS = {
    "admin": "admin@example.se",
    "management": "ledning@example.se",
    "committee": "namnd@example.se",
    "manager": "chef@example.se",
}


@pytest.fixture
def frozen(org):
    p = period(org)
    a = initiative(org, "Digital post", principles=org.principles[:1])
    update(a, at("2026-02-01"), progress=30, happened="Upphandlat", support="=cmd|' /C calc'!A0")
    [report] = freeze(org, p)
    db.session.commit()
    return report


def post_form(client, url, data, page=None):
    token = csrf_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_calendar_and_archive(org, frozen, client, auth, role):
    auth.login(EMAILS[role])
    page = client.get("/reports").get_data(as_text=True)
    assert "Tertial 1 2026" in page
    assert f"/reports/{frozen.id}" in page  # this committee reader is not limited
    assert ("/reports/periods/new" in page) == (role in ("admin", "management"))


@pytest.mark.parametrize("role", ROLES)
def test_only_management_and_admins_manage_periods(org, frozen, client, auth, role):
    auth.login(EMAILS[role])
    allowed = role in ("admin", "management")
    p = frozen.period_id
    for url in ("/reports/periods/new", f"/reports/periods/{p}", f"/reports/periods/{p}/edit"):
        assert client.get(url).status_code == (200 if allowed else 403), url
    token = csrf_from(client.get("/accessibility").get_data(as_text=True))
    for url in (f"/reports/periods/{p}/freeze", f"/reports/periods/{p}/close"):
        response = client.post(url, data={"csrf_token": token, "committee": "all"})
        assert response.status_code in ((303, 422) if allowed else (403,)), url


def test_a_committee_reader_sees_only_their_committees_reports(org, frozen, client, auth):
    other = period(org, "Tertial 2 2026", "2026-05-01", "2026-08-31")
    [bun] = freeze(org, other, committee=org.committees[1])
    org.committee_reader.committee_id = org.committees[1].id  # BUN
    db.session.commit()
    auth.login("namnd@example.se")
    archive = client.get("/reports").get_data(as_text=True)
    assert f"/reports/{bun.id}" in archive and f'/reports/{frozen.id}"' not in archive
    assert client.get(f"/reports/{bun.id}").status_code == 200
    for suffix in ("", ".csv", ".xlsx", ".pdf", ".docx"):
        assert client.get(f"/reports/{frozen.id}{suffix}").status_code == 404, suffix
    assert client.get("/reports/99999").status_code == 404
    assert client.get("/reports/changes?committee=KS").status_code == 404


def test_creating_a_period_and_bad_dates(org, client, auth):
    auth.login("ledning@example.se")
    good = {"name": "Tertial 1 2027", "starts_on": "2027-01-01", "ends_on": "2027-04-30",
            "deadline": "2027-04-15", f"meeting_{org.committees[0].id}": "2027-05-20",
            f"dnr_{org.committees[0].id}": "KS 2027/3"}  # fmt: skip
    response = post_form(client, "/reports/periods/new", good)
    assert response.status_code == 303
    saved = db.session.query(ReportingPeriod).one()
    assert saved.meetings[0].dnr == "KS 2027/3"
    cases = [
        ({"ends_on": "2026-12-01"}, "The period must end on or after its first day."),
        ({"deadline": "2027-09-15"}, "The last day for reports must lie inside the period."),
        ({"name": "Annan", "starts_on": "2027-04-30"}, "overlaps Tertial 1 2027"),
        ({"starts_on": "2027-13-45"}, "Enter a date as YYYY-MM-DD"),
    ]
    for change, message in cases:
        data = {**good, "name": "Tertial 2 2027", "starts_on": "2027-05-01",
                "ends_on": "2027-08-31", "deadline": "2027-08-15", **change}  # fmt: skip
        response = post_form(client, "/reports/periods/new?lang=en", data, "/reports/periods/new")
        page = response.get_data(as_text=True)
        assert response.status_code == 422, change
        assert message in page, change
        assert 'value="' + data["starts_on"] + '"' in page  # the input is kept
    response = post_form(client, "/reports/periods/new?lang=sv", {**good, "deadline": "2027-06-01"})
    assert "Sista dag för rapporter måste ligga inom perioden." in response.get_data(as_text=True)


def test_a_meeting_outside_its_period_is_refused_with_the_date_kept(org, client, auth):
    auth.login("ledning@example.se")
    committee = org.committees[0].id
    data = {"name": "Tertial 1 2027", "starts_on": "2027-01-01", "ends_on": "2027-04-30",
            "deadline": "2027-04-15", f"meeting_{committee}": "2026-05-20"}  # fmt: skip
    # Before the period, before the managers' last day (found by review), a year too late.
    for meeting in ("2026-05-20", "2027-04-10", "2028-06-01"):
        data[f"meeting_{committee}"] = meeting
        response = post_form(client, "/reports/periods/new?lang=sv", data, "/reports/periods/new")
        page = response.get_data(as_text=True)
        assert response.status_code == 422, meeting
        assert (
            "Nämndens möte måste ligga på eller efter sista dag för rapporter (2027-04-15) och "
            "inom ett år efter periodens sista dag."
        ) in page, meeting
        assert f'value="{meeting}"' in page
    assert db.session.query(ReportingPeriod).count() == 0
    data[f"meeting_{committee}"] = "2027-05-20"
    assert post_form(client, "/reports/periods/new", data).status_code == 303


def test_a_freeze_without_the_versions_the_page_showed_is_refused(org, client, auth):
    """The hidden versions guard against freezing over someone else's version: a post that
    lacks them or garbles them freezes nothing, and the page it gets back carries the versions
    as they are now, with which the freeze goes through."""
    auth.login("ledning@example.se")
    p = period(org)
    db.session.commit()
    url, page = f"/reports/periods/{p.id}/freeze", f"/reports/periods/{p.id}"
    committee = str(org.committees[0].id)
    for expected in ("x:y", "", f"{committee}:0x", f"{org.committees[1].id}:0", f"{committee}:5"):
        response = post_form(client, url + "?lang=sv", {"committee": committee,
                             "expected": expected}, page)  # fmt: skip
        assert response.status_code == 422, expected
        assert "Sidan var inaktuell." in response.get_data(as_text=True)
    assert db.session.query(FrozenReport).count() == 0
    fresh = re.search(r'name="expected"[^>]*value="([^"]*)"', response.get_data(as_text=True))
    fresh = fresh or re.search(
        r'value="([^"]*)"[^>]*name="expected"', response.get_data(as_text=True)
    )
    response = post_form(client, url, {"committee": committee, "expected": fresh.group(1)}, page)
    assert response.status_code == 303
    assert db.session.query(FrozenReport).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"name": "x" * 5000, "starts_on": "2027-01-01", "ends_on": "2027-01-02", "deadline": "x"},
        {"name": "\x00", "starts_on": "0000-00-00", "ends_on": "9999-99-99", "deadline": ""},
        {"name": "<script>", "starts_on": "2027-01-01", "ends_on": "2027-01-01",
         "deadline": "2027-01-01", "meeting_999": "2027-01-01", "dnr_1": "x" * 500},
        {"name": "Noll\x00tecken", "starts_on": "2027-01-01", "ends_on": "2027-01-01",
         "deadline": "2027-01-01"},
        {"name": "Sist", "starts_on": "9999-12-31", "ends_on": "9999-12-31",
         "deadline": "9999-12-31"},
        {"name": "Först", "starts_on": "0001-01-01", "ends_on": "0001-01-01",
         "deadline": "0001-01-01"},
        {"name": "Dnr", "starts_on": "2027-01-01", "ends_on": "2027-01-01",
         "deadline": "2027-01-01", "dnr_1": "a\x00b"},
    ],
)  # fmt: skip
def test_hostile_period_input_gets_an_answer_not_an_error(org, client, auth, data):
    auth.login("ledning@example.se")
    response = post_form(client, "/reports/periods/new", data)
    assert response.status_code in (303, 422)
    assert "<script>" not in response.get_data(as_text=True)


def test_hostile_freeze_and_url_input(org, frozen, client, auth):
    auth.login("ledning@example.se")
    p = frozen.period_id
    for committee, reason in (("", ""), ("999999", ""), ("abc", ""), ("all' OR 1=1", ""),
                              ("all", "\x00"), ("all", "x" * 3000)):  # fmt: skip
        response = post_form(
            client, f"/reports/periods/{p}/freeze",
            {"committee": committee, "expected": "x:y", "reason": reason},
            f"/reports/periods/{p}",
        )  # fmt: skip
        assert response.status_code == 422, committee
    for url in (
        f"/reports/periods/{p}?department=%00&owner=99999999999999999999",
        f"/reports/periods/{p}?owner=-1",
        "/reports/periods/999999",
        "/reports/periods/99999999999999999999",
        "/reports/99999999999999999999.csv",
        "/reports/changes?committee=%3Cb%3E",
        f"/reports/{frozen.id}.exe",
    ):
        # 400: NUL in an address is refused before anything reads it (tracker.security).
        assert client.get(url).status_code in (200, 400, 404), url


def test_freezing_twice_by_the_form_gives_one_version(org, client, auth):
    p = period(org)
    initiative(org, "A")
    db.session.commit()
    auth.login("ledning@example.se")
    page = client.get(f"/reports/periods/{p.id}").get_data(as_text=True)
    token = csrf_from(page)
    committee = org.committees[0].id
    data = {"csrf_token": token, "committee": str(committee),
            "expected": f"{committee}:0,{org.committees[1].id}:0"}  # fmt: skip
    first = client.post(f"/reports/periods/{p.id}/freeze", data=data)
    second = client.post(f"/reports/periods/{p.id}/freeze", data=data)  # the double click
    assert first.status_code == 303 and second.status_code == 422
    assert "Du har redan fastställt rapporten för" in second.get_data(as_text=True)
    assert "(version 1), i en annan flik" in second.get_data(as_text=True)
    assert db.session.query(FrozenReport).count() == 1
    # Someone else with the page from before: told who froze it.
    auth.logout()
    auth.login("admin@example.se")
    token = csrf_from(client.get(f"/reports/periods/{p.id}").get_data(as_text=True))
    third = client.post(f"/reports/periods/{p.id}/freeze", data={**data, "csrf_token": token})
    assert third.status_code == 422
    assert "har just fastställts (version 1) av Lena Ledning." in third.get_data(as_text=True)
    auth.logout()
    auth.login("ledning@example.se")
    data["csrf_token"] = csrf_from(client.get(f"/reports/periods/{p.id}").get_data(as_text=True))
    correction = {**data, "expected": f"{committee}:1", "reason": "Rättad status"}
    assert client.post(f"/reports/periods/{p.id}/freeze", data=correction).status_code == 303
    assert [r.version for r in db.session.query(FrozenReport).order_by(FrozenReport.id)] == [1, 2]


def test_all_committees_at_once_freezes_those_not_yet_frozen_and_no_reason_on_a_first(
    org, client, auth
):
    p = period(org)
    initiative(org, "A")
    db.session.commit()
    ks, bun = org.committees
    auth.login("ledning@example.se")
    url = f"/reports/periods/{p.id}/freeze"
    page = f"/reports/periods/{p.id}"
    first = post_form(client, url, {"committee": str(ks.id), "expected": f"{ks.id}:0"}, page)
    assert first.status_code == 303
    # The rest at once, with a reason typed by mistake: BUN's first version, KS left as it was.
    data = {"committee": "all", "expected": f"{ks.id}:1,{bun.id}:0", "reason": "Alla övriga"}
    response = post_form(client, url, data, page)
    assert response.status_code == 303
    reports = db.session.query(FrozenReport).order_by(FrozenReport.id).all()
    assert [(r.committee_id, r.version, r.reason) for r in reports] == [
        (ks.id, 1, ""),
        (bun.id, 1, ""),
    ]
    assert json.loads(reports[1].content)["reason"] == ""
    shown = client.get(f"/reports/{reports[1].id}").get_data(as_text=True)
    assert "rättelse" not in shown.lower() and "Alla övriga" not in shown
    # Nothing left to freeze at once: said so, the typed reason kept, nothing frozen.
    again = post_form(client, url, {**data, "expected": f"{ks.id}:1,{bun.id}:1"}, page)
    html = again.get_data(as_text=True)
    assert again.status_code == 422 and "redan fastställd" in html and "Alla övriga" in html
    assert db.session.query(FrozenReport).count() == 2


def test_all_committees_at_once_skips_inactive_ones_and_says_how_many(org, client, auth):
    p = period(org)
    initiative(org, "A")
    retired = factories.make_committee("GN", "Gamla nämnden")
    retired.active = False
    db.session.commit()
    ks, bun = org.committees
    auth.login("ledning@example.se")
    page = f"/reports/periods/{p.id}"
    assert "Alla aktiva nämnder på en gång" in client.get(page).get_data(as_text=True)
    expected = f"{ks.id}:0,{bun.id}:0,{retired.id}:0"
    data = {"committee": "all", "expected": expected}
    response = post_form(client, f"/reports/periods/{p.id}/freeze", data, page)
    assert response.status_code == 303
    frozen = {r.committee_id for r in db.session.query(FrozenReport)}
    assert frozen == {ks.id, bun.id}
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rapporterna för 2 nämnder har fastställts." in shown


def test_the_report_page_and_its_four_files(org, frozen, client, auth):
    auth.login("ledning@example.se")
    page = client.get(f"/reports/{frozen.id}?lang=sv").get_data(as_text=True)
    assert frozen.sha256 in page
    today = datetime.now(TZ).date().isoformat()
    assert f"Status per 2026-04-30, fastställd {today} av Lena Ledning" in page
    assert "KS 2026/17" in page
    # The support request open at the period's end, from the request, with its date.
    support = "Stöd som behövs</span> =cmd|&#39; /C calc&#39;!A0"
    support += ' <span class="muted">(sedan 2026-02-01)'
    assert support in page
    csv_response = client.get(f"/reports/{frozen.id}.csv")
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    csv_body = csv_response.data
    assert csv_body.startswith("\ufeff".encode())
    assert client.get(f"/reports/{frozen.id}.csv").data == csv_body  # byte for byte
    lines = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig")), delimiter=";"))
    assert lines[1][0].startswith("Status per 2026-04-30")
    assert ["Diarienummer (dnr): KS 2026/17"] in lines
    assert any(cell.startswith("'=cmd") for line in lines for cell in line)  # neutralised
    row = next(line for line in lines if line and line[0] == "Digital post")  # the status list
    assert "'=cmd|' /C calc'!A0" in row and "2026-02-01" in row  # support text and since
    assert ["Begärt stöd"] in lines and ["Ingen rapport i perioden"] in lines
    response = client.get(f"/reports/{frozen.id}.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    strings = " ".join(
        str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row
    )
    assert "Digital post" in strings and frozen.sha256 in strings
    assert "Vad som ändrats" in book.sheetnames
    assert client.get(f"/reports/{frozen.id}.xlsx").data == response.data
    pdf = client.get(f"/reports/{frozen.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    docx = client.get(f"/reports/{frozen.id}.docx")
    with zipfile.ZipFile(io.BytesIO(docx.data)) as document:
        body = document.read("word/document.xml").decode()
    assert "Digital post" in body and "Status per 2026-04-30" in body
    assert "attachment" in docx.headers["Content-Disposition"]
    # Each download is in the audit trail, named as the admin reads it.
    downloads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.report").order_by(AuditEvent.id)
    ).all()
    assert [e.changes["format"] for e in downloads] == ["csv", "csv", "xlsx", "xlsx", "pdf", "docx"]
    assert {(e.entity_type, e.entity_id, e.actor_id) for e in downloads} == {
        ("frozen_report", frozen.id, org.management.id)
    }
    auth.login("admin@example.se")
    trail = client.get("/admin/audit?action=export.report&lang=sv").get_data(as_text=True)
    assert "Fastställd rapport hämtad" in trail


def test_what_changed_names_the_paused_and_cancelled_ones_in_the_plural(org, client, auth):
    """The headings of "Vad som ändrats" are lists of initiatives: "Pausade", "Avbrutna", as
    "Genomförda", not the singular status labels."""
    first, second = period(org), period(org, "Tertial 2 2026", "2026-05-01", "2026-08-31")
    paused, cancelled = initiative(org, "Vilar"), initiative(org, "Slut")
    for entry in (paused, cancelled):
        update(entry, at("2026-02-01"))
    freeze(org, first)
    update(paused, at("2026-06-01"), status=Status.PAUSED)
    update(cancelled, at("2026-06-01"), status=Status.CANCELLED)
    [report] = freeze(org, second)
    db.session.commit()
    auth.login("namnd@example.se")
    page = client.get(f"/reports/{report.id}?lang=sv").get_data(as_text=True)
    assert "<caption>Pausade <" in page and "<caption>Avbrutna <" in page
    assert "<strong>Genomförda:</strong>" in page
    csv_text = client.get(f"/reports/{report.id}.csv").get_data(as_text=True)
    assert "\r\nPausade\r\n" in csv_text and "\r\nAvbrutna\r\n" in csv_text
    english = client.get(f"/reports/{report.id}?lang=en").get_data(as_text=True)
    assert "<caption>Paused initiatives <" in english
    assert "<caption>Cancelled initiatives <" in english


def test_the_managers_start_page_shows_reported_or_missing(org, client, auth):
    today = datetime.now(TZ).date()
    p = period(org, "Nu", (today - timedelta(days=10)).isoformat(),
               (today + timedelta(days=20)).isoformat())  # fmt: skip
    done = initiative(org, "Rapporterad sak")
    update(done, datetime.now(UTC) - timedelta(hours=1))
    initiative(org, "Saknad sak")
    db.session.commit()
    auth.login("chef@example.se")
    page = client.get("/?lang=sv").get_data(as_text=True)
    assert "Rapporteringsperiod Nu" in page and p.deadline.isoformat() in page
    assert "rapporterad" in page and "saknas" in page
    missing = page.index("Saknad sak")
    assert "#new-update" in page[missing : missing + 400]


def test_a_period_that_is_over_asks_the_manager_for_nothing(org, client, auth):
    """Not closed yet, but past its last day: an update written now is dated outside it, so the
    start page no longer lists its reports as missing with a link to write one."""
    today = datetime.now(TZ).date()
    period(org, "Förbi", (today - timedelta(days=60)).isoformat(),
           (today - timedelta(days=1)).isoformat())  # fmt: skip
    initiative(org, "Saknad sak")
    db.session.commit()
    auth.login("chef@example.se")
    page = client.get("/?lang=sv").get_data(as_text=True)
    assert "Rapporteringsperiod Förbi" not in page and "saknas" not in page


def test_management_sees_who_is_missing(org, client, auth):
    p = period(org)
    a = initiative(org, "Har rapporterat")
    update(a, at("2026-02-01"))
    initiative(org, "Har inte rapporterat")
    factories.make_initiative(org.other_manager, title="Skolans", created_at=at("2025-12-01"))
    db.session.commit()
    auth.login("ledning@example.se")
    page = client.get(f"/reports/periods/{p.id}?lang=en").get_data(as_text=True)
    assert "1 of 3 initiatives have a report in the period (33 %)" in page
    assert f"/reports/periods/{p.id}?department=IT#missing" in page
    only_it = client.get(f"/reports/periods/{p.id}?department=IT").get_data(as_text=True)
    assert "Har inte rapporterat" in only_it and "Skolans" not in only_it


def test_the_live_comparison_on_board_and_dashboard(org, frozen, client, auth):
    today = datetime.now(TZ).date()
    period(org, "Nu", (today - timedelta(days=10)).isoformat(),
           (today + timedelta(days=20)).isoformat())  # fmt: skip
    [entry] = json.loads(frozen.content)["initiatives"]
    from tracker.models import Initiative

    live = db.session.get(Initiative, entry["id"])
    update(live, datetime.now(UTC) - timedelta(hours=1), status=Status.PAUSED, progress=50)
    db.session.commit()
    auth.login("ledning@example.se")
    for page in ("/board", "/dashboard"):
        assert "/reports/changes" in client.get(page).get_data(as_text=True)
    page = client.get("/reports/changes?committee=KS&lang=en").get_data(as_text=True)
    assert "Status changes" in page and "Paused" in page and "+20" in page
    assert re.search(r'<option value="KS"\s+selected>', page)
    # Without a committee the page asks for one, and the list does not claim one is chosen.
    page = client.get("/reports/changes?lang=sv").get_data(as_text=True)
    assert "Välj en nämnd." in page
    assert re.search(r'<option value="" selected>Välj …</option>', page)
    assert not re.search(r'<option value="[A-Z]+"\s+selected>', page)


def test_the_board_and_dashboard_show_what_changed_since_the_last_report(org, frozen, client, auth):
    """Issue 13: the live comparison is visible on the board (a marker on each changed card)
    and on the dashboard (a section per committee), not only behind a link."""
    [entry] = json.loads(frozen.content)["initiatives"]
    changed = db.session.get(Initiative, entry["id"])
    update(changed, datetime.now(UTC) - timedelta(hours=1), status=Status.PAUSED,
           health=Health.OFF_TRACK, progress=50)  # fmt: skip
    newcomer = initiative(org, "Kom efter rapporten")
    db.session.commit()
    auth.login("ledning@example.se")
    board = client.get("/board?lang=sv").get_data(as_text=True)
    card = board[board.index(f'id="card-{changed.id}"') :]
    card = card[: card.index("</li>")]
    assert "Sedan förra rapporten" in card and "tag--since-worse" in card
    # Worse in words too, not by the red tag alone.
    assert "Sedan förra rapporten · Sämre bedömning" in card
    assert "status Pågående → Pausad" in card and "bedömning Enligt plan → Avvikelse" in card
    assert "framsteg +20 procentenheter" in card
    fresh = board[board.index(f'id="card-{newcomer.id}"') :]
    assert "Ny sedan förra rapporten" in fresh[: fresh.index("</li>")]
    dashboard = client.get("/dashboard?lang=sv").get_data(as_text=True)
    section = dashboard[dashboard.index('id="since-report"') :]
    section = section[: section.index("</section>")]
    assert "Sedan förra nämndrapporten" in section
    assert "/reports/changes?committee=KS" in section and f"/reports/{frozen.id}" in section
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", section, re.S).group(0)
    # new, better, worse, status changed, progress changed
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "0", "1", "1", "1"]
    # A committee reader limited to another committee sees none of it.
    auth.logout()
    auth.login("namnd@example.se")
    assert client.get("/dashboard").status_code == 200


def test_the_since_markers_keep_queries_constant(app, org, client, auth, count_queries):
    # Computed every time: the cache's key holds the minute, so with it on, a minute turning
    # between two pages of one measurement (and not the other) changed the counts.
    app.config["CACHE"] = False
    auth.login("ledning@example.se")

    def measure():
        counts = {}
        for url in ("/board", "/dashboard", "/board/in_progress/more?offset=0",
                    "/board?present=1"):  # fmt: skip
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            counts[url] = counter.count
        return counts

    first = period(org)
    for n in range(3):
        update(initiative(org, f"I{n}", principles=org.principles), at("2026-02-01"))
    freeze(org, first)
    db.session.commit()
    small = measure()
    for n in range(30):
        item = initiative(org, f"J{n}", principles=org.principles)
        update(item, at("2026-02-02"), health=Health.AT_RISK, progress=n)
    for year in range(2010, 2020):
        freeze(org, period(org, f"År {year}", f"{year}-01-01", f"{year}-12-31"))
    freeze(org, period(org, "Tertial 2 2026", "2026-05-01", "2026-08-31"))
    db.session.commit()
    assert measure() == small


def test_queries_per_page_do_not_grow(org, client, auth, count_queries):
    auth.login("ledning@example.se")

    def measure():
        counts = {}
        for url in ("/reports", f"/reports/periods/{first.id}", f"/reports/{report.id}",
                    "/reports/changes?committee=KS"):  # fmt: skip
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            counts[url] = counter.count
        return counts

    first = period(org)
    for n in range(3):
        update(initiative(org, f"I{n}", principles=org.principles), at("2026-02-01"))
    [report] = freeze(org, first)
    db.session.commit()
    small = measure()
    for n in range(30):
        update(initiative(org, f"J{n}", principles=org.principles), at("2026-02-02"))
    for year in range(2010, 2020):
        p = period(org, f"År {year}", f"{year}-01-01", f"{year}-12-31")
        freeze(org, p)
    db.session.commit()
    assert measure() == small


def test_a_manager_marks_which_update_is_the_report(org, client, auth):
    from tracker.models import PeriodReportMark

    today = datetime.now(TZ).date()
    p = period(org, "Nu", (today - timedelta(days=10)).isoformat(),
               (today + timedelta(days=20)).isoformat())  # fmt: skip
    a = initiative(org, "Två rapporter")
    first = update(a, datetime.now(UTC) - timedelta(days=3), happened="Den första")
    update(a, datetime.now(UTC) - timedelta(hours=2), happened="Den andra")
    db.session.commit()
    auth.login("chef@example.se")
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'name="update"' in page and "Den första" in page
    token = csrf_from(page)
    url = f"/reports/periods/{p.id}/mark"
    response = client.post(url, data={"csrf_token": token, "initiative": a.id, "update": first.id})
    assert response.status_code == 303
    assert db.session.query(PeriodReportMark).one().status_update_id == first.id
    for data in ({"initiative": "x", "update": "y"}, {"initiative": a.id, "update": 10**12}):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 404
    auth.logout()
    auth.login("rektor@example.se")  # not the owner
    token = csrf_from(client.get("/").get_data(as_text=True))
    data = {"csrf_token": token, "initiative": a.id, "update": first.id}
    assert client.post(url, data=data).status_code == 403


@pytest.mark.parametrize("htmx", [False, True])
def test_a_crafted_mark_for_a_closed_period_is_refused_with_the_reason(org, client, auth, htmx):
    """The start page offers no mark once the period is closed; a crafted one gets 409 and the
    reason, and nothing is marked. An update not in the period gets 400."""
    from tracker.models import PeriodReportMark

    today = datetime.now(TZ).date()
    p = period(org, "Nu", (today - timedelta(days=10)).isoformat(),
               (today + timedelta(days=20)).isoformat())  # fmt: skip
    a = initiative(org, "Stängd period")
    first = update(a, datetime.now(UTC) - timedelta(days=3), happened="Den första")
    update(a, datetime.now(UTC) - timedelta(hours=2), happened="Den andra")
    old = update(a, datetime.now(UTC) - timedelta(days=40), happened="Före perioden")
    db.session.commit()
    auth.login("chef@example.se")
    token = csrf_from(client.get("/").get_data(as_text=True))
    url = f"/reports/periods/{p.id}/mark"
    headers = {"HX-Request": "true"} if htmx else {}
    outside = {"csrf_token": token, "initiative": a.id, "update": old.id}
    response = client.post(url, data=outside, headers=headers)
    assert response.status_code == 400
    assert "Välj en lägesrapport som är daterad inom perioden." in response.get_data(as_text=True)
    p.closed_at = datetime.now(UTC)
    db.session.commit()
    assert 'name="update"' not in client.get("/").get_data(as_text=True)
    data = {"csrf_token": token, "initiative": a.id, "update": first.id}
    response = client.post(url, data=data, headers=headers)
    assert response.status_code == 409
    assert "Perioden är stängd." in response.get_data(as_text=True)
    assert db.session.query(PeriodReportMark).count() == 0


def _open_period_now(org):
    today = datetime.now(TZ).date()
    return period(org, "Nu", (today - timedelta(days=10)).isoformat(),
                  (today + timedelta(days=20)).isoformat())  # fmt: skip


def test_the_inline_status_update_can_be_marked_as_the_periods_report(org, client, auth):
    """The initiative page's update form offers the mark while a period is open; ticked, the new
    update is the report even though an earlier one was marked."""
    from tracker.models import PeriodReportMark
    from tracker.reports import reporting

    p = _open_period_now(org)
    a = initiative(org, "Märks i formuläret")
    first = update(a, datetime.now(UTC) - timedelta(days=2), happened="Tidig")
    reporting.mark_report(org.manager, p, a, first, TZ)
    db.session.commit()
    auth.login("chef@example.se")
    url = f"/initiatives/{a.id}"
    page = client.get(f"{url}?lang=sv").get_data(as_text=True)
    assert 'name="as_report"' in page and "Använd lägesrapporten som rapport för Nu" in page
    data = {"status": "in_progress", "health": "at_risk", "progress": "40", "happened": "Ny"}
    # Without the tick, the earlier mark stands.
    assert post_form(client, f"{url}/updates", data, page=url).status_code == 303
    assert db.session.query(PeriodReportMark).one().status_update_id == first.id
    # With it (and through htmx), the new update is the report, said in the message.
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/updates",
        data={**data, "happened": "Rapporten", "as_report": "y", "csrf_token": token},
        headers={"HX-Request": "true", "HX-Target": "updates"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "har sparats som rapport för Nu" in html
    mark = db.session.query(PeriodReportMark).one()
    assert db.session.get(StatusUpdate, mark.status_update_id).happened == "Rapporten"
    assert mark.marked_by_id == org.manager.id


def test_no_mark_is_offered_without_an_open_period(org, client, auth):
    a = initiative(org, "Ingen period")
    period(org)  # long past
    db.session.commit()
    auth.login("chef@example.se")
    assert 'name="as_report"' not in client.get(f"/initiatives/{a.id}").get_data(as_text=True)
    token = csrf_from(client.get(f"/initiatives/{a.id}").get_data(as_text=True))
    data = {"status": "in_progress", "health": "on_track", "progress": "5", "as_report": "y",
            "csrf_token": token}  # fmt: skip
    assert client.post(f"/initiatives/{a.id}/updates", data=data).status_code == 303
    from tracker.models import PeriodReportMark

    assert db.session.query(PeriodReportMark).count() == 0


def test_the_status_round_can_mark_each_row_as_the_periods_report(org, client, auth):
    from tracker.models import PeriodReportMark

    _open_period_now(org)
    a = initiative(org, "Rundans första")
    b = initiative(org, "Rundans andra")
    db.session.commit()
    auth.login("chef@example.se")
    page = client.get("/initiatives/round?lang=sv").get_data(as_text=True)
    assert page.count("Använd lägesrapporten som rapport för Nu") >= 2
    rows = {
        int(value): prefix
        for prefix, value in re.findall(r'name="(rows-\d+)-initiative_id"[^>]*value="(\d+)"', page)
    }
    assert set(rows) >= {a.id, b.id}
    data = {"csrf_token": csrf_from(page)}
    for initiative_id, prefix in rows.items():
        item = db.session.get(Initiative, initiative_id)
        data[f"{prefix}-initiative_id"] = str(initiative_id)
        data[f"{prefix}-status"] = item.status.value
        data[f"{prefix}-health"] = item.health.value
        data[f"{prefix}-progress"] = str(item.progress)
    # Only the mark is ticked on a's row, nothing on b's: a is reported and marked, b is not.
    data[f"{rows[a.id]}-as_report"] = "y"
    response = client.post("/initiatives/round?lang=sv", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    [mark] = db.session.query(PeriodReportMark).all()
    assert mark.initiative_id == a.id
    assert [u.initiative_id for u in db.session.query(StatusUpdate)] == [a.id]
    home = client.get("/?lang=sv").get_data(as_text=True)
    assert "1 lägesrapport har sparats." in home
    assert "1 av dem är markerad som rapport för Nu." in home


def test_the_start_pages_quick_update_can_be_marked_as_the_report(org, client, auth):
    from tracker.models import PeriodReportMark

    _open_period_now(org)
    a = initiative(org, "Snabbt på startsidan")
    db.session.commit()
    auth.login("chef@example.se")
    home = client.get("/?lang=sv").get_data(as_text=True)
    assert f'id="u{a.id}-as-report"' in home
    data = {"status": "in_progress", "health": "on_track", "progress": "15",
            "return_to": "home", "as_report": "y", "csrf_token": csrf_from(home)}  # fmt: skip
    response = client.post(f"/initiatives/{a.id}/updates", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/")
    assert db.session.query(PeriodReportMark).one().initiative_id == a.id
    assert "har sparats som rapport för Nu" in client.get("/?lang=sv").get_data(as_text=True)


def test_a_period_edited_meanwhile_is_a_conflict_with_both_versions_shown(org, client, auth):
    """Two people edit the same period: the second save, made to what the first one changed,
    answers 409 with what they typed kept and the other person's change shown; sent again (it
    now names the saved version), it lands."""
    from .resilience_support import form_fields

    p = period(org)
    db.session.commit()
    auth.login(org.management.email)
    url = f"/reports/periods/{p.id}/edit"
    mine = form_fields(client.get(url).get_data(as_text=True), "name")
    theirs = form_fields(client.get(url).get_data(as_text=True), "name")
    assert mine.get("version")
    theirs["name"] = "Tertial 1 2026 (rättad)"
    assert client.post(url, data=theirs).status_code == 303
    mine["name"] = "Mitt namn på perioden"
    response = client.post(url, data=mine)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'value="Mitt namn på perioden"' in page  # the user's input kept
    saved = page[page.index('id="period-saved-title"') :]
    assert "Tertial 1 2026 (rättad)" in saved[: saved.index("</section>")]  # theirs shown
    db.session.rollback()
    assert db.session.get(ReportingPeriod, p.id).name == "Tertial 1 2026 (rättad)"
    again = form_fields(page, "name")
    assert client.post(url, data=again).status_code == 303
    db.session.rollback()
    assert db.session.get(ReportingPeriod, p.id).name == "Mitt namn på perioden"


def test_the_managers_start_page_keeps_the_current_period_when_the_next_opens_early(
    org, client, auth
):
    """The next period opened early does not hide the current one before its last day for
    reports; once only the early one is open, its reports count from the day it was opened,
    and the page says so."""
    from tracker.reports import periods

    today = datetime.now(TZ).date()
    current = period(org, "Nu", (today - timedelta(days=10)).isoformat(),
                     (today + timedelta(days=20)).isoformat(),
                     (today + timedelta(days=15)).isoformat())  # fmt: skip
    following = period(org, "Nästa", (today + timedelta(days=21)).isoformat(),
                       (today + timedelta(days=120)).isoformat())  # fmt: skip
    periods.open_early(org.management, following)
    initiative(org, "Rapporteras i tid")
    db.session.commit()
    auth.login("chef@example.se")
    section = client.get("/?lang=sv").get_data(as_text=True)
    assert "Rapporteringsperiod Nu" in section and "Rapporteringsperiod Nästa" not in section
    assert f"senast {(today + timedelta(days=15)).isoformat()}" in section
    assert f"({(today - timedelta(days=10)).isoformat()} – " in section

    periods.close(org.management, current)
    db.session.commit()
    section = client.get("/?lang=sv").get_data(as_text=True)
    assert "Rapporteringsperiod Nästa" in section
    assert f"({today.isoformat()} – {(today + timedelta(days=120)).isoformat()})" in section


def test_a_report_frozen_before_its_period_ends_is_the_status_of_that_day(org, client, auth):
    """The snapshot is taken when the report is frozen: its heading, page and files say the
    status as of that day, not as of the period's last day still ahead."""
    today = datetime.now(TZ).date().isoformat()
    p = _open_period_now(org)
    initiative(org, "Fryses mitt i perioden")
    [report] = freeze(org, p)
    db.session.commit()
    auth.login("ledning@example.se")
    page = client.get(f"/reports/{report.id}?lang=sv").get_data(as_text=True)
    assert f"Status per {today}, fastställd {today} av Lena Ledning" in page
    lines = client.get(f"/reports/{report.id}.csv").data.decode("utf-8-sig").splitlines()
    assert lines[1].startswith(f'"Status per {today}, fastställd')


def test_the_error_summary_names_the_field_of_a_message_several_fields_share(org, client, auth):
    """Three dates outside the calendar give three times the same message: each line of the
    summary says which field it means, and still leads to it."""
    auth.login("ledning@example.se")
    data = {"name": "Tertial 1 2027", "starts_on": "0001-01-01", "ends_on": "9999-12-31",
            "deadline": "0001-01-01"}  # fmt: skip
    response = post_form(client, "/reports/periods/new?lang=sv", data, "/reports/periods/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split('id="error-summary"')[1].split("</ul>")[0]
    lines = re.findall(r'<li><a href="#([a-z_]+)">([^<]+)</a></li>', summary)
    assert [field for field, _text in lines] == ["starts_on", "ends_on", "deadline"]
    assert len({text for _field, text in lines}) == 3, lines  # each names its field
    assert all(text.endswith(": Ange ett datum från år 1900 till år 2999.") for _f, text in lines)
    # A message of its own is not named twice.
    response = post_form(client, "/reports/periods/new?lang=sv", {**data, "name": "",
                         "starts_on": "2027-01-01", "ends_on": "2027-04-30",
                         "deadline": "2027-04-20"}, "/reports/periods/new")  # fmt: skip
    summary = response.get_data(as_text=True).split('id="error-summary"')[1].split("</ul>")[0]
    assert '<a href="#name">Ange ett namn på perioden' in summary


def test_the_documents_call_the_periods_report_what_the_page_calls_it(org, client, auth):
    """The manager marked an earlier update as the period's report: the page said "Rapport i
    perioden", the PDF and Word "Senaste lägesrapport" over that same earlier text (found by
    review). Every format now names it as the page does."""
    from pypdf import PdfReader

    from tracker.reports import reporting

    p = period(org)
    item = initiative(org, "Digitala detaljplaner")
    chosen = update(item, at("2026-02-01"), happened="Det valda läget")
    update(item, at("2026-04-01"), happened="Ett senare läge")
    p.opened_at = at("2026-01-01")
    reporting.mark_report(org.manager, p, item, chosen, TZ, now=at("2026-04-02"))
    [report] = freeze(org, p)
    db.session.commit()
    auth.login(org.management.email)
    page = client.get(f"/reports/{report.id}?lang=sv").get_data(as_text=True)
    assert "Rapport i perioden" in page and "Det valda läget" in page
    pdf = PdfReader(io.BytesIO(client.get(f"/reports/{report.id}.pdf?lang=sv").data))
    text = " ".join(page.extract_text() for page in pdf.pages)
    with zipfile.ZipFile(io.BytesIO(client.get(f"/reports/{report.id}.docx?lang=sv").data)) as z:
        body = z.read("word/document.xml").decode()
    for document in (text, body):
        assert "Rapport i perioden" in document and "Det valda läget" in document
        assert "Senaste lägesrapport" not in document
