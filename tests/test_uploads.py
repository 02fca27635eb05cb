"""Hostile uploads get a fast 4xx with a clear message, in every import (users, maturity), and
nothing is read before the checks: zip bombs, millions of rows, entities and malformed XML."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from tracker import uploads

from .conftest import csrf_from

IMPORTS = [
    ("/admin/users/import", {}),
    (
        "/maturity/rounds/new",
        {"name": "Mätning", "measured_on": "2020-10-15", "respondents": "10"},
    ),
]


def _workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(["namn", "e-post", "roll", "avdelning"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _replace_part(data: bytes, name: str, content: bytes, *, level: int = 9) -> bytes:
    """The workbook with one XML part replaced (written with the strongest compression)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for item in source.infolist():
            body = content if item.filename == name else source.read(item.filename)
            target.writestr(item.filename, body)
        if name not in source.namelist():
            target.writestr(name, content)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
SHARED = "xl/sharedStrings.xml"
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def huge_cell() -> bytes:
    """About 400 KB packed, 400 MB unpacked: one shared string of 400 million letters."""
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
        with target.open(SHARED, "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><sst ' + NS + b' count="1"><si><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(400):
                part.write(chunk)
            part.write(b"</t></si></sst>")
    return out.getvalue()


def many_rows(n: int = 2_000_000) -> bytes:
    """A few kilobytes packed: two million rows."""
    rows = b"<row/>" * n
    sheet = b'<?xml version="1.0"?><worksheet ' + NS + b"><sheetData>" + rows
    return _replace_part(_workbook(), SHEET, sheet + b"</sheetData></worksheet>")


def with_doctype(entity: bytes) -> bytes:
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet ['
        + entity
        + b"]><worksheet "
        + NS
        + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    return _replace_part(_workbook(), SHEET, sheet)


def billion_laughs() -> bytes:
    entities = b'<!ENTITY e0 "lol">' + b"".join(
        b'<!ENTITY e%d "%s">' % (i, b"&e%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    return with_doctype(entities + b'<!ENTITY e "&e9;">')


def malformed() -> bytes:
    return _replace_part(_workbook(), SHEET, b"<worksheet><sheetData><row></worksheet")


HOSTILE = {
    "huge_cell": (huge_cell, "MB"),
    "many_rows": (many_rows, "rows"),
    "external_entity": (lambda: with_doctype(b'<!ENTITY e SYSTEM "file:///etc/passwd">'), "DTD"),
    "billion_laughs": (billion_laughs, "DTD"),
    "malformed": (malformed, "not a valid XLSX"),
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for name, (build, _message) in HOSTILE.items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(build())
        files[name] = path.read_bytes()
    return files


def test_the_files_are_what_they_claim(hostile_files):
    assert len(hostile_files["huge_cell"]) < 2 * 1024 * 1024  # fits under the upload limit
    assert len(hostile_files["many_rows"]) < 2 * 1024 * 1024
    archive = zipfile.ZipFile(io.BytesIO(hostile_files["huge_cell"]))
    assert archive.getinfo(SHARED).file_size > 400 * 1024 * 1024


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_workbooks_are_refused_quickly_before_reading(hostile_files, name):
    start = time.monotonic()
    with pytest.raises(uploads.ImportFileError) as error:
        uploads.read_table("x.xlsx", hostile_files[name], max_rows=2000)
    assert time.monotonic() - start < 5
    assert HOSTILE[name][1] in str(error.value.message)


@pytest.mark.parametrize("path, extra", IMPORTS)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_import_answers_a_hostile_workbook_with_422(
    client, auth, org, hostile_files, path, extra, name
):
    auth.login(org.admin.email)
    client.get("/accessibility?lang=en")
    token = csrf_from(client.get(path).get_data(as_text=True))
    data = {**extra, "csrf_token": token, "file": (io.BytesIO(hostile_files[name]), "x.xlsx")}
    start = time.monotonic()
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert time.monotonic() - start < 10
    assert response.status_code == 422
    assert HOSTILE[name][1] in response.get_data(as_text=True)


def test_a_normal_workbook_still_reads(org):
    header, body = uploads.read_table("x.xlsx", _workbook(), max_rows=10)
    assert header == ["namn", "e-post", "roll", "avdelning"] and body == []
