"""Numbers from a query string or a form, bounded so that no value reaches the database as an
integer it cannot hold (2**63 answered 500 before)."""

from __future__ import annotations

MAX_OFFSET = 10**6
MAX_PAGE = 10**5


def bounded_int(value: str | None, default: int, minimum: int, maximum: int) -> int:
    """``value`` as an int from ``minimum`` to ``maximum``; ``default`` when it is not a plain
    number in ASCII digits (an optional leading minus)."""
    text = (value or "").strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        return default
    return min(max(int(text), minimum), maximum)


def page_number(value: str | None) -> int:
    return bounded_int(value, 1, 1, MAX_PAGE)


def offset(value: str | None) -> int:
    return bounded_int(value, 0, 0, MAX_OFFSET)
