"""The admin's operations. Each takes the acting user first, checks rights, and only flushes."""

from __future__ import annotations

from ... import conflicts


class AdminError(ValueError):
    """Input that breaks a rule; the message is for the user, ``field`` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class AdminConflict(AdminError):
    """Someone saved the record after the user opened its form. Views answer 409 with the
    user's input kept and what was saved shown beside it."""

    def __init__(self):
        super().__init__(conflicts.CONFLICT_MESSAGE)


def check_version(expected: str | None, values: dict, wanted: dict | None = None) -> None:
    """Raise AdminConflict when the form was opened on another version of the record than
    ``values`` (its form's values now), unless the save leaves it as it is (``wanted``, see
    ``conflicts.check_version``). A request without a version (made by hand) edits the record
    as it is."""
    conflicts.check_version(expected, values, AdminConflict, wanted)
