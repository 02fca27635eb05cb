"""Numbers from a query string or a form, bounded so that no value reaches the database as an
integer it cannot hold (2**63 answered 500 before)."""

from __future__ import annotations

MAX_OFFSET = 10**6
MAX_PAGE = 10**5


def plain_int(text: str | None, max_digits: int = 12) -> int | None:
    """``text`` as an int when it is a plain number: ASCII digits only, at most ``max_digits``
    of them; else None. ("²" is a digit to ``str.isdigit`` but no number to ``int``.)"""
    if not text or len(text) > max_digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def bounded_int(value: str | None, default: int, minimum: int, maximum: int) -> int:
    """``value`` as an int from ``minimum`` to ``maximum``; ``default`` when it is not a plain
    number in ASCII digits (an optional leading minus)."""
    text = (value or "").strip()
    number = plain_int(text[1:] if text.startswith("-") else text)
    if number is None:
        return default
    return min(max(-number if text.startswith("-") else number, minimum), maximum)


def page_number(value: str | None) -> int:
    return bounded_int(value, 1, 1, MAX_PAGE)


def offset(value: str | None) -> int:
    return bounded_int(value, 0, 0, MAX_OFFSET)
