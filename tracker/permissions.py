"""Who may do what: the one place for every rule about rights.

Services call these before they read or change anything, so a right holds whichever view, fragment
or command reaches the service. Views may use the same functions to decide what to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Role

if TYPE_CHECKING:
    from .models import Initiative, User


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


def can_create_initiative(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.MANAGER, Role.ADMIN)


def can_edit_initiative(user: User, initiative: Initiative) -> bool:
    """Owners, co-owners and admins change an initiative; readers never do."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.MANAGER:
        return False
    return initiative.owner_id == user.id or any(u.id == user.id for u in initiative.co_owners)


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
