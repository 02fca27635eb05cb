"""What a benefit's measurements mean: the latest value, the share of the way from baseline to
target, the next measurement due and whether it is overdue. Pure functions of the records, so
that the page, the overview, the exports and the reminders all say the same."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..models import Indicator, Measurement, Status

# Values are stored with four decimals, up to a hundred thousand billion.
MAX_ABS_VALUE = Decimal("99999999999999")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_COMMA_GROUPS = re.compile(r"-?\d{1,3}(,\d{3})+")


class BenefitState(StrEnum):
    REALISED = "realised"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NOT_MEASURED = "not_measured"

    @property
    def label(self):
        return STATE_LABELS[self]

    @property
    def symbol(self) -> str:
        return STATE_SYMBOLS[self]


STATE_LABELS = {
    BenefitState.REALISED: _l("Realised"),
    BenefitState.ON_TRACK: _l("On the way"),
    BenefitState.BEHIND: _l("Behind"),
    BenefitState.NOT_MEASURED: _l("Not measured yet"),
}
# Shapes beside the text, so that a state never depends on colour.
STATE_SYMBOLS = {
    BenefitState.REALISED: "★",
    BenefitState.ON_TRACK: "●",
    BenefitState.BEHIND: "▲",
    BenefitState.NOT_MEASURED: "○",
}

# Measuring stops when an initiative was cancelled: there is nothing left to realise.
NOT_DUE_STATUSES = frozenset({Status.CANCELLED})


class NumberOutOfRange(ValueError):
    """A number, but larger than a value can be (``MAX_ABS_VALUE``, either sign)."""


def range_message() -> str:
    """What a value too large is told, with the bounds written in the user's language."""
    bound = format_decimal(MAX_ABS_VALUE)
    return _("Enter a number from −%(max)s to %(max)s.", max=bound)


def parse_number(text: str | None, comma_groups: bool = False) -> Decimal:
    """A number as people type it in Sweden or elsewhere: ``12,5``, ``12.5``, ``1 234,5``,
    ``1,234.5``, ``−3``. Raises ValueError for anything else (NumberOutOfRange for a number
    past ``MAX_ABS_VALUE``). With ``comma_groups`` (someone
    writing English) ``1,234`` and ``1,234,567`` are thousands, not a decimal comma."""
    value = _SPACES.sub("", (text or "").strip()).replace("\u2212", "-")
    if comma_groups and _COMMA_GROUPS.fullmatch(value):
        value = value.replace(",", "")
    elif "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    if not _NUMBER.fullmatch(value):
        raise ValueError(text)
    try:
        number = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError(text) from None
    if abs(number) > MAX_ABS_VALUE:
        raise NumberOutOfRange(text)
    if -number.as_tuple().exponent > 4:
        raise ValueError(text)
    return number


def format_value(value: Decimal | None) -> str:
    """A value in the user's locale, with the decimals it has (at most four)."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.####")


def input_value(value: Decimal) -> str:
    """A value as a form field shows it, to be read back by ``parse_number``: the user's
    decimal sign and no grouping ("1,234" would come back as 1.234)."""
    return format_decimal(value, format="0.####")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def effective(measurements: list[Measurement]) -> list[Measurement]:
    """The measurements that stand: each corrected one is replaced by its correction. In date
    order, the oldest first."""
    corrected = {m.corrects_id for m in measurements if m.corrects_id is not None}
    standing = [m for m in measurements if m.id not in corrected]
    return sorted(standing, key=lambda m: (m.measured_on, m.id))


def share(indicator: Indicator, value: Decimal | None) -> Decimal | None:
    """How far ``value`` has come from the baseline towards the target: 0 at the baseline, 1 at
    the target, the same formula whether higher or lower is better (the target lies on the
    better side of the baseline). Not clamped: beyond the target is more than 1."""
    if value is None:
        return None
    span = indicator.target_value - indicator.baseline_value
    if span == 0:  # refused on input; old data must not divide by zero
        return None
    return (value - indicator.baseline_value) / span


def expected_share(indicator: Indicator, today: date) -> Decimal:
    """The share a straight line from baseline to target would have reached by ``today``."""
    total = (indicator.target_date - indicator.baseline_date).days
    if total <= 0:
        return Decimal(1)
    passed = min(max((today - indicator.baseline_date).days, 0), total)
    return Decimal(passed) / Decimal(total)


@dataclass(frozen=True)
class Figures:
    measurements: list[Measurement]  # the standing ones, oldest first
    latest: Measurement | None
    share: Decimal | None
    expected: Decimal
    state: BenefitState
    next_due: date | None
    overdue: bool

    @property
    def percent(self) -> int | None:
        """The share in whole percent, for text and bars."""
        return None if self.share is None else int((self.share * 100).to_integral_value())


def figures(indicator: Indicator, status: Status, today: date) -> Figures:
    """Everything the pages say about one indicator, from its measurements (loaded already)."""
    standing = effective(list(indicator.measurements))
    latest = standing[-1] if standing else None
    achieved = share(indicator, latest.value if latest else None)
    expected = expected_share(indicator, today)
    if achieved is None:
        state = BenefitState.NOT_MEASURED
    elif achieved >= 1:
        state = BenefitState.REALISED
    elif achieved >= expected:
        state = BenefitState.ON_TRACK
    else:
        state = BenefitState.BEHIND
    next_due = None
    if status not in NOT_DUE_STATUSES:
        last = latest.measured_on if latest else indicator.baseline_date
        next_due = add_months(last, indicator.frequency.months)
    return Figures(
        measurements=standing,
        latest=latest,
        share=achieved,
        expected=expected,
        state=state,
        next_due=next_due,
        overdue=next_due is not None and next_due < today,
    )
