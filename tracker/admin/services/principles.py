"""Principles (ledord): add, edit, retire. One in use is never deleted."""

from __future__ import annotations

import re
import unicodedata

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ... import audit, conflicts
from ...extensions import db
from ...models import Principle, PrincipleLink, User, utcnow
from ...permissions import can_administer, require
from . import AdminError, check_version

FIELDS = ("name_sv", "name_en", "description_sv", "description_en")


def all_principles(actor: User) -> list[tuple[Principle, int]]:
    """Every principle, retired ones too, with the number of initiatives linked to it."""
    require(can_administer(actor))
    counts = dict(
        db.session.execute(
            select(PrincipleLink.principle_id, func.count(PrincipleLink.id)).group_by(
                PrincipleLink.principle_id
            )
        ).all()
    )
    principles = db.session.scalars(
        select(Principle).order_by(Principle.retired_at.is_not(None), Principle.sort_order)
    )
    return [(p, counts.get(p.id, 0)) for p in principles]


def get_principle(actor: User, principle_id: int) -> Principle:
    require(can_administer(actor))
    principle = db.session.get(Principle, principle_id)
    if principle is None:
        abort(404)
    return principle


def key_for(name: str) -> str:
    """A URL-safe key from the Swedish name: "Hållbarhet" -> "hallbarhet"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "ledord"


def _values(principle: Principle) -> dict:
    return {f: getattr(principle, f) for f in FIELDS}


def _clean(values: dict[str, str]) -> dict[str, str]:
    cleaned = {f: (values.get(f) or "").strip() for f in FIELDS}
    if not cleaned["name_sv"]:
        raise AdminError(_l("Enter the Swedish name."), "name_sv")
    if not cleaned["name_en"]:
        raise AdminError(_l("Enter the English name."), "name_en")
    return cleaned


def _unique_key(name_sv: str) -> str:
    base = key_for(name_sv)
    key, n = base, 1
    while db.session.scalar(select(Principle.id).where(Principle.key == key)) is not None:
        n += 1
        key = f"{base[:36]}-{n}"
    return key


def _check_name_free(values: dict[str, str], except_id: int | None) -> None:
    for field in ("name_sv", "name_en"):
        column = getattr(Principle, field)
        query = select(Principle.id).where(func.lower(column) == values[field].lower())
        if except_id is not None:
            query = query.where(Principle.id != except_id)
        if db.session.scalar(query) is not None:
            raise AdminError(_l("Another principle already has this name."), field)


def create_principle(actor: User, **values: str) -> Principle:
    require(can_administer(actor))
    cleaned = _clean(values)
    _check_name_free(cleaned, None)
    last = db.session.scalar(select(func.max(Principle.sort_order))) or 0
    principle = Principle(key=_unique_key(cleaned["name_sv"]), sort_order=last + 1, **cleaned)
    db.session.add(principle)
    db.session.flush()
    audit.record(actor, "principle.create", principle, {"key": principle.key, **cleaned})
    return principle


def principle_version(principle: Principle) -> str:
    """The principle as its form shows it (see ``check_version``)."""
    return conflicts.version_of(_values(principle))


def update_principle(
    actor: User, principle: Principle, expected_version: str | None = None, **values: str
) -> dict:
    """Names and descriptions change; the key stays, because links and filters use it. An
    edit made to another version than ``expected_version`` raises AdminConflict."""
    require(can_administer(actor))
    conflicts.in_turn(f"principle:{principle.id}", principle)
    check_version(expected_version, _values(principle))
    cleaned = _clean(values)
    _check_name_free(cleaned, principle.id)
    before = _values(principle)
    for field, value in cleaned.items():
        setattr(principle, field, value)
    changes = audit.diff(before, cleaned)
    if changes:
        db.session.flush()
        audit.record(actor, "principle.update", principle, changes)
    return changes


def set_retired(actor: User, principle: Principle, retired: bool) -> None:
    """A retired principle stays on the initiatives that use it and can no longer be chosen."""
    require(can_administer(actor))
    if (principle.retired_at is not None) == retired:
        return
    principle.retired_at = utcnow() if retired else None
    db.session.flush()
    action = "principle.retire" if retired else "principle.reinstate"
    audit.record(actor, action, principle, {"retired": [not retired, retired]})


def principle_in_use(principle: Principle) -> bool:
    return bool(
        db.session.scalar(select(exists().where(PrincipleLink.principle_id == principle.id)))
    )


def delete_principle(actor: User, principle: Principle) -> None:
    """Only a principle that no initiative has ever used; any other is retired instead."""
    require(can_administer(actor))
    if principle_in_use(principle):
        raise AdminError(_l("Initiatives use this principle. Retire it instead of deleting it."))
    audit.record(actor, "principle.delete", principle, {"key": principle.key, **_values(principle)})
    db.session.delete(principle)
    db.session.flush()
