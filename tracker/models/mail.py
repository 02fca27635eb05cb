"""E-mail: the outbox (every message once, by its unique key), the users' opt-outs and the admin's
reminder settings.

A message row is queued in the same transaction as its cause. Its key (recipient, cause, period,
kind) is unique, so planning the same reminder twice, or two runs planning it at once, gives one
row. The body is kept only until the message is sent: the send log keeps who, what, when and why
it failed, not the text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import User
from .types import UTCDateTime, utcnow

STATUSES = ("queued", "sending", "sent", "failed")


class MailMessage(db.Model):
    __tablename__ = "mail_message"
    __table_args__ = (
        UniqueConstraint("recipient_id", "cause", "period", "kind", name="one_message_per_key"),
        CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed')", name="mail_status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    cause: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(5), default="sv")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    recipient: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<MailMessage {self.id} {self.kind} {self.status}>"


class MailOptOut(db.Model):
    """A user who turned one kind of mail off (no row: the kind is on)."""

    __tablename__ = "mail_opt_out"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)


class MailSettings(db.Model):
    """When reminders and the digest go out: one row, id 1; NULL means the default."""

    __tablename__ = "mail_settings"
    __table_args__ = (
        CheckConstraint(
            "digest_weekday IS NULL OR (digest_weekday >= 0 AND digest_weekday <= 6)",
            name="digest_weekday_range",
        ),
        CheckConstraint(
            "digest_hour IS NULL OR (digest_hour >= 0 AND digest_hour <= 23)",
            name="digest_hour_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_days: Mapped[str | None] = mapped_column(String(50))  # e.g. "14,3"
    digest_weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday
    digest_hour: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
