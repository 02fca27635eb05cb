"""Reporting periods, the committees' meetings in them, and frozen committee reports.

A frozen report is the report as it was presented to the committee: its content is one canonical
JSON document with its SHA-256. The application never updates or deletes a frozen report (an
overwrite is a deletion under Swedish archive law): the ORM refuses it here, and triggers in the
database refuse it too (created with the table, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import Committee, User
from .types import UTCDateTime, utcnow


class ReportingPeriod(db.Model):
    """A follow-up period (tertial, delår, helår) with its last day for managers' reports."""

    __tablename__ = "reporting_period"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period_dates_in_order"),
        CheckConstraint(
            "deadline >= starts_on AND deadline <= ends_on", name="period_deadline_inside"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    # Opened for reports before its start date; closed when the follow-up is over.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meetings: Mapped[list[CommitteeMeeting]] = relationship(
        back_populates="period", cascade="all, delete-orphan", order_by="CommitteeMeeting.id"
    )

    def is_open(self, today: date) -> bool:
        if self.closed_at is not None:
            return False
        return self.opened_at is not None or self.starts_on <= today

    def __repr__(self) -> str:
        return f"<ReportingPeriod {self.name!r}>"


class CommitteeMeeting(db.Model):
    """The meeting of one committee that a period's report goes to, with its diary number."""

    __tablename__ = "committee_meeting"
    __table_args__ = (UniqueConstraint("period_id", "committee_id", name="one_meeting_per_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_period.id", ondelete="CASCADE"), index=True
    )
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    meets_on: Mapped[date | None] = mapped_column(Date)
    dnr: Mapped[str] = mapped_column(String(60), default="")

    period: Mapped[ReportingPeriod] = relationship(back_populates="meetings")
    committee: Mapped[Committee] = relationship()


class PeriodReportMark(db.Model):
    """A manager's explicit choice of the status update that is an initiative's report for a
    period (without one, the latest update dated inside the period is the report)."""

    __tablename__ = "period_report_mark"
    __table_args__ = (UniqueConstraint("period_id", "initiative_id", name="one_mark_per_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_period.id", ondelete="CASCADE"), index=True
    )
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), index=True
    )
    status_update_id: Mapped[int] = mapped_column(
        ForeignKey("status_update.id", ondelete="CASCADE"), index=True
    )
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FrozenReport(db.Model):
    """One version of a committee's report for a period, as it was presented. Immutable."""

    __tablename__ = "frozen_report"
    __table_args__ = (
        UniqueConstraint("period_id", "committee_id", "version", name="one_report_per_version"),
        CheckConstraint("version >= 1", name="frozen_version_positive"),
        # A committee's latest report without reading any report's content (since.baselines).
        Index(
            "ix_frozen_report_latest", "committee_id", "period_id", "version", "frozen_at", "sha256"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Kept as text too: the report names who froze it even if the account is renamed.
    frozen_by_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")  # why a correction was made
    initiative_count: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[str] = mapped_column(Text)  # canonical JSON
    sha256: Mapped[str] = mapped_column(String(64))

    period: Mapped[ReportingPeriod] = relationship()
    committee: Mapped[Committee] = relationship()
    frozen_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<FrozenReport {self.period_id}/{self.committee_id} v{self.version}>"


class FrozenReportImmutable(Exception):
    """Something tried to change or delete a frozen report."""


@event.listens_for(FrozenReport, "before_update")
def _refuse_update(_mapper, _connection, target: FrozenReport) -> None:
    raise FrozenReportImmutable(f"frozen report {target.id} cannot be changed")


@event.listens_for(FrozenReport, "before_delete")
def _refuse_delete(_mapper, _connection, target: FrozenReport) -> None:
    raise FrozenReportImmutable(f"frozen report {target.id} cannot be deleted")


# The database's own guard, for anything that bypasses the ORM. The same statements are in the
# migration.
SQLITE_TRIGGERS = (
    "CREATE TRIGGER frozen_report_no_update BEFORE UPDATE ON frozen_report "
    "BEGIN SELECT RAISE(ABORT, 'frozen reports are immutable'); END",
    "CREATE TRIGGER frozen_report_no_delete BEFORE DELETE ON frozen_report "
    "BEGIN SELECT RAISE(ABORT, 'frozen reports are immutable'); END",
)
POSTGRESQL_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION frozen_report_immutable() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'frozen reports are immutable'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER frozen_report_immutable BEFORE UPDATE OR DELETE ON frozen_report "
    "FOR EACH ROW EXECUTE FUNCTION frozen_report_immutable()",
)
for _statement in SQLITE_TRIGGERS:
    event.listen(
        FrozenReport.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
for _statement in POSTGRESQL_TRIGGERS:
    event.listen(
        FrozenReport.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
