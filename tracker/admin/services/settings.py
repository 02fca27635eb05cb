"""Organisation settings: the name shown in the layout and exports, and the stale limit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ... import audit, conflicts
from ... import settings as current_settings
from ...extensions import db
from ...models import OrganisationSettings, User
from ...permissions import can_administer, require
from . import AdminError, check_version


def settings_values() -> dict:
    """The settings as their form shows them (form data, by field name)."""
    return {
        "organisation_name": current_settings.organisation_name(),
        "stale_days": current_settings.stale_days(),
    }


def settings_version() -> str:
    """The settings as their form shows them (see ``check_version``)."""
    return conflicts.version_of(settings_values())


def save_settings(
    actor: User, *, organisation_name: str, stale_days: int, expected_version: str | None = None
) -> dict:
    """Save the settings; a save made to another version than ``expected_version`` raises
    AdminConflict."""
    require(can_administer(actor))
    conflicts.in_turn("settings.organisation", current_settings.stored())
    current_settings.forget()
    name = " ".join((organisation_name or "").split())
    wanted = {"organisation_name": name, "stale_days": stale_days}
    check_version(expected_version, settings_values(), wanted)
    if not name:
        raise AdminError(_l("Enter the organisation's name."), "organisation_name")
    if not isinstance(stale_days, int) or not 1 <= stale_days <= 365:
        raise AdminError(_l("Enter a number from 1 to 365."), "stale_days")
    before = settings_values()
    row = current_settings.stored()
    if row is None:
        row = OrganisationSettings(id=current_settings.SETTINGS_ID)
        db.session.add(row)
    row.organisation_name, row.stale_days = name, stale_days
    db.session.flush()
    current_settings.forget()
    changes = audit.diff(before, {"organisation_name": name, "stale_days": stale_days})
    if changes:
        audit.record(actor, "settings.update", row, changes)
    return changes
