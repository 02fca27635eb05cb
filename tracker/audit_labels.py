"""The audit trail in words: every action, record type and field a label in the user's language,
and every value shown as what it stands for (names, not ids or codes; labels, not enum values).

``ACTIONS`` is the registry of everything ``audit.record`` may be called with; a test reads the
code for every action it can write and checks that each one is here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .extensions import db
from .models import (
    AuditEvent,
    Committee,
    DecisionKind,
    Department,
    Health,
    Initiative,
    MaturityCategory,
    MaturityRound,
    Principle,
    PublicationState,
    Role,
    Status,
    User,
)

ACTIONS = {
    "access.denied": _l("Access refused"),
    "account.password_change": _l("Changed their password"),
    "account.update": _l("Changed their account"),
    "auth.login": _l("Signed in"),
    "api_token.create": _l("API token created"),
    "api_token.refused": _l("API token refused"),
    "api_token.revoke": _l("API token revoked"),
    "auth.login_failed": _l("Failed sign-in"),
    "auth.login_refused": _l("Password sign-in refused"),
    "auth.sso_login": _l("Signed in with the municipality's account"),
    "auth.sso_refused": _l("Sign-in with the municipality's account refused"),
    "auth.logout": _l("Signed out"),
    "benefit.correct_measurement": _l("Benefit measurement corrected"),
    "benefit.create": _l("Benefit added"),
    "benefit.measure": _l("Benefit measured"),
    "benefit.update": _l("Benefit changed"),
    "committee.create": _l("Committee created"),
    "committee.deactivate": _l("Committee deactivated"),
    "committee.reactivate": _l("Committee reactivated"),
    "committee.update": _l("Committee changed"),
    "demo.seed": _l("Demo data loaded"),
    "department.create": _l("Department created"),
    "department.deactivate": _l("Department deactivated"),
    "department.delete": _l("Department deleted"),
    "department.reactivate": _l("Department reactivated"),
    "department.update": _l("Department changed"),
    "export.benefits": _l("Benefits exported"),
    "export.initiatives": _l("Status list exported"),
    "export.report": _l("Frozen report downloaded"),
    "initiative.archive": _l("Archived"),
    "initiative.create": _l("Registered"),
    "initiative.decision": _l("Decision recorded"),
    "initiative.delete": _l("Deleted"),
    "initiative.import": _l("Initiatives imported"),
    "initiative.restore": _l("Restored"),
    "initiative.status_update": _l("Status update"),
    "initiative.update": _l("Edited"),
    "maturity.round.create": _l("Maturity measurement imported"),
    "maturity.round.update": _l("Maturity measurement corrected"),
    "maturity.value.update": _l("Maturity value corrected"),
    "mail.nudge": _l("Reminder sent to an owner"),
    "mail.resend": _l("E-mail queued again"),
    "mail.settings_update": _l("E-mail schedule changed"),
    "period.close": _l("Reporting period closed"),
    "period.create": _l("Reporting period created"),
    "period.mark_report": _l("Status update marked as the period's report"),
    "period.open": _l("Reporting period opened"),
    "period.reopen": _l("Reporting period reopened"),
    "period.update": _l("Reporting period changed"),
    "principle.create": _l("Guiding principle created"),
    "publication.approve": _l("Publication on the public page approved"),
    "publication.propose": _l("Proposed for the public page"),
    "publication.settings": _l("Settings for the public pages changed"),
    "publication.withdraw": _l("Taken off the public page"),
    "principle.delete": _l("Guiding principle deleted"),
    "principle.reinstate": _l("Guiding principle reinstated"),
    "principle.retire": _l("Guiding principle retired"),
    "principle.update": _l("Guiding principle changed"),
    "report.freeze": _l("Committee report frozen"),
    "settings.update": _l("Settings changed"),
    "support_request.answer": _l("Support request answered"),
    "support_request.open": _l("Asked for support"),
    "support_request.update": _l("Support request reworded"),
    "support_request.withdraw": _l("Support request withdrawn"),
    "sso.group_role_add": _l("Group mapped to a role"),
    "sso.group_role_delete": _l("Group mapping removed"),
    "sso.identity_disconnect": _l("Municipality account disconnected"),
    "sso.settings_update": _l("Sign-in settings changed"),
    "user.create": _l("User created"),
    "user.deactivate": _l("User deactivated"),
    "user.import": _l("Users imported"),
    "user.one_time_password": _l("One-time password issued"),
    "user.reactivate": _l("User reactivated"),
    "user.update": _l("User changed"),
}

ENTITIES = {
    "benefit": _l("Benefit"),
    "committee": _l("Committee"),
    "decision": _l("Decision"),
    "department": _l("Department"),
    "frozen_report": _l("Committee report"),
    "initiative": _l("Initiative"),
    "maturity_round": _l("Maturity measurement"),
    "organisation_settings": _l("Settings"),
    "principle": _l("Guiding principle"),
    "reporting_period": _l("Reporting period"),
    "status_update": _l("Status update"),
    "user_account": _l("User"),
}

FIELDS = {
    # initiatives
    "title": _l("Title"),
    "purpose": _l("Purpose"),
    "benefit": _l("Benefit for residents"),
    "target_group": _l("Target group"),
    "department_id": _l("Department"),
    "co_owner_ids": _l("Co-owners"),
    "start_date": _l("Start date"),
    "target_date": _l("Target date"),
    "funding_source": _l("Funding source"),
    "cost_estimate": _l("Cost estimate"),
    "risks": _l("Risks"),
    "principles": _l("Guiding principles"),
    "maturity_categories": _l("Digital maturity areas"),
    "status": _l("Status"),
    "health": _l("Health"),
    "progress": _l("Progress"),
    "reason": _l("Reason"),
    "status_update_id": _l("Status update"),
    "status_updates": _l("Status updates"),
    # decisions
    "decision_id": _l("Decision"),
    "decided_on": _l("Decision date"),
    "meeting": _l("Meeting"),
    "kind": _l("Kind of decision"),
    "text": _l("Decision"),
    "comment": _l("Comment"),
    # people and the organisation
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "role": _l("Role"),
    "department": _l("Department"),
    "committee": _l("Committee"),
    "parent": _l("Part of"),
    "code": _l("Code"),
    "short_name": _l("Short name"),
    "active": _l("Active"),
    "language": _l("Language"),
    "must_change_password": _l("Must change password"),
    "imported": _l("Imported"),
    "count": _l("Number"),
    "key": _l("Key"),
    "name_sv": _l("Name in Swedish"),
    "name_en": _l("Name in English"),
    "description_sv": _l("Description in Swedish"),
    "description_en": _l("Description in English"),
    "retired": _l("Retired"),
    "organisation_name": _l("Name of the organisation"),
    "stale_days": _l("Days before an update is due"),
    # sign-in, refusals, exports, the demo
    "path": _l("Address"),
    "method": _l("Method"),
    "format": _l("Format"),
    "filter": _l("Filter"),
    "rows": _l("Rows"),
    "maturity": _l("With digital maturity"),
    "initiatives": _l("Initiatives"),
    # maturity measurements
    "measured_on": _l("Date of the measurement"),
    "respondents": _l("Respondents"),
    "response_rate": _l("Response rate"),
    "values": _l("Values"),
    "questions_added": _l("Questions added"),
    "question": _l("Question"),
    "percent": _l("Value (%)"),
    # benefits
    "description": _l("Description"),
    "owner_id": _l("Benefit owner"),
    "indicator_name": _l("Indicator"),
    "unit": _l("Unit"),
    "direction": _l("Which way is better?"),
    "baseline_value": _l("Baseline value"),
    "baseline_date": _l("Baseline date"),
    "target_value": _l("Target value"),
    "frequency": _l("How often it is measured"),
    "measurement_id": _l("Measurement"),
    "value": _l("Value"),
    "corrects_id": _l("Corrects an earlier measurement"),
    # e-mail
    "recipient": _l("Recipient"),
    "mail_kind": _l("Kind of e-mail"),
    "mail_subject": _l("Subject"),
    "reminder_days": _l("Days before the deadline that reminders go out"),
    "digest_weekday": _l("Day of the weekly digest"),
    "digest_hour": _l("Hour of the weekly digest (0–23)"),
    # reporting periods and frozen reports
    "period": _l("Reporting period"),
    "starts_on": _l("First day"),
    "ends_on": _l("Last day"),
    "deadline": _l("Last day for reports"),
    "meetings": _l("Committee meetings"),
    "update": _l("Status update"),
    "version": _l("Version"),
    "sha256": _l("Checksum (SHA-256)"),
    # support requests
    "support_request_id": _l("Support request"),
    "open_days": _l("Days open"),
    # the initiatives import
    "file": _l("File"),
    "existing": _l("Already imported"),
    "owners_created": _l("Owners created"),
    "skipped": _l("Skipped"),
    "unchanged": _l("Unchanged"),
    "updated": _l("Updated"),
    # API tokens and sign-in with the municipality's account
    "token_id": _l("API token"),
    "scope": _l("Scope"),
    "expires_at": _l("Last day"),
    "via": _l("Through"),
    "source": _l("Source"),
    "issuer": _l("Identity provider"),
    "subject": _l("Account at the identity provider"),
    "group_id": _l("Group"),
    "groups_overage": _l("Too many groups in the token"),
    "role_source": _l("Role from"),
    "linked": _l("Account linked"),
    "created": _l("Account created"),
    "create_unknown_users": _l("Create unknown users"),
    # export filters (the query parameters)
    "principle": _l("Guiding principle"),
    "stale": _l("Needs an update"),
    "q": _l("Search"),
    "sort": _l("Sort order"),
    "heading": _l("Heading"),
    "dnr": _l("Diary number"),
    "as_of": _l("Status per"),
    # the public pages
    "public_summary": _l("Summary for residents"),
    "published_summary": _l("Summary on the public pages"),
    "state": _l("Publication"),
    "publish_all_active": _l("Publish all active initiatives"),
    "show_cost": _l("Show the cost estimate"),
    "show_owner": _l("Show the owner's name and title"),
}

# Ids that only point at another row: the history shows the row, not its number.
HIDDEN_FIELDS = frozenset(
    {"status_update_id", "decision_id", "measurement_id", "support_request_id"}
)
# Fields whose value is a list in itself: only a pair of lists is an old → new change.
LIST_FIELDS = frozenset({"co_owner_ids", "maturity_categories"})
BOOLEAN_FIELDS = frozenset(
    {
        "active",
        "retired",
        "must_change_password",
        "imported",
        "maturity",
        "stale",
        "linked",
        "created",
        "create_unknown_users",
        "groups_overage",
        "publish_all_active",
        "show_cost",
        "show_owner",
    }
)
LANGUAGES = {"sv": "Svenska", "en": "English"}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


# Where one field name means something else in a kind of event: (action prefix, field) → label.
ACTION_FIELDS = {
    ("support_request", "text"): _l("Support asked for"),
    # An initiative's owner (a re-import may change it); a benefit's owner_id is its benefit owner.
    ("initiative", "owner_id"): _l("Owner"),
}
# Fields whose values are users' ids, shown as the users' names.
USER_FIELDS = frozenset({"co_owner_ids", "owner_id"})


def field_label(name: str, action: str = "") -> str:
    own = ACTION_FIELDS.get((action.partition(".")[0], name))
    return str(own if own is not None else FIELDS.get(name, name))


@dataclass
class Names:
    """Names for the ids and codes that audit events refer to, loaded with one query per kind."""

    users: dict[int, str] = field(default_factory=dict)
    departments: dict[int, str] = field(default_factory=dict)
    department_codes: dict[str, str] = field(default_factory=dict)
    committee_codes: dict[str, str] = field(default_factory=dict)
    committees: dict[int, str] = field(default_factory=dict)
    principles: dict[int, Principle] = field(default_factory=dict)
    principle_keys: dict[str, Principle] = field(default_factory=dict)
    areas: dict[int, MaturityCategory] = field(default_factory=dict)
    initiatives: dict[int, str] = field(default_factory=dict)
    rounds: dict[int, str] = field(default_factory=dict)


def load_names(events: Iterable[Any]) -> Names:
    """Every name the events need: a handful of queries, however many events there are."""
    events = list(events)
    user_ids: set[int] = set()
    ids: dict[str, set[int]] = {name: set() for name in ENTITIES}
    for event in events:
        if event.entity_type in ids and event.entity_id is not None:
            ids[event.entity_type].add(event.entity_id)
        for key, value in (event.changes or {}).items():
            if key in USER_FIELDS:
                user_ids.update(_ints(value))
    user_ids |= ids["user_account"]
    names = Names()
    if user_ids:
        names.users = {
            row.id: row.name
            for row in db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
        }
    names.departments = {}
    for d_id, code, name in db.session.execute(
        select(Department.id, Department.code, Department.name)
    ):
        names.departments[d_id] = name
        names.department_codes[code] = name
    for c_id, short, name in db.session.execute(
        select(Committee.id, Committee.short_name, Committee.name)
    ):
        names.committees[c_id] = name
        names.committee_codes[short] = name
    for principle in db.session.scalars(select(Principle)):
        names.principles[principle.id] = principle
        names.principle_keys[principle.key] = principle
    names.areas = {c.id: c for c in db.session.scalars(select(MaturityCategory))}
    if ids["initiative"]:
        names.initiatives = {
            row.id: row.title
            for row in db.session.execute(
                select(Initiative.id, Initiative.title).where(Initiative.id.in_(ids["initiative"]))
            )
        }
        # A deleted initiative is named by the title its deletion recorded (one query, only
        # when the page shows one), so its history still says which initiative it was.
        deleted = ids["initiative"] - set(names.initiatives)
        if deleted:
            names.initiatives |= _deleted_titles(deleted)
    if ids["maturity_round"]:
        names.rounds = {
            row.id: row.name
            for row in db.session.execute(
                select(MaturityRound.id, MaturityRound.name).where(
                    MaturityRound.id.in_(ids["maturity_round"])
                )
            )
        }
    return names


def _deleted_titles(initiative_ids: set[int]) -> dict[int, str]:
    query = select(AuditEvent.entity_id, AuditEvent.changes).where(
        AuditEvent.action == "initiative.delete",
        AuditEvent.entity_type == "initiative",
        AuditEvent.entity_id.in_(initiative_ids),
    )
    return {
        entity_id: changes["title"]
        for entity_id, changes in db.session.execute(query)
        if isinstance(changes, dict) and isinstance(changes.get("title"), str)
    }


def _ints(value: Any) -> list[int]:
    out: list[int] = []
    if isinstance(value, int) and not isinstance(value, bool):
        out.append(value)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, list):
                out += [i for i in item if isinstance(i, int)]
            elif isinstance(item, int):
                out.append(item)
    return out


def record_label(event: Any, names: Names) -> str:
    """ "Användare: Ada Admin" rather than "user_account 1"."""
    if not event.entity_type:
        return ""
    kind = str(ENTITIES.get(event.entity_type, event.entity_type))
    lookup = {
        "user_account": names.users,
        "initiative": names.initiatives,
        "department": names.departments,
        "committee": names.committees,
        "maturity_round": names.rounds,
    }.get(event.entity_type)
    if event.entity_type == "principle":
        principle = names.principles.get(event.entity_id)
        name = principle.name(_locale()) if principle else None
    elif event.entity_type == "organisation_settings":
        return kind
    else:
        name = lookup.get(event.entity_id) if lookup is not None else None
    return f"{kind}: {name}" if name else f"{kind} {event.entity_id}"


def change_rows(event: Any, names: Names) -> list[tuple[str, str]]:
    """(label, value as text) for each change of the event; "old → new" for a change."""
    rows = []
    for key, value in (event.changes or {}).items():
        if key in HIDDEN_FIELDS:
            continue
        if _is_pair(key, value):
            old, new = (display_value(key, v, names) for v in value)
            text = f"{old or '–'} → {new or '–'}"
        else:
            text = display_value(key, value, names) or "–"
        rows.append((field_label(key, getattr(event, "action", "")), text))
    return rows


def changed_fields(event: Any) -> str:
    """The labels of the fields an event changed, for the initiative's change history."""
    return ", ".join(
        field_label(k, getattr(event, "action", ""))
        for k in (event.changes or {})
        if k not in HIDDEN_FIELDS
    )


