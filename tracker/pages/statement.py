"""The accessibility statement's facts, after DIGG's model: the compliance status, the known
shortcomings (listed honestly until they are fixed), and when it was drawn up and reviewed.

Update ``SHORTCOMINGS`` and ``REVIEWED`` whenever a shortcoming is fixed or found (``COMPLIANCE``
follows); a fixed one moves to ``FIXED`` with the test that keeps it fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

FULLY, PARTLY, NOT = "fully", "partly", "not"
# "helt förenlig" only while no shortcoming is known; "delvis förenlig" as soon as one is listed.
COMPLIANCE_TEXT = {
    FULLY: _l("fully compliant"),
    PARTLY: _l("partially compliant"),
    NOT: _l("not compliant"),
}
DRAWN_UP = date(2026, 11, 27)
REVIEWED = date(2026, 12, 2)


@dataclass(frozen=True)
class Shortcoming:
    criterion: str  # the WCAG 2.1 success criterion, e.g. "2.4.3"
    text: object  # a lazy string


# The shortcomings known now. Empty since the review of 2 December 2026: each one listed before is
# fixed, and FIXED names the browser test that keeps it fixed.
SHORTCOMINGS: tuple[Shortcoming, ...] = ()
COMPLIANCE = PARTLY if SHORTCOMINGS else FULLY


@dataclass(frozen=True)
class Fixed:
    criterion: str
    what: str  # for the maintainers; not shown
    test: str  # tests/browser/<module>.py::<test> that fails if it comes back


FIXED = (
    Fixed(
        "2.4.3",
        "focus lost after an inline update, sorting, show more, a refused form or decision",
        "test_swaps.py::test_inline_status_update_moves_focus_announces_and_refreshes_the_page",
    ),
    Fixed(
        "4.1.3",
        "messages after a swap only on the next page; board filter counts not announced",
        "test_swaps.py::test_board_filter_announces_and_keeps_the_meeting_link_current",
    ),
    Fixed(
        "2.1.1",
        "meeting mode: arrow keys taken from selects and text fields; no way back to the meeting",
        "test_swaps.py::test_meeting_mode_opens_an_initiative_and_comes_back_to_the_card",
    ),
    Fixed(
        "1.4.10",
        "the list and the charts' data tables scrolled sideways at 320 CSS pixels",
        "test_layout.py::test_main_pages_fit_at_320px",
    ),
    Fixed(
        "1.4.11",
        "the trend chart's keys vanished in forced colours",
        "test_layout.py::test_forced_colours_keep_swatches_and_only_the_current_bar",
    ),
)
