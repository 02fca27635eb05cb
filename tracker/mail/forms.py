from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from ..validators import TrackerForm
from . import planning

WEEKDAYS = [
    SelectChoice("0", _l("Monday")),
    SelectChoice("1", _l("Tuesday")),
    SelectChoice("2", _l("Wednesday")),
    SelectChoice("3", _l("Thursday")),
    SelectChoice("4", _l("Friday")),
    SelectChoice("5", _l("Saturday")),
    SelectChoice("6", _l("Sunday")),
]


class PreferencesForm(TrackerForm):
    """One checkbox per kind of mail; the view adds the fields the user's role has."""

    reminder = BooleanField(_l("Reminders to report on my initiatives"))
    decision = BooleanField(_l("Decisions recorded on my initiatives"))
    support_request = BooleanField(_l("Support requests from managers"))
    missing_summary = BooleanField(_l("Summary of who has not reported after a deadline"))
    digest = BooleanField(_l("Weekly digest of the portfolio"))


class ScheduleForm(TrackerForm):
    # The schedule as the form showed it (services.schedule_version): a save over another is
    # refused.
    version = HiddenField()
    reminder_days = StringField(
        _l("Days before the deadline that reminders go out"),
        validators=[
            InputRequired(message=_l("Enter the days, e.g. 14, 3.")),
            Length(max=40, message=_l("At most %(max)d characters.")),
        ],
    )
    digest_weekday = SelectField(_l("Day of the weekly digest"), choices=WEEKDAYS)
    digest_hour = IntegerField(
        _l("Hour of the weekly digest (0–23)"),
        validators=[
            InputRequired(message=_l("Enter an hour from 0 to 23.")),
            NumberRange(min=0, max=23, message=_l("Enter an hour from 0 to 23.")),
        ],
    )

    def validate_reminder_days(self, field) -> None:
        """The service's rule (``planning.days_problem``), checked with the form's others, so
        that the days and the hour are told at once."""
        problem = planning.days_problem(field.data)
        if problem:
            raise ValidationError(problem)
