"""Recording a round from a file (previewed row by row, all or nothing), correcting it with every
change audited, the template, and that only admins may do any of it."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.maturity import importing, rounds
from tracker.models import AuditEvent, MaturityQuestion, MaturityRound, MaturityValue

from .conftest import csrf_from

GOOD_CSV = (
    "kategori;förmåga;fråga;frågetext;avdelning;procent\n"
    "strategi;Styrning;STR1;Det finns en strategi.;;48\n"
    "Kompetens och kultur;Lärande;KOM1;Det finns tid att lära.;;38,5\n"
    "Information management;Struktur;INF1;Informationen är beskriven.;;36 %\n"
    "strategi;;str1;;it;52\n"
)
HEADING_ONLY = "kategori;förmåga;fråga;text;avdelning;procent\n".encode()
ONLY_DEPARTMENTS = b"category;capability;question;text;department;percent\nstrategi;S;S1;T;IT;4\n"
ROUND_FORM = {
    "name": "Mätning 2020",
    "measured_on": "2020-10-15",
    "respondents": "212",
    "response_rate": "61,5",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, auth, content: bytes, name: str = "dimios.csv", **fields):
    token = auth.csrf_token("/maturity/rounds/new")
    data = {**ROUND_FORM, **fields, "csrf_token": token, "file": (io.BytesIO(content), name)}
    return client.post("/maturity/rounds/new", data=data, content_type="multipart/form-data")


def confirm(client, preview_html: str):
    payload = re.search(r'name="payload"[^>]*value="([^"]+)"', preview_html).group(1)
    return client.post(
        "/maturity/rounds/confirm",
        data={"csrf_token": csrf_from(preview_html), "payload": payload},
    )


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        GOOD_CSV.encode(),
        ("\ufeff" + GOOD_CSV).encode(),
        GOOD_CSV.replace(";", ",").replace("38,5", '"38,5"').encode(),
        GOOD_CSV.replace("\n", "\r\n").encode(),
    ],
)
def test_csv_variants_parse_alike(org, content):
    rows = importing.parse_file("dimios.csv", content)
    assert [(r.line, r.question_key, r.department_code, r.percent) for r in rows] == [
        (2, "STR1", "", "48"),
        (3, "KOM1", "", "38,5"),
        (4, "INF1", "", "36 %"),
        (5, "STR1", "IT", "52"),
    ]
    assert importing.check_rows(rows)


def test_xlsx_with_numbers_parses(org):
    content = xlsx(
        [
            ["category", "capability", "question", "text", "department", "percent", "text_en"],
            ["teknik", "Infrastruktur", "TEK1", "Stabil drift.", None, 58.5, "Stable."],
        ]
    )
    rows = importing.parse_file("dimios.xlsx", content)
    assert (rows[0].percent, rows[0].text_en) == ("58.5", "Stable.")
    assert importing.check_rows(rows)


def test_xlsx_percent_cells_are_read_as_the_sheet_shows_them(org):
    """A Swedish Excel stores "72,5 %" typed in a cell as 0.725 with a percent format: the
    import reads 72.5, not 0.725 (which would pass the 0-100 check and be silently wrong)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["category", "capability", "question", "text", "department", "percent"])
    sheet.append(["teknik", "Infrastruktur", "TEK1", "Stabil drift.", None, 0.725])
    sheet.append(["strategi", "Styrning", "STR1", "En strategi.", None, 0.585])
    sheet.append(["strategi", "Styrning", "STR2", "Uppföljning.", None, 1])
    sheet.append(["strategi", "Styrning", "STR3", "Ledning.", None, 0.5])
    for row in (2, 3, 4):
        sheet.cell(row=row, column=6).number_format = "0.0%" if row < 4 else "0%"
    out = io.BytesIO()
    workbook.save(out)
    rows = importing.parse_file("dimios.xlsx", out.getvalue())
    assert [importing.parse_percent(r.percent) for r in rows] == [72.5, 58.5, 100.0, 0.5]
    assert importing.check_rows(rows)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("dimios.csv", GOOD_CSV.encode("utf-16"), "UTF-8"),
        ("dimios.csv", GOOD_CSV.encode("cp1252"), "UTF-8"),
        ("dimios.xlsx", b"not a workbook", "XLSX"),
        ("dimios.pdf", b"%PDF-1.7", ".csv"),
        ("dimios.csv", b"", "Välj en CSV- eller XLSX-fil"),
        ("dimios.csv", b"kategori;fraga;procent\nstrategi;STR1;4\n", "Kolumner saknas"),
        ("dimios.csv", GOOD_CSV.replace("procent", "betyg").encode(), "betyg"),
        ("dimios.csv", HEADING_ONLY, "inga värden"),
        ("dimios.csv", ONLY_DEPARTMENTS, "hela organisationen"),
    ],
)  # fmt: skip
def test_unreadable_files(org, name, content, message):
    with pytest.raises(importing.ImportFileError) as error:
        importing.parse_file(name, content)
    assert message in str(error.value)


