"""The shape of input for benefits and measurements. Rules live in services."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import BenefitKind, Direction, Frequency
from ..validators import TrackerForm
from .figures import NumberOutOfRange, parse_number, range_message
from .services import BenefitData, MeasurementData

LONG = 5000


def _bounded_int(value, message) -> int:
    """An id as a form posts it; anything that cannot be one (also a number too large for the
    database) is a field error, never a server error."""
    if isinstance(value, int):
        return value
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if not 0 < number < 2**31:
        raise ValueError(message)
    return number


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return _bounded_int(value, _l("Choose a measurement of this indicator to correct."))


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NumberField(StringField):
    """A decimal number typed the Swedish way (``12,5``) or the English way (``12.5``)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.number = None

    def pre_validate(self, form):
        self.number = None
        if not (self.data or "").strip():
            if self.flags.required:
                # Only spaces: InputRequired reads the raw text and lets them through, but they
                # are no number, so a required one is as missing as an empty field.
                messages = [v.message for v in self.validators if isinstance(v, InputRequired)]
                fallback = self.gettext("This field is required.")
                raise StopValidation(next((m for m in messages if m), fallback))
            return
        try:
            # In English "1,234" is a thousand and more; in Swedish the comma is the decimal sign.
            self.number = parse_number(self.data, comma_groups=get_locale().language == "en")
        except NumberOutOfRange:
            raise ValidationError(range_message()) from None
        except ValueError:
            raise ValidationError(
                _l("Enter a number, for example 12,5 (at most four decimals).")
            ) from None


def _enum_choices(enum_cls):
    return [SelectChoice(m.value, m.label) for m in enum_cls]


class BenefitForm(TrackerForm):
    title = StringField(
        _l("What changes, and for whom?"),
        validators=[InputRequired(_l("Describe what changes, and for whom.")), Length(max=200)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=LONG)])
    kind = SelectField(
        _l("Kind of benefit"),
        choices=_enum_choices(BenefitKind),
        validators=[InputRequired(_l("Choose the kind of benefit."))],
    )
    principle_ids = CheckboxListField(
        _l("Guiding principles it serves"),
        coerce=lambda v: _bounded_int(v, _l("Choose guiding principles from the list.")),
        validate_choice=False,
    )
    owner_id = SelectField(
        _l("Benefit owner"),
        coerce=lambda v: _bounded_int(v, _l("Choose a benefit owner from the list.")),
        validate_choice=False,
        validators=[InputRequired(_l("Choose a benefit owner from the list."))],
    )
    indicator_name = StringField(
        _l("Indicator"),
        validators=[InputRequired(_l("Name the indicator that is measured.")), Length(max=200)],
    )
    unit = StringField(
        _l("Unit"),
        validators=[
            InputRequired(_l("Enter the unit, for example percent or minutes.")),
            Length(max=40),
        ],
    )
    direction = SelectField(
        _l("Which way is better?"),
        choices=_enum_choices(Direction),
        validators=[InputRequired(_l("Choose whether higher or lower is better."))],
    )
    baseline_value = NumberField(
        _l("Baseline value"), validators=[InputRequired(_l("Enter the baseline value."))]
    )
    baseline_date = DateField(
        _l("Baseline date"),
        validators=[InputRequired(_l("Enter the date of the baseline measurement."))],
    )
    target_value = NumberField(
        _l("Target value"), validators=[InputRequired(_l("Enter the target value."))]
    )
    target_date = DateField(
        _l("Target date"),
        validators=[InputRequired(_l("Enter the date by which the target should be reached."))],
    )
    frequency = SelectField(
        _l("How often it is measured"),
        choices=_enum_choices(Frequency),
        default=Frequency.QUARTERLY.value,
        validators=[InputRequired(_l("Choose how often it is measured."))],
    )
    version = HiddenField()

    def set_choices(self, owners, principles, locale: str) -> None:
        self.owner_id.choices = [SelectChoice(u.id, u.name) for u in owners]
        self.principle_ids.choices = [SelectChoice(p.id, p.name(locale)) for p in principles]

    def typed_data(self) -> BenefitData | None:
        """The input as data when every typed value (numbers, dates, choices) could be read,
        so that the rules can be checked even while other fields have errors."""
        typed = (
            self.baseline_value.number,
            self.target_value.number,
            self.baseline_date.data,
            self.target_date.data,
            self.owner_id.data,
        )
        if any(value is None for value in typed):
            return None
        try:
            return self.to_data()
        except ValueError:  # an enum that is not one of ours: the form said so already
            return None

    def to_data(self) -> BenefitData:
        return BenefitData(
            title=self.title.data or "",
            description=self.description.data or "",
            kind=BenefitKind(self.kind.data),
            owner_id=self.owner_id.data,
            principle_ids=list(self.principle_ids.data or []),
            indicator_name=self.indicator_name.data or "",
            unit=self.unit.data or "",
            direction=Direction(self.direction.data),
            baseline_value=self.baseline_value.number,
            baseline_date=self.baseline_date.data,
            target_value=self.target_value.number,
            target_date=self.target_date.data,
            frequency=Frequency(self.frequency.data),
        )


class MeasurementForm(TrackerForm):
    value = NumberField(_l("Value"), validators=[InputRequired(_l("Enter the measured value."))])
    measured_on = DateField(
        _l("Date measured"), validators=[InputRequired(_l("Enter the date of the measurement."))]
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=LONG)])
    corrects_id = SelectField(
        _l("Corrects an earlier measurement"), coerce=_optional_int, validate_choice=False
    )

    def to_data(self) -> MeasurementData:
        """What was sent; a value or date the form could not read is None."""
        return MeasurementData(
            value=None if self.value.errors else self.value.number,
            measured_on=None if self.measured_on.errors else self.measured_on.data,
            comment=self.comment.data or "",
            corrects_id=self.corrects_id.data,
        )
