"""What the initiatives import remembers: the key each imported row had in its sheet."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class InitiativeImportKey(db.Model):
    """The import key (importnyckel) of the sheet row an initiative came from, so that importing
    the same sheet again finds the initiative even after its title has changed."""

    __tablename__ = "initiative_import_key"

    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    # Compared case-insensitively: stored upper-cased, with runs of spaces made one.
    key: Mapped[str] = mapped_column(String(100), unique=True)
