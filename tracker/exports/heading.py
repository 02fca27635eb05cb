"""The optional heading a secretary fills in on the export page: "Bilaga till ärende <dnr>", the
meeting, and "Status per <date>". Passed to every format as query parameters and checked here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..portfolio.filters import FilterError
from ..validators import has_control_characters, strip_invisible

PARAMETERS = ("dnr", "meeting", "as_of")
DNR_MAX = 40
MEETING_MAX = 120
# Letters, digits and the separators diary numbers use (KS 2026/123, BUN.2026.45, 2026-0012).
DNR_PATTERN = re.compile(r"^[\w .:/\-]+$")


@dataclass(frozen=True)
class Heading:
    dnr: str = ""
    meeting: str = ""
    as_of: date | None = None
    # Lines written already, e.g. a frozen report's "Status per …, fastställd … av …", dnr and
    # meeting, which come from its snapshot: printed as they are, before the others.
    fixed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.dnr or self.meeting or self.as_of or self.fixed)

    def lines(self) -> list[str]:
        """The heading as the documents print it, in the user's language."""
        out = list(self.fixed)
        if self.dnr:
            out.append(_("Appendix to case %(dnr)s", dnr=self.dnr))
        if self.meeting:
            out.append(self.meeting)
        if self.as_of:
            out.append(_("Status as of %(date)s", date=format_date(self.as_of, "medium")))
        return out

    def as_args(self) -> dict[str, list[str]]:
        args = {"dnr": self.dnr, "meeting": self.meeting}
        args["as_of"] = self.as_of.isoformat() if self.as_of else ""
        return {k: [v] for k, v in args.items() if v}


class HeadingError(FilterError):
    """Every problem of the heading at once, by parameter (``dnr``, ``meeting``, ``as_of``)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def parse(args: MultiDict) -> Heading:
    """The heading from the query string; HeadingError naming every value that cannot be
    printed."""
    errors: dict[str, str] = {}
    # The invisible characters the forms drop are dropped here too (tracker.validators).
    dnr_raw = strip_invisible(args.get("dnr") or "")
    dnr = " ".join(dnr_raw.split())
    meeting_raw = strip_invisible(args.get("meeting") or "")
    if has_control_characters(dnr_raw):
        errors["dnr"] = _("The heading may not contain control characters.")
    elif len(dnr) > DNR_MAX:
        errors["dnr"] = _("The diary number may be at most %(max)d characters.", max=DNR_MAX)
    elif dnr and not DNR_PATTERN.match(dnr):
        errors["dnr"] = _("The diary number may hold letters, digits, spaces and . : / - only.")
    meeting = " ".join(meeting_raw.split())
    if has_control_characters(meeting_raw):
        errors["meeting"] = _("The heading may not contain control characters.")
    elif len(meeting) > MEETING_MAX:
        errors["meeting"] = _("The meeting may be at most %(max)d characters.", max=MEETING_MAX)
    as_of_text = (args.get("as_of") or "").strip()
    as_of = None
    if as_of_text:
        try:
            as_of = date.fromisoformat(as_of_text)
        except ValueError:
            as_of = None
        if as_of is None or not 2000 <= as_of.year <= 2100:
            errors["as_of"] = _("Give the status date as YYYY-MM-DD.")
    if errors:
        raise HeadingError(errors)
    return Heading(dnr=dnr, meeting=meeting, as_of=as_of)
