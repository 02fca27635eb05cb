"""E-mail: the outbox against a real SMTP server (aiosmtpd), reminders at the period's
boundaries in Swedish time, notices in the cause's transaction, both languages, the demo's .eml
files, overlapping runs and a crash between sending and marking."""

from __future__ import annotations

import email
import threading
from datetime import UTC, date, datetime, timedelta
from email.policy import default

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.mail import outbox, planning
from tracker.models import (
    DecisionKind,
    MailMessage,
    MailOptOut,
    ReportingPeriod,
    Role,
    Status,
    StatusUpdate,
)
from tracker.portfolio.decisions import DecisionData, record_decision

from . import factories
from .conftest import csrf_from
from .mail_support import SmtpServer, free_port

FROM = "portfoljen@nykvarn.example"


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def app_config(app_config, request):
    return {**app_config, "MAIL_FROM": FROM, "BASE_URL": "https://portfolj.nykvarn.example"}


def _use(app, server=None, port=None):
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port or server.port, MAIL_SECURITY="none",
        MAIL_TIMEOUT=5,
    )  # fmt: skip


def _decide(actor, initiative, text="Gå vidare med upphandling"):
    decision = record_decision(
        actor,
        initiative,
        DecisionData(
            decided_on=date.today(), meeting="LG 2027-03-01", kind=DecisionKind.OTHER, text=text
        ),
    )
    db.session.commit()
    return decision


def _rows(**where):
    db.session.expire_all()
    query = select(MailMessage).order_by(MailMessage.id)
    for key, value in where.items():
        query = query.where(getattr(MailMessage, key) == value)
    return list(db.session.scalars(query))


# --- composing and delivering -------------------------------------------------------------------


def test_a_decision_notice_is_delivered_once_as_multipart_in_swedish(app, org, smtp):
    _use(app, smtp)
    initiative = factories.make_initiative(org.manager, title="Digital post <b>&</b>")
    co_owner = factories.make_user(Role.MANAGER, org.departments[0], name="Sam Samägare")
    initiative.co_owners.append(co_owner)
    _decide(org.management, initiative)
    assert {r.recipient_id for r in _rows(kind="decision")} == {org.manager.id, co_owner.id}

    result = outbox.send_queued()
    assert (result.sent, result.failed, result.deferred) == (2, 0, 0)
    messages = smtp.handler.parsed()
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted(
        [org.manager.email, co_owner.email]
    )
    message = next(m for m in messages if org.manager.email in m["To"])
    assert message["Subject"] == "Beslut om Digital post <b>&</b>"
    assert message["From"].addresses[0].addr_spec == FROM
    assert message["From"].addresses[0].display_name == "Nykvarns kommun"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Ledningsgruppen har fattat ett beslut om Digital post <b>&</b>" in text
    assert "https://portfolj.nykvarn.example/initiatives/" in text
    assert '<html lang="sv">' in html
    assert "Digital post &lt;b&gt;&amp;&lt;/b&gt;" in html and "<b>&</b>" not in html
    assert "<img" not in html  # no tracking
    # Sent, once: the body is dropped, and a second run sends nothing.
    rows = _rows(kind="decision")
    assert {r.status for r in rows} == {"sent"} and {r.body_text for r in rows} == {""}
    assert outbox.send_queued().sent == 0
    assert len(smtp.handler.messages) == 2


def test_mail_comes_in_the_recipients_language(app, org, smtp):
    _use(app, smtp)
    org.manager.language = "en"
    initiative = factories.make_initiative(org.manager, title="E-services")
    _decide(org.management, initiative)
    outbox.send_queued()
    (message,) = smtp.handler.parsed()
    assert message["Subject"] == "Decision on E-services"
    assert '<html lang="en">' in message.get_body(("html",)).get_content()
    assert "The management group recorded a decision" in message.get_body(("plain",)).get_content()


def test_cr_lf_in_names_and_subjects_cannot_add_headers(app, org, smtp):
    _use(app, smtp)
    org.manager.name = "Cecilia\r\nBcc: spion@evil.example"
    initiative = factories.make_initiative(org.manager, title="Titel\r\nBcc: spion@evil.example")
    _decide(org.management, initiative)
    outbox.send_queued()
    ((recipients, raw),) = smtp.handler.messages
    assert recipients == [org.manager.email]
    message = email.message_from_bytes(raw, policy=default)
    assert message["Bcc"] is None
    assert message["Subject"] == "Beslut om Titel Bcc: spion@evil.example"
    assert b"\r\nBcc:" not in raw.split(b"\r\n\r\n", 1)[0]


