"""The shape of input for initiatives. Rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.form import _Auto
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Health, Principle, Status
from ..validators import TrackerForm
from .services import InitiativeData, UpdateData, opened_state, state_of

ROUND_ROWS = 500  # a manager's initiatives in one round, at most
LONG = 5000


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class KronorField(IntegerField):
    """Whole kronor; spaces between thousands ("250 000") are allowed, and text that is no whole
    number gets a message that says so (-5 is a number: NumberRange says it may not be negative)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = "".join(str(valuelist[0]).split()).replace("\u2212", "-")
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter the cost in whole kronor, for example 250000.")) from None


class InitiativeForm(TrackerForm):
    title = StringField(
        _l("Title"),
        validators=[InputRequired(_l("Enter a title.")), Length(max=200)],
    )
    purpose = TextAreaField(
        _l("Purpose"),
        validators=[InputRequired(_l("Describe the purpose of the initiative.")), Length(max=LONG)],
    )
    benefit = TextAreaField(_l("Benefit for residents"), validators=[Length(max=LONG)])
    target_group = StringField(_l("Target group"), validators=[Length(max=200)])
    department_id = SelectField(
        _l("Department"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose a department from the list."))],
    )
    co_owner_ids = CheckboxListField(_l("Co-owners"), coerce=int, validate_choice=False)
    start_date = DateField(
        _l("Start date"),
        validators=[Optional()],
        render_kw={"autocomplete": "off"},
    )
    target_date = DateField(_l("Target date"), validators=[Optional()])
    funding_source = StringField(_l("Funding source"), validators=[Length(max=200)])
    cost_estimate = KronorField(
        _l("Cost estimate (kronor)"),
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("The cost cannot be negative.")),
            NumberRange(
                max=10**12, message=_l("Enter a cost between 0 and 1,000,000,000,000 kronor.")
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    risks = TextAreaField(_l("Risks"), validators=[Length(max=LONG)])
    maturity_category_ids = CheckboxListField(
        _l("Digital maturity areas it strengthens"), coerce=int, validate_choice=False
    )
    version = HiddenField()

    def __init__(
        self, formdata=_Auto, *, principles=(), links: dict[int, str] | None = None, **kwargs
    ):
        super().__init__(formdata=formdata, **kwargs)
        links = links or {}
        wrapped = self.meta.wrap_formdata(self, formdata)
        self.principle_fields: list[tuple[Principle, BooleanField, TextAreaField]] = []
        translations = self.meta.get_translations(self)

        def bind(unbound, name: str):
            # Through the form's meta, as the declared fields are: in the user's language, and
            # with the rules every text field has (no control characters).
            options = {"name": name, "prefix": self._prefix, "translations": translations}
            return self.meta.bind_field(self, unbound, options)

        # One checkbox and one motivation per principle, named after the principle's id.
        for principle in principles:
            check = bind(BooleanField(_l("Principle")), f"principle_{principle.id}")
            motivation = bind(
                TextAreaField(
                    _l("How does the initiative contribute?"), validators=[Length(max=LONG)]
                ),
                f"motivation_{principle.id}",
            )
            check.process(wrapped, data=principle.id in links)
            motivation.process(wrapped, data=links.get(principle.id, ""))
            for bound in (check, motivation):
                self._fields[bound.name] = bound
                setattr(self, bound.name, bound)
            self.principle_fields.append((principle, check, motivation))

    def to_data(self) -> InitiativeData:
        return InitiativeData(
            title=self.title.data or "",
            purpose=self.purpose.data or "",
            benefit=self.benefit.data or "",
            target_group=self.target_group.data or "",
            department_id=self.department_id.data,
            co_owner_ids=list(self.co_owner_ids.data or []),
            start_date=self.start_date.data,
            target_date=self.target_date.data,
            funding_source=self.funding_source.data or "",
            cost_estimate=self.cost_estimate.data,
            risks=self.risks.data or "",
            principles={
                principle.id: motivation.data or ""
                for principle, check, motivation in self.principle_fields
                if check.data
            },
            maturity_category_ids=list(self.maturity_category_ids.data or []),
        )

    def field_for_error(self, name: str):
        """The field a service's error belongs to; the first checkbox for the principles."""
        if name == "principles" and self.principle_fields:
            return self.principle_fields[0][1]
        return self._fields.get(name) or self.title


def status_choices():
    return [(s.value, s.label) for s in Status]


def health_choices():
    return [(h.value, f"{h.symbol} {h.label}") for h in Health]


def take_current_state(form, initiative) -> None:
    """After ``StateChanged``: the status, health and progress the user left as the form was
    drawn take the initiative's values now; what the user changed stays. The form is then drawn
    on the state now, so that sending it again saves."""
    opened = opened_state(form.state.data)
    current = opened_state(state_of(initiative))
    fields = (form.status, form.health, form.progress)
    for field, was, now in zip(fields, opened or (None,) * 3, current, strict=True):
        if field.data == was:
            field.data = now
            field.raw_data = [str(now)]
    form.state.data = state_of(initiative)


class StatusUpdateForm(TrackerForm):
    status = SelectField(_l("Status"), validators=[InputRequired()])
    health = SelectField(_l("Health"), validators=[InputRequired()])
    progress = IntegerField(
        _l("Progress (%)"),
        validators=[
            InputRequired(_l("Enter progress as a number from 0 to 100.")),
            NumberRange(
                min=0, max=100, message=_l("Progress must be between %(min)s and %(max)s per cent.")
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    happened = TextAreaField(_l("What has happened?"), validators=[Length(max=LONG)])
    next_steps = TextAreaField(_l("Next steps"), validators=[Length(max=LONG)])
    support_needed = TextAreaField(
        _l("Support needed from management"), validators=[Length(max=LONG)]
    )
    # Shown only while a reporting period is open (its label names the period).
    as_report = BooleanField(_l("Mark this update as the period's report"), default=False)
    # The state the form was drawn on (services.state_of), so that a report written on an old
    # state does not put it back over someone else's (services.StateChanged).
    state = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = status_choices()
        self.health.choices = health_choices()

    def drawn_on(self) -> str | None:
        return self.state.data if opened_state(self.state.data) else None

    def take_current(self, initiative) -> None:
        take_current_state(self, initiative)

    def to_data(self) -> UpdateData:
        return UpdateData(
            status=Status(self.status.data),
            health=Health(self.health.data),
            progress=self.progress.data,
            happened=self.happened.data or "",
            next_steps=self.next_steps.data or "",
            support_needed=self.support_needed.data or "",
        )


class RoundRowForm(TrackerForm):
    """One initiative in the status round: what a single status update offers, nothing ticked."""

    class Meta:
        csrf = False  # the round's form carries the token

    initiative_id = HiddenField()
    include = BooleanField(_l("Confirm as it is"), default=False)
    status = SelectField(_l("Status"), validators=[InputRequired()])
    health = SelectField(_l("Health"), validators=[InputRequired()])
    progress = IntegerField(
        _l("Progress (%)"),
        validators=[
            InputRequired(_l("Enter progress as a number from 0 to 100.")),
            NumberRange(
                min=0, max=100, message=_l("Progress must be between %(min)s and %(max)s per cent.")
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    happened = TextAreaField(_l("What has happened?"), validators=[Length(max=LONG)])
    next_steps = TextAreaField(_l("Next steps"), validators=[Length(max=LONG)])
    support_needed = TextAreaField(
        _l("Support needed from management"), validators=[Length(max=LONG)]
    )
    # Shown only while a reporting period is open (its label names the period).
    as_report = BooleanField(_l("Mark this update as the period's report"), default=False)
    state = HiddenField()  # as on StatusUpdateForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = status_choices()
        self.health.choices = health_choices()

    def drawn_on(self) -> str | None:
        return self.state.data if opened_state(self.state.data) else None

    def take_current(self, initiative) -> None:
        take_current_state(self, initiative)

    def texts(self) -> dict[str, str]:
        return {
            "happened": (self.happened.data or "").strip(),
            "next_steps": (self.next_steps.data or "").strip(),
            "support_needed": (self.support_needed.data or "").strip(),
        }

    def changes(self, initiative) -> bool:
        """Whether the row says anything new: a text, or a status, health or progress other
        than the one it was drawn on (else than the initiative's now). A row left as it was drawn
        is not reported, whatever someone else has reported meanwhile."""
        status, health, progress = opened_state(self.state.data) or opened_state(
            state_of(initiative)
        )
        return (
            self.status.data != status
            or self.health.data != health
            or self.progress.data != progress
            or any(self.texts().values())
        )

    def to_data(self) -> UpdateData:
        return UpdateData(
            status=Status(self.status.data),
            health=Health(self.health.data),
            progress=self.progress.data,
            **self.texts(),
        )


class StatusRoundForm(TrackerForm):
    rows = FieldList(FormField(RoundRowForm), max_entries=ROUND_ROWS)


class DeleteForm(TrackerForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            InputRequired(_l("Give a reason for deleting the initiative.")),
            Length(max=LONG),
        ],
    )


class ConfirmForm(TrackerForm):
    """A button that changes state: only the CSRF token."""
