"""Personal access tokens for the JSON API. Only a SHA-256 digest of the secret is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import User, enum_column
from .types import UTCDateTime, utcnow


class TokenScope(StrEnum):
    READ = "read"
    READ_WRITE = "read_write"

    @property
    def label(self):
        return SCOPE_LABELS[self]


SCOPE_LABELS = {TokenScope.READ: _l("Read"), TokenScope.READ_WRITE: _l("Read and write")}


class AccessToken(db.Model):
    """A user's personal API token. It acts as the user, never with more rights, and with read
    scope it cannot change anything."""

    __tablename__ = "access_token"
    __table_args__ = (Index("ix_access_token_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope, name="token_scope"))
    # hex SHA-256 of the whole secret ("ipf_..."); the secret itself is shown once and forgotten.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so that a user can tell their tokens apart.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or utcnow())

    @property
    def last_moment(self) -> datetime:
        """The last moment the token works (it expires at midnight after its last day)."""
        return self.expires_at - timedelta(seconds=1)

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE
