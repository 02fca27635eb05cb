"""Support requests are open items (issue 11, "Nothing lost").

Opened by a status update that asks for support; open, whatever later updates say, until the owner
withdraws it or the management group answers it with a decision; shown with its age on the
dashboard, the board, the initiative page, the manager's start page and in every export. The
status round offers what a single update offers, reports only what the user changed or ticked,
and a bare confirmation never empties anything.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Decision,
    Health,
    Initiative,
    Role,
    Status,
    StatusUpdate,
    SupportOutcome,
    SupportRequest,
)

from . import factories
from .conftest import AuthActions, csrf_from
from .resilience_support import form_fields

ASK = "Vi behöver beslut om finansiering\noch en jurist."


@pytest.fixture
def initiative(org):
    initiative = factories.make_initiative(
        org.manager,
        principles=org.principles[:1],
        updates=1,
        status=Status.IN_PROGRESS,
        health=Health.AT_RISK,
        progress=30,
        title="Digital post",
    )
    db.session.commit()
    return initiative


def _token(client) -> str:
    return csrf_from(client.get("/accessibility").get_data(as_text=True))


def _update(client, initiative_id: int, **fields):
    data = {"status": "in_progress", "health": "at_risk", "progress": "30", **fields}
    return client.post(
        f"/initiatives/{initiative_id}/updates", data={**data, "csrf_token": _token(client)}
    )


def _open(initiative_id: int) -> SupportRequest | None:
    db.session.rollback()
    return db.session.scalar(
        select(SupportRequest).where(
            SupportRequest.initiative_id == initiative_id, SupportRequest.closed_at.is_(None)
        )
    )


def _asks_for_support_figure(client) -> int:
    html = client.get("/dashboard").get_data(as_text=True)
    match = re.search(r'figure__label">Ber om stöd</span> <span class="figure__value">(\d+)<', html)
    assert match, "no 'Ber om stöd' figure on the dashboard"
    return int(match.group(1))


def _csv_support(client, title: str) -> tuple[str, str]:
    response = client.get("/exports/initiatives.csv")
    text = response.get_data(as_text=True).lstrip("\ufeff")
    response.close()
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    row = next(r for r in rows if r["Titel"] == title)
    return row["Stöd som behövs"], row["Stöd begärt den"]


def _events(action: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- opening, keeping open ----------------------------------------------------------------------


def test_an_update_that_asks_opens_a_request_and_silence_does_not_close_it(
    org, client, auth, initiative
):
    auth.login("chef@example.se")
    assert _update(client, initiative.id, support_needed=ASK).status_code == 303
    request = _open(initiative.id)
    assert request is not None and request.text == ASK
    opened_at, request_id = request.opened_at, request.id
    [event] = _events("support_request.open")
    assert event.entity_id == initiative.id and event.changes["text"] == ASK
    # A later update without support text leaves it open, as it was.
    assert _update(client, initiative.id, happened="Inget nytt").status_code == 303
    request = _open(initiative.id)
    assert (request.id, request.text, request.opened_at) == (request_id, ASK, opened_at)
    # Asking again in the same words changes nothing; in other words, it is reworded (audited)
    # and keeps its age.
    assert _update(client, initiative.id, support_needed=ASK).status_code == 303
    assert _events("support_request.update") == []
    assert _update(client, initiative.id, support_needed="Bara juristen nu").status_code == 303
    request = _open(initiative.id)
    assert (request.id, request.text, request.opened_at) == (
        request_id,
        "Bara juristen nu",
        opened_at,
    )
    [reworded] = _events("support_request.update")
    assert reworded.changes["text"] == [ASK, "Bara juristen nu"]
    assert db.session.scalar(select(func.count(SupportRequest.id))) == 1


def test_the_request_is_shown_with_its_age_wherever_support_is_shown(org, client, auth, initiative):
    request = factories.ask_support(initiative, ASK)
    request.opened_at = datetime.now(UTC) - timedelta(days=12, hours=1)
    db.session.commit()
    auth.login("chef@example.se")
    for path in ("/", f"/initiatives/{initiative.id}", "/initiatives/round"):
        html = client.get(path).get_data(as_text=True)
        assert "öppen i 12 dagar" in html, path
        assert "Vi behöver beslut om finansiering" in html, path
    auth.logout()
    auth.login("ledning@example.se")
    for path in ("/dashboard", "/board", f"/initiatives/{initiative.id}/decisions"):
        html = client.get(path).get_data(as_text=True)
        assert "öppen i 12 dagar" in html, path
        assert ("Ber om stöd" if "decisions" not in path else "Öppen begäran om stöd") in html


# --- withdrawing ----------------------------------------------------------------------------------


def test_the_owner_withdraws_the_request_with_csrf_and_it_is_audited(org, client, auth, initiative):
    factories.ask_support(initiative, ASK)
    db.session.commit()
    path = f"/initiatives/{initiative.id}/support/withdraw"
    auth.login("chef@example.se")
    assert client.post(path, data={}).status_code == 400  # no CSRF token
    assert _open(initiative.id) is not None
    assert client.get(path).status_code == 405  # GET changes nothing
    response = client.post(path, data={"csrf_token": _token(client)})
    assert response.status_code == 303
    assert _open(initiative.id) is None
    closed = db.session.scalar(select(SupportRequest))
    assert closed.outcome is SupportOutcome.WITHDRAWN and closed.closed_by_id == org.manager.id
    [event] = _events("support_request.withdraw")
    assert event.actor_id == org.manager.id and event.changes["text"] == ASK
    page = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert "Dra tillbaka" not in page
    # Withdrawing again says so, and changes nothing.
    again = client.post(path, data={"csrf_token": _token(client)}, follow_redirects=True)
    assert again.status_code == 200 and "ingen öppen begäran" in again.get_data(as_text=True)
    assert len(_events("support_request.withdraw")) == 1


def test_a_co_owner_may_withdraw_but_nobody_else(org, client, auth, initiative):
    co_owner = factories.make_user(Role.MANAGER, org.departments[0], email="med@example.se")
    initiative = db.session.get(Initiative, initiative.id)
    initiative.co_owners.append(co_owner)
    factories.ask_support(initiative, ASK)
    db.session.commit()
    path = f"/initiatives/{initiative.id}/support/withdraw"
    for email in (org.other_manager.email, "ledning@example.se", "namnd@example.se"):
        other = client.application.test_client()
        AuthActions(other).login(email)
        token = csrf_from(other.get("/accessibility").get_data(as_text=True))
        assert other.post(path, data={"csrf_token": token}).status_code in (403, 404), email
        assert _open(initiative.id) is not None
    auth.login("med@example.se")
    assert client.post(path, data={"csrf_token": _token(client)}).status_code == 303
    assert _open(initiative.id) is None


# --- answering with a decision --------------------------------------------------------------------


def _decide(client, initiative_id: int, **fields):
    data = {
        "decided_on": datetime.now(UTC).date().isoformat(),
        "meeting": "Kommunledningsgruppen",
        "kind": "support",
        "csrf_token": _token(client),
        **fields,
    }
    return client.post(f"/initiatives/{initiative_id}/decisions", data=data)


def test_a_decision_answers_the_open_request(org, client, auth, initiative):
    factories.ask_support(initiative, ASK)
    db.session.commit()
    auth.login("ledning@example.se")
    form = client.get(f"/initiatives/{initiative.id}/decisions").get_data(as_text=True)
    assert "Vi behöver beslut om finansiering" in form
    assert 'name="keep_support_open"' in form and "checked" not in form.split("keep_support")[1]
    assert _decide(client, initiative.id).status_code == 303
    assert _open(initiative.id) is None
    answered = db.session.scalar(select(SupportRequest))
    decision = db.session.scalar(select(Decision))
    assert answered.outcome is SupportOutcome.ANSWERED and answered.decision_id == decision.id
    [event] = _events("support_request.answer")
    assert event.changes["decision_id"] == decision.id
    assert "besvarade begäran om stöd" in client.get(f"/initiatives/{initiative.id}").get_data(
        as_text=True
    )


def test_a_decision_about_something_else_keeps_the_request_open(org, client, auth, initiative):
    factories.ask_support(initiative, ASK)
    db.session.commit()
    auth.login("ledning@example.se")
    response = _decide(client, initiative.id, kind="prioritise", keep_support_open="y")
    assert response.status_code == 303
    assert _open(initiative.id) is not None
    assert _events("support_request.answer") == []


# --- the status round: the journey from the issue ---------------------------------------


def _five_asking(org):
    """Five initiatives of the manager that ask for support; the first is the one we follow."""
    items = []
    for n in range(5):
        items.append(
            factories.make_initiative(
                org.manager,
                principles=org.principles[:1],
                updates=1,
                status=Status.IN_PROGRESS,
                health=Health.OFF_TRACK,
                progress=20 + n,
                title=f"Stödärende {n}",
            )
        )
    db.session.commit()
    return items


def test_a_status_round_confirmation_keeps_the_support_request(org, client, auth):
    """A manager asks for support in an update; later saves the status round with that row
    ticked and unchanged; "Ber om stöd" and the CSV's "Stöd som behövs" are unchanged."""
    items = _five_asking(org)
    auth.login("chef@example.se")
    for item in items:
        assert _update(client, item.id, health="off_track", progress=str(item.progress),
                       support_needed=f"Hjälp {item.title}").status_code == 303  # fmt: skip
    followed = items[0]
    auth.logout()
    reader = client.application.test_client()
    AuthActions(reader).login("ledning@example.se")
    assert _asks_for_support_figure(reader) == 5
    before_csv = _csv_support(reader, followed.title)
    assert before_csv[0] == "Hjälp Stödärende 0"

    auth.login("chef@example.se")
    page = client.get("/initiatives/round").get_data(as_text=True)
    fields = form_fields(page, must_have="rows-0-initiative_id")
    assert not any(name.endswith("-include") for name in fields), "nothing is pre-ticked"
    row = next(
        name.removesuffix("-initiative_id")
        for name, value in fields.items()
        if name.endswith("-initiative_id") and value == str(followed.id)
    )
    for suffix in ("happened", "next_steps", "support_needed"):
        assert f'<textarea class="field__control" id="{row}-{suffix}"' in page
    fields[f"{row}-include"] = "y"
    response = client.post("/initiatives/round", data=fields)
    assert response.status_code == 303
    db.session.rollback()
    confirmation = db.session.scalars(
        select(StatusUpdate).order_by(StatusUpdate.id.desc()).limit(1)
    ).one()
    assert confirmation.initiative_id == followed.id and confirmation.support_needed == ""
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == 5 + 5 + 1  # only that row

    assert _asks_for_support_figure(reader) == 5
    assert _csv_support(reader, followed.title) == before_csv
    assert _open(followed.id).text == "Hjälp Stödärende 0"