def test_every_problem_is_found(org):
    content = (
        "category;capability;question;text;department;percent\n"
        "strategi;Styrning;STR1;Strategi finns.;;101\n"  # 2: out of range
        "okänd;Styrning;STR2;Text;;40\n"  # 3: unknown category
        "strategi;Styrning;STR3;;;40\n"  # 4: new question without text
        "strategi;;STR1;;FINNSINTE;40\n"  # 5: unknown department
        "strategi;;STR1;;;45\n"  # 6: duplicate of line 2
        "teknik;;STR1;;IT;abc\n"  # 7: other category than line 2, not a number
        "strategi;Styrning;STR4;Text;;-1\n"  # 8: below 0
        "strategi;Styrning;STR5;Text;;\n"  # 9: percent missing
        "strategi;Styrning;;Text;;50\n"  # 10: no question code
    ).encode()
    rows = importing.parse_file("dimios.csv", content)
    assert not importing.check_rows(rows)
    problems = {row.line: " ".join(str(p) for p in row.problems) for row in rows}
    assert "0 till 100" in problems[2]
    assert "Okänd kategori" in problems[3]
    assert "ange frågetexten" in problems[4]
    assert "Okänd avdelningskod" in problems[5]
    assert "också på rad 2" in problems[6]
    assert "annan kategori på rad 2" in problems[7] and "0 till 100" in problems[7]
    assert "0 till 100" in problems[8]
    assert "Procentvärdet saknas" in problems[9]
    assert "Frågekoden saknas" in problems[10]


def test_stored_questions_must_keep_their_category_and_text(org):
    rows = importing.parse_file("dimios.csv", GOOD_CSV.encode())
    rounds.create_round(
        org.admin, rounds.RoundData("Mätning 2020", importing.parse_date("2020-10-01")), rows
    )
    again = importing.parse_file(
        "dimios.csv",
        (
            b"category;capability;question;text;department;percent\n"
            b"teknik;;STR1;;;50\n"
            b"strategi;;STR1;En annan text.;IT;50\n"
            b"kompetens;;KOM1;;HR;50\n"  # HR is fine: only the organisation rows are needed once
        ),
    )
    assert not importing.check_rows(again)
    assert "annan kategori i tidigare mätomgångar" in str(again[0].problems[0])
    assert "Frågetexten skiljer sig" in str(again[1].problems[0])
    assert again[2].problems == []


def test_percent_parsing():
    assert importing.parse_percent("72,5 %") == 72.5
    assert importing.parse_percent("0") == 0 and importing.parse_percent("100") == 100
    for bad in ("", "100.1", "-0.5", "nan", "inf", "sjuttio"):
        assert importing.parse_percent(bad) is None


# --- upload, preview, confirm ---------------------------------------------------------------


def test_good_file_is_previewed_then_saved(client, auth, org):
    auth.login(org.admin.email)
    response = upload(client, auth, GOOD_CSV.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Filen har 4 värden och inga fel." in html
    assert count(MaturityRound) == 0  # nothing saved by the preview

    response = confirm(client, html)
    assert response.status_code == 303
    round_ = db.session.scalar(select(MaturityRound))
    assert (round_.name, round_.respondents, round_.response_rate) == ("Mätning 2020", 212, 61.5)
    assert count(MaturityValue) == 4 and count(MaturityQuestion) == 3
    values = {
        (v.question.key, v.department.code if v.department else None): v.percent
        for v in db.session.scalars(select(MaturityValue))
    }
    assert values == {
        ("STR1", None): 48,
        ("KOM1", None): 38.5,
        ("INF1", None): 36,
        ("STR1", "IT"): 52,
    }
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "maturity.round.create")
    )
    assert event.changes["values"] == 4 and event.changes["questions_added"] == 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mätomgången ”Mätning 2020” har sparats." in page


