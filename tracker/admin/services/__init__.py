"""The admin's operations. Each takes the acting user first, checks rights, and only flushes."""

from __future__ import annotations


class AdminError(ValueError):
    """Input that breaks a rule; the message is for the user, ``field`` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