def _is_pair(key: str, value: Any) -> bool:
    if not isinstance(value, list) or len(value) != 2:
        return False
    if key in LIST_FIELDS:
        return all(isinstance(v, list) for v in value)
    return key not in {"filter"}


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "sv")


def display_value(key: str, value: Any, names: Names) -> str:
    """One value as the user reads it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or key in BOOLEAN_FIELDS:
        return str(_l("Yes")) if value else str(_l("No"))
    if key == "filter" and isinstance(value, dict):
        return "; ".join(
            f"{field_label(k)}: {', '.join(display_value(k, v, names) for v in vs)}"
            for k, vs in value.items()
        )
    if isinstance(value, list):
        return ", ".join(display_value(key, v, names) for v in value)
    if key == "meetings" and isinstance(value, dict):  # a period's: {committee id: [date, dnr]}
        return "; ".join(
            f"{names.committees.get(_int(cid), str(cid))}: {_meeting(meeting)}"
            for cid, meeting in sorted(value.items(), key=lambda item: str(item[0]))
        )
    if key == "principles" and isinstance(value, dict):
        return "; ".join(
            f"{_principle_name(int(pid), names)}: {text}" for pid, text in sorted(value.items())
        )
    enums = {
        "role": Role,
        "status": Status,
        "health": Health,
        "kind": DecisionKind,
        "state": PublicationState,
    }
    if key in enums:
        try:
            return str(enums[key](value).label)
        except ValueError:
            return str(value)
    if key == "department_id":
        return names.departments.get(value, str(value))
    if key in USER_FIELDS:
        return names.users.get(value, str(value))
    if key in ("department", "parent"):
        return names.department_codes.get(value, str(value))
    if key == "committee":
        return names.committee_codes.get(value, str(value))
    if key == "principle":
        principle = names.principle_keys.get(value)
        return principle.name(_locale()) if principle else str(value)
    if key == "maturity_categories":
        area = names.areas.get(value)
        return area.name(_locale()) if area else str(value)
    if key == "language":
        return LANGUAGES.get(value, str(value))
    if key == "format":
        return str(value).upper()
    if key == "cost_estimate" and isinstance(value, int):
        return f"{value:,}".replace(",", "\N{NO-BREAK SPACE}") + " kr"
    return str(value)


def _int(text: Any) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _meeting(meeting: Any) -> str:
    """A meeting as a period's audit event holds it, [date, dnr], e.g. "2026-09-05 (BUN
    2026/130)"; a date without a diary number, or no date: "–"."""
    if not isinstance(meeting, list) or not meeting:
        return str(meeting)
    day = meeting[0] or "–"
    dnr = meeting[1] if len(meeting) > 1 and meeting[1] else ""
    return f"{day} ({dnr})" if dnr else str(day)


def _principle_name(pid: int, names: Names) -> str:
    principle = names.principles.get(pid)
    return principle.name(_locale()) if principle else str(pid)
