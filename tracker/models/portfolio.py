"""Principles, initiatives, their principle links and their append-only status updates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .decisions import Decision
from .enums import ACTIVE_STATUSES, Health, Status
from .org import Department, User, enum_column
from .support import SupportRequest
from .types import UTCDateTime, utcnow

initiative_co_owner = Table(
    "initiative_co_owner",
    db.metadata,
    Column("initiative_id", ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id"), primary_key=True, index=True),
)


class Principle(db.Model):
    """A guiding principle (ledord) of the municipality's digital transformation."""

    __tablename__ = "principle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name_sv: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description_sv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_sv

    def description(self, locale: str) -> str:
        return self.description_en if locale == "en" else self.description_sv

    def __repr__(self) -> str:
        return f"<Principle {self.key}>"


class Initiative(db.Model):
    """A digital initiative of one unit. Status, health and progress mirror the latest update."""

    __tablename__ = "initiative"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint(
            "target_date IS NULL OR start_date IS NULL OR target_date >= start_date",
            name="dates_in_order",
        ),
        # Every column the dashboard's and the board's aggregates and the board's ranking read:
        # they scan this index, never the rows with their long texts. (It replaces the index on
        # archived_at and status, its first two columns.)
        Index(
            "ix_initiative_figures",
            "archived_at",
            "status",
            "department_id",
            "health",
            "progress",
            "last_update_at",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    benefit: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date)
    funding_source: Mapped[str] = mapped_column(String(200), default="")
    cost_estimate: Mapped[int | None] = mapped_column(Integer)  # whole kronor
    risks: Mapped[str] = mapped_column(Text, default="")

    status: Mapped[Status] = mapped_column(
        enum_column(Status, name="status"), default=Status.IDEA, index=True
    )
    health: Mapped[Health] = mapped_column(
        enum_column(Health, name="health"), default=Health.ON_TRACK, index=True
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic locking: an edit names the version it started from.
    version: Mapped[int] = mapped_column(Integer, default=1)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped[Department] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    co_owners: Mapped[list[User]] = relationship(secondary=initiative_co_owner)
    principle_links: Mapped[list[PrincipleLink]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[Decision]] = relationship(
        order_by="[desc(Decision.created_at), desc(Decision.id)]",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    # The open support request, if any (tracker.initiatives.support opens and closes them).
    open_support_request: Mapped[SupportRequest | None] = relationship(
        primaryjoin=lambda: and_(
            SupportRequest.initiative_id == Initiative.id, SupportRequest.closed_at.is_(None)
        ),
        viewonly=True,
        uselist=False,
    )
    support_requests: Mapped[list[SupportRequest]] = relationship(
        order_by="desc(SupportRequest.opened_at)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    updates: Mapped[list[StatusUpdate]] = relationship(
        back_populates="initiative",
        order_by="desc(StatusUpdate.created_at)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def links_in_order(self) -> list[PrincipleLink]:
        """The principle links in the principles' order (the order every page, export and the
        API name them in; ``principle_links`` itself is in the order they were linked)."""
        return sorted(self.principle_links, key=lambda k: (k.principle.sort_order, k.principle_id))

    def is_stale(self, stale_days: int, now: datetime | None = None) -> bool:
        if self.status not in ACTIVE_STATUSES:
            return False
        last = self.last_update_at or self.created_at
        return last < (now or utcnow()) - timedelta(days=stale_days)

    def __repr__(self) -> str:
        return f"<Initiative {self.id} {self.title!r}>"


class PrincipleLink(db.Model):
    """How one initiative contributes to one principle."""

    __tablename__ = "principle_link"
    __table_args__ = (UniqueConstraint("initiative_id", "principle_id", name="one_per_principle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), index=True
    )
    principle_id: Mapped[int] = mapped_column(ForeignKey("principle.id"), index=True)
    motivation: Mapped[str] = mapped_column(Text)

    initiative: Mapped[Initiative] = relationship(back_populates="principle_links")
    principle: Mapped[Principle] = relationship()


# The board's first cards: per status, the initiatives by last activity, walked in order and
# left after twenty (tracker.portfolio.board._first_cards); archived_at, health and department_id
# are in it for the filter, the red/other split and the committee scope, so that the walk never
# reads the rows. (archived_at comes after the order: PostgreSQL orders by an index only past
# equality conditions, and IS NULL is not one.)
Index(
    "ix_initiative_board",
    Initiative.status,
    func.coalesce(Initiative.last_update_at, Initiative.created_at),
    Initiative.id,
    Initiative.archived_at,
    Initiative.health,
    Initiative.department_id,
)
# The list in its default order (latest activity first): a page is a walk of this index, read
# backwards, that stops after the page instead of sorting every visible initiative. The list
# breaks ties by id in the direction of the sort, so one index serves both directions.
Index(
    "ix_initiative_recent",
    func.coalesce(Initiative.last_update_at, Initiative.created_at),
    Initiative.id,
    Initiative.archived_at,
    Initiative.department_id,
)


class StatusUpdate(db.Model):
    """A status report (lägesrapport). Append-only: never edited or deleted in place."""

    __tablename__ = "status_update"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        # health too, so that counting an initiative's updates per month and health (the
        # dashboard's trend for a filtered selection) reads only this index.
        Index("ix_status_update_trend", "initiative_id", "created_at", "health"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    status: Mapped[Status] = mapped_column(enum_column(Status, name="status"))
    health: Mapped[Health] = mapped_column(enum_column(Health, name="health"))
    progress: Mapped[int] = mapped_column(Integer)
    happened: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    support_needed: Mapped[str] = mapped_column(Text, default="")
    # Set when a decision of the management group changed the status (``portfolio.decisions``):
    # the initiative's state moved, but nobody reported on it, so it is not the owner's report.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), default=None)

    initiative: Mapped[Initiative] = relationship(back_populates="updates")
    author: Mapped[User] = relationship()