def test_a_4xx_for_one_recipient_is_retried_later_and_the_others_go(app, org, smtp):
    _use(app, smtp)
    smtp.handler.rcpt_replies[org.manager.email] = "451 4.3.0 Mailbox busy"
    other = factories.make_user(Role.MANAGER, org.departments[0])
    initiative = factories.make_initiative(org.manager)
    initiative.co_owners.append(other)
    _decide(org.management, initiative)
    now = datetime.now(UTC)
    result = outbox.send_queued(now)
    assert (result.sent, result.deferred) == (1, 1)
    (busy,) = _rows(recipient_id=org.manager.id)
    assert busy.status == "queued" and busy.attempts == 1
    assert busy.last_error.startswith("451")
    assert busy.next_attempt_at >= now + timedelta(minutes=5)
    assert outbox.send_queued(now + timedelta(minutes=1)).sent == 0  # not yet
    del smtp.handler.rcpt_replies[org.manager.email]
    assert outbox.send_queued(now + timedelta(minutes=6)).sent == 1
    assert _rows(recipient_id=org.manager.id)[0].status == "sent"


def test_a_5xx_for_one_recipient_fails_that_one_and_goes_on(app, org, smtp):
    _use(app, smtp)
    smtp.handler.rcpt_replies[org.manager.email] = "550 5.1.1 No such user"
    other = factories.make_user(Role.MANAGER, org.departments[0])
    initiative = factories.make_initiative(org.manager)
    initiative.co_owners.append(other)
    _decide(org.management, initiative)
    result = outbox.send_queued()
    assert (result.sent, result.failed) == (1, 1)
    (failed,) = _rows(recipient_id=org.manager.id)
    assert failed.status == "failed" and "550" in failed.last_error
    assert [to for to, _raw in smtp.handler.messages] == [[other.email]]


def test_a_closed_connection_keeps_everything_queued(app, org, smtp):
    _use(app, smtp)
    smtp.handler.close_connection = True
    _decide(org.management, factories.make_initiative(org.manager))
    result = outbox.send_queued()
    assert result.deferred == 1 and result.sent == 0
    (row,) = _rows()
    assert row.status == "queued" and row.attempts == 1 and row.last_error
    smtp.handler.close_connection = False
    assert outbox.send_queued(datetime.now(UTC) + timedelta(minutes=6)).sent == 1


def test_a_server_that_is_down_keeps_everything_queued_with_back_off(app, org):
    _use(app, port=free_port())  # nothing listens there
    _decide(org.management, factories.make_initiative(org.manager))
    now = datetime.now(UTC)
    for attempt in range(1, 4):
        result = outbox.send_queued(now)
        assert result.deferred == 1
        (row,) = _rows()
        assert row.status == "queued" and row.attempts == attempt
        assert "Connection" in row.last_error or "refused" in row.last_error.lower()
        assert row.next_attempt_at == now + outbox.backoff(attempt)
        now = row.next_attempt_at
    assert outbox.backoff(1) == timedelta(minutes=5) and outbox.backoff(20) == timedelta(hours=6)


def test_two_overlapping_runs_send_each_message_once(app, org, smtp):
    _use(app, smtp)
    initiative = factories.make_initiative(org.manager)
    for _n in range(12):
        initiative.co_owners.append(factories.make_user(Role.MANAGER, org.departments[0]))
    _decide(org.management, initiative)
    assert len(_rows()) == 13
    db.session.commit()
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            with app.app_context():
                start.wait()
                results.append(outbox.send_queued(limit=13))
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(r.sent for r in results) == 13
    delivered = [to[0] for to, _raw in smtp.handler.messages]
    assert len(delivered) == len(set(delivered)) == 13
    assert {r.status for r in _rows()} == {"sent"}


