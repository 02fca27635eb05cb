from flask_babel import lazy_gettext as _l
from wtforms import DateField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

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
    language = SelectField(
        _l("Language"), choices=LANGUAGE_CHOICES, render_kw={"autocomplete": "language"}
    )


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


class TokenForm(TrackerForm):
    """A new personal access token: a name, what it may do and its last day."""

    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Give the token a name, so that you know what it is for.")),
            Length(max=100, message=_l("At most %(max)d characters.")),
        ],
    )
    scope = RadioField(
        _l("What the token may do"),
        choices=[
            SelectChoice("read", _l("Read: fetch the portfolio (for Power BI, Excel and reports)")),
            SelectChoice("read_write", _l("Read and write: also post status updates")),
        ],
        default="read",
        validators=[DataRequired(message=_l("Choose what the token may do."))],
    )
    expires_on = DateField(
        _l("Last day the token works"),
        validators=[Optional()],
    )


class RevokeTokenForm(TrackerForm):
    """The revoke button of a token: nothing but the CSRF token."""
