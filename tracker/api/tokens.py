"""Personal access tokens: make, find, list and revoke. Services flush; the request commits.

A secret looks like ``ipf_`` + 40 base62 characters + a 6-character checksum. The fixed prefix lets
secret scanners (GitHub, GitLab, truffleHog rules) recognise a leaked token; the checksum lets the
API refuse a mistyped or made-up one without asking the database. Only the SHA-256 digest is
stored, so a copy of the database gives nobody a working token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from .. import audit
from ..extensions import db
from ..models import AccessToken, TokenScope, User, utcnow
from ..permissions import can_create_token, can_revoke_token, require

PREFIX = "ipf_"
_ALPHABET = string.ascii_letters + string.digits
_BODY = 40
_CHECK = 6
TOKEN_RE = re.compile(rf"^{PREFIX}[A-Za-z0-9]{{{_BODY + _CHECK}}}$")
MAX_DAYS = 365
DEFAULT_DAYS = 90
NAME_LIMIT = 100
LAST_USED_RESOLUTION = timedelta(minutes=1)
LOCAL = ZoneInfo("Europe/Stockholm")


class TokenError(ValueError):
    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


class TokenNotFound(LookupError):
    """No such token, or not one the user may see."""


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    secret: str  # shown once, never stored


def _checksum(body: str) -> str:
    value = zlib.crc32(body.encode())
    chars = []
    for _ in range(_CHECK):
        value, rest = divmod(value, 62)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


def generate_secret() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY))
    return PREFIX + body + _checksum(body)


def well_formed(secret: str) -> bool:
    if not TOKEN_RE.match(secret):
        return False
    body = secret[len(PREFIX) : len(PREFIX) + _BODY]
    return secrets.compare_digest(_checksum(body), secret[-_CHECK:])


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def local_today() -> date:
    return utcnow().astimezone(LOCAL).date()


def expiry_of(day: date) -> datetime:
    """A token is valid through the last day the user chose, in Swedish time."""
    return datetime.combine(day + timedelta(days=1), time(0), LOCAL).astimezone(ZoneInfo("UTC"))


def create_token(user: User, *, name: str, scope: str, expires_on: date | None) -> NewToken:
    require(can_create_token(user))
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("name", _l("Give the token a name, so that you know what it is for."))
    if len(name) > NAME_LIMIT:
        raise TokenError("name", _l("At most %(n)d characters.", n=NAME_LIMIT))
    try:
        token_scope = TokenScope(scope)
    except ValueError:
        raise TokenError("scope", _l("Choose what the token may do.")) from None
    today = local_today()
    if expires_on is None:
        raise TokenError("expires_on", _l("Enter the last day the token works."))
    if expires_on < today:
        raise TokenError("expires_on", _l("The last day cannot be in the past."))
    if expires_on > today + timedelta(days=MAX_DAYS):
        raise TokenError("expires_on", _l("A token can be valid for at most a year."))
    secret = generate_secret()
    token = AccessToken(
        user_id=user.id,
        name=name,
        scope=token_scope,
        digest=digest(secret),
        hint=secret[: len(PREFIX) + 4],
        created_at=utcnow(),
        expires_at=expiry_of(expires_on),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        user,
        "api_token.create",
        token,
        {"name": name, "scope": token_scope.value, "expires_at": token.expires_at.isoformat()},
    )
    return NewToken(token, secret)


def tokens_of(user: User) -> list[AccessToken]:
    """The user's own tokens, the newest first (revoked and expired ones too, marked as such)."""
    require(can_create_token(user))
    return list(
        db.session.scalars(
            select(AccessToken)
            .where(AccessToken.user_id == user.id)
            .order_by(AccessToken.created_at.desc(), AccessToken.id.desc())
        )
    )


def all_tokens(admin: User, *, include_ended: bool = False) -> list[AccessToken]:
    """Everyone's tokens, for the administrator; by default only those that still work."""
    from ..permissions import can_administer

    require(can_administer(admin))
    query = (
        select(AccessToken)
        .options(selectinload(AccessToken.user))
        .order_by(AccessToken.created_at.desc(), AccessToken.id.desc())
    )
    if not include_ended:
        query = query.where(AccessToken.revoked_at.is_(None), AccessToken.expires_at > utcnow())
    return list(db.session.scalars(query))


def revoke(actor: User, token_id: int) -> AccessToken:
    token = db.session.get(AccessToken, token_id)
    if token is None or not can_revoke_token(actor, token.user_id):
        # Someone else's token is "not found", so ids do not reveal who has tokens.
        raise TokenNotFound
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.revoked_by_id = actor.id
        db.session.flush()
        changes = {"name": token.name, "owner_id": token.user_id}
        audit.record(actor, "api_token.revoke", token, changes)
    return token


@dataclass(frozen=True)
class Authenticated:
    token_id: int
    user_id: int
    scope: TokenScope


class Refused(Exception):
    """The presented token is not accepted; ``reason`` is for the audit log."""

    def __init__(self, reason: str, token_id: int | None = None, user_id: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.token_id = token_id
        self.user_id = user_id


def authenticate(secret: str) -> Authenticated:
    """Find the token for a secret and note that it was used.

    Runs on a connection of its own and commits at once, before the request's session starts its
    transaction: the last-used time is bookkeeping, so it neither waits for the request's writes
    nor moves the data version that keys the caches. It is written at most once a minute.
    """
    if not well_formed(secret):
        raise Refused("malformed")
    table = AccessToken.__table__
    user_table = User.__table__
    now = utcnow()
    with db.engine.begin() as conn:
        row = conn.execute(
            select(
                table.c.id,
                table.c.user_id,
                table.c.scope,
                table.c.expires_at,
                table.c.revoked_at,
                table.c.last_used_at,
                user_table.c.active,
            )
            .join(user_table, user_table.c.id == table.c.user_id)
            .where(table.c.digest == digest(secret))
        ).one_or_none()
        if row is None:
            raise Refused("unknown")
        if row.revoked_at is not None:
            raise Refused("revoked", row.id, row.user_id)
        if row.expires_at <= now:
            raise Refused("expired", row.id, row.user_id)
        if not row.active:
            raise Refused("user_inactive", row.id, row.user_id)
        if row.last_used_at is None or row.last_used_at < now - LAST_USED_RESOLUTION:
            conn.execute(update(table).where(table.c.id == row.id).values(last_used_at=now))
    return Authenticated(row.id, row.user_id, TokenScope(row.scope))
