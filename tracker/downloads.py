"""The one rule for a download's file name: ``Content-Disposition: attachment`` (ASVS 3.2.1) with
an ASCII ``filename`` for old clients and the UTF-8 original as ``filename*`` (RFC 6266 and
RFC 5987), so that a committee named "Nämnd för ÅÄÖ – łódź ✓" or coded "KS/AU" gives a header
every server can send (a header is Latin-1 at most) and a name every file system can hold."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# What a file name cannot hold, or a header would read as its end: white space, path
# separators, quotes and the separators of the header's parameters; and control characters.
_UNSAFE = re.compile(r"[\s/\\\"';:,*?<>|\x00-\x1f\x7f]+")
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_names(name: str) -> tuple[str, str]:
    """An ASCII file name and the readable one (UTF-8, without separators) for ``name``."""
    readable = _UNSAFE.sub("-", name).strip("-") or "download"
    plain = unicodedata.normalize("NFKD", readable).encode("ascii", "ignore").decode()
    plain = _NOT_ASCII_SAFE.sub("-", plain).strip("-")
    if not plain.strip("._-") or plain.startswith("."):
        stem, dot, extension = readable.rpartition(".")
        plain = "download" + (f".{_NOT_ASCII_SAFE.sub('', extension)}" if dot and stem else "")
    return plain, readable


def attachment(name: str) -> str:
    """The ``Content-Disposition`` value of a file to download as ``name``: ASCII only."""
    plain, readable = file_names(name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(readable, safe='')}"
