"""The shape of the admin's input for rounds. Rules live in ``rounds``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..validators import TrackerForm
from .rounds import RoundData


class RoundForm(TrackerForm):
    # The record as the form showed it (a digest): a save to an older one is a conflict.
    version = HiddenField()
    name = StringField(
        _l("Name of the round"),
        validators=[
            InputRequired(_l("Enter a name, for example “Mätning 2021”.")),
            Length(max=100),
        ],
    )
    measured_on = DateField(
        _l("Date of the measurement"),
        validators=[InputRequired(_l("Enter the date of the measurement."))],
    )
    respondents = IntegerField(
        _l("Number of respondents"),
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=10**7,
                message=_l("Enter the number of respondents as a whole number."),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    response_rate = StringField(
        _l("Response rate (%)"), validators=[Length(max=20)], render_kw={"inputmode": "decimal"}
    )

    def to_data(self) -> RoundData:
        return RoundData(
            name=self.name.data or "",
            measured_on=self.measured_on.data,
            respondents=self.respondents.data,
            response_rate=self.response_rate.data or "",
        )


class RoundImportForm(RoundForm):
    file = FileField(_l("File with the results"))


class ConfirmImportForm(TrackerForm):
    payload = HiddenField()


class ValueForm(TrackerForm):
    # The record as the form showed it (a digest): a save to an older one is a conflict.
    version = HiddenField()
    percent = StringField(
        _l("Value (%)"),
        validators=[InputRequired(_l("The value must be a number from 0 to 100.")), Length(max=20)],
        render_kw={"inputmode": "decimal"},
    )
