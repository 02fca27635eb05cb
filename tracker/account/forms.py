from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from ..validators import TrackerForm

LANGUAGE_CHOICES = [
    SelectChoice("sv", "Svenska", render_kw={"lang": "sv"}),
    SelectChoice("en", "English", render_kw={"lang": "en"}),
]


class ProfileForm(TrackerForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class PasswordForm(TrackerForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Enter a new password.")), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(message=_l("Repeat the new password.")),
            EqualTo("new_password", message=_l("The passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
