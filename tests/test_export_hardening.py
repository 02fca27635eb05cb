"""Exports survive what users type and what old data holds: separators and formulas in any
CSV dialect, control characters in every format; input refuses control characters."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from docx import Document
from sqlalchemy import select, text

from tracker.exports import cells
from tracker.extensions import db
from tracker.models import Health, Initiative, Status

from . import factories
from .conftest import csrf_from
from .test_exports import fetch, read_csv, read_xlsx
from .test_maturity import initiative_form


@pytest.fixture
def hostile(org):
    initiative = factories.make_initiative(
        org.manager,
        title="Komma,=1+2,",
        purpose='Rad ett\n=HYPERLINK("http://evil.example")\tflik;-2+3',
        updates=1,
        status=Status.IN_PROGRESS,
        health=Health.AT_RISK,
    )
    db.session.commit()
    return initiative


def test_a_field_with_any_separator_is_quoted_and_every_piece_neutralised(hostile, client, auth):
    auth.login(factories_email := "ledning@example.se")
    assert factories_email
    response = fetch(client, "/exports/initiatives.csv")
    body = response.get_data().decode("utf-8-sig")
    assert '"Komma,\'=1+2,"' in body
    # Read as ;-separated (Swedish Excel) the title is one cell, as typed but neutralised.
    rows = read_csv(response)
    assert "Komma,'=1+2," in {row[0] for row in rows}
    # Read with any other separator a spreadsheet may choose, no cell starts a formula.
    for separator in (",", "\t", ";"):
        for row in csv.reader(io.StringIO(body, newline=""), delimiter=separator):
            for cell in row:
                for line in cell.splitlines() or [""]:
                    assert not line.lstrip(" ").startswith(("=", "+", "-", "@")), (separator, cell)
    # And read by a reader that ignores quotes altogether.
    for line in body.splitlines():
        for separator in (",", "\t", ";"):
            for piece in line.split(separator):
                assert not piece.strip(' "').startswith(("=", "+", "-", "@")), piece


def test_csv_content_type_has_one_charset(org, client, auth):
    auth.login(org.management.email)
    response = fetch(client, "/exports/initiatives.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    auth.login(org.admin.email)
    response = fetch(client, "/maturity/rounds/template.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Komma,=1+2,", "Komma,'=1+2,"),
        ("a;+1", "a;'+1"),
        ("a\t@SUM(1)", "a\t'@SUM(1)"),
        ("rad\n-1", "rad\n'-1"),
        ("a, =1", "a, '=1"),
        ("=1", "'=1"),
        ("vanlig text, inget", "vanlig text, inget"),
    ],
)
def test_neutralise_after_every_separator(value, expected):
    assert cells.neutralise(value) == expected


def test_csv_field_quoting():
    assert cells.csv_field("a,b") == '"a,b"'
    assert cells.csv_field("a\tb") == '"a\tb"'
    assert cells.csv_field('a"b') == '"a""b"'
    assert cells.csv_field("ab") == "ab"
    assert cells.csv_line(["a;b", "c"]) == '"a;b";c\r\n'


# --- control characters -------------------------------------------------------------------


@pytest.fixture
def old_bad_data(org):
    """Written straight into the database, as data from before the input check would be."""
    factories.make_initiative(org.manager, title="Titel\x01med\x0bkontroll", updates=1)
    db.session.commit()
    # PostgreSQL cannot store NUL in text at all; SQLite can, so it gets one too.
    nul = "" if db.engine.dialect.name == "postgresql" else "\x00"
    db.session.execute(
        text("UPDATE user_account SET name = :name WHERE id = :id"),
        {"name": f"Cecilia\x01 {nul}Chef\x1f", "id": org.manager.id},
    )
    db.session.commit()
    db.session.expire_all()
    return org


@pytest.mark.parametrize("extension", ["csv", "xlsx", "pdf", "docx"])
def test_control_characters_in_old_data_never_break_an_export(
    old_bad_data, client, auth, extension
):
    auth.login(old_bad_data.management.email)
    response = fetch(client, f"/exports/initiatives.{extension}")
    assert response.status_code == 200
    body = response.get_data()
    if extension == "csv":
        decoded = body.decode("utf-8-sig")
        assert "Cecilia Chef" in decoded and "Titelmedkontroll" in decoded
        assert not any(c in decoded for c in "\x00\x01\x0b\x1f")
    elif extension == "xlsx":
        values = [c.value for ws in read_xlsx(response) for row in ws.iter_rows() for c in row]
        assert "Cecilia Chef" in values
    elif extension == "docx":
        document = Document(io.BytesIO(body))
        texts = " ".join(p.text for p in document.paragraphs)
        assert "Cecilia Chef" in texts and "Titelmedkontroll" in texts
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            xml = archive.read("word/document.xml")
        assert b"\x01" not in xml and b"\x00" not in xml
    else:
        assert body.startswith(b"%PDF")


def _post(client, path, data, token_page=None):
    token = csrf_from(client.get(token_page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


@pytest.mark.parametrize("lang, message", [("sv", "kontrolltecknen"), ("en", "control characters")])
def test_control_characters_are_refused_with_a_field_error(org, client, auth, lang, message):
    auth.login(org.manager.email)
    client.get(f"/accessibility?lang={lang}")
    response = _post(client, "/account", {"name": "Cecilia\x01Chef", "language": lang}, "/account")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Cecilia" in html  # what was typed is kept (without the invisible character)
    response = _post(
        client, "/initiatives", initiative_form(org, title="Titel\x00"), "/initiatives/new"
    )
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    # Line breaks and tabs stay allowed in a multi-line field.
    response = _post(
        client,
        "/initiatives",
        initiative_form(org, title="Bra titel", purpose="Rad ett\r\n\tRad två"),
        "/initiatives/new",
    )
    assert response.status_code in (302, 303)


# The bidirectional controls, each named; a text with one of them can read differently from what
# it is ("Trojan Source"): marks, embeddings and overrides, isolates.
DIRECTION = {
    "LRM": "\u200e",
    "RLM": "\u200f",
    "ALM": "\u061c",
    "LRE": "\u202a",
    "RLE": "\u202b",
    "PDF": "\u202c",
    "LRO": "\u202d",
    "RLO": "\u202e",
    "LRI": "\u2066",
    "RLI": "\u2067",
    "FSI": "\u2068",
    "PDI": "\u2069",
}
# Other invisible characters no text may hold: an emoji tag (which can hide text), private use,
# a C1 control (NEL).
INVISIBLE = {
    "TAG": "\U000e0041",
    "PUA": "\ue000",
    "NEL": "\x85",
}
# Invisible characters that carry nothing (zero-width space, word joiner, byte order mark): not
# refused but dropped, wherever text comes in (tests/test_invisible_characters.py).
DROPPED = {"ZWSP": "\u200b", "WJ": "\u2060", "BOM": "\ufeff"}


@pytest.mark.parametrize("name", ["RLO", "LRI", "PDI", "RLM", "ALM"])
def test_direction_characters_are_refused_by_name_and_what_was_typed_is_kept(
    org, client, auth, name
):
    character = DIRECTION[name]
    auth.login(org.manager.email)
    client.get("/accessibility?lang=sv")
    typed = f"Cecilia{character}Chef"
    response = _post(client, "/account", {"name": typed, "language": "sv"}, "/account")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "osynliga tecknen som ändrar textens skrivriktning" in html
    assert f'value="{typed}"' in html  # what was typed is kept, as it was typed
    purpose = f"Betala {character}kr 0001{character} i stället"
    response = _post(
        client, "/initiatives", initiative_form(org, purpose=purpose), "/initiatives/new"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "ändrar textens skrivriktning" in html and purpose in html
    assert db.session.scalar(select(Initiative.id)) is None


def test_the_direction_message_in_english(org, client, auth):
    auth.login(org.manager.email)
    client.get("/accessibility?lang=en")
    response = _post(client, "/account", {"name": "A\u202eB", "language": "en"}, "/account")
    assert response.status_code == 422
    assert "change the direction of the text" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", sorted(INVISIBLE))
def test_other_invisible_characters_are_refused(org, client, auth, name):
    auth.login(org.manager.email)
    client.get("/accessibility?lang=sv")
    title = f"Bra{INVISIBLE[name]}titel"
    response = _post(client, "/initiatives", initiative_form(org, title=title), "/initiatives/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    code_point = f"U+{ord(INVISIBLE[name]):04X}"  # named, since it cannot be seen
    assert f"Ta bort de osynliga kontrolltecknen ur texten ({code_point})." in html
    assert title in html


def test_a_soft_hyphen_and_an_emoji_joined_by_zwj_are_kept(org, client, auth):
    """A text needs these: the soft hyphen of a long Swedish compound (Word's optional hyphen),
    the zero-width joiner inside an emoji (woman, ZWJ, laptop) and the zero-width non-joiner
    of Persian spelling (a name or a word in a resident's language)."""
    auth.login(org.manager.email)
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # with a ZWNJ
    title = f"Verksamhets\u00adutveckling \U0001f469\u200d\U0001f4bb {persian}"
    response = _post(client, "/initiatives", initiative_form(org, title=title), "/initiatives/new")
    assert response.status_code in (302, 303)
    assert db.session.scalar(select(Initiative.title)) == title


def test_one_rule_for_forms_the_api_the_import_and_the_export_heading(app):
    from marshmallow import ValidationError
    from werkzeug.datastructures import MultiDict

    from tracker.api.schemas import Text
    from tracker.exports import heading
    from tracker.imports import sheet
    from tracker.portfolio.filters import FilterError
    from tracker.validators import DIRECTION_CHARACTERS, has_control_characters

    assert set(DIRECTION.values()) == DIRECTION_CHARACTERS
    assert "has_control_characters" in vars(sheet)  # the import asks the same function
    with app.test_request_context():
        for character in [*DIRECTION.values(), *INVISIBLE.values(), "\x00", "\ud800"]:
            text = f"a{character}b"
            assert has_control_characters(text) and has_control_characters(text, multiline=True)
            for field in (Text(), Text(multiline=True)):
                with pytest.raises(ValidationError):
                    field.deserialize(text)
            with pytest.raises(FilterError):
                heading.parse(MultiDict({"meeting": text}))
        for character in DROPPED.values():
            text = f"a{character}b"
            assert has_control_characters(text)  # what is left once they are dropped is checked
            assert Text().deserialize(text) == Text(multiline=True).deserialize(text) == "ab"
            assert (
                heading.parse(MultiDict({"meeting": text, "dnr": f"KS{character}"})).meeting == "ab"
            )
        for text in ("Kommun\u00adstyrelsen", "Möte \U0001f469\u200d\U0001f4bb", "Ärende"):
            assert not has_control_characters(text)
            assert Text().deserialize(text) == text
            assert heading.parse(MultiDict({"meeting": text})).meeting == text
        assert has_control_characters("rad\nett") and not has_control_characters("rad\n\tett", True)


def test_every_text_field_of_every_form_has_the_check(app):
    """The check comes from the shared base form, so no form can leave it out."""
    from wtforms import HiddenField, PasswordField, StringField

    from tracker.validators import NoControlCharacters, TrackerForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    from flask_wtf import FlaskForm

    import tracker.account.forms  # noqa: F401
    import tracker.admin.forms  # noqa: F401
    import tracker.initiatives.forms  # noqa: F401
    import tracker.maturity.forms  # noqa: F401
    import tracker.portfolio.forms  # noqa: F401

    forms = list(subclasses(FlaskForm))
    assert all(issubclass(f, TrackerForm) or f is TrackerForm for f in forms), forms
    checked = 0
    with app.test_request_context(method="POST"):
        for form_class in forms:
            try:
                form = form_class(meta={"csrf": False})
            except TypeError:
                continue  # forms that need arguments are built by their views
            for field in form:
                if isinstance(field, StringField) and not isinstance(
                    field, HiddenField | PasswordField
                ):
                    assert any(isinstance(v, NoControlCharacters) for v in field.validators)
                    checked += 1
    assert checked > 20


def test_the_fast_csv_lines_equal_the_row_path(hostile, old_bad_data, app):
    """``sheet_rows`` + ``sheet_csv_lines`` (what the CSV endpoint writes) give byte for byte the
    lines of the ``Row`` path (``rows`` + ``csv_rows``), hostile and dirty text included."""
    from datetime import UTC

    from tracker.exports import services, tabular
    from tracker.models import User
    from tracker.portfolio.filters import PortfolioFilter

    with app.test_request_context():
        user = db.session.scalars(db.select(User).order_by(User.id)).first()
        query = services.export_query(user, PortfolioFilter(), 30)
        old = list(tabular.csv_rows(services.rows(query, 30, "sv", UTC, updates=False)))
        new = list(tabular.sheet_csv_lines(services.sheet_rows(query, 30, "sv", UTC)))
    assert len(old) > 1
    assert new == old


# --- names no header can carry ------------------------------------------------------------------

HOSTILE_NAME = "Nämnd för ÅÄÖ – łódź ✓"


def _downloads(frozen_id: int) -> list[str]:
    exports = [
        f"/exports/initiatives.{extension}{query}"
        for extension in ("csv", "xlsx", "pdf", "docx")
        for query in ("", "?committee=KS/AU", "?department=IT")
    ]
    reports = [f"/reports/{frozen_id}.{extension}" for extension in ("csv", "xlsx", "pdf", "docx")]
    templates = [
        "/initiatives/import/template.csv",
        "/initiatives/import/template.xlsx",
        "/maturity/rounds/template.csv",
        "/maturity/rounds/template.xlsx",
    ]
    public = ["/public/initiatives.csv", "/public/initiatives.json"]
    return [*exports, "/exports/benefits.csv", *reports, *templates, *public]


@pytest.mark.parametrize("code", ["KS/AU", "Łódź-ÅÄÖ"])
def test_no_download_breaks_on_a_name_or_code_outside_latin_1(org, client, auth, code):
    """A committee and a department named with characters outside Latin-1, the committee coded
    as the form refuses now but an older database may hold: every download of the app answers,
    and names its file in ASCII with the UTF-8 original (RFC 6266 and RFC 5987)."""
    from .test_reports import freeze, period

    committee, department = org.committees[0], org.departments[0]
    committee.name = department.name = HOSTILE_NAME
    committee.short_name = code
    factories.make_initiative(org.manager, department, title="Med ett konstigt namn", updates=1)
    [frozen] = freeze(org, period(org))
    db.session.commit()
    auth.login(org.admin.email)
    for url in _downloads(frozen.id):
        response = fetch(client, url.replace("KS/AU", code))
        assert response.status_code == 200, url
        disposition = response.headers.get("Content-Disposition")
        if url.endswith(".json"):
            continue
        disposition.encode("ascii")  # a header a server can send
        assert disposition.startswith('attachment; filename="'), (url, disposition)
        assert "filename*=UTF-8''" in disposition, (url, disposition)
        plain = disposition.split('filename="', 1)[1].split('"', 1)[0]
        assert plain and "/" not in plain and "\\" not in plain, (url, plain)
