"""Importing users from CSV or XLSX: every row previewed with its problems, all or nothing."""

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tracker.admin.services import AdminError
from tracker.admin.services import user_import as services
from tracker.extensions import db
from tracker.models import AuditEvent, Role, User

GOOD_CSV = (
    "namn;e-post;roll;avdelning\n"
    "Anna Andersson;anna@example.se;manager;IT\n"
    "Bo Berg;BO@example.se;ledningsgrupp;\n"
    "Cia Ek;cia@example.se;committee;grs\n"
)


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def post_file(client, auth, name: str, content: bytes):
    token = auth.csrf_token("/admin/users/import")
    return client.post(
        "/admin/users/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        GOOD_CSV.encode(),
        ("\ufeff" + GOOD_CSV).encode(),  # Excel's "CSV UTF-8" starts with a BOM
        GOOD_CSV.replace(";", ",").encode(),
        GOOD_CSV.replace("\n", "\r\n").encode(),
    ],
)
def test_csv_variants_parse_alike(org, content):
    rows = services.parse_file("users.csv", content)
    assert [(r.line, r.name, r.email, r.role, r.department) for r in rows] == [
        (2, "Anna Andersson", "anna@example.se", "manager", "IT"),
        (3, "Bo Berg", "BO@example.se", "ledningsgrupp", ""),
        (4, "Cia Ek", "cia@example.se", "committee", "grs"),
    ]
    assert services.check_rows(rows)


def test_xlsx_parses(org):
    content = xlsx(
        [["E-mail", "Name", "Role", "Department code"], ["a@example.se", "A", "admin", None]]
    )
    rows = services.parse_file("users.xlsx", content)
    assert (rows[0].name, rows[0].email, rows[0].role, rows[0].department) == (
        "A",
        "a@example.se",
        "admin",
        "",
    )


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("users.csv", b"name;email;role\nA;a@example.se;manager\n", "Kolumnerna ska vara exakt"),
        ("users.csv", b"name;email;role;department;phone\nA;a@x.se;manager;IT;1\n", "”phone”"),
        (
            "users.csv",
            "namn;e-post;roll;avdelning\nÅsa;a@x.se;chef;IT\n".encode("cp1252"),
            "inte i UTF-8",
        ),
        ("users.xlsx", b"this is not a zip file", "inte en giltig XLSX"),
        ("users.xlsx", xlsx([]), "Filen är tom."),
        ("users.pdf", b"%PDF-1.7", "CSV-fil (.csv) eller en XLSX"),
        ("users.csv", b"", "Välj en CSV"),
        ("users.csv", b"name;email;role;department\n", "inga användare"),
        (
            "users.csv",
            ("name;email;role;department\n" + "A;a{}@x.se;manager;IT\n" * 10_000).encode(),
            "fler än 2000",
        ),
    ],
)
def test_malformed_files_get_a_clear_message(org, name, content, message):
    with pytest.raises(services.ImportFileError) as error:
        services.parse_file(name, content)
    assert message in str(error.value)


def test_every_row_problem_is_found(org):
    content = (
        b"name;email;role;department\n"
        b"Ok Person;ok@example.se;manager;IT\n"
        b";missing-name@example.se;manager;IT\n"
        b"Taken;CHEF@example.se;manager;IT\n"
        b"Bad Mail;not-an-address;manager;IT\n"
        b"Twice;ok@example.se;manager;IT\n"
        b"Bad Role;role@example.se;king;IT\n"
        b"Bad Dept;dept@example.se;manager;NOPE\n"
    )
    rows = services.parse_file("u.csv", content)
    assert not services.check_rows(rows)
    problems = {r.line: " ".join(str(p) for p in r.problems) for r in rows}
    assert problems[2] == ""
    assert "Namn saknas." in problems[3]
    assert "Det finns redan en användare" in problems[4]
    assert "inte giltig" in problems[5]
    assert "finns också på rad 2" in problems[6]
    assert "Okänd roll" in problems[7]
    assert "Okänd avdelningskod" in problems[8]
    with pytest.raises(AdminError):
        services.import_users(org.admin, rows)
    assert user_count() == 5


