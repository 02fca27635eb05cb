"""The outbox: queue a message in its cause's transaction, then claim and send queued messages.

Sending, step by step, so that overlapping runs never take the same row and nothing is sent twice:

1. **Claim** (own committed transaction): ``UPDATE … SET status='sending', claim_token=T WHERE
   id IN (…) AND status='queued'``. A row another run claimed first no longer matches, so each row
   is claimed by one run only (SQLite serialises writers; PostgreSQL re-checks the WHERE clause of
   a row another transaction changed).
2. **In flight** (own committed transaction, just before the row goes to the server): its token
   becomes ``T:f`` ("in flight") and the run's other claimed rows get a fresh ``claimed_at``
   (a heartbeat, so that a slow but living run never looks dead).
3. **Send**, then mark the row ``sent`` in a transaction of its own right after the server
   accepted it; the body is then dropped (the log keeps who, what, when). A 4xx puts it back in
   the queue with back-off; a 5xx marks it failed; a server that is down or closes the connection
   puts every remaining claimed row back in the queue with back-off.
4. **Recover** (at the start of every run): a claim older than ``MAIL_CLAIM_MINUTES`` belongs to a
   run that died. A row that was never in flight goes back to the queue (it never reached the
   server). A row *in flight* may or may not have been accepted by the server, so it is **not
   resent**: it is marked ``failed`` with a reason saying so, and an admin can send it again
   from the send log after checking with the recipient.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from ..database import WRITE_OPTION
from ..extensions import db
from ..models import MailMessage, MailOptOut, User, utcnow
from . import compose, receives
from .transport import DeliveryError, Refused, ServerUnavailable, TryLater, make_transport

MAX_ATTEMPTS = 10
BATCH = 200
INTERRUPTED = (
    "The sending run stopped after claiming this message, so it is not known whether the server "
    "accepted it. It was not sent again, to avoid a duplicate."
)


def begin_write() -> None:
    """End whatever the session has open and begin a write transaction: on SQLite with
    ``BEGIN IMMEDIATE`` (outside a request the default is a plain BEGIN), so that overlapping
    runs wait for the write lock instead of failing to upgrade a read lock."""
    db.session.commit()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.connection(execution_options={WRITE_OPTION: True})


def backoff(attempts: int) -> timedelta:
    """5, 10, 20 … minutes, at most 6 hours: about a day before the tenth attempt fails."""
    return timedelta(minutes=min(5 * 2 ** max(attempts - 1, 0), 360))


def opted_out(user: User, kind: str) -> bool:
    return db.session.get(MailOptOut, (user.id, kind)) is not None


def wants(user: User, kind: str) -> bool:
    """An active user whose role gets the kind and who has not turned it off."""
    return bool(user.active) and receives(user, kind) and not opted_out(user, kind)


def queue(
    recipient: User,
    kind: str,
    cause: str,
    period: str,
    template: str,
    subject: Callable[[], str],
    /,
    **context,
) -> MailMessage | None:
    """Queue one message in the current transaction, in the recipient's language. Nothing for a
    deactivated user, one whose role does not get the kind or who turned it off, or a key
    already queued."""
    if not wants(recipient, kind):
        return None
    exists = db.session.scalar(
        select(MailMessage.id).where(
            MailMessage.recipient_id == recipient.id,
            MailMessage.cause == cause,
            MailMessage.period == period,
            MailMessage.kind == kind,
        )
    )
    if exists is not None:
        return None
    language = recipient.language if recipient.language in ("sv", "en") else "sv"
    with force_locale(language):
        title = compose.header_text(subject(), 300)
        values = {"recipient": recipient, "subject": title, "lang": language, **context}
        text = render_template(f"mail/{template}.txt", **values)
        html = render_template(f"mail/{template}.html", **values)
    row = MailMessage(
        recipient_id=recipient.id,
        kind=kind,
        cause=cause,
        period=period,
        language=language,
        subject=title,
        body_text=text,
        body_html=html,
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    interrupted: int = 0


IN_FLIGHT = ":f"


def recover_stale(now: datetime) -> int:
    """Claims of a run that died: never-sent rows back to the queue, rows in flight failed (not
    resent). Returns how many were in flight."""
    begin_write()
    minutes = int(current_app.config.get("MAIL_CLAIM_MINUTES") or 15)
    stale = (
        MailMessage.status == "sending",
        MailMessage.claimed_at < now - timedelta(minutes=minutes),
    )
    in_flight = MailMessage.claim_token.like("%" + IN_FLIGHT)
    result = db.session.execute(
        update(MailMessage)
        .where(*stale, in_flight)
        .values(status="failed", last_error=INTERRUPTED, claim_token=None)
    )
    db.session.execute(
        update(MailMessage)
        .where(*stale, ~in_flight)
        .values(status="queued", claim_token=None, next_attempt_at=now)
    )
    db.session.commit()
    return result.rowcount or 0


def take_off(row_id: int, token: str, now: datetime) -> bool:
    """Mark the row in flight (and keep the run's other claims fresh); False if it is no longer
    this run's."""
    begin_write()
    result = db.session.execute(
        update(MailMessage)
        .where(
            MailMessage.id == row_id,
            MailMessage.claim_token == token,
            MailMessage.status == "sending",
        )
        .values(claim_token=token + IN_FLIGHT, claimed_at=now)
    )
    db.session.execute(
        update(MailMessage)
        .where(MailMessage.claim_token == token, MailMessage.status == "sending")
        .values(claimed_at=now)
    )
    db.session.commit()
    return bool(result.rowcount)


def claim(now: datetime, limit: int = BATCH) -> tuple[str, list[int]]:
    begin_write()
    token = secrets.token_hex(16)
    ids = list(
        db.session.scalars(
            select(MailMessage.id)
            .where(MailMessage.status == "queued", MailMessage.next_attempt_at <= now)
            .order_by(MailMessage.next_attempt_at, MailMessage.id)
            .limit(limit)
        )
    )
    if not ids:
        db.session.commit()
        return token, []
    db.session.execute(
        update(MailMessage)
        .where(MailMessage.id.in_(ids), MailMessage.status == "queued")
        .values(status="sending", claim_token=token, claimed_at=now)
    )
    db.session.commit()
    mine = db.session.scalars(
        select(MailMessage.id)
        .where(MailMessage.claim_token == token, MailMessage.status == "sending")
        .order_by(MailMessage.id)
    )
    return token, list(mine)


def _mine(row_id: int, token: str):
    return update(MailMessage).where(
        MailMessage.id == row_id,
        MailMessage.claim_token.in_((token, token + IN_FLIGHT)),
        MailMessage.status == "sending",
    )


def mark_sent(row_id: int, token: str, now: datetime) -> None:
    begin_write()
    db.session.execute(
        _mine(row_id, token).values(
            status="sent",
            sent_at=now,
            attempts=MailMessage.attempts + 1,
            last_error="",
            body_text="",
            body_html="",
            claim_token=None,
        )
    )
    db.session.commit()


def mark_failed(row_id: int, token: str, error: str) -> None:
    begin_write()
    db.session.execute(
        _mine(row_id, token).values(
            status="failed",
            attempts=MailMessage.attempts + 1,
            last_error=error[:480],
            claim_token=None,
        )
    )
    db.session.commit()


def defer(row_ids: list[int], token: str, now: datetime, error: str) -> tuple[int, int]:
    """Back to the queue with back-off, or failed after MAX_ATTEMPTS. (deferred, failed)"""
    begin_write()
    deferred = failed = 0
    rows = db.session.scalars(select(MailMessage).where(MailMessage.id.in_(row_ids))).all()
    for row in rows:
        if row.claim_token not in (token, token + IN_FLIGHT) or row.status != "sending":
            continue
        row.attempts += 1
        row.last_error = error[:480]
        row.claim_token = None
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            failed += 1
        else:
            row.status = "queued"
            row.next_attempt_at = now + backoff(row.attempts)
            deferred += 1
    db.session.commit()
    return deferred, failed


def send_queued(now: datetime | None = None, limit: int = BATCH) -> RunResult:
    """Send what is due in the outbox. Safe to run in several processes at once."""
    now = now or utcnow()
    result = RunResult(interrupted=recover_stale(now))
    token, ids = claim(now, limit)
    if not ids:
        return result
    app = current_app._get_current_object()
    transport = make_transport(app)
    try:
        transport.open()
    except ServerUnavailable as error:
        deferred, failed = defer(ids, token, now, error.message)
        result.deferred += deferred
        result.failed += failed
        return result
    from_address = app.config.get("MAIL_FROM") or "no-reply@localhost"
    try:
        for index, row_id in enumerate(ids):
            row = db.session.get(MailMessage, row_id)
            recipient = row.recipient
            if not wants(recipient, row.kind):
                mark_failed(
                    row_id, token, "Not sent: the account is deactivated or the kind is off."
                )
                result.failed += 1
                continue
            message = compose.build(
                app.config,
                to_name=recipient.name,
                to_address=recipient.email,
                subject=row.subject,
                text=row.body_text,
                html=row.body_html,
                message_id=compose.message_id(app.config, row.id),
                sent_at=now,
            )
            if not take_off(row_id, token, utcnow()):
                continue  # recovered by another run as stale: no longer ours
            try:
                transport.send(message, recipient.email, from_address)
            except ServerUnavailable as error:
                deferred, failed = defer(ids[index:], token, now, error.message)
                result.deferred += deferred
                result.failed += failed
                break
            except TryLater as error:
                deferred, failed = defer([row_id], token, now, error.message)
                result.deferred += deferred
                result.failed += failed
                continue
            except Refused as error:
                mark_failed(row_id, token, error.message)
                result.failed += 1
                continue
            except DeliveryError as error:  # pragma: no cover - every kind is handled above
                mark_failed(row_id, token, error.message)
                result.failed += 1
                continue
            mark_sent(row_id, token, utcnow())
            result.sent += 1
    finally:
        transport.close()
    return result


def purge(now: datetime | None = None) -> int:
    """Keep the send log for ``MAIL_LOG_DAYS`` (default 90): delete older sent and failed rows.
    Reminders for a period long past are not planned again, so their keys are not needed."""
    begin_write()
    now = now or utcnow()
    days = int(current_app.config.get("MAIL_LOG_DAYS") or 90)
    result = db.session.execute(
        MailMessage.__table__.delete().where(
            MailMessage.status.in_(("sent", "failed")),
            MailMessage.created_at < now - timedelta(days=days),
        )
    )
    db.session.commit()
    return result.rowcount or 0


def requeue(row: MailMessage) -> None:
    """An admin sends a failed message again (its body is kept until it is sent)."""
    row.status = "queued"
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.claim_token = None
