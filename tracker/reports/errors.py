"""Domain errors of the reports package; the views turn them into HTTP answers."""

from __future__ import annotations


class ReportNotFound(Exception):
    """No such period or frozen report, or not one the user may see. Views answer 404."""


class PeriodError(ValueError):
    """Input that breaks a rule; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


class FreezeError(ValueError):
    """A freeze that cannot be made: already frozen, someone was quicker, no reason given."""

    def __init__(self, message, field: str = "reason"):
        super().__init__(str(message))
        self.field = field
        self.message = message
