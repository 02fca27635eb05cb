"""The fixed vocabularies of the domain. Codes are English; labels go through Babel."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    MANAGER = "manager"
    MANAGEMENT = "management"
    COMMITTEE = "committee"
    ADMIN = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]


class Status(StrEnum):
    IDEA = "idea"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return STATUS_LABELS[self]

    @property
    def is_active(self) -> bool:
        """Active initiatives are the ones that can go stale."""
        return self in ACTIVE_STATUSES


class Health(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"

    @property
    def label(self):
        return HEALTH_LABELS[self]

    @property
    def symbol(self) -> str:
        return HEALTH_SYMBOLS[self]


ACTIVE_STATUSES = frozenset({Status.PLANNED, Status.IN_PROGRESS, Status.PAUSED})

ROLE_LABELS = {
    Role.MANAGER: _l("Manager"),
    Role.MANAGEMENT: _l("Management group"),
    Role.COMMITTEE: _l("Committee"),
    Role.ADMIN: _l("System administrator"),
}
STATUS_LABELS = {
    Status.IDEA: _l("Idea"),
    Status.PLANNED: _l("Planned"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.PAUSED: _l("Paused"),
    Status.DONE: _l("Done"),
    Status.CANCELLED: _l("Cancelled"),
}
HEALTH_LABELS = {
    Health.ON_TRACK: _l("On track"),
    Health.AT_RISK: _l("At risk"),
    Health.OFF_TRACK: _l("Off track"),
}
# Shapes as well as colours, so that health never depends on colour vision.
HEALTH_SYMBOLS = {Health.ON_TRACK: "●", Health.AT_RISK: "▲", Health.OFF_TRACK: "■"}
