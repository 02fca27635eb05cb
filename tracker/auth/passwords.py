"""Password hashing (argon2id) and the password policy of ASVS 6.2."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 1024  # long passphrases are welcome; the cap only keeps hashing cheap

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the e-mail is unknown, so both answers take as long.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


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
