"""The shape of publishing input; the rules are in ``services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, TextAreaField

from ..validators import TrackerForm


class ProposeForm(TrackerForm):
    public_summary = TextAreaField(
        _l("Summary for residents"),
        description=_l(
            "Plain language, shown on the public page. Do not write anything that is not public."
        ),
    )


class DecideForm(TrackerForm):
    """Approve or withdraw: only the CSRF token."""


class PublicationSettingsForm(TrackerForm):
    # The settings as the form showed them (services.allowed_version): a save over another is
    # refused.
    version = HiddenField()
    publish_all_active = BooleanField(_l("Publish all active initiatives"))
    show_cost = BooleanField(_l("Show the cost estimate on the public pages"))
    show_owner = BooleanField(_l("Show the owner's name and title on the public pages"))
