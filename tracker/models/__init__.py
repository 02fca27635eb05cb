"""The domain model of DESIGN.md as typed SQLAlchemy 2 models."""

from .audit import AuditEvent
from .decisions import Decision, DecisionKind
from .enums import ACTIVE_STATUSES, Health, Role, Status
from .maturity import (
    Dimension,
    MaturityCategory,
    MaturityQuestion,
    MaturityRound,
    MaturityValue,
    initiative_maturity_category,
)
from .org import Committee, Department, User, normalise_email
from .portfolio import Initiative, Principle, PrincipleLink, StatusUpdate, initiative_co_owner
from .settings import OrganisationSettings
from .support import SupportOutcome, SupportRequest
from .types import UTCDateTime, utcnow
from .version import DataVersion

__all__ = [
    "ACTIVE_STATUSES",
    "AuditEvent",
    "Committee",
    "DataVersion",
    "Decision",
    "DecisionKind",
    "Department",
    "Dimension",
    "Health",
    "Initiative",
    "MaturityCategory",
    "MaturityQuestion",
    "MaturityRound",
    "MaturityValue",
    "OrganisationSettings",
    "Principle",
    "PrincipleLink",
    "Role",
    "Status",
    "StatusUpdate",
    "SupportOutcome",
    "SupportRequest",
    "User",
    "UTCDateTime",
    "initiative_co_owner",
    "initiative_maturity_category",
    "normalise_email",
    "utcnow",
]
