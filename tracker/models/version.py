"""A counter that every committed change moves on: the key that keeps caches correct."""

from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DataVersion(db.Model):
    """One row. Its number goes up by one with every transaction that changes anything, in
    commit order (the UPDATE holds the row until commit), on SQLite and PostgreSQL alike."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
