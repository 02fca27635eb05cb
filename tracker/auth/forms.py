from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..validators import TrackerForm


class LoginForm(TrackerForm):
    # The e-mail address is the user name: a text field with an e-mail keyboard, so that
    # autocomplete="username" is valid on it (HTML's autofill groups do not allow it on
    # type="email", and HTML_CodeSniffer reports that).
    email = StringField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")), Length(max=254)],
        render_kw={
            "autocomplete": "username",
            "inputmode": "email",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
