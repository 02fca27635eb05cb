"""The domain model of DESIGN.md as typed SQLAlchemy 2 models."""

from . import search  # noqa: F401 - the search's tables and triggers with the schema
from .audit import AuditEvent
from .benefits import Benefit, BenefitKind, Direction, Frequency, Indicator, Measurement
from .decisions import Decision, DecisionKind
from .enums import ACTIVE_STATUSES, Health, Role, Status
from .frozen_entries import FrozenReportEntry
from .imports import InitiativeImportKey
from .mail import MailMessage, MailOptOut, MailSettings
from .maturity import (
    Dimension,
    MaturityCategory,
    MaturityQuestion,
    MaturityRound,
    MaturityValue,
    initiative_maturity_category,
)
from .oidc import SsoGroupRole, SsoSettings, UserIdentity
from .org import Committee, Department, User, normalise_email
from .portfolio import Initiative, Principle, PrincipleLink, StatusUpdate, initiative_co_owner
from .publication import Publication, PublicationSettings, PublicationState
from .reports import (
    CommitteeMeeting,
    FrozenReport,
    FrozenReportImmutable,
    PeriodReportMark,
    ReportingPeriod,
)
from .settings import OrganisationSettings
from .support import SupportOutcome, SupportRequest
from .tally import PrincipleCoverage, StatusUpdateTally
from .tokens import AccessToken, TokenScope
from .types import UTCDateTime, utcnow
from .version import DataVersion

__all__ = [
    "FrozenReportEntry",
    "PrincipleCoverage",
    "StatusUpdateTally",
    "AccessToken",
    "ACTIVE_STATUSES",
    "AuditEvent",
    "Benefit",
    "BenefitKind",
    "Direction",
    "Frequency",
    "Indicator",
    "Measurement",
    "Committee",
    "CommitteeMeeting",
    "DataVersion",
    "Decision",
    "DecisionKind",
    "Department",
    "Dimension",
    "FrozenReport",
    "FrozenReportImmutable",
    "Health",
    "Initiative",
    "InitiativeImportKey",
    "MailMessage",
    "MailOptOut",
    "MailSettings",
    "MaturityCategory",
    "MaturityQuestion",
    "MaturityRound",
    "MaturityValue",
    "OrganisationSettings",
    "PeriodReportMark",
    "Principle",
    "PrincipleLink",
    "Publication",
    "PublicationSettings",
    "PublicationState",
    "ReportingPeriod",
    "Role",
    "SsoGroupRole",
    "SsoSettings",
    "Status",
    "StatusUpdate",
    "TokenScope",
    "SupportOutcome",
    "SupportRequest",
    "User",
    "UserIdentity",
    "UTCDateTime",
    "initiative_co_owner",
    "initiative_maturity_category",
    "normalise_email",
    "utcnow",
]