def test_the_round_reports_what_a_single_update_reports(org, client, auth, initiative):
    auth.login("chef@example.se")
    fields = form_fields(client.get("/initiatives/round").get_data(as_text=True), "rows-0-status")
    fields.update(
        {
            "rows-0-happened": "Första raden\nAndra raden",
            "rows-0-next_steps": "Upphandla",
            "rows-0-support_needed": ASK,
        }
    )
    assert client.post("/initiatives/round", data=fields).status_code == 303
    db.session.rollback()
    latest = db.session.scalars(select(StatusUpdate).order_by(StatusUpdate.id.desc())).first()
    assert (latest.happened, latest.next_steps, latest.support_needed) == (
        "Första raden\nAndra raden",
        "Upphandla",
        ASK,
    )
    assert _open(initiative.id).text == ASK


def test_a_round_with_nothing_changed_or_ticked_saves_nothing(org, client, auth, initiative):
    auth.login("chef@example.se")
    fields = form_fields(client.get("/initiatives/round").get_data(as_text=True), "rows-0-status")
    response = client.post("/initiatives/round", data=fields)
    assert response.status_code == 422
    assert "Inget att spara" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == 1


@pytest.mark.parametrize(
    "value,message",
    [
        ("", "anger inget initiativ"),
        ("abc", "anger inget giltigt initiativ"),
        ("١٢", "anger inget giltigt initiativ"),
        ("-1", "anger inget giltigt initiativ"),
        (str(2**63), "anger inget giltigt initiativ"),
        ("99999", "Det finns inget initiativ"),
        ("foreign", "inte ett av dina"),
        ("archived", "arkiverat"),
    ],
)
def test_a_bad_initiative_id_in_a_round_row_is_a_field_error_with_input_kept(
    org, client, auth, initiative, value, message
):
    foreign = factories.make_initiative(org.other_manager, principles=org.principles[:1])
    archived = factories.make_initiative(
        org.manager, principles=org.principles[:1], archived_at=datetime.now(UTC)
    )
    db.session.commit()
    value = {"foreign": str(foreign.id), "archived": str(archived.id)}.get(value, value)
    auth.login("chef@example.se")
    fields = form_fields(client.get("/initiatives/round").get_data(as_text=True), "rows-0-status")
    fields.update(
        {
            "rows-0-include": "y",
            "rows-0-happened": "Min <b>text</b> finns kvar",
            "rows-1-initiative_id": value,
            "rows-1-status": "in_progress",
            "rows-1-health": "on_track",
            "rows-1-progress": "10",
            "rows-1-include": "y",
        }
    )
    response = client.post("/initiatives/round", data=fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Min &lt;b&gt;text&lt;/b&gt; finns kvar" in html
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == 1  # nothing saved


def test_a_row_twice_or_a_hostile_round_never_gives_a_5xx(org, client, auth, initiative):
    auth.login("chef@example.se")
    token = _token(client)
    twice = {
        "csrf_token": token,
        **{
            f"rows-{n}-{k}": v
            for n in (0, 1)
            for k, v in {
                "initiative_id": str(initiative.id),
                "status": "in_progress",
                "health": "on_track",
                "progress": "10",
                "include": "y",
            }.items()
        },
    }
    response = client.post("/initiatives/round", data=twice)
    assert response.status_code == 422 and "två gånger" in response.get_data(as_text=True)
    for hostile in (
        {"csrf_token": token},
        {"csrf_token": token, "rows-0-initiative_id": str(initiative.id)},
        {"csrf_token": token, "rows-0-initiative_id": "1\x00", "rows-0-progress": "9" * 30},
        {"csrf_token": token, "rows-99999999999999999999-initiative_id": str(initiative.id)},
        {"csrf_token": token, "rows-0-initiative_id": str(initiative.id), "rows-0-status": "x"},
    ):
        response = client.post("/initiatives/round", data=hostile)
        assert 400 <= response.status_code < 500, hostile
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == 1


# --- exports ------------------------------------------------------------------------------------


def test_every_export_shows_the_open_request_after_a_silent_update(org, client, auth, initiative):
    auth.login("chef@example.se")
    assert _update(client, initiative.id, support_needed=ASK, happened="Läget").status_code == 303
    assert _update(client, initiative.id).status_code == 303  # a bare confirmation
    auth.logout()
    auth.login("ledning@example.se")
    today = datetime.now(UTC).date()
    support, since = _csv_support(client, "Digital post")
    assert support == ASK and since in {today.isoformat(), (today + timedelta(days=1)).isoformat()}

    response = client.get("/exports/initiatives.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data()))["Initiativ"]
    response.close()
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in values if "Stöd som behövs" in r)
    row = next(r for r in values if "Digital post" in r)
    assert row[header.index("Stöd som behövs")] == ASK
    assert row[header.index("Stöd begärt den")] is not None

    response = client.get("/exports/initiatives.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.get_data())).paragraphs)
    response.close()
    assert "Vi behöver beslut om finansiering" in text and "öppen i 0 dagar" in text
    assert "Läget" in text  # the latest update that says something, not the empty one

    response = client.get("/exports/initiatives.pdf")
    reader = PdfReader(io.BytesIO(response.get_data()))
    response.close()
    pdf = "\n".join(page.extract_text() for page in reader.pages)
    assert "Vi behöver beslut om finansiering" in pdf and "Läget" in pdf


def test_the_support_filter_lists_the_open_requests_only(org, client, auth, initiative):
    other = factories.make_initiative(
        org.manager, principles=org.principles[:1], updates=1, title="Utan begäran"
    )
    factories.ask_support(initiative, ASK)
    withdrawn = factories.make_initiative(
        org.manager, principles=org.principles[:1], updates=1, title="Tillbakadragen"
    )
    factories.ask_support(withdrawn, "Gammal").closed_at = datetime.now(UTC)
    db.session.commit()
    auth.login("ledning@example.se")
    html = client.get("/initiatives?support=1").get_data(as_text=True)
    assert "Digital post" in html and other.title not in html and "Tillbakadragen" not in html
    assert 'id="filter-support" name="support" value="1" checked' in html
    dashboard = client.get("/dashboard").get_data(as_text=True)
    # The figure counts the active initiatives, and its link says so.
    link = re.search(r'href="(/initiatives\?[^"]*\bsupport=1[^"]*)"', dashboard).group(1)
    assert sorted(link.split("?")[1].split("&amp;")) == [
        "status=in_progress",
        "status=paused",
        "status=planned",
        "support=1",
    ]
    response = client.get("/exports/initiatives.csv?support=1")
    text = response.get_data(as_text=True)
    response.close()
    assert "Digital post" in text and "Utan begäran" not in text


def test_the_history_names_a_support_requests_text_as_support_not_decision(
    org, initiative, client, auth
):
    """Asking, rewording and withdrawing are in the initiative's change history and the audit
    log with the request's text labelled as the support asked for, not as a decision."""
    auth.login("chef@example.se")
    _update(client, initiative.id, support_needed="En jurist")
    _update(client, initiative.id, support_needed="Två jurister")
    token = _token(client)
    client.post(f"/initiatives/{initiative.id}/support/withdraw", data={"csrf_token": token})
    page = client.get(f"/initiatives/{initiative.id}?lang=sv").get_data(as_text=True)
    history = page.split('id="history', 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", history, re.S)
    support_rows = [r for r in rows if "stöd" in r.lower() or "Stödbegäran" in r]
    assert support_rows, history[:2000]
    for row in support_rows:
        assert "Beslut" not in row, row
    assert any("Begärt stöd" in r for r in support_rows)
    auth.logout()
    auth.login(org.admin.email)
    log = client.get("/admin/audit?lang=sv&action=support_request.update").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", log).split())
    assert "Begärt stöd: En jurist → Två jurister" in text.replace(" :", ":")


def test_a_withdrawn_request_leaves_the_report_excerpts_on_board_and_dashboard(
    org, initiative, client, auth
):
    """The latest report asked for support; once the owner withdraws the request the board and
    the dashboard stop quoting the ask (what happened is still quoted)."""
    initiative.health = Health.OFF_TRACK
    db.session.commit()
    auth.login("chef@example.se")
    _update(client, initiative.id, health="off_track", happened="Leverantören är sen",
            support_needed="En jurist till avtalet")  # fmt: skip
    auth.logout()
    auth.login("ledning@example.se")
    for path in ("/board?lang=sv", "/dashboard?lang=sv"):
        html = client.get(path).get_data(as_text=True)
        assert "En jurist till avtalet" in html, path
    auth.logout()
    auth.login("chef@example.se")
    token = _token(client)
    client.post(f"/initiatives/{initiative.id}/support/withdraw", data={"csrf_token": token})
    auth.logout()
    auth.login("ledning@example.se")
    for path in ("/board?lang=sv", "/dashboard?lang=sv"):
        html = client.get(path).get_data(as_text=True)
        assert "En jurist till avtalet" not in html, path
        assert "Leverantören är sen" in html, path