def test_import_writes_every_user_with_audit_events(org):
    rows = services.parse_file("u.csv", GOOD_CSV.encode())
    users = services.import_users(org.admin, rows)
    assert [u.role for u in users] == [Role.MANAGER, Role.MANAGEMENT, Role.COMMITTEE]
    assert users[1].email == "bo@example.se"
    assert users[2].department.code == "GRS"
    assert all(u.password_hash is None and u.must_change_password for u in users)
    events = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert events[-4:] == ["user.create"] * 3 + ["user.import"]


def test_signed_rows_are_bound_to_the_admin_and_tamper_proof(org, app):
    rows = services.parse_file("u.csv", GOOD_CSV.encode())
    payload = services.sign_rows("key", org.admin, rows)
    assert [r.email for r in services.unsign_rows("key", org.admin, payload)][
        0
    ] == "anna@example.se"
    with pytest.raises(services.ImportFileError):
        services.unsign_rows("key", org.manager, payload)
    with pytest.raises(services.ImportFileError):
        services.unsign_rows("key", org.admin, payload[:-2] + "xx")
    with pytest.raises(services.ImportFileError):
        services.unsign_rows("other key", org.admin, payload)


# --- views ---------------------------------------------------------------------------------------


def confirm_payload(html: str) -> str:
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)


def test_preview_then_confirm(org, client, auth):
    auth.login(org.admin.email)
    response = post_file(client, auth, "nya.csv", GOOD_CSV.encode())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Anna Andersson" in html and "Cia Ek" in html
    assert user_count() == 5  # nothing written by the preview
    token = auth.csrf_token("/admin/users/import")
    response = client.post(
        "/admin/users/import/confirm",
        data={"csrf_token": token, "payload": confirm_payload(html)},
    )
    assert response.status_code == 200
    assert "3 användare har importerats." in response.get_data(as_text=True)
    assert user_count() == 8


def test_preview_with_a_bad_row_shows_it_and_offers_no_import(org, client, auth):
    auth.login(org.admin.email)
    content = GOOD_CSV + "Dora;dora@example.se;manager;XYZ\n"
    response = post_file(client, auth, "nya.csv", content.encode())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Okänd avdelningskod." in html and 'href="#row-5"' in html
    assert 'name="payload"' not in html
    assert user_count() == 5


def test_confirm_rechecks_the_rows(org, client, auth):
    auth.login(org.admin.email)
    html = post_file(client, auth, "nya.csv", GOOD_CSV.encode()).get_data(as_text=True)
    # Someone adds Anna by hand between the preview and the confirmation.
    db.session.add(User(email="anna@example.se", name="Anna", role=Role.MANAGER))
    db.session.commit()
    token = auth.csrf_token("/admin/users/import")
    response = client.post(
        "/admin/users/import/confirm",
        data={"csrf_token": token, "payload": confirm_payload(html)},
    )
    assert response.status_code == 422
    assert user_count() == 6  # the three others were not written either


def test_malformed_upload_is_422_with_message(org, client, auth):
    auth.login(org.admin.email)
    response = post_file(client, auth, "users.xlsx", b"PK\x03\x04 not really")
    assert response.status_code == 422
    assert "inte en giltig XLSX-arbetsbok" in response.get_data(as_text=True)
    token = auth.csrf_token("/admin/users/import")
    response = client.post(
        "/admin/users/import/confirm", data={"csrf_token": token, "payload": "forged"}
    )
    assert response.status_code == 422
    assert "Ladda upp filen igen" in response.get_data(as_text=True)
    response = client.post("/admin/users/import", data={"csrf_token": token})
    assert response.status_code == 422
