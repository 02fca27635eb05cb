"""Recording and correcting measurement rounds. Admins only; services flush, the request commits.

A round is written all or nothing from checked import rows. Corrections afterwards are allowed,
also when the round has been compared with another, but never silently: each is audited with the
old and new value, and the round and value are marked as changed after the import.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from .. import audit, conflicts
from ..extensions import db
from ..models import (
    AuditEvent,
    Department,
    MaturityQuestion,
    MaturityRound,
    MaturityValue,
    User,
    utcnow,
)
from ..permissions import can_administer, require
from . import importing, structure


class MaturityError(ValueError):
    """Input that breaks a rule; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str | None, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


class MaturityConflict(MaturityError):
    """Someone corrected the round or value after the user opened its form."""

    def __init__(self):
        super().__init__(None, conflicts.CONFLICT_MESSAGE)


def round_version(round_: MaturityRound) -> str:
    """The round's facts as its form shows them (a digest: rounds have no version counter)."""
    return conflicts.version_of(_snapshot(round_))


def _value_values(value: MaturityValue) -> dict:
    return {"percent": value.percent}


def value_version(value: MaturityValue) -> str:
    return conflicts.version_of(_value_values(value))


@dataclass
class RoundData:
    """What an admin sets on a round: nothing else can be posted into it."""

    name: str
    measured_on: date | None
    respondents: int | None = None
    response_rate: str = ""  # as typed; a decimal comma is fine

    def meta(self) -> dict:
        data = asdict(self)
        data["measured_on"] = self.measured_on.isoformat() if self.measured_on else None
        return data

    @classmethod
    def from_meta(cls, meta: dict) -> RoundData:
        return cls(
            name=meta.get("name") or "",
            measured_on=importing.parse_date(meta.get("measured_on")),
            respondents=meta.get("respondents"),
            response_rate=meta.get("response_rate") or "",
        )


def check_round(data: RoundData, round_: MaturityRound | None = None) -> float | None:
    """Raise MaturityError for the first problem; return the response rate as a number."""
    name = " ".join(data.name.split())
    if not name:
        raise MaturityError("name", _l("Enter a name, for example “Mätning 2021”."))
    if len(name) > 100:
        raise MaturityError("name", _l("At most %(n)d characters.", n=100))
    taken = db.session.scalar(
        select(MaturityRound.id).where(func.lower(MaturityRound.name) == name.lower())
    )
    if taken is not None and (round_ is None or taken != round_.id):
        raise MaturityError("name", _l("There is already a round with this name."))
    if data.measured_on is None:
        raise MaturityError("measured_on", _l("Enter the date of the measurement."))
    if data.respondents is not None and not 0 <= data.respondents <= 10**7:
        raise MaturityError("respondents", _l("Enter the number of respondents as a whole number."))
    if not data.response_rate.strip():
        return None
    rate = importing.parse_percent(data.response_rate)
    if rate is None:
        raise MaturityError("response_rate", _l("The value must be a number from 0 to 100."))
    return rate


# --- reading ---------------------------------------------------------------------------------


def rounds(actor: User) -> list[tuple[MaturityRound, int]]:
    """Every round, newest first, with its number of values."""
    require(can_administer(actor))
    counts = (
        select(MaturityValue.round_id, func.count().label("n"))
        .group_by(MaturityValue.round_id)
        .subquery()
    )
    query = (
        select(MaturityRound, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.round_id == MaturityRound.id)
        .order_by(MaturityRound.measured_on.desc(), MaturityRound.id.desc())
    )
    return [(r, n) for r, n in db.session.execute(query)]


def get_round(actor: User, round_id: int) -> MaturityRound:
    require(can_administer(actor))
    round_ = db.session.get(MaturityRound, round_id)
    if round_ is None:
        raise NotFound
    return round_


def get_value(actor: User, value_id: int) -> MaturityValue:
    require(can_administer(actor))
    value = db.session.scalar(
        select(MaturityValue)
        .where(MaturityValue.id == value_id)
        .options(
            selectinload(MaturityValue.round),
            selectinload(MaturityValue.question),
            selectinload(MaturityValue.department),
        )
    )
    if value is None:
        raise NotFound
    return value


def values(round_: MaturityRound, department_id: int | None = None) -> list[MaturityValue]:
    """The round's values for the whole organisation or a department, in question order."""
    scope = (
        MaturityValue.department_id.is_(None)
        if department_id is None
        else MaturityValue.department_id == department_id
    )
    return list(
        db.session.scalars(
            select(MaturityValue)
            .join(MaturityQuestion, MaturityQuestion.id == MaturityValue.question_id)
            .where(MaturityValue.round_id == round_.id, scope)
            .options(selectinload(MaturityValue.question).selectinload(MaturityQuestion.category))
            .order_by(MaturityQuestion.sort_order, MaturityQuestion.key)
        )
    )