def test_bad_file_saves_nothing(client, auth, org):
    auth.login(org.admin.email)
    response = upload(client, auth, GOOD_CSV.replace(";48", ";148").encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-summary"' in html and 'href="#row-2"' in html
    assert 'name="payload"' not in html
    assert count(MaturityRound) == 0 and count(MaturityQuestion) == 0


def test_file_error_and_missing_fields_are_shown_on_the_form(client, auth, org):
    auth.login(org.admin.email)
    response = upload(client, auth, b"\xff\xfe\x00", name="dimios.csv")
    assert response.status_code == 422
    assert "UTF-8" in response.get_data(as_text=True)
    response = upload(client, auth, GOOD_CSV.encode(), name="x.csv", name_="", measured_on="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Ange datum för mätningen." in html
    response = upload(client, auth, GOOD_CSV.encode(), response_rate="120")
    assert response.status_code == 422
    assert "Värdet måste vara ett tal från 0 till 100." in response.get_data(as_text=True)


def test_confirmation_is_checked_again(client, auth, org):
    auth.login(org.admin.email)
    html = upload(client, auth, GOOD_CSV.encode()).get_data(as_text=True)
    # Someone records a round with the same name in between.
    rows = importing.parse_file("dimios.csv", GOOD_CSV.encode())
    rounds.create_round(
        org.admin, rounds.RoundData("Mätning 2020", importing.parse_date("2020-10-01")), rows
    )
    db.session.commit()
    response = confirm(client, html)
    assert response.status_code == 422
    assert "Det finns redan en mätomgång med det här namnet." in response.get_data(as_text=True)
    assert count(MaturityRound) == 1


def test_tampered_or_foreign_payload_is_refused(client, auth, org):
    auth.login(org.admin.email)
    html = upload(client, auth, GOOD_CSV.encode()).get_data(as_text=True)
    forged = html.replace(
        'name="payload" type="hidden" value="', 'name="payload" type="hidden" value="x'
    )
    forged = forged.replace(
        'type="hidden" name="payload" value="', 'type="hidden" name="payload" value="x'
    )
    response = confirm(client, forged)
    assert response.status_code == 422 and count(MaturityRound) == 0


def test_template_downloads(client, auth, org):
    auth.login(org.admin.email)
    response = client.get("/maturity/rounds/template.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeffcategory;capability;question;text;department;percent")
    assert len(text.strip().splitlines()) == 7  # the heading and one row per category
    response = client.get("/maturity/rounds/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [c.value for c in sheet[1]][:6] == list(importing.REQUIRED)


def test_template_has_the_stored_questions_and_neutralises_formulas(client, auth, org):
    rows = importing.parse_file(
        "dimios.csv", GOOD_CSV.replace("Det finns en strategi.", "=HYPERLINK()").encode()
    )
    rounds.create_round(org.admin, rounds.RoundData("R", importing.parse_date("2020-10-01")), rows)
    db.session.commit()
    auth.login(org.admin.email)
    text = client.get("/maturity/rounds/template.csv").get_data().decode("utf-8")
    assert "'=HYPERLINK()" in text and "KOM1" in text
    sheet = load_workbook(
        io.BytesIO(client.get("/maturity/rounds/template.xlsx").get_data())
    ).active
    assert sheet["D2"].data_type == "s"


# --- corrections ----------------------------------------------------------------------------


@pytest.fixture
def saved_round(org):
    rows = importing.parse_file("dimios.csv", GOOD_CSV.encode())
    round_ = rounds.create_round(
        org.admin, rounds.RoundData("Mätning 2020", importing.parse_date("2020-10-15")), rows
    )
    db.session.commit()
    return round_


def test_correcting_a_value_is_audited_and_shown(client, auth, org, saved_round):
    value = db.session.scalar(
        select(MaturityValue).join(MaturityQuestion).where(MaturityQuestion.key == "KOM1")
    )
    auth.login(org.admin.email)
    form = client.get(f"/maturity/values/{value.id}/edit").get_data(as_text=True)
    assert 'value="38,5"' in form
    bad = client.post(
        f"/maturity/values/{value.id}/edit", data={"csrf_token": csrf_from(form), "percent": "101"}
    )
    assert bad.status_code == 422 and 'id="error-summary"' in bad.get_data(as_text=True)
    response = client.post(
        f"/maturity/values/{value.id}/edit", data={"csrf_token": csrf_from(form), "percent": "40,5"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(MaturityValue, value.id).percent == 40.5
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "maturity.value.update")
    )
    assert event.changes == {"question": "KOM1", "department": None, "percent": [38.5, 40.5]}
    assert event.entity_id == saved_round.id
    html = client.get(f"/maturity/rounds/{saved_round.id}").get_data(as_text=True)
    assert "Ändrad efter import" in html and "38.5 → 40.5" in html


def test_correcting_the_round_facts(client, auth, org, saved_round):
    auth.login(org.admin.email)
    form = client.get(f"/maturity/rounds/{saved_round.id}/edit").get_data(as_text=True)
    data = {"csrf_token": csrf_from(form), "name": "Mätning 2020", "measured_on": "2020-10-16",
            "respondents": "213", "response_rate": ""}  # fmt: skip
    assert client.post(f"/maturity/rounds/{saved_round.id}/edit", data=data).status_code == 303
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "maturity.round.update")
    )
    assert event.changes == {
        "measured_on": ["2020-10-15", "2020-10-16"],
        "respondents": [None, 213],
    }
    db.session.expire_all()
    assert db.session.get(MaturityRound, saved_round.id).changed_at is not None
    # The maturity page says so too.
    assert "har ändrats efter importen" in client.get("/maturity/").get_data(as_text=True)


def test_unchanged_correction_records_nothing(client, auth, org, saved_round):
    auth.login(org.admin.email)
    form = client.get(f"/maturity/rounds/{saved_round.id}/edit").get_data(as_text=True)
    data = {"csrf_token": csrf_from(form), "name": "Mätning 2020", "measured_on": "2020-10-15",
            "respondents": "", "response_rate": ""}  # fmt: skip
    assert client.post(f"/maturity/rounds/{saved_round.id}/edit", data=data).status_code == 303
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "maturity.round.update"))
        is None
    )
    db.session.expire_all()
    assert db.session.get(MaturityRound, saved_round.id).changed_at is None


