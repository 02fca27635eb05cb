"""Plain factory functions for test data. They add and flush; the test commits when it must."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

from tracker.auth.passwords import hash_password
from tracker.extensions import db
from tracker.models import (
    Committee,
    Department,
    Health,
    Initiative,
    Principle,
    PrincipleLink,
    Role,
    Status,
    StatusUpdate,
    SupportRequest,
    User,
)

PASSWORD = "correct horse battery staple"
_seq = count(1)


def days_ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


_hashes: dict[str, str] = {}


def password_hash() -> str:
    """Hashing is slow on purpose; one hash (per hasher configuration) serves every test user."""
    from flask import current_app

    key = repr(current_app.config.get("ARGON2_PARAMETERS"))
    if key not in _hashes:
        _hashes[key] = hash_password(PASSWORD)
    return _hashes[key]


def make_committee(short_name: str | None = None, name: str | None = None) -> Committee:
    n = next(_seq)
    committee = Committee(short_name=short_name or f"C{n}", name=name or f"Nämnd {n}")
    db.session.add(committee)
    db.session.flush()
    return committee


def make_department(committee: Committee, code: str | None = None, name: str | None = None):
    n = next(_seq)
    department = Department(
        code=code or f"D{n}", name=name or f"Avdelning {n}", committee=committee
    )
    db.session.add(department)
    db.session.flush()
    return department


def make_user(role: Role = Role.MANAGER, department: Department | None = None, **fields) -> User:
    n = next(_seq)
    user = User(
        email=fields.pop("email", f"user{n}@example.se"),
        name=fields.pop("name", f"Användare {n}"),
        role=role,
        department=department,
        password_hash=password_hash(),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_principles() -> list[Principle]:
    principles = [
        Principle(
            key="tillganglighet", name_sv="Tillgänglighet", name_en="Accessibility", sort_order=1
        ),
        Principle(key="trygghet", name_sv="Trygghet", name_en="Security and trust", sort_order=2),
        Principle(key="effektivitet", name_sv="Effektivitet", name_en="Efficiency", sort_order=3),
    ]
    db.session.add_all(principles)
    db.session.flush()
    return principles


def make_initiative(
    owner: User,
    department: Department | None = None,
    principles: list[Principle] = (),
    updates: int = 0,
    last_update_days_ago: int = 1,
    **fields,
) -> Initiative:
    now = datetime.now(UTC)
    support = fields.pop("support_requested", False)
    initiative = Initiative(
        title=fields.pop("title", f"Initiativ {next(_seq)}"),
        purpose=fields.pop("purpose", "Ett syfte"),
        department=department or owner.department,
        owner=owner,
        created_at=fields.pop(
            "created_at", now - timedelta(days=last_update_days_ago + updates + 1)
        ),
        **fields,
    )
    db.session.add(initiative)
    for principle in principles:
        initiative.principle_links.append(
            PrincipleLink(principle=principle, motivation=f"Bidrar till {principle.name_sv}")
        )
    for i in range(updates):
        at = now - timedelta(days=last_update_days_ago + updates - 1 - i)
        update = StatusUpdate(
            author=owner,
            created_at=at,
            status=initiative.status or Status.IN_PROGRESS,
            health=initiative.health or Health.ON_TRACK,
            progress=initiative.progress or 0,
            happened=f"Hände {i}",
        )
        initiative.updates.append(update)
        initiative.last_update_at = at
    db.session.flush()
    if support:
        ask_support(initiative, support if isinstance(support, str) else "Behöver stöd")
    return initiative


def ask_support(initiative: Initiative, text: str) -> SupportRequest:
    """Make the latest update ask for support, and open the request it opens."""
    latest = max(initiative.updates, key=lambda u: (u.created_at, u.id or 0))
    latest.support_needed = text
    request = SupportRequest(
        initiative_id=initiative.id,
        opened_at=latest.created_at,
        opened_by_id=latest.author_id,
        opened_by_update_id=latest.id,
        latest_update_id=latest.id,
        text=text,
    )
    db.session.add(request)
    db.session.flush()
    return request


@dataclass
class Org:
    committees: list[Committee]
    departments: list[Department]
    principles: list[Principle]
    admin: User
    management: User
    committee_reader: User
    manager: User
    other_manager: User

    def user(self, role: str) -> User:
        return {
            "admin": self.admin,
            "management": self.management,
            "committee": self.committee_reader,
            "manager": self.manager,
        }[role]


def make_org() -> Org:
    ks = make_committee("KS", "Kommunstyrelsen")
    bun = make_committee("BUN", "Barn- och utbildningsnämnden")
    it = make_department(ks, "IT", "IT-avdelningen")
    hr = make_department(ks, "HR", "HR-avdelningen")
    school = make_department(bun, "GRS", "Grundskolan")
    return Org(
        committees=[ks, bun],
        departments=[it, hr, school],
        principles=make_principles(),
        admin=make_user(Role.ADMIN, it, email="admin@example.se", name="Ada Admin"),
        management=make_user(Role.MANAGEMENT, it, email="ledning@example.se", name="Lena Ledning"),
        committee_reader=make_user(
            Role.COMMITTEE, None, email="namnd@example.se", name="Nils Nämnd"
        ),
        manager=make_user(Role.MANAGER, it, email="chef@example.se", name="Cecilia Chef"),
        other_manager=make_user(
            Role.MANAGER, school, email="rektor@example.se", name="Rolf Rektor"
        ),
    )
