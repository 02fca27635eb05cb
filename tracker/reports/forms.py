"""The shape of input for periods and freezes. The rules (order of dates, overlaps, versions)
live in the services."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..models import Committee
from ..validators import TrackerForm
from .errors import FreezeError
from .periods import DNR_MAX, NAME_MAX, MeetingData, PeriodData
from .services import REASON_MAX, FreezeRequest

DATE_HINT = _l("Enter a date as YYYY-MM-DD, e.g. 2027-04-30.")


class IsoDateField(DateField):
    """A date field whose message for an unreadable date is in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(DATE_HINT)) from error


class PeriodForm(TrackerForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter a name for the period, e.g. Tertial 1 2027.")),
            Length(max=NAME_MAX, message=_l("The name can be at most 100 characters.")),
        ],
    )
    starts_on = IsoDateField(
        _l("First day"), validators=[InputRequired(_l("Enter the period's first day."))]
    )
    ends_on = IsoDateField(
        _l("Last day"), validators=[InputRequired(_l("Enter the period's last day."))]
    )
    deadline = IsoDateField(
        _l("Last day for managers' reports"),
        validators=[InputRequired(_l("Enter the last day for managers' reports."))],
    )
    # The period as the form showed it (periods.version_of): a save to an older one is refused.
    version = HiddenField()


def period_form(committees: list[Committee], **kwargs) -> PeriodForm:
    """The period form with a meeting date and a diary number for each committee."""

    class Form(PeriodForm):
        pass

    meeting_label, dnr_label = _("Meeting date"), _("Diary number (dnr)")
    for committee in committees:
        setattr(
            Form,
            f"meeting_{committee.id}",
            IsoDateField(f"{meeting_label}: {committee.name}", validators=[Optional()]),
        )
        setattr(
            Form,
            f"dnr_{committee.id}",
            StringField(
                f"{dnr_label}: {committee.short_name}",
                validators=[
                    Length(
                        max=DNR_MAX, message=_l("The diary number can be at most 60 characters.")
                    )
                ],
            ),
        )
    form = Form(**kwargs)
    form.committees = committees
    return form


def to_period_data(form: PeriodForm) -> PeriodData:
    return PeriodData(
        name=form.name.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        deadline=form.deadline.data,
        meetings=[
            MeetingData(
                committee_id=c.id,
                meets_on=form[f"meeting_{c.id}"].data,
                dnr=form[f"dnr_{c.id}"].data or "",
            )
            for c in form.committees
        ],
    )


def period_form_data(period) -> dict:
    data = {
        "name": period.name,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "deadline": period.deadline,
    }
    for meeting in period.meetings:
        data[f"meeting_{meeting.committee_id}"] = meeting.meets_on
        data[f"dnr_{meeting.committee_id}"] = meeting.dnr
    return data


ALL = "all"


class FreezeForm(TrackerForm):
    committee = SelectField(_l("Committee"), validators=[InputRequired(_l("Choose a committee."))])
    reason = TextAreaField(
        _l("Reason for a correction"),
        validators=[
            Length(max=REASON_MAX, message=_l("The reason can be at most 2,000 characters."))
        ],
    )
    with_maturity = BooleanField(_l("Include the digital maturity comparison"))
    expected = HiddenField()

    def set_choices(self, committees: list[Committee]) -> None:
        self.committees = committees
        self.committee.choices = [(ALL, str(_l("All active committees at once")))] + [
            (str(c.id), c.name) for c in committees
        ]

    def to_request(self) -> FreezeRequest:
        ids = (
            [c.id for c in self.committees]
            if self.committee.data == ALL
            else [int(self.committee.data)]
        )
        expected = parse_expected(self.expected.data or "")
        if expected is None or not set(ids) <= set(expected):
            # Not what the page sent: without the versions seen, a freeze could pass over one
            # made meanwhile. The page comes back with the versions as they are now.
            raise FreezeError(
                _l("The page was out of date. Look at the reports as they are now, then freeze."),
                field="committee",
            )
        return FreezeRequest(
            committee_ids=ids,
            expected=expected,
            reason=self.reason.data or "",
            with_maturity=bool(self.with_maturity.data),
            only_unfrozen=self.committee.data == ALL,
        )


def expected_text(latest: dict[int, int], committees: list[Committee]) -> str:
    """The versions the user saw, e.g. ``3:1,4:0``, sent back with the freeze."""
    return ",".join(f"{c.id}:{latest.get(c.id, 0)}" for c in committees)


def parse_expected(text: str) -> dict[int, int] | None:
    """``expected_text`` read back; None when it is not what that gives."""
    if not re.fullmatch(r"\d{1,9}:\d{1,9}(,\d{1,9}:\d{1,9}){0,999}", text):
        return None
    return {int(key): int(value) for key, value in (p.split(":") for p in text.split(","))}