def test_a_crash_between_sending_and_marking_does_not_send_again(app, org, smtp, monkeypatch):
    _use(app, smtp)
    _decide(org.management, factories.make_initiative(org.manager))
    now = datetime.now(UTC)

    def die(*_args):
        raise KeyboardInterrupt("the process is killed")

    monkeypatch.setattr(outbox, "mark_sent", die)
    with pytest.raises(KeyboardInterrupt):
        outbox.send_queued(now)
    db.session.rollback()
    monkeypatch.undo()
    assert len(smtp.handler.messages) == 1
    (row,) = _rows()
    assert row.status == "sending" and row.claim_token.endswith(outbox.IN_FLIGHT)
    # A run while the claim is fresh leaves it alone; after MAIL_CLAIM_MINUTES it is marked
    # failed with the reason, not resent.
    assert outbox.send_queued(now + timedelta(minutes=5)).sent == 0
    result = outbox.send_queued(now + timedelta(minutes=16))
    assert (result.sent, result.interrupted) == (0, 1)
    (row,) = _rows()
    assert row.status == "failed" and row.last_error == outbox.INTERRUPTED
    assert len(smtp.handler.messages) == 1


def test_a_run_that_dies_before_sending_leaves_its_claims_to_the_next_run(app, org, smtp):
    _use(app, smtp)
    _decide(org.management, factories.make_initiative(org.manager))
    now = datetime.now(UTC)
    _token, ids = outbox.claim(now)  # the run dies right after claiming
    assert len(ids) == 1 and _rows()[0].status == "sending"
    assert outbox.send_queued(now + timedelta(minutes=5)).sent == 0  # the claim is fresh
    result = outbox.send_queued(now + timedelta(minutes=16))
    assert (result.sent, result.interrupted) == (1, 0)  # never in flight: safe to send
    assert len(smtp.handler.messages) == 1


def test_without_a_mail_server_messages_are_eml_files(app, org, tmp_path):
    _decide(org.management, factories.make_initiative(org.manager, title="Demoinitiativ"))
    assert outbox.send_queued().sent == 1
    folder = tmp_path / "instance" / "mail"
    (path,) = folder.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert message["To"].addresses[0].addr_spec == org.manager.email
    assert message["Subject"] == "Beslut om Demoinitiativ"
    assert message["Auto-Submitted"] == "auto-generated"


# --- who gets what ------------------------------------------------------------------------------


def test_no_mail_to_deactivated_users_or_a_kind_turned_off(app, org, smtp):
    co_owner = factories.make_user(Role.MANAGER, org.departments[0])
    initiative = factories.make_initiative(org.manager)
    initiative.co_owners.append(co_owner)
    co_owner.active = False
    db.session.add(MailOptOut(user_id=org.manager.id, kind="decision"))
    _decide(org.management, initiative)
    assert _rows() == []


def test_a_support_request_notifies_the_management_group(app, org, client, auth):
    second = factories.make_user(Role.MANAGEMENT, org.departments[0], language="en")
    initiative = factories.make_initiative(org.manager, updates=1, title="Skolplattform")
    db.session.commit()
    auth.login(org.manager.email)
    token = csrf_from(client.get("/accessibility").get_data(as_text=True))
    response = client.post(
        f"/initiatives/{initiative.id}/updates",
        data={
            "status": "in_progress",
            "health": "at_risk",
            "progress": "30",
            "support_needed": "Vi behöver en jurist",
            "csrf_token": token,
        },
    )
    assert response.status_code in (200, 303)
    rows = _rows(kind="support_request")
    assert {r.recipient_id for r in rows} == {org.management.id, second.id}
    english = next(r for r in rows if r.recipient_id == second.id)
    assert english.subject == "Support requested: Skolplattform"
    assert "Vi behöver en jurist" in english.body_text


# --- reminders ----------------------------------------------------------------------------------


def _period(**fields):
    period = ReportingPeriod(
        name=fields.pop("name", "Tertial 1 2027"),
        starts_on=fields.pop("starts_on", date(2027, 1, 1)),
        ends_on=fields.pop("ends_on", date(2027, 4, 30)),
        deadline=fields.pop("deadline", date(2027, 3, 31)),
        **fields,
    )
    db.session.add(period)
    db.session.flush()
    return period


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def reminders(org):
    period = _period()
    mine = [factories.make_initiative(org.manager, title=t) for t in ("Alfa", "Beta")]
    theirs = factories.make_initiative(org.other_manager, title="Gamma")
    done = factories.make_initiative(org.other_manager, title="Klar", status=Status.DONE)
    for initiative in (*mine, theirs, done):
        initiative.created_at = datetime(2026, 12, 1, tzinfo=UTC)
    # Gamma reported inside the period (Swedish time): 2027-01-01 00:30 is 2026-12-31 23:30 UTC.
    db.session.add(
        StatusUpdate(
            initiative=theirs, author=org.other_manager, created_at=_at("2026-12-31T23:30:00"),
            status=Status.IN_PROGRESS, health=theirs.health, progress=0,
        )
    )  # fmt: skip
    db.session.commit()
    return period, mine, theirs