# --- rights ---------------------------------------------------------------------------------

ADMIN_GETS = [
    "/maturity/rounds",
    "/maturity/rounds/new",
    "/maturity/rounds/template.csv",
    "/maturity/rounds/template.xlsx",
    "/maturity/rounds/{round}",
    "/maturity/rounds/{round}/edit",
    "/maturity/values/{value}/edit",
]
ADMIN_POSTS = [
    "/maturity/rounds/new",
    "/maturity/rounds/confirm",
    "/maturity/rounds/{round}/edit",
    "/maturity/values/{value}/edit",
]


@pytest.mark.parametrize("role", ["admin", "management", "committee", "manager"])
def test_only_admins_record_and_correct_rounds(client, auth, org, saved_round, role):
    ids = {"round": saved_round.id, "value": db.session.scalar(select(MaturityValue.id))}
    auth.login(org.user(role).email)
    expected = 200 if role == "admin" else 403
    for path in ADMIN_GETS:
        assert client.get(path.format(**ids)).status_code == expected, path
    token = auth.csrf_token("/accessibility")
    for path in ADMIN_POSTS:
        response = client.post(path.format(**ids), data={"csrf_token": token, "percent": "1"})
        if role == "admin":
            assert response.status_code != 403, path
        else:
            assert response.status_code == 403, path
    assert client.get("/maturity/").status_code == 200
    if role != "admin":
        assert (
            db.session.scalar(select(MaturityValue.percent).where(MaturityValue.id == ids["value"]))
            != 1
        )


def test_services_check_the_right_too(org, saved_round):
    from tracker.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        rounds.update_round(
            org.management, saved_round, rounds.RoundData("X", saved_round.measured_on)
        )
    with pytest.raises(PermissionDenied):
        rounds.create_round(org.manager, rounds.RoundData("Y", saved_round.measured_on), [])


def test_signed_out_users_are_sent_to_sign_in(client, saved_round):
    for path in ("/maturity/", "/maturity/rounds", "/maturity/rounds/new"):
        assert client.get(path).status_code in (302, 401)


def test_two_admins_correcting_the_same_value_or_round_is_a_409_not_an_overwrite(
    client, auth, org, saved_round
):
    from .resilience_support import form_fields

    value = db.session.scalar(
        select(MaturityValue).join(MaturityQuestion).where(MaturityQuestion.key == "KOM1")
    )
    auth.login(org.admin.email)
    for url, name, theirs, mine in (
        (f"/maturity/values/{value.id}/edit", "percent", "41", "42"),
        (f"/maturity/rounds/{saved_round.id}/edit", "name", "Deras mätning", "Min mätning"),
    ):
        first = form_fields(client.get(url).get_data(as_text=True), name)
        second = form_fields(client.get(url).get_data(as_text=True), name)
        assert first.get("version"), url
        assert client.post(url, data={**second, name: theirs}).status_code == 303
        response = client.post(url, data={**first, name: mine})
        assert response.status_code == 409, url
        page = response.get_data(as_text=True)
        assert f'value="{mine}"' in page
        saved = page[page.index('id="maturity-saved-title"') :]
        assert theirs in saved[: saved.index("</section>")]
        assert client.post(url, data=form_fields(page, name)).status_code == 303