def departments(round_: MaturityRound) -> list[Department]:
    from .page import departments_with_values

    return departments_with_values(round_)


def history(round_: MaturityRound) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "maturity_round", AuditEvent.entity_id == round_.id)
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )


# --- changing --------------------------------------------------------------------------------


def create_round(actor: User, data: RoundData, rows: list[importing.ImportRow]) -> MaturityRound:
    """Write the round, its new questions and every value, or nothing (MaturityError)."""
    require(can_administer(actor))
    rate = check_round(data)
    if not rows or not importing.check_rows(rows):
        raise MaturityError(None, _l("Some rows have problems. Nothing was saved."))
    categories = {c.key: c for c in structure.ensure_categories()}
    questions = {q.key: q for q in db.session.scalars(select(MaturityQuestion))}
    departments = {d.code.upper(): d.id for d in db.session.scalars(select(Department))}
    next_order = max((q.sort_order for q in questions.values()), default=0) + 1
    added = 0
    for row in rows:
        if row.question_key not in questions:
            category = categories[importing.category_key(row.category)]
            questions[row.question_key] = MaturityQuestion(
                key=row.question_key,
                category=category,
                capability_sv=" ".join(row.capability.split()),
                capability_en=" ".join(row.capability_en.split()),
                text_sv=row.text.strip(),
                text_en=row.text_en.strip(),
                sort_order=category.sort_order * 1000 + next_order,
            )
            db.session.add(questions[row.question_key])
            next_order += 1
            added += 1
    round_ = MaturityRound(
        name=" ".join(data.name.split()),
        measured_on=data.measured_on,
        respondents=data.respondents,
        response_rate=rate,
        created_by_id=actor.id,
    )
    db.session.add(round_)
    db.session.flush()
    db.session.add_all(
        MaturityValue(
            round_id=round_.id,
            question_id=questions[row.question_key].id,
            department_id=departments.get(row.department_code) if row.department_code else None,
            percent=importing.parse_percent(row.percent),
        )
        for row in rows
    )
    db.session.flush()
    audit.record(
        actor,
        "maturity.round.create",
        round_,
        {**_snapshot(round_), "values": len(rows), "questions_added": added},
    )
    return round_


def update_round(
    actor: User, round_: MaturityRound, data: RoundData, expected_version: str | None = None
) -> dict:
    """Correct the round's name, date, respondents or response rate; returns the changes. A
    correction made to another version than ``expected_version`` raises MaturityConflict."""
    require(can_administer(actor))
    conflicts.in_turn(f"maturity_round:{round_.id}", round_)
    conflicts.check_version(expected_version, _snapshot(round_), MaturityConflict)
    rate = check_round(data, round_)
    before = _snapshot(round_)
    round_.name = " ".join(data.name.split())
    round_.measured_on = data.measured_on
    round_.respondents = data.respondents
    round_.response_rate = rate
    changes = audit.diff(before, _snapshot(round_))
    if changes:
        round_.changed_at = utcnow()
        db.session.flush()
        audit.record(actor, "maturity.round.update", round_, changes)
    return changes


def correct_value(
    actor: User, value: MaturityValue, percent_text: str, expected_version: str | None = None
) -> dict:
    """Correct one value; audited on its round with the question, department, old and new. A
    correction made to another version than ``expected_version`` raises MaturityConflict."""
    require(can_administer(actor))
    conflicts.in_turn(f"maturity_value:{value.id}", value)
    conflicts.check_version(expected_version, _value_values(value), MaturityConflict)
    percent = importing.parse_percent(percent_text)
    if percent is None:
        raise MaturityError("percent", _l("The value must be a number from 0 to 100."))
    if percent == value.percent:
        return {}
    changes = {
        "question": value.question.key,
        "department": value.department.code if value.department else None,
        "percent": [value.percent, percent],
    }
    now = utcnow()
    value.percent = percent
    value.changed_at = now
    value.round.changed_at = now
    db.session.flush()
    audit.record(actor, "maturity.value.update", value.round, changes)
    return changes


def _snapshot(round_: MaturityRound) -> dict:
    return {
        "name": round_.name,
        "measured_on": round_.measured_on.isoformat() if round_.measured_on else None,
        "respondents": round_.respondents,
        "response_rate": round_.response_rate,
    }
