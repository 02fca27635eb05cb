"""Support requests: what an initiative asks of the management group, open until answered.

A status update with support text opens one; it stays open, whatever later updates say, until its
owner withdraws it or the management group answers it with a decision. At most one is open per
initiative (a partial unique index); closed ones are kept, like the updates they came from.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .decisions import Decision
from .org import User, enum_column
from .types import UTCDateTime, utcnow

OPEN = text("closed_at IS NULL")


class SupportOutcome(StrEnum):
    WITHDRAWN = "withdrawn"
    ANSWERED = "answered"

    @property
    def label(self):
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    SupportOutcome.WITHDRAWN: _l("Withdrawn by the initiative's owner"),
    SupportOutcome.ANSWERED: _l("Answered with a decision"),
}


class SupportRequest(db.Model):
    __tablename__ = "support_request"
    __table_args__ = (
        Index(
            "uq_support_request_open",
            "initiative_id",
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), index=True
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The update that asked, and the latest one that asked again (its text is ``text``).
    opened_by_update_id: Mapped[int] = mapped_column(
        ForeignKey("status_update.id", ondelete="CASCADE"), index=True
    )
    latest_update_id: Mapped[int] = mapped_column(
        ForeignKey("status_update.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    outcome: Mapped[SupportOutcome | None] = mapped_column(
        enum_column(SupportOutcome, name="support_outcome")
    )
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), index=True
    )

    opened_by: Mapped[User] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    decision: Mapped[Decision | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def age_days(self, now: datetime | None = None) -> int:
        """Whole days since it was opened."""
        return max(0, ((now or utcnow()) - self.opened_at).days)

    def __repr__(self) -> str:
        state = "open" if self.is_open else self.outcome
        return f"<SupportRequest {self.id} initiative={self.initiative_id} {state}>"