def test_reminders_are_due_from_midnight_swedish_time_14_days_before(app, org, reminders):
    period, mine, _theirs = reminders
    # 14 days before 2027-03-31 is 2027-03-17; midnight in Stockholm (CET) is 23:00 UTC.
    assert planning.plan(_at("2027-03-16T22:59:59")) == 0
    assert planning.plan(_at("2027-03-16T23:00:00")) == 1
    (row,) = _rows(kind="reminder")
    assert row.recipient_id == org.manager.id and row.period == "before-14"
    assert "Alfa" in row.body_text and "Beta" in row.body_text and "Gamma" not in row.body_text
    assert f"/initiatives/{mine[0].id}#new-update" in row.body_text
    # Two initiatives in the plural, in the interface's word for a report.
    assert "De här initiativen som du äger saknar ännu rapport:" in row.body_text
    assert "lämna en lägesrapport" in row.body_text and "statusuppdatering" not in row.body_text
    assert (
        row.subject == "Påminnelse: rapportera för 2 initiativ i Tertial 1 2027 senast 2027-03-31"
    )
    # Every later run that day, and the days after, queues nothing more for this stage.
    assert planning.plan(_at("2027-03-17T10:00:00")) == 0
    assert planning.plan(_at("2027-03-20T10:00:00")) == 0


def test_the_3_day_reminder_and_the_day_after_the_deadline(app, org, reminders):
    period, _mine, _theirs = reminders
    # 3 days before is 28 March: until 23:00 UTC on the 27th (CET) the 14-day stage is due.
    assert planning.plan(_at("2027-03-27T22:59:00")) == 1
    assert _rows(kind="reminder")[-1].period == "before-14"
    assert planning.plan(_at("2027-03-27T23:00:00")) == 1
    assert _rows(kind="reminder")[-1].period == "before-3"
    assert planning.plan(_at("2027-03-31T21:59:00")) == 0  # the deadline itself (CEST, +2)
    # The day after the deadline: the owner once more, and the management group a summary.
    queued = planning.plan(_at("2027-03-31T22:00:00"))
    assert queued == 2
    (summary,) = _rows(kind="missing_summary")
    assert summary.recipient_id == org.management.id
    assert "Cecilia Chef: 2" in summary.body_text and "Rolf Rektor" not in summary.body_text
    assert _rows(kind="reminder")[-1].subject.startswith("Försenat: 2 initiativ")
    assert planning.plan(_at("2027-04-01T12:00:00")) == 0
    # After the grace days nothing is due; a closed period gets nothing at all.
    assert planning.plan(_at("2027-04-10T12:00:00")) == 0


def test_a_closed_period_and_a_report_in_time_get_no_reminder(app, org, reminders):
    period, mine, _theirs = reminders
    for initiative in mine:
        db.session.add(
            StatusUpdate(
                initiative=initiative, author=org.manager, created_at=_at("2027-03-01T10:00:00"),
                status=Status.IN_PROGRESS, health=initiative.health, progress=0,
            )
        )  # fmt: skip
    db.session.commit()
    assert planning.plan(_at("2027-03-17T10:00:00")) == 0
    period.closed_at = datetime.now(UTC)
    assert planning.stage(period, date(2027, 3, 17), [14, 3]) is None


def test_no_reminder_before_the_period_is_open_for_reports(app, org, reminders):
    """A report written before a period starts counts for none of it, so nobody is asked for
    one then: the reminders wait for the first day, or for the period to be opened early."""
    period, _mine, _theirs = reminders
    period.starts_on, period.deadline = date(2027, 3, 25), date(2027, 3, 31)
    db.session.commit()
    assert planning.stage(period, date(2027, 3, 17), [14, 3]) is None
    assert planning.plan(_at("2027-03-17T10:00:00")) == 0
    period.opened_at = _at("2027-03-18T08:00:00")
    db.session.commit()
    assert planning.stage(period, date(2027, 3, 18), [14, 3]) == "before-14"
    # Both owners: Gamma's report from December now lies before the period.
    assert planning.plan(_at("2027-03-18T10:00:00")) == 2


