"""The accessibility statement's facts, after DIGG's model: the compliance status, the known
shortcomings (listed honestly until they are fixed), and when it was drawn up and reviewed.

Update ``SHORTCOMINGS``, ``COMPLIANCE`` and ``REVIEWED`` whenever a shortcoming is fixed or found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

FULLY, PARTLY, NOT = "fully", "partly", "not"
COMPLIANCE = PARTLY  # "delvis förenlig" while any shortcoming below remains
COMPLIANCE_TEXT = {
    FULLY: _l("fully compliant"),
    PARTLY: _l("partially compliant"),
    NOT: _l("not compliant"),
}
DRAWN_UP = date(2026, 11, 27)
REVIEWED = date(2026, 12, 1)


@dataclass(frozen=True)
class Shortcoming:
    criterion: str  # the WCAG 2.1 success criterion, e.g. "2.4.3"
    text: object  # a lazy string


SHORTCOMINGS = (
    Shortcoming(
        "2.4.3",
        _l(
            "After some updates that do not load a new page (a status update saved in the list, "
            "sorting, “Show more”, a refused form), keyboard focus can be lost and move to the "
            "start of the page."
        ),
    ),
    Shortcoming(
        "4.1.3",
        _l(
            "Some messages after such updates are shown only on the next page, and the number of "
            "results when filtering the board is not announced by screen readers."
        ),
    ),
    Shortcoming(
        "2.1.1",
        _l(
            "In the meeting mode of the portfolio board the arrow keys move between columns even "
            "when focus is in a select or text field."
        ),
    ),
    Shortcoming(
        "1.4.10",
        _l(
            "At 320 CSS pixels (400 % zoom) the list of initiatives and the data tables of the "
            "dashboard's charts can make the page scroll sideways."
        ),
    ),
    Shortcoming(
        "1.4.11",
        _l(
            "With Windows' forced colours (high contrast) the coloured keys of the trend chart "
            "disappear; the table under each chart holds the same figures."
        ),
    ),
)
