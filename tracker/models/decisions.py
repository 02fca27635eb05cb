"""Decisions of the management group on an initiative. Append-only, like status updates."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import User, enum_column
from .types import UTCDateTime, utcnow


class DecisionKind(StrEnum):
    PRIORITISE = "prioritise"
    SUPPORT = "support"
    PAUSE = "pause"
    CLOSE = "close"
    OTHER = "other"

    @property
    def label(self):
        return DECISION_LABELS[self]


DECISION_LABELS = {
    DecisionKind.PRIORITISE: _l("Prioritised"),
    DecisionKind.SUPPORT: _l("Support given"),
    DecisionKind.PAUSE: _l("To be paused"),
    DecisionKind.CLOSE: _l("To be closed"),
    DecisionKind.OTHER: _l("Other decision"),
}


class Decision(db.Model):
    __tablename__ = "decision"
    __table_args__ = (Index("ix_decision_initiative_created", "initiative_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_on: Mapped[date] = mapped_column(Date)
    meeting: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DecisionKind] = mapped_column(enum_column(DecisionKind, name="decision_kind"))
    text: Mapped[str] = mapped_column(Text, default="")  # the decision, when kind is "other"
    comment: Mapped[str] = mapped_column(Text, default="")

    author: Mapped[User] = relationship()

    @property
    def summary(self) -> str:
        """The decision in words: the free text, or the chosen kind's label (followed by the
        text, when the secretary wrote one with a kind that needs none: it is never dropped)."""
        if self.kind == DecisionKind.OTHER and self.text:
            return self.text
        if self.text:
            return f"{self.kind.label}: {self.text}"
        return str(self.kind.label)
