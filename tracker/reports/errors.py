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


class PeriodConflict(Exception):
    """Someone saved the period after the user opened its form. Views answer 409 with the
    user's input kept and the saved period shown."""

    def __init__(self, current):
        super().__init__(f"period {current.id} changed meanwhile")
        self.current = current


class PeriodNotOpen(PeriodError):
    """The period is closed, or has not started and was not opened early: nothing is marked as
    its report and nobody is reminded to report in it. ``closed`` says which. Views answer 409."""

    def __init__(self, message, *, closed: bool):
        super().__init__("period", message)
        self.closed = closed


class FreezeError(ValueError):
    """A freeze that cannot be made: already frozen, someone was quicker, no reason given."""

    def __init__(self, message, field: str = "reason"):
        super().__init__(str(message))
        self.field = field
        self.message = message
