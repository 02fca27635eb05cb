"""Sign-in with the municipality's own accounts (OpenID Connect).

- ``UserIdentity``: an account at the provider, by its issuer and stable subject, linked to one
  user. The e-mail address is never the key: people change names and addresses, the subject stays.
- ``SsoGroupRole``: the admin's table "directory group -> role (and optionally department)".
- ``SsoSettings``: one row (id 1) of admin settings; no row means the defaults.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import Role
from .org import Department, User, enum_column
from .types import UTCDateTime, utcnow


class UserIdentity(db.Model):
    __tablename__ = "user_identity"
    __table_args__ = (
        UniqueConstraint("issuer", "subject", name="uq_user_identity_issuer_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last ID token, sent back as id_token_hint when the user signs out at the provider.
    # It is kept server-side because a token with many groups does not fit in a cookie.
    last_id_token: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserIdentity {self.issuer} {self.subject}>"


class SsoGroupRole(db.Model):
    __tablename__ = "sso_group_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The group's id in the directory (for Entra ID, the group's object id).
    group_id: Mapped[str] = mapped_column(String(255), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, name="sso_group_role_role"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department | None] = relationship()

    def __repr__(self) -> str:
        return f"<SsoGroupRole {self.group_id} {self.role}>"


class SsoSettings(db.Model):
    __tablename__ = "sso_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Create an account at the first sign-in of someone the service does not know.
    create_unknown_users: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
