"""The maturity page in a real browser, in both languages, for readers and an admin: axe-core
clean, no CSP violations; an admin records a round from a file with a bad row, then good ones."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import MaturityRound

from .helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser

HEADING = "kategori;förmåga;fråga;frågetext;avdelning;procent\n"
ROWS_2020 = (
    "strategi;Styrning;STR1;Det finns en strategi.;;48\n"
    "kompetens;Lärande;KOM1;Det finns tid att lära.;;38\n"
    "innovation;Experiment;INN1;Vi testar idéer.;;29\n"
    "information;Struktur;INF1;Informationen är beskriven.;;36\n"
    "teknik;Infrastruktur;TEK1;Driften är stabil.;;58\n"
    "processer;Automatisering;PRO1;Flöden automatiseras.;;27\n"
    "strategi;;STR1;;IT;52\n"
)
ROWS_2021 = ROWS_2020.replace(";48\n", ";63\n").replace(";38\n", ";49\n").replace(";29\n", ";36\n")


def _rounds(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(func.count(MaturityRound.id)))


def _record(page, name: str, day: str, content: str):
    page.goto("/maturity/rounds/new?lang=sv")
    page.get_by_label("Mätomgångens namn").fill(name)
    page.get_by_label("Datum för mätningen").fill(day)
    page.get_by_label("Antal svarande").fill("212")
    page.locator("input[type=file]").set_input_files(
        {"name": "dimios.csv", "mimeType": "text/csv", "buffer": content.encode("utf-8")}
    )
    page.get_by_role("button", name="Granska filen").click()
    page.wait_for_load_state()


def test_admin_records_two_rounds_and_everyone_reads_the_page(page, sign_in, live_server, console):
    sign_in("admin")
    before = _rounds(live_server)
    _record(page, "Mätning 2020", "2020-10-15", HEADING + ROWS_2020.replace(";27\n", ";127\n"))
    assert "Värdet måste vara ett tal från 0 till 100." in page.locator("#row-7").inner_text()
    assert _rounds(live_server) == before
    assert_no_axe_violations(page, "round preview with a bad row")

    _record(page, "Mätning 2020", "2020-10-15", HEADING + ROWS_2020)
    assert_no_axe_violations(page, "round preview")
    page.get_by_role("button", name="Spara mätomgången med 7 värden").click()
    page.wait_for_load_state()
    assert "Mätomgången ”Mätning 2020” har sparats." in page.locator("main").inner_text()
    assert_no_axe_violations(page, "round page")
    _record(page, "Mätning 2021", "2021-10-14", HEADING + ROWS_2021)
    page.get_by_role("button", name="Spara mätomgången med 7 värden").click()
    page.wait_for_load_state()
    assert _rounds(live_server) == before + 2

    page.get_by_role("link", name="Rätta STR1").click()
    page.get_by_label("Värde (%)").fill("64,5")
    page.get_by_role("button", name="Spara rättelsen").click()
    page.wait_for_load_state()
    assert "Ändrad efter import" in page.locator("main").inner_text()
    assert_no_axe_violations(page, "round page after a correction")
    for path in ("/maturity/rounds", "/maturity/rounds/new", "/maturity/"):
        page.goto(path)
        assert_no_axe_violations(page, path)
    assert not console.csp_violations() and not console.page_errors


@pytest.mark.parametrize("lang", ("sv", "en"))
@pytest.mark.parametrize("role", ("management", "committee", "manager"))
def test_maturity_page_is_accessible(page, sign_in, live_server, console, lang, role):
    sign_in(role)
    response = page.goto(f"/maturity/?lang={lang}")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page, f"/maturity/ as {role} (lang={lang})")
    if page.locator("select#department").count():
        page.locator("select#department").select_option("IT")
        page.get_by_role("button", name="Visa" if lang == "sv" else "Show").click()
        page.wait_for_load_state()
        assert_no_axe_violations(page, f"/maturity/?department=IT as {role} (lang={lang})")
    assert not console.csp_violations() and not console.page_errors