def test_the_admins_days_are_used(app, org, reminders):
    from tracker.mail import services

    services.save_schedule(org.admin, reminder_days="7", digest_weekday=6, digest_hour=8)
    db.session.commit()
    assert planning.plan(_at("2027-03-17T10:00:00")) == 0
    assert planning.plan(_at("2027-03-24T10:00:00")) == 1
    assert _rows(kind="reminder")[0].period == "before-7"


@pytest.mark.parametrize("days", ["3 3", "1 4", "14, 3 3", "14,, x"])
def test_days_run_together_or_not_numbers_are_refused_not_joined(app, org, days):
    """ "3 3" is no number of days: it was saved as 33."""
    from tracker.mail import services

    with pytest.raises(services.MailError) as refused:
        services.save_schedule(org.admin, reminder_days=days, digest_weekday=0, digest_hour=7)
    assert refused.value.field == "reminder_days"
    services.save_schedule(org.admin, reminder_days=" 14 ,3, ", digest_weekday=0, digest_hour=7)
    db.session.commit()
    assert planning.schedule().reminder_days == [3, 14]


def test_the_schedule_form_tells_every_problem_at_once_and_keeps_the_input(app, org, client, auth):
    """Days that are no list of days and an hour past 23: both told in one answer (the days
    used to be told only once the hour was right), the input kept, nothing saved."""
    from .resilience_support import form_fields

    auth.login(org.admin.email)
    form = form_fields(client.get("/admin/mail").get_data(as_text=True), "reminder_days")
    form |= {"reminder_days": "14, 3, <img src=x>", "digest_hour": "25"}
    response = client.post("/admin/mail", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ange upp till fem antal dagar" in page and "Ange en timme från 0 till 23." in page
    assert "14, 3, &lt;img src=x&gt;" in page and "<img src=x>" not in page
    assert planning.schedule().reminder_days == list(planning.DEFAULT_REMINDER_DAYS)


def test_a_reminder_of_one_initiative_speaks_of_it_in_the_singular(app, org, reminders):
    _period, mine, _theirs = reminders
    db.session.delete(mine[1])
    db.session.commit()
    assert planning.plan(_at("2027-03-16T23:00:00")) == 1
    (row,) = _rows(kind="reminder")
    assert "Det här initiativet som du äger saknar ännu rapport:" in row.body_text
    assert "De här initiativen" not in row.body_text and "De här initiativen" not in row.body_html


def test_the_weekly_digest_on_the_configured_day_and_hour(app, org):
    initiative = factories.make_initiative(org.manager, updates=1, title="Växande")
    factories.ask_support(initiative, "Hjälp")
    db.session.commit()
    # Default: Monday 07:00 Swedish time. 2027-03-15 is a Monday; 06:00 UTC is 07:00 CET.
    assert planning.plan(_at("2027-03-15T05:59:00")) == 0
    assert planning.plan(_at("2027-03-15T06:00:00")) == 1
    (row,) = _rows(kind="digest")
    assert row.period == "2027-W11" and row.recipient_id == org.management.id
    assert "Öppna begäranden om stöd" in row.body_text and "Växande" in row.body_text
    assert planning.plan(_at("2027-03-15T09:00:00")) == 0
    assert planning.plan(_at("2027-03-16T06:00:00")) == 0


def test_send_reminders_command_plans_and_sends(app, org, reminders, runner, smtp, monkeypatch):
    _use(app, smtp)
    monkeypatch.setattr(planning, "utcnow", lambda: _at("2027-03-17T10:00:00"))
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "queued 1, sent 1" in result.output
    again = runner.invoke(args=["send-reminders"])
    assert "queued 0, sent 0" in again.output
    assert len(smtp.handler.messages) == 1


# --- pages --------------------------------------------------------------------------------------


def test_preferences_turn_a_kind_off(app, org, client, auth):
    auth.login(org.manager.email)
    page = client.get("/account/mail").get_data(as_text=True)
    assert 'name="reminder"' in page and 'name="digest"' not in page
    response = client.post("/account/mail", data={"decision": "y", "csrf_token": csrf_from(page)})
    assert response.status_code == 303
    kinds = set(
        db.session.scalars(select(MailOptOut.kind).where(MailOptOut.user_id == org.manager.id))
    )
    assert kinds == {"reminder"}
    assert "/account/mail" in client.get("/account").get_data(as_text=True)


def test_the_send_log_is_for_admins(app, org, client, auth):
    _decide(org.management, factories.make_initiative(org.manager, title="Loggad"))
    auth.login(org.manager.email)
    assert client.get("/admin/mail").status_code == 403
    auth.logout()
    auth.login(org.admin.email)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Beslut om Loggad" in page and org.manager.email in page
    assert client.get("/admin/mail?status=failed&page=x").status_code == 200
    # Without a mail server the page says that "sent" means written to a file.
    assert "Ingen e-postserver är inställd" in page
    # A failed attempt is told in the admin's language; the server's own words beside it.
    message = db.session.scalar(select(MailMessage))
    message.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
    message.attempts, message.status = 1, "queued"
    db.session.commit()
    page = client.get("/admin/mail?status=queued").get_data(as_text=True)
    assert "Det senaste försöket misslyckades; nästa görs" in page
    assert '<span class="muted" lang="en">ConnectionRefusedError' in page
    message.status = "failed"
    db.session.commit()
    page = client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert "Meddelandet kunde inte skickas." in page
    app.config["MAIL_SERVER"] = "smtp.example.se"
    assert "Ingen e-postserver" not in client.get("/admin/mail").get_data(as_text=True)


def test_management_nudges_one_owner_once_a_day(app, org, client, auth, reminders):
    period, _mine, _theirs = reminders
    period.opened_at = datetime.now(UTC)
    db.session.commit()
    auth.login(org.manager.email)
    token = csrf_from(client.get("/accessibility").get_data(as_text=True))
    refused = client.post(
        f"/reports/periods/{period.id}/nudge", data={"owner": org.manager.id, "csrf_token": token}
    )
    assert refused.status_code == 403
    auth.logout()
    auth.login(org.management.email)
    page = client.get(f"/reports/periods/{period.id}").get_data(as_text=True)
    assert "Skicka en påminnelse" in page
    token = csrf_from(page)
    for _ in range(2):
        response = client.post(
            f"/reports/periods/{period.id}/nudge",
            data={"owner": org.manager.id, "csrf_token": token},
        )
        assert response.status_code == 303
    rows = _rows(kind="reminder")
    assert len(rows) == 1 and rows[0].period.startswith("nudge-")
    assert "Ledningsgruppen påminner dig" in rows[0].body_text
    # The second press said why nothing was queued, and the button gave way to the fact
    # (it stayed, and the answer listed three possible reasons: found by review).
    page = client.get(f"/reports/periods/{period.id}?lang=sv").get_data(as_text=True)
    assert "redan fått en påminnelse om perioden i dag" in page
    row = next(r for r in page.split("<tr") if org.manager.name in r and "Påmind i dag" in r)
    assert "Skicka en påminnelse" not in row
    assert (
        client.post(f"/reports/periods/{period.id}/nudge", data={"owner": "x"}).status_code == 400
    )
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 1


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_tls_never_fall_back_to_clear_text(app, org, smtp, security):
    """The test server offers no TLS: with starttls or tls configured nothing is sent in the
    clear; the message stays queued with the reason."""
    _use(app, smtp)
    app.config["MAIL_SECURITY"] = security
    _decide(org.management, factories.make_initiative(org.manager))
    result = outbox.send_queued()
    assert result.deferred == 1 and result.sent == 0
    assert smtp.handler.messages == []
    (row,) = _rows()
    assert row.status == "queued" and row.last_error


def test_a_benefit_measurement_due_is_listed_in_the_owners_reminder(app, org, reminders):
    from decimal import Decimal

    from tracker.models import Benefit, BenefitKind, Direction, Frequency, Indicator

    _period_, mine, _theirs = reminders
    benefit = Benefit(
        initiative_id=mine[0].id, title="Kortare handläggning", kind=BenefitKind.RESIDENTS,
        owner_id=org.manager.id, created_by_id=org.manager.id,
    )  # fmt: skip
    benefit.indicator = Indicator(
        name="Dagar", unit="dagar", direction=Direction.LOWER, baseline_value=Decimal(30),
        baseline_date=date(2027, 1, 15), target_value=Decimal(10), target_date=date(2027, 12, 31),
        frequency=Frequency.MONTHLY,
    )  # fmt: skip
    db.session.add(benefit)
    db.session.commit()
    assert planning.plan(_at("2027-03-17T10:00:00")) == 1
    (row,) = _rows(kind="reminder")
    assert "Kortare handläggning (Alfa, 2027-02-15)" in row.body_text
    assert f"/benefits/{benefit.id}" in row.body_text


def test_a_benefit_owner_with_nothing_to_report_still_hears_of_a_measurement_due(
    app, org, reminders
):
    """Measuring goes on after an initiative is done: its benefit owner, who owes no report,
    gets a reminder of the measurement alone, in their language."""
    from decimal import Decimal

    from tracker.models import Benefit, BenefitKind, Direction, Frequency, Indicator

    finished = factories.make_initiative(org.management, org.departments[0], title="Klar e-tjänst",
                                         status=Status.DONE)  # fmt: skip
    owner = factories.make_user(Role.MANAGER, org.departments[1], name="Nora Nyttoägare")
    benefit = Benefit(
        initiative_id=finished.id, title="Färre samtal", kind=BenefitKind.STAFF,
        owner_id=owner.id, created_by_id=org.admin.id,
    )  # fmt: skip
    benefit.indicator = Indicator(
        name="Samtal", unit="st", direction=Direction.LOWER, baseline_value=Decimal(300),
        baseline_date=date(2026, 11, 1), target_value=Decimal(100), target_date=date(2027, 12, 31),
        frequency=Frequency.QUARTERLY,
    )  # fmt: skip
    db.session.add(benefit)
    db.session.commit()
    assert planning.plan(_at("2027-03-17T10:00:00")) == 2  # Cecilia's reports, Nora's benefit
    (row,) = _rows(kind="reminder", recipient_id=owner.id)
    assert row.subject == "Påminnelse: 1 nyttomätning ska göras"
    assert "Färre samtal (Klar e-tjänst, 2027-02-01)" in row.body_text
    assert f"/benefits/{benefit.id}" in row.body_text
    assert "saknar" not in row.body_text and "Klar e-tjänst</a> (" not in row.body_html
    assert planning.plan(_at("2027-03-18T10:00:00")) == 0  # once per stage


def test_a_nudged_owner_gets_no_scheduled_reminder_the_same_day(app, org):
    """One reminder a day per owner and period: after the management group's nudge the
    scheduled reminder waits for the next day of its stage, and after the scheduled one a nudge
    the same day is refused."""
    now = datetime.now(UTC)
    today = now.astimezone(planning.timezone()).date()
    period = ReportingPeriod(
        name="Nu",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=10),
        deadline=today + timedelta(days=2),
    )
    db.session.add(period)
    for owner in (org.manager, org.other_manager):
        initiative = factories.make_initiative(owner, title=f"Av {owner.name}")
        initiative.created_at = now - timedelta(days=40)
    db.session.commit()
    assert planning.nudge(period, org.manager, now) == planning.NUDGED
    db.session.commit()
    planning.plan(now)
    by_owner = {}
    for row in _rows(kind="reminder"):
        by_owner.setdefault(row.recipient_id, []).append(row.period)
    assert by_owner[org.manager.id] == [f"nudge-{today.isoformat()}"]  # not also the stage's
    assert len(by_owner[org.other_manager.id]) == 1  # the stage's reminder
    assert planning.nudge(period, org.other_manager, now) == planning.REMINDED_TODAY
    db.session.commit()
    assert len(_rows(kind="reminder")) == 2


