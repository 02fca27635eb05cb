"""The shape of the admin's input for sign-in with the municipality's accounts."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..validators import TrackerForm
from .forms import role_choices


class SsoSettingsForm(TrackerForm):
    # The settings as the form showed them (sso.settings_version): a save over another is refused.
    version = HiddenField()
    create_unknown_users = RadioField(
        _l("Someone signs in whom the service does not know"),
        choices=[
            SelectChoice("no", _l("Refuse them (an administrator adds people first)")),
            SelectChoice(
                "yes",
                _l(
                    "Create an account, with the role the directory gives, "
                    "for an administrator to complete"
                ),
            ),
        ],
        validators=[InputRequired(message=_l("Choose what happens."))],
    )


class GroupRoleForm(TrackerForm):
    group_id = StringField(
        _l("Group id"),
        validators=[DataRequired(message=_l("Enter the group's id.")), Length(max=255)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    role = SelectField(
        _l("Role"), validators=[InputRequired(message=_l("Choose a role."))], choices=[]
    )
    # Checked by the service (an active department, or none), so a missing value means none.
    department = SelectField(_l("Department (optional)"), choices=[], validate_choice=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
        self.department.choices = [SelectChoice("", _l("No department"))] + [
            SelectChoice(str(d.id), f"{d.name} ({d.code})") for d in departments
        ]
