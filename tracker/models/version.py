"""A counter that every committed change moves on: the key that keeps caches correct."""

from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DataVersion(db.Model):
    """Counters of committed changes. Row 1's number goes up by one with every transaction that
    changes anything, in commit order (the UPDATE holds the row until commit), on SQLite and
    PostgreSQL alike. Row 2 counts the changes that are not one committee's, and row 1000 + a
    committee's id that committee's initiatives' changes (made when first needed; see
    ``tracker.cache``)."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
