"""Who may do what: the one place for every rule about rights.

Services call these before they read or change anything, so a right holds whichever view, fragment
or command reaches the service. Views may use the same functions to decide what to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Role

if TYPE_CHECKING:
    from .models import Benefit, Initiative, User


class PermissionDenied(Exception):
    """The user may not do this. Views answer 403."""


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def can_administer(user: User) -> bool:
    """Users, the organisation, principles, settings and the audit log: admins only."""
    return is_admin(user) and user.active


def can_read_portfolio(user: User) -> bool:
    return user.is_authenticated and user.active


# The roles whose members may own (or co-own) an initiative.
OWNER_ROLES = (Role.MANAGER, Role.ADMIN)


def can_create_initiative(user: User) -> bool:
    return user.is_authenticated and user.role in OWNER_ROLES


def can_edit_initiative(user: User, initiative: Initiative) -> bool:
    """Owners, co-owners and admins change an initiative; readers never do."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.MANAGER:
        return False
    return initiative.owner_id == user.id or any(u.id == user.id for u in initiative.co_owners)


def can_manage_benefits(user: User, initiative: Initiative) -> bool:
    """An initiative's benefits and their indicators are kept by those who keep the initiative."""
    return can_edit_initiative(user, initiative) and user.active


def can_measure_benefit(user: User, benefit: Benefit) -> bool:
    """The initiative's owners and the benefit owner register measurements; readers never do."""
    if not user.is_authenticated or not user.active or user.role == Role.COMMITTEE:
        return False
    return benefit.owner_id == user.id or can_edit_initiative(user, benefit.initiative)


def can_delete_initiative(user: User) -> bool:
    return is_admin(user)


def can_record_decision(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.MANAGEMENT, Role.ADMIN)


def can_withdraw_support(user: User, initiative: Initiative) -> bool:
    """A support request is the initiative's: its owners (and admins) may take it back."""
    return can_edit_initiative(user, initiative)


def can_answer_support(user: User) -> bool:
    """The management group answers a support request, with a decision."""
    return can_record_decision(user)


def can_export(user: User) -> bool:
    return can_read_portfolio(user)


def committee_scope(user: User) -> int | None:
    """The committee a committee reader is limited to, or None for the whole portfolio."""
    if user.is_authenticated and user.role == Role.COMMITTEE:
        return user.committee_id
    return None


def can_manage_periods(user: User) -> bool:
    """The reporting calendar and freezing committee reports: management and admins."""
    return user.is_authenticated and user.active and user.role in (Role.MANAGEMENT, Role.ADMIN)


def can_read_committee_report(user: User, committee_id: int) -> bool:
    """A frozen report: everyone who reads the portfolio, except that a committee reader limited
    to one committee sees that committee's reports only."""
    if not can_read_portfolio(user):
        return False
    scope = committee_scope(user)
    return scope is None or scope == committee_id


def can_create_token(user: User) -> bool:
    """Every active user may make personal API tokens: a token never has more rights than they."""
    return user.is_authenticated and user.active


def can_revoke_token(user: User, token_owner_id: int) -> bool:
    """A user revokes their own tokens; an admin revokes anyone's."""
    return user.is_authenticated and (user.id == token_owner_id or can_administer(user))


def can_write_with_token(scope: str) -> bool:
    """A read token reads; only a read-write token reaches a service that changes anything."""
    return scope == "read_write"


def can_import_initiatives(user: User) -> bool:
    """The workshop's sheet: admins and the management group import initiatives for others."""
    return user.is_authenticated and user.active and user.role in (Role.ADMIN, Role.MANAGEMENT)


def can_create_owners_in_import(user: User) -> bool:
    """Creating the missing owners (as managers) while importing is adding users: admins only."""
    return can_administer(user)


def can_propose_publication(user: User, initiative: Initiative) -> bool:
    """Publishing to residents starts with those who keep the initiative: owners, co-owners and
    admins propose it with a public summary."""
    return can_edit_initiative(user, initiative) and user.active


def can_approve_publication(user: User) -> bool:
    """The management group (or an admin) decides what residents see, and may take an initiative
    off the public pages at once."""
    return user.is_authenticated and user.active and user.role in (Role.MANAGEMENT, Role.ADMIN)


def can_set_publication_settings(user: User) -> bool:
    """Publish every active initiative, show cost, show the owner: an admin's choice."""
    return can_administer(user)
