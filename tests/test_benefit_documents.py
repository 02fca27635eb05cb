"""Benefits in the documents: a section of the status list's PDF and Word files and a sheet of its
workbook; a frozen report keeps the benefits as they stood at the period's end, in every format,
whatever is measured afterwards."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from tracker.benefits import services
from tracker.benefits.services import MeasurementData
from tracker.extensions import db
from tracker.reports import services as report_services

from . import factories
from .test_benefits import TODAY, _data


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    data = response.get_data()
    response.close()
    return data


@pytest.fixture
def measured(org):
    initiative = factories.make_initiative(
        org.manager, principles=org.principles[:1], updates=1, title="Bygglov på nätet"
    )
    benefit = services.create_benefit(org.manager, initiative, _data(org.manager.id))
    services.add_measurement(
        org.manager, benefit, MeasurementData(Decimal("41"), date(2026, 5, 15)), TODAY
    )
    db.session.commit()
    return benefit


def test_the_status_list_documents_have_a_benefits_section(client, auth, org, measured):
    auth.login(org.management.email)
    workbook = openpyxl.load_workbook(io.BytesIO(_download(client, "/exports/initiatives.xlsx")))
    sheet = workbook["Nyttorealisering"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == [
        "Initiativ", "Nytta", "Indikator", "Enhet", "Nollmätning", "Nollmätningens datum",
        "Mål", "Måldatum", "Senaste mätning", "Mätdatum", "Andel av vägen till målet", "Läge",
        "Nästa mätning senast", "Mätning försenad",
    ]  # fmt: skip
    row = dict(zip(values[0], values[1], strict=True))
    # Typed cells: numbers as numbers, dates as dates, the share as a percentage.
    assert row["Initiativ"] == "Bygglov på nätet" and row["Enhet"] == "%"
    assert (row["Nollmätning"], row["Mål"], row["Senaste mätning"]) == (12, 70, 41)
    assert row["Nollmätningens datum"].date() == date(2025, 1, 1)
    assert row["Mätdatum"].date() == date(2026, 5, 15)
    assert row["Andel av vägen till målet"] == pytest.approx(0.5)  # (41 − 12) / (70 − 12)
    assert sheet.cell(2, 11).number_format.endswith("%")
    assert sheet.freeze_panes == "A2" and sheet.page_setup.paperSize == 9

    word = docx.Document(io.BytesIO(_download(client, "/exports/initiatives.docx")))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "Nyttorealisering" in headings
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    assert "Fler ansöker om bygglov digitalt" in cells

    pdf = PdfReader(io.BytesIO(_download(client, "/exports/initiatives.pdf")))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Nyttorealisering" in text and "Andel bygglovsansökningar" in text
    assert text.count("Nyttorealisering") == 1  # its heading, not a hidden caption printed too


def test_a_frozen_report_keeps_the_benefits_as_they_stood(client, auth, org):
    """Measured once inside the period; frozen; measured again and corrected afterwards: the
    frozen report and every file of it still show the first value."""
    from .test_reports import at, freeze, initiative, period, update

    p = period(org)  # 2026-01-01 – 2026-04-30, KS
    item = initiative(org, "Bygglov på nätet", principles=org.principles[:1])
    update(item, at("2026-02-01"))
    benefit = services.create_benefit(org.manager, item, _data(org.manager.id))
    benefit.created_at = at("2026-01-15")  # registered during the period
    first = services.add_measurement(
        org.manager, benefit, MeasurementData(Decimal("30"), date(2026, 3, 1)), TODAY
    )
    first.created_at = at("2026-03-01")
    [report] = freeze(org, p)
    db.session.commit()
    [entry] = report_services.content(report)["benefits"]
    assert entry["latest"] == {"value": "30", "measured_on": "2026-03-01"}
    assert entry["percent"] == 31  # (30 − 12) / (70 − 12)

    auth.login(org.management.email)
    files = {ext: _download(client, f"/reports/{report.id}.{ext}") for ext in ("csv", "xlsx")}
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Nyttorealisering" in page and "30 %" in page
    services.add_measurement(
        org.manager,
        benefit,
        MeasurementData(Decimal("35"), date(2026, 3, 1), "Fel i källan", first.id),
        TODAY,
    )
    services.add_measurement(
        org.manager, benefit, MeasurementData(Decimal("60"), date(2026, 5, 20)), TODAY
    )
    db.session.commit()
    assert _download(client, f"/reports/{report.id}.csv") == files["csv"]
    again = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "30 %" in again and "60 %" not in again
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))["Nyttorealisering"]
    assert sheet["I2"].value == 30 and sheet["J2"].value.date() == date(2026, 3, 1)
    csv_text = files["csv"].decode("utf-8-sig")
    assert "Nyttorealisering" in csv_text and "Bygglov på nätet" in csv_text


def test_a_principle_filter_gives_the_benefits_of_the_initiatives_in_the_list(
    client, auth, org, measured
):
    """The status list filtered by a principle holds the initiatives linked to it; its
    benefits sheet and section hold their benefits, whatever principle a benefit serves, and
    not the benefit of an initiative outside the list that happens to serve it."""
    first, second = org.principles[:2]
    outside = factories.make_initiative(
        org.manager, principles=[second], updates=1, title="Utanför listan"
    )
    services.create_benefit(
        org.manager,
        outside,
        _data(org.manager.id, title="Nytta utanför listan", principle_ids=[first.id]),
    )
    db.session.commit()
    auth.login(org.management.email)
    url = f"/exports/initiatives.xlsx?principle={first.key}"
    workbook = openpyxl.load_workbook(io.BytesIO(_download(client, url)))
    listed = {row[0].value for row in workbook["Initiativ"].iter_rows()}
    assert "Bygglov på nätet" in listed and "Utanför listan" not in listed
    benefits = [[c.value for c in row] for row in workbook["Nyttorealisering"].iter_rows()]
    assert [row[0] for row in benefits[1:]] == ["Bygglov på nätet"]
    word = docx.Document(io.BytesIO(_download(client, url.replace(".xlsx", ".docx"))))
    cells = {c.text for t in word.tables for r in t.rows for c in r.cells}
    assert "Fler ansöker om bygglov digitalt" in cells and "Nytta utanför listan" not in cells
    # The benefits overview keeps its own meaning: the benefits that serve the principle.
    overview = client.get(f"/benefits?principle={first.key}").get_data(as_text=True)
    assert "Nytta utanför listan" in overview


def test_a_report_frozen_before_the_period_ends_judges_the_benefits_on_that_day(org):
    """A report frozen during its period says which measurements are late as of the day it was
    frozen, not as of the period's last day still to come (it called a measurement due next
    week "försenad", and "Efter plan", found by review)."""
    from datetime import timedelta

    from tracker.benefits.services import Frequency
    from tracker.models import utcnow

    from .test_reports import freeze, initiative, period

    today = utcnow().date()
    p = period(
        org,
        start=(today - timedelta(days=30)).isoformat(),
        end=(today + timedelta(days=120)).isoformat(),
    )
    item = initiative(org, "Bygglov på nätet", principles=org.principles[:1])
    baseline = today - timedelta(days=20)  # monthly: the first measurement is due in ten days
    services.create_benefit(
        org.manager,
        item,
        _data(org.manager.id, baseline_date=baseline, frequency=Frequency.MONTHLY),
    )
    [report] = freeze(org, p)
    db.session.commit()
    [entry] = report_services.content(report)["benefits"]
    assert entry["next_due"] is not None and date.fromisoformat(entry["next_due"]) > today
    assert entry["overdue"] is False
