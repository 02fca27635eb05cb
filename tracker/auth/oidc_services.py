"""Who a validated ID token is, and what they may be: matching, linking, provisioning, roles.

Takes trusted claims (see ``oidc.finish``), never the request. Flushes; the view commits once.

Decisions (README, "Sign-in with the municipality's accounts"):
- A user is found by (issuer, subject). The e-mail address links an existing account once, and
  only when the provider vouches for it: ``email_verified`` is true, or, for Entra ID, which sends
  no ``email_verified``, the optional claim ``xms_edov`` (the domain of the address is verified by
  the tenant) is true. After linking the subject is what counts; a changed address changes nothing.
- The role comes from the directory on every sign-in: from groups via the admin's mapping table
  when the token carries groups that are mapped, else from the app roles in ``roles``. When Entra
  leaves the groups out (more than 200: ``_claim_names``/``hasgroups``) the app roles are used and
  the log says so. No role at all means the user is refused (they were removed from the app).
- Unknown users are refused unless the admin turned on "create accounts at first sign-in"; a
  created account gets the role the token maps to and the department of the mapped group, if any
  (else none, for an admin to complete), and no password.
- A deactivated user is refused whatever the provider says.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import Role, SsoGroupRole, SsoSettings, User, UserIdentity, normalise_email, utcnow
from .oidc import SignIn

log = logging.getLogger("tracker.auth.oidc")

SETTINGS_ID = 1
# When a token maps to several roles, the widest one wins.
ROLE_STRENGTH = (Role.ADMIN, Role.MANAGEMENT, Role.COMMITTEE, Role.MANAGER)
ENTRA_ISSUER_HOST = "login.microsoftonline.com"


class SignInRefused(Exception):
    """A valid sign-in at the provider that this service refuses; the message is for the user."""

    def __init__(self, reason: str, title, message, user: User | None = None, **facts: Any):
        super().__init__(reason)
        self.reason = reason
        self.title = title
        self.message = message
        self.user = user
        self.facts = facts


REFUSED_TITLE = _l("You cannot sign in to this service")
NO_ACCOUNT = _l(
    "Your municipality account is not connected to an account in this service. Ask a system "
    "administrator to add you."
)
NO_ROLE = _l(
    "Your municipality account has no role in this service. Ask a system administrator or the "
    "IT service desk to give you one."
)
DEACTIVATED = _l(
    "Your account in this service is deactivated. Ask a system administrator if you need access."
)
EMAIL_TAKEN = _l(
    "An account with your e-mail address is already connected to another municipality "
    "account. Ask a system administrator for help."
)
NO_EMAIL = _l(
    "The sign-in service did not send a verified e-mail address, so your account could not be "
    "found or created. Ask a system administrator for help."
)


@dataclass(frozen=True)
class RoleDecision:
    role: Role | None
    department_id: int | None
    source: str  # "groups", "app_roles" or "none"
    groups_overage: bool


def create_unknown_users() -> bool:
    row = db.session.get(SsoSettings, SETTINGS_ID)
    return bool(row and row.create_unknown_users)


def _strongest(roles: set[Role]) -> Role | None:
    return next((role for role in ROLE_STRENGTH if role in roles), None)


def _string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def groups_overage(claims: dict[str, Any]) -> bool:
    """Entra ID's sign that the groups were left out of the token (more than 200 of them)."""
    names = claims.get("_claim_names")
    return (isinstance(names, dict) and "groups" in names) or claims.get("hasgroups") is True


def decide_role(claims: dict[str, Any]) -> RoleDecision:
    overage = groups_overage(claims)
    groups = _string_list(claims.get("groups"))
    if groups and not overage:
        mappings = db.session.scalars(
            select(SsoGroupRole).where(SsoGroupRole.group_id.in_(groups[:1000]))
        ).all()
        role = _strongest({m.role for m in mappings})
        if role is not None:
            # The department of the strongest mapping that names one.
            department = next(
                (
                    m.department_id
                    for m in sorted(mappings, key=lambda m: ROLE_STRENGTH.index(m.role))
                    if m.role == role and m.department is not None and m.department.active
                ),
                None,
            )
            return RoleDecision(role, department, "groups", False)
    app_roles = set()
    for value in _string_list(claims.get("roles")):
        try:
            app_roles.add(Role(value.strip().lower()))
        except ValueError:
            continue
    role = _strongest(app_roles)
    return RoleDecision(role, None, "app_roles" if role else "none", overage)


