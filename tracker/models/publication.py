"""Publication: an initiative the municipality shows its residents on the public pages.

The owner proposes it with a public summary; management or an admin approves it (published) or
takes it off the public pages at once (withdrawn). ``PublicationSettings`` is one row (id 1) of
what an admin allows: publish every active initiative without a proposal, show the cost estimate,
show the owner's name and title. No row means all three are off.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import User, enum_column
from .portfolio import Initiative
from .types import UTCDateTime, utcnow


class PublicationState(StrEnum):
    PROPOSED = "proposed"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return PUBLICATION_STATE_LABELS[self]


PUBLICATION_STATE_LABELS = {
    PublicationState.PROPOSED: _l("Proposed for publication"),
    PublicationState.PUBLISHED: _l("Published"),
    PublicationState.WITHDRAWN: _l("Not published"),
}


class Publication(db.Model):
    __tablename__ = "publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[PublicationState] = mapped_column(
        enum_column(PublicationState, name="publication_state")
    )
    # The summary as last proposed; ``published_summary`` is the one the management group
    # approved, which residents see (kept while a new proposal waits; cleared when withdrawn).
    public_summary: Mapped[str] = mapped_column(Text, default="")
    published_summary: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    initiative: Mapped[Initiative] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def revision_waits(self) -> bool:
        """Published, with a new summary proposed: the approved one stays public meanwhile."""
        return self.state == PublicationState.PROPOSED and self.published_summary is not None

    @property
    def summary_for_residents(self) -> str:
        """What the public pages show: the approved summary, or (when every active initiative
        is published without approval) the one proposed."""
        if self.published_summary is not None:
            return self.published_summary
        return self.public_summary

    def __repr__(self) -> str:
        return f"<Publication {self.initiative_id} {self.state}>"


class PublicationSettings(db.Model):
    __tablename__ = "publication_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    publish_all_active: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    show_cost: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    show_owner: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
