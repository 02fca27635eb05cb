"""Redirects to a target the user supplied (``next`` after sign-in, and any later one): only a
path on this site, never another host (ASVS 3.7, open redirect).

Browsers remove tab, CR and LF anywhere in a URL and read a backslash as a slash, so
``/\\t/evil.example`` or ``/\\evil.example`` reach another host although they start with one
slash. The target is normalised the way a browser would read it, then accepted only as a path.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# C0 controls, DEL, and the white space a browser ignores or a header cannot hold.
_IGNORED = re.compile(
    r"[\x00-\x20\x7f\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]"
)
MAX_LENGTH = 2000


def same_site_path(target: str | None) -> str | None:
    """The target as a path on this site, or None when it is empty or leads anywhere else."""
    if not target or len(target) > MAX_LENGTH:
        return None
    text = _IGNORED.sub("", target).replace("\\", "/")
    if not text.startswith("/") or text.startswith("//"):
        return None
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return None
    return text


def path_at(target: str | None, path: str) -> str | None:
    """The target (with its query and fragment) when it is a path on this site whose path is
    exactly ``path``, else None: a way back to one page (the board a decision or an initiative
    was opened from), never anywhere else."""
    if not target or not target.isascii() or not target.isprintable() or " " in target:
        return None
    safe = same_site_path(target)
    if safe is None or urlsplit(safe).path != path:
        return None
    return safe