# --- who gets which kind: one rule for "Mitt konto" and the planner --------------------------


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("manager", ["reminder", "decision"]),
        ("admin", ["reminder", "decision"]),
        ("management", ["reminder", "support_request", "missing_summary", "digest"]),
        ("committee", []),
    ],
)
def test_preferences_offer_only_the_kinds_the_role_gets(app, org, client, auth, role, offered):
    """The support requests, the summary of who is missing and the digest go to the management
    group only: an admin is not offered them (turning them off would do nothing), nor a reader
    anything, since a committee reader owns nothing to be reminded of or decided on."""
    from tracker.mail import KIND_LABELS

    auth.login(org.user(role).email)
    page = client.get("/account/mail").get_data(as_text=True)
    assert [kind for kind in KIND_LABELS if f'name="{kind}"' in page] == offered
    if not offered:
        assert "Din roll får inga e-postmeddelanden" in page
        return
    # Posting a kind the role does not get (a crafted form) stores nothing for it.
    data = {kind: "y" for kind in KIND_LABELS} | {"csrf_token": csrf_from(page)}
    del data[offered[0]]
    assert client.post("/account/mail", data=data).status_code == 303
    assert set(
        db.session.scalars(select(MailOptOut.kind).where(MailOptOut.user_id == org.user(role).id))
    ) == {offered[0]}


