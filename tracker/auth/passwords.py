"""Password hashing (argon2id) and the password policy of ASVS 6.2."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 1024  # long passphrases are welcome; the cap only keeps hashing cheap

_DEFAULT_HASHER = PasswordHasher()  # argon2id, the library's recommended parameters (RFC 9106)


def _hasher() -> PasswordHasher:
    """The configured hasher. ``ARGON2_PARAMETERS`` (a dict of PasswordHasher arguments) lets a
    test suite use cheap parameters; production keeps the library's defaults."""
    params = current_app.config.get("ARGON2_PARAMETERS") if has_app_context() else None
    return _hasher_with(tuple(sorted(params.items()))) if params else _DEFAULT_HASHER


@cache
def _hasher_with(params: tuple) -> PasswordHasher:
    return PasswordHasher(**dict(params))


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the e-mail is unknown, so both answers take as long."""
    return hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    try:
        return hasher.verify(stored_hash or _dummy_hash(hasher), password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("tracker.auth").joinpath("common-passwords.txt").read_text("utf-8")
    lines = (line.strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str):
    """Why a new password is refused, or None. No composition rules (ASVS 6.2.5)."""
    if len(password) < MIN_LENGTH:
        return _l("The password must be at least %(n)d characters long.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("The password may be at most %(n)d characters long.", n=MAX_LENGTH)
    if password.strip().lower() in common_passwords():
        return _l("This password is too common. Choose another one.")
    return None
