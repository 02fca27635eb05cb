from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from .. import params
from ..models import DecisionKind, Status
from ..validators import TrackerForm
from .decisions import NO_REQUEST, DecisionData


class DecisionForm(TrackerForm):
    decided_on = DateField(
        _l("Date of the decision"),
        validators=[InputRequired(_l("Enter the date of the decision."))],
    )
    meeting = StringField(
        _l("Meeting"),
        validators=[InputRequired(_l("Name the meeting that made the decision.")), Length(max=200)],
    )
    kind = RadioField(_l("Decision"), validators=[InputRequired(_l("Choose a decision."))])
    text = TextAreaField(_l("Decision in your own words"), validators=[Length(max=2000)])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=5000)])
    new_status = RadioField(_l("Set the initiative's status as well"), default="")
    # A decision answers the initiative's open support request unless this is ticked.
    keep_support_open = BooleanField(
        _l("This decision does not answer the support request: keep it open")
    )
    return_to = HiddenField(validators=[Length(max=2000)])
    # The support request the form shows (its id; empty when it shows none): the one answered.
    support_request = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, k.label) for k in DecisionKind]
        self.new_status.choices = [("", _l("Leave the status as it is"))] + [
            (s.value, s.label) for s in (Status.PAUSED, Status.DONE, Status.CANCELLED)
        ]

    def to_data(self) -> DecisionData:
        """What was typed, for the rules: after ``validate`` failed too, with None for a date,
        kind or status it could not read."""
        kinds = {k.value: k for k in DecisionKind}
        statuses = {s.value: s for s in Status}
        return DecisionData(
            decided_on=self.decided_on.data if not self.decided_on.errors else None,
            meeting=self.meeting.data or "",
            kind=kinds.get(self.kind.data),
            text=self.text.data or "",
            comment=self.comment.data or "",
            new_status=statuses.get(self.new_status.data) if self.new_status.data else None,
            keep_support_open=bool(self.keep_support_open.data),
            shown_request_id=self.shown_request_id(),
        )

    def shown_request_id(self) -> int | None:
        """The id of the support request the form showed, NO_REQUEST when it showed none (or
        sent something that is no id), None when the post did not say (a client of its own)."""
        if not self.support_request.raw_data:
            return None
        shown = params.plain_int((self.support_request.data or "").strip(), max_digits=18)
        return NO_REQUEST if shown is None else shown