def test_every_mail_queued_is_a_kind_its_recipient_is_offered(app, org, reminders):
    """Decisions, support requests, reminders, the missing summary and the digest go only to
    users whose preferences offer that kind: the planner and the form use the same rule. An
    admin who co-owns an initiative hears of its decisions, but gets none of the management
    group's mail."""
    from tracker.initiatives import support as support_requests
    from tracker.mail import services

    _period_, mine, _theirs = reminders
    mine[0].co_owners.append(org.admin)
    db.session.commit()
    _decide(org.management, mine[0])
    asked = StatusUpdate(
        initiative=mine[1], author=org.manager, created_at=_at("2027-01-10T10:00:00"),
        status=Status.IN_PROGRESS, health=mine[1].health, progress=5, support_needed="Hjälp",
    )  # fmt: skip
    db.session.add(asked)
    db.session.flush()
    support_requests.after_update(org.manager, mine[1], asked)
    db.session.commit()
    planning.plan(_at("2027-04-01T10:00:00"))  # the day after the deadline: the summary too
    planning.plan(_at("2027-04-05T06:00:00"))  # a Monday at 08:00 Swedish time: the digest
    rows = _rows()
    assert {r.kind for r in rows} == {
        "decision", "support_request", "reminder", "missing_summary", "digest"
    }  # fmt: skip
    for row in rows:
        assert row.kind in services.kinds_for(row.recipient), (row.kind, row.recipient.role)
    assert {r.kind for r in rows if r.recipient_id == org.admin.id} == {"decision"}


