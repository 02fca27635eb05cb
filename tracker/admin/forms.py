"""The shape of the admin's input. Rules about the data live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..audit_labels import action_label
from ..validators import TrackerForm


class QueryFilterForm(TrackerForm):
    """Filters in the query string: no CSRF (GET never changes anything), and only the values
    that were submitted are checked, so a page opened without filters shows no errors."""

    class Meta:
        csrf = False

    def __init__(self, formdata=None, *args, **kwargs):
        super().__init__(formdata, *args, **kwargs)
        self._submitted = {k for k in (formdata or {}) if (formdata or {}).get(k)}

    def validate(self, extra_validators=None) -> bool:
        ok = True
        for name, field in self._fields.items():
            if name not in self._submitted:
                field.errors = []
                if isinstance(field, SelectField) and field.data is None:
                    field.data = ""
                continue
            ok = field.validate(self, (extra_validators or {}).get(name, ())) and ok
        return ok


def role_choices():
    from ..models import Role

    return [SelectChoice(r.value, r.label) for r in Role]


class UserForm(TrackerForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Enter a name.")), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter an e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    role = SelectField(
        _l("Role"), validators=[InputRequired(message=_l("Choose a role."))], choices=[]
    )
    department = SelectField(_l("Department"), choices=[])
    committee = SelectField(_l("Committee scope"), choices=[])

    def __init__(self, *args, departments=(), committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
        self.department.choices = [SelectChoice("", _l("No department"))] + [
            SelectChoice(str(d.id), f"{d.name} ({d.code})") for d in departments
        ]
        self.committee.choices = [SelectChoice("", _l("The whole portfolio"))] + [
            SelectChoice(str(c.id), f"{c.name} ({c.short_name})") for c in committees
        ]


class UserEditForm(UserForm):
    """The e-mail address is the sign-in name and is not changed here."""

    # The record as the form showed it (a digest): a save to an older one is a conflict.
    version = HiddenField()

    email = None


class UserFilterForm(QueryFilterForm):
    """Filters in the query string."""

    q = SearchField(_l("Search by name or e-mail"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[])
    department = SelectField(_l("Department"), choices=[])
    active = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("All")),
            SelectChoice("yes", _l("Active")),
            SelectChoice("no", _l("Deactivated")),
        ],
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice("", _l("All roles"))] + role_choices()
        self.department.choices = [SelectChoice("", _l("All departments"))] + [
            SelectChoice(str(d.id), f"{d.name} ({d.code})") for d in departments
        ]


class ConfirmForm(TrackerForm):
    """A button that changes state: only the CSRF token."""


class CommitteeForm(TrackerForm):
    # The record as the form showed it (a digest): a save to an older one is a conflict.
    version = HiddenField()
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=200)]
    )
    short_name = StringField(
        _l("Short name"),
        validators=[DataRequired(message=_l("Enter a short name.")), Length(max=20)],
    )


class DepartmentForm(TrackerForm):
    # The record as the form showed it (a digest): a save to an older one is a conflict.
    version = HiddenField()
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=200)]
    )
    code = StringField(
        _l("Code"), validators=[DataRequired(message=_l("Enter a code.")), Length(max=20)]
    )
    committee = SelectField(
        _l("Reports to committee"),
        validators=[InputRequired(message=_l("Choose a committee."))],
        choices=[],
    )
    parent = SelectField(_l("Part of department"), choices=[])

    def __init__(self, *args, committees=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.committee.choices = [
            SelectChoice(str(c.id), f"{c.name} ({c.short_name})") for c in committees
        ]
        self.parent.choices = [SelectChoice("", _l("None (top level)"))] + [
            SelectChoice(str(d.id), f"{d.name} ({d.code})") for d in departments
        ]


class PrincipleForm(TrackerForm):
    # The record as the form showed it (a digest): a save to an older one is a conflict.
    version = HiddenField()
    name_sv = StringField(
        _l("Name in Swedish"),
        validators=[DataRequired(message=_l("Enter the Swedish name.")), Length(max=100)],
    )
    name_en = StringField(
        _l("Name in English"),
        validators=[DataRequired(message=_l("Enter the English name.")), Length(max=100)],
    )
    description_sv = TextAreaField(
        _l("Description in Swedish"), validators=[Optional(), Length(max=2000)]
    )
    description_en = TextAreaField(
        _l("Description in English"), validators=[Optional(), Length(max=2000)]
    )


class SettingsForm(TrackerForm):
    # The settings as the form showed them (settings_version): a save over another is refused.
    version = HiddenField()
    organisation_name = StringField(
        _l("Organisation name"),
        validators=[DataRequired(message=_l("Enter the organisation's name.")), Length(max=200)],
    )
    stale_days = IntegerField(
        _l("Days until an initiative needs an update"),
        validators=[
            InputRequired(message=_l("Enter a number of days.")),
            NumberRange(min=1, max=365, message=_l("Enter a number from 1 to 365.")),
        ],
    )


class AuditFilterForm(QueryFilterForm):
    actor = SelectField(_l("Who"), choices=[])
    action = SelectField(_l("Action"), choices=[])
    date_from = DateField(_l("From date"), validators=[Optional()])
    date_to = DateField(_l("To date"), validators=[Optional()])

    def __init__(self, *args, actors=(), actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.actor.choices = [SelectChoice("", _l("Everyone"))] + [
            SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in actors
        ]
        self.action.choices = [SelectChoice("", _l("All actions"))] + [
            SelectChoice(a, action_label(a)) for a in actions
        ]


class ImportForm(TrackerForm):
    file = FileField(_l("File"))


class ImportConfirmForm(TrackerForm):
    payload = HiddenField()
