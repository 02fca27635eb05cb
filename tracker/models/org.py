"""The organisation: committees, departments and the people who use the product."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .enums import Role
from .types import UTCDateTime, utcnow


def enum_column(enum_cls, **kwargs):
    """An enum stored as its string value with a CHECK constraint, on every database."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        **kwargs,
    )


class Committee(db.Model):
    """A political committee (nämnd) that departments report to."""

    __tablename__ = "committee"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(20), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    departments: Mapped[list[Department]] = relationship(back_populates="committee")

    def __repr__(self) -> str:
        return f"<Committee {self.short_name}>"


class Department(db.Model):
    """An office, unit or section (kontor, avdelning, enhet)."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    committee: Mapped[Committee] = relationship(back_populates="departments")
    parent: Mapped[Department | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, name="role"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    # Committee readers may be limited to one committee's departments.
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(5), default="sv")
    password_hash: Mapped[str | None] = mapped_column(Text)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Part of the session cookie; replacing it ends every session of the user on the server.
    session_token: Mapped[str] = mapped_column(
        String(64), default=lambda: secrets.token_urlsafe(32)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped[Department | None] = relationship()
    committee: Mapped[Committee | None] = relationship()

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    def end_sessions(self) -> None:
        """Invalidate every session cookie issued to this user."""
        self.session_token = secrets.token_urlsafe(32)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


def normalise_email(value: str) -> str:
    return value.strip().lower()
