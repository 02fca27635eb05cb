"""The shape of the import's input: the upload, and the preview's choices. Rules are in sheet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField
from wtforms.fields.choices import SelectChoice

from ..validators import TrackerForm

EXISTING_CHOICES = [
    SelectChoice("skip", _l("Skip them: keep the initiatives as they are")),
    SelectChoice("update", _l("Update them with the values in the sheet")),
]


class OptionsMixin:
    existing = RadioField(
        _l("Initiatives that have been imported before"),
        choices=EXISTING_CHOICES,
        default="skip",
        validate_choice=False,
    )
    create_owners = BooleanField(_l("Create owners who have no account yet, as managers"))


class UploadForm(OptionsMixin, TrackerForm):
    file = FileField(_l("The filled-in sheet"))


class PreviewForm(OptionsMixin, TrackerForm):
    """The signed sheet, the user's mapping of unrecognised columns (``map_<index>`` fields,
    read from the request by the view) and the options."""

    payload = HiddenField()
    action = HiddenField()
