"""Digital maturity (DiMiOS): categories, questions, measurement rounds, values, and the tags that
tie initiatives to the categories they strengthen.

Only question values are stored. Capability, category and dimension scores are computed from them
(the mean of their questions; a dimension is the mean of its categories), so a correction of one
value can never leave a stored total out of date.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import Department, User, enum_column
from .portfolio import Initiative
from .types import UTCDateTime, utcnow


class Dimension(StrEnum):
    CAPABILITY = "capability"  # Digital förmåga
    LEGACY = "legacy"  # Digitalt arv

    @property
    def label(self):
        return DIMENSION_LABELS[self]


DIMENSION_LABELS = {
    Dimension.CAPABILITY: _l("Digital capability"),
    Dimension.LEGACY: _l("Digital legacy"),
}

initiative_maturity_category = Table(
    "initiative_maturity_category",
    db.metadata,
    Column("initiative_id", ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("maturity_category.id"), primary_key=True, index=True),
)


class MaturityCategory(db.Model):
    """One of the six categories, three in each dimension."""

    __tablename__ = "maturity_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    dimension: Mapped[Dimension] = mapped_column(enum_column(Dimension, name="dimension"))
    name_sv: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_sv

    def __repr__(self) -> str:
        return f"<MaturityCategory {self.key}>"


class MaturityQuestion(db.Model):
    """A question of the survey, in one category and measuring one capability (förmåga).

    The same key in two rounds is the same question: that is what makes rounds comparable.
    """

    __tablename__ = "maturity_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("maturity_category.id"), index=True)
    capability_sv: Mapped[str] = mapped_column(String(200))
    capability_en: Mapped[str] = mapped_column(String(200), default="")
    text_sv: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    category: Mapped[MaturityCategory] = relationship()

    def text(self, locale: str) -> str:
        return (self.text_en or self.text_sv) if locale == "en" else self.text_sv

    def capability(self, locale: str) -> str:
        return (self.capability_en or self.capability_sv) if locale == "en" else self.capability_sv

    def __repr__(self) -> str:
        return f"<MaturityQuestion {self.key}>"


class MaturityRound(db.Model):
    """A measurement round (mätning), e.g. "Mätning 2021"."""

    __tablename__ = "maturity_round"
    __table_args__ = (
        CheckConstraint("respondents IS NULL OR respondents >= 0", name="respondents_positive"),
        CheckConstraint(
            "response_rate IS NULL OR (response_rate >= 0 AND response_rate <= 100)",
            name="response_rate_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    measured_on: Mapped[date] = mapped_column(Date, index=True)
    respondents: Mapped[int | None] = mapped_column(Integer)
    response_rate: Mapped[float | None] = mapped_column(Float)  # percent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Set by every correction made after the import; the audit log has the old and new values.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
    values: Mapped[list[MaturityValue]] = relationship(
        back_populates="round", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<MaturityRound {self.name!r}>"


class MaturityValue(db.Model):
    """The result of one question in one round, for the whole organisation (no department) or
    for one department, in percent."""

    __tablename__ = "maturity_value"
    __table_args__ = (
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        UniqueConstraint(
            "round_id", "question_id", "department_id", name="uq_maturity_value_per_department"
        ),
        # NULLs are distinct in a unique constraint: the whole organisation needs its own index.
        Index(
            "uq_maturity_value_per_organisation",
            "round_id",
            "question_id",
            unique=True,
            sqlite_where=text("department_id IS NULL"),
            postgresql_where=text("department_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("maturity_round.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("maturity_question.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    percent: Mapped[float] = mapped_column(Float)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[MaturityRound] = relationship(back_populates="values")
    question: Mapped[MaturityQuestion] = relationship()
    department: Mapped[Department | None] = relationship()


# The tags live with the maturity model; the initiative model need not know about them.
Initiative.maturity_categories = relationship(
    MaturityCategory,
    secondary=initiative_maturity_category,
    order_by=MaturityCategory.sort_order,
)