def test_a_message_for_a_kind_the_role_no_longer_gets_is_not_sent(app, org, smtp):
    """Queued for the management group, then the user became an admin: not sent."""
    _use(app, smtp)
    factories.make_initiative(org.manager, updates=1, title="Växande")
    db.session.commit()
    assert planning.plan(_at("2027-03-15T06:00:00")) == 1
    org.management.role = Role.ADMIN
    db.session.commit()
    result = outbox.send_queued()
    assert (result.sent, result.failed) == (0, 1) and smtp.handler.messages == []
    assert _rows()[0].status == "failed"


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("not_started", "Perioden är inte öppen än"),
        ("closed", "Perioden är stängd."),
    ],
)
def test_a_nudge_outside_an_open_period_gives_the_reason(app, org, client, auth, state, message):
    """A crafted nudge for a period that has not started (and was not opened early) says it is
    not open yet, not that it is closed; one for a closed period says closed. Nothing queued."""
    now = datetime.now(UTC)
    today = now.astimezone(planning.timezone()).date()
    first = today + timedelta(days=5) if state == "not_started" else today - timedelta(days=30)
    period = _period(
        starts_on=first,
        ends_on=first + timedelta(days=60),
        deadline=first + timedelta(days=50),
        closed_at=now if state == "closed" else None,
    )
    owing = factories.make_initiative(org.manager, title="Saknas")
    owing.created_at = now - timedelta(days=40)
    db.session.commit()
    auth.login(org.management.email)
    page = client.get(f"/reports/periods/{period.id}").get_data(as_text=True)
    assert "Skicka en påminnelse" not in page  # no button: only a crafted request gets here
    response = client.post(
        f"/reports/periods/{period.id}/nudge",
        data={"owner": org.manager.id, "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 303
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in shown
    if state == "not_started":
        assert "stängd" not in shown
    assert _rows() == []