def verified_email(sign_in: SignIn) -> str | None:
    claims = sign_in.claims
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        return None
    vouched = claims.get("email_verified") is True
    if not vouched and ENTRA_ISSUER_HOST in sign_in.issuer:
        vouched = claims.get("xms_edov") in (True, "true", "1", 1)
    return normalise_email(email) if vouched else None


def _display_name(claims: dict[str, Any], email: str) -> str:
    for key in ("name", "preferred_username"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:200]
    return email


def sign_in(sign_in: SignIn) -> UserIdentity:
    """The identity (and so the user) of this validated sign-in, its role brought up to date.

    Raises ``SignInRefused`` when the user may not sign in; the caller rolls back and records
    the refusal."""
    facts = {"issuer": sign_in.issuer[:200], "subject": sign_in.subject[:100]}
    decision = decide_role(sign_in.claims)
    if decision.groups_overage:
        log.warning(
            "the ID token of subject %r has no groups (more than 200: overage); "
            "the role comes from the app roles",
            sign_in.subject[:100],
        )
        facts["groups_overage"] = True
    identity = db.session.scalar(
        select(UserIdentity).where(
            UserIdentity.issuer == sign_in.issuer, UserIdentity.subject == sign_in.subject
        )
    )
    linked = created = False
    if identity is not None:
        user = identity.user
    else:
        email = verified_email(sign_in)
        facts["email"] = email
        if email is None:
            _refuse("no_verified_email", NO_EMAIL, None, facts)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            other = db.session.scalar(
                select(UserIdentity.id).where(
                    UserIdentity.user_id == user.id, UserIdentity.issuer == sign_in.issuer
                )
            )
            if other is not None:
                _refuse("email_linked_to_other_subject", EMAIL_TAKEN, user, facts)
            linked = True
        else:
            if not create_unknown_users():
                _refuse("unknown_user", NO_ACCOUNT, None, facts)
            if decision.role is None:
                _refuse("no_role", NO_ROLE, None, facts)
            user = User(
                email=email,
                name=_display_name(sign_in.claims, email),
                role=decision.role,
                department_id=decision.department_id,
                password_hash=None,
            )
            db.session.add(user)
            db.session.flush()
            created = True
            audit.record(
                None,
                "user.create",
                user,
                {
                    "email": email,
                    "name": user.name,
                    "role": decision.role.value,
                    "department_id": decision.department_id,
                    "source": "sso",
                },
            )
        identity = UserIdentity(user=user, issuer=sign_in.issuer, subject=sign_in.subject)
        db.session.add(identity)
    if not user.active:
        _refuse("deactivated", DEACTIVATED, user, facts)
    if decision.role is None:
        _refuse("no_role", NO_ROLE, user, facts)
    changes: dict[str, Any] = {}
    if user.role != decision.role:
        changes["role"] = [user.role.value, decision.role.value]
        user.role = decision.role
        if decision.role != Role.COMMITTEE:
            user.committee_id = None
    if decision.department_id is not None and user.department_id != decision.department_id:
        changes["department_id"] = [user.department_id, decision.department_id]
        user.department_id = decision.department_id
    if changes and not created:
        audit.record(None, "user.update", user, {**changes, "source": "sso"})
    now = utcnow()
    user.last_login_at = now
    identity.last_login_at = now
    identity.last_id_token = sign_in.id_token
    db.session.flush()
    audit.record(
        user,
        "auth.sso_login",
        user,
        {
            **facts,
            "role": decision.role.value,
            "role_source": decision.source,
            "linked": linked,
            "created": created,
        },
    )
    return identity


def _refuse(reason: str, message, user: User | None, facts: dict[str, Any]):
    raise SignInRefused(reason, REFUSED_TITLE, message, user, **facts)


def record_refusal(reason: str, user: User | None, facts: dict[str, Any]) -> None:
    """The audit event of a refused SSO sign-in, written in a transaction of its own."""
    audit.record(user, "auth.sso_refused", user, {"reason": reason, **facts})


def identity_for_sign_out(user: User, identity_id: int | None) -> UserIdentity | None:
    if identity_id is None:
        return None
    identity = db.session.get(UserIdentity, identity_id)
    return identity if identity is not None and identity.user_id == user.id else None
