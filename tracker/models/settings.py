"""Organisation settings that an admin changes in the browser: one row, id 1.

A column left NULL means "use the configured default", so a fresh database needs no row at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class OrganisationSettings(db.Model):
    __tablename__ = "organisation_settings"
    __table_args__ = (
        CheckConstraint("stale_days IS NULL OR stale_days >= 1", name="stale_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    stale_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<OrganisationSettings {self.organisation_name!r} {self.stale_days}>"
