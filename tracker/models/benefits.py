"""Benefits realisation (nyttorealisering): what good an initiative will do, the indicator that
shows it, and the append-only measurements of that indicator."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import User, enum_column
from .portfolio import Initiative, Principle
from .types import UTCDateTime, utcnow


class BenefitKind(StrEnum):
    RESIDENTS = "residents"
    STAFF = "staff"
    ECONOMIC = "economic"
    QUALITY = "quality"

    @property
    def label(self):
        return BENEFIT_KIND_LABELS[self]


class Direction(StrEnum):
    """Whether a higher or a lower value of the indicator is better."""

    HIGHER = "higher"
    LOWER = "lower"

    @property
    def label(self):
        return DIRECTION_LABELS[self]


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"

    @property
    def label(self):
        return FREQUENCY_LABELS[self]

    @property
    def months(self) -> int:
        return FREQUENCY_MONTHS[self]


BENEFIT_KIND_LABELS = {
    BenefitKind.RESIDENTS: _l("For residents"),
    BenefitKind.STAFF: _l("For staff"),
    BenefitKind.ECONOMIC: _l("Economic"),
    BenefitKind.QUALITY: _l("Quality"),
}
DIRECTION_LABELS = {
    Direction.HIGHER: _l("Higher is better"),
    Direction.LOWER: _l("Lower is better"),
}
FREQUENCY_LABELS = {
    Frequency.MONTHLY: _l("Every month"),
    Frequency.QUARTERLY: _l("Every quarter"),
    Frequency.HALF_YEARLY: _l("Every six months"),
    Frequency.YEARLY: _l("Every year"),
}
FREQUENCY_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}

# Values are kept exactly (percentages, kronor, minutes): never as floats.
VALUE = Numeric(18, 4)

benefit_principle = Table(
    "benefit_principle",
    db.metadata,
    Column("benefit_id", ForeignKey("benefit.id", ondelete="CASCADE"), primary_key=True),
    Column("principle_id", ForeignKey("principle.id"), primary_key=True, index=True),
)


class Benefit(db.Model):
    """A benefit (nytta) of an initiative, realised by its benefit owner (nyttoägare)."""

    __tablename__ = "benefit"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[BenefitKind] = mapped_column(enum_column(BenefitKind, name="benefit_kind"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    initiative: Mapped[Initiative] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    principles: Mapped[list[Principle]] = relationship(
        secondary=benefit_principle, order_by="Principle.sort_order"
    )
    indicator: Mapped[Indicator] = relationship(
        back_populates="benefit", uselist=False, cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Benefit {self.id} {self.title!r}>"


class Indicator(db.Model):
    """How a benefit is measured: one indicator per benefit, from a baseline to a target."""

    __tablename__ = "benefit_indicator"
    __table_args__ = (
        CheckConstraint("target_value <> baseline_value", name="target_differs"),
        CheckConstraint("target_date > baseline_date", name="target_after_baseline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[int] = mapped_column(
        ForeignKey("benefit.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, name="direction"))
    baseline_value: Mapped[Decimal] = mapped_column(VALUE)
    baseline_date: Mapped[date] = mapped_column(Date)
    target_value: Mapped[Decimal] = mapped_column(VALUE)
    target_date: Mapped[date] = mapped_column(Date)
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency, name="frequency"))

    benefit: Mapped[Benefit] = relationship(back_populates="indicator")
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="indicator",
        order_by="(Measurement.measured_on, Measurement.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Measurement(db.Model):
    """A measured value. Append-only: a correction is a new measurement naming the one it
    corrects, so what was reported once stays readable."""

    __tablename__ = "benefit_measurement"
    __table_args__ = (
        Index("ix_benefit_measurement_indicator_date", "indicator_id", "measured_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("benefit_indicator.id", ondelete="CASCADE")
    )
    value: Mapped[Decimal] = mapped_column(VALUE)
    measured_on: Mapped[date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("benefit_measurement.id"), unique=True
    )

    indicator: Mapped[Indicator] = relationship(back_populates="measurements")
    author: Mapped[User] = relationship()
