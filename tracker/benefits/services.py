"""Rules and queries for benefits, indicators and measurements. Services flush; the request
commits once. Every function takes the acting user first and checks the right through
``permissions``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from werkzeug.exceptions import NotFound

from .. import audit, conflicts, repeats
from ..extensions import db
from ..initiatives import services as initiative_services
from ..models import (
    Benefit,
    BenefitKind,
    Department,
    Direction,
    Frequency,
    Indicator,
    Initiative,
    Measurement,
    Principle,
    Role,
    User,
    utcnow,
)
from ..models.benefits import benefit_principle
from ..permissions import (
    can_manage_benefits,
    can_measure_benefit,
    require,
)
from ..portfolio.filters import PortfolioFilter
from ..portfolio.services import stale_condition, visible_initiatives
from .figures import MAX_ABS_VALUE

TITLE_LIMIT = 200
NAME_LIMIT = 200
UNIT_LIMIT = 40
TEXT_LIMIT = 5000
# Benefit owners realise a benefit in the line organisation: anyone who may change things.
OWNER_ROLES = (Role.MANAGER, Role.MANAGEMENT, Role.ADMIN)


class BenefitError(ValueError):
    """Input that breaks a rule; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


class BenefitErrors(ValueError):
    """Every rule the input breaks, so that the form can show them all at once."""

    def __init__(self, errors: list[BenefitError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class BenefitNotFound(LookupError):
    """No such benefit, or none the user may see. Views answer 404."""


class BenefitConflict(Exception):
    """Someone saved the benefit after the user opened it."""

    def __init__(self, current: Benefit):
        super().__init__(f"benefit {current.id} is at version {current.version}")
        self.current = current


@dataclass
class BenefitData:
    """What a user may set on a benefit and its indicator: nothing else can be posted."""

    title: str
    kind: BenefitKind
    owner_id: int
    indicator_name: str
    unit: str
    direction: Direction
    baseline_value: Decimal
    baseline_date: date
    target_value: Decimal
    target_date: date
    frequency: Frequency
    description: str = ""
    principle_ids: list[int] = field(default_factory=list)


@dataclass
class MeasurementData:
    value: Decimal | None  # None only while a form is checked (see measurement_errors)
    measured_on: date | None
    comment: str = ""
    corrects_id: int | None = None


# --- reading ---------------------------------------------------------------------------------


def _loading():
    return (
        selectinload(Benefit.initiative)
        .selectinload(Initiative.department)
        .selectinload(Department.committee),
        selectinload(Benefit.initiative).selectinload(Initiative.co_owners),
        selectinload(Benefit.owner),
        selectinload(Benefit.principles),
        selectinload(Benefit.indicator)
        .selectinload(Indicator.measurements)
        .selectinload(Measurement.author),
    )


def _summary_loading():
    """What the figures and the roll-ups need and no more (no people, no committee): the
    dashboard's summary, three queries. The initiative is the one the search joins already."""
    return (
        contains_eager(Benefit.initiative).joinedload(Initiative.department),
        selectinload(Benefit.principles),
        joinedload(Benefit.indicator).selectinload(Indicator.measurements),
    )


def get_benefit(user: User, benefit_id: int) -> Benefit:
    """The benefit, or BenefitNotFound when it does not exist or its initiative lies outside the
    user's scope (the same answer, so that ids outside the scope reveal nothing)."""
    benefit = db.session.scalar(
        select(Benefit).where(Benefit.id == benefit_id).options(*_loading())
    )
    if benefit is None:
        raise BenefitNotFound(benefit_id)
    try:  # the initiatives' own rule decides who may read it
        initiative_services.get_initiative(user, benefit.initiative_id)
    except NotFound:
        raise BenefitNotFound(benefit_id) from None
    return benefit


def benefits_of(initiative: Initiative) -> list[Benefit]:
    """An initiative's benefits with everything their figures need, in one round of queries."""
    return list(
        db.session.scalars(
            select(Benefit)
            .where(Benefit.initiative_id == initiative.id)
            .options(*_loading())
            .order_by(Benefit.created_at, Benefit.id)
        )
    )


def search(
    user: User,
    filters: PortfolioFilter,
    stale_days: int,
    *,
    summary: bool = False,
    of_selection: bool = False,
) -> list[Benefit]:
    """Every benefit the user may see whose initiative matches the portfolio filter, except
    that the principle filter asks for benefits that serve the principle; with
    ``of_selection``, every benefit of the initiatives the filter selects, the principle filter
    included (the status list's initiatives, whose benefits its files show). With ``summary``,
    loaded only for the figures and roll-ups."""
    query = search_query(user, filters, stale_days, summary=summary, of_selection=of_selection)
    return list(db.session.scalars(query).unique())


def search_query(
    user: User, filters: PortfolioFilter, stale_days: int, *, summary=False, of_selection=False
):
    """``search`` as a query, for a caller that pages it (the API)."""
    by_initiative = filters if of_selection else replace(filters, principle=None, principle_id=None)
    # The initiatives' conditions on the joined initiative: the few benefits lead, rather than
    # every visible initiative's id collected first.
    query = by_initiative.apply(
        select(Benefit)
        .join(Initiative, Benefit.initiative_id == Initiative.id)
        .where(visible_initiatives(user).whereclause),
        stale_condition(stale_days),
    )
    query = query.options(*(_summary_loading() if summary else _loading()))
    query = query.order_by(Initiative.title, Benefit.title, Benefit.id)
    if filters.principle_id is not None and not of_selection:
        query = query.where(
            Benefit.id.in_(
                select(benefit_principle.c.benefit_id).where(
                    benefit_principle.c.principle_id == filters.principle_id
                )
            )
        )
    return query


def owner_choices() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_([r.value for r in OWNER_ROLES]))
            .order_by(User.name)
        )
    )


def principle_choices() -> list[Principle]:
    return list(
        db.session.scalars(
            select(Principle).where(Principle.retired_at.is_(None)).order_by(Principle.sort_order)
        )
    )


# --- rules -----------------------------------------------------------------------------------


def _check(data: BenefitData) -> tuple[User | None, list[Principle], list[BenefitError]]:
    """Every rule of a benefit and its indicator, checked at once."""
    errors: list[BenefitError] = []
    data.title = data.title.strip()
    data.indicator_name = data.indicator_name.strip()
    data.unit = data.unit.strip()
    data.description = data.description.strip()
    if not data.title:
        errors.append(BenefitError("title", _l("Describe what changes, and for whom.")))
    elif len(data.title) > TITLE_LIMIT:
        errors.append(BenefitError("title", _l("Use at most %(n)d characters.", n=TITLE_LIMIT)))
    if len(data.description) > TEXT_LIMIT:
        errors.append(
            BenefitError("description", _l("Use at most %(n)d characters.", n=TEXT_LIMIT))
        )
    if not data.indicator_name:
        errors.append(BenefitError("indicator_name", _l("Name the indicator that is measured.")))
    elif len(data.indicator_name) > NAME_LIMIT:
        errors.append(
            BenefitError("indicator_name", _l("Use at most %(n)d characters.", n=NAME_LIMIT))
        )
    if not data.unit:
        errors.append(BenefitError("unit", _l("Enter the unit, for example percent or minutes.")))
    elif len(data.unit) > UNIT_LIMIT:
        errors.append(BenefitError("unit", _l("Use at most %(n)d characters.", n=UNIT_LIMIT)))
    for name in ("baseline_value", "target_value"):
        if abs(getattr(data, name)) > MAX_ABS_VALUE:
            errors.append(BenefitError(name, _l("The number is too large.")))
    if data.target_value == data.baseline_value:
        errors.append(BenefitError("target_value", _l("The target must differ from the baseline.")))
    elif data.direction == Direction.HIGHER and data.target_value < data.baseline_value:
        errors.append(
            BenefitError(
                "target_value",
                _l("Higher is better, so the target must be higher than the baseline."),
            )
        )
    elif data.direction == Direction.LOWER and data.target_value > data.baseline_value:
        errors.append(
            BenefitError(
                "target_value",
                _l("Lower is better, so the target must be lower than the baseline."),
            )
        )
    if data.target_date <= data.baseline_date:
        errors.append(
            BenefitError("target_date", _l("The target date must come after the baseline date."))
        )
    owner = db.session.get(User, data.owner_id)
    if owner is None or not owner.active or owner.role not in OWNER_ROLES:
        errors.append(BenefitError("owner_id", _l("Choose a benefit owner from the list.")))
        owner = None
    principles = []
    if data.principle_ids:
        principles = list(
            db.session.scalars(
                select(Principle).where(
                    Principle.id.in_(data.principle_ids), Principle.retired_at.is_(None)
                )
            )
        )
        if len(principles) != len(set(data.principle_ids)):
            errors.append(
                BenefitError("principle_ids", _l("Choose guiding principles from the list."))
            )
    return owner, principles, errors


def benefit_errors(data: BenefitData, benefit: Benefit | None = None) -> list[BenefitError]:
    """What is wrong with the input, without saving anything: lets a form show the rules'
    messages beside its own in one answer. ``benefit``: the one being changed."""
    return _check(data)[2] + _baseline_errors(data, benefit)


def _baseline_errors(data: BenefitData, benefit: Benefit | None) -> list[BenefitError]:
    """A baseline comes before every measurement: moved past one, the measurements would stand
    before it and none of them could be corrected."""
    if benefit is None or benefit.indicator is None or data.baseline_date is None:
        return []
    first = min((m.measured_on for m in benefit.indicator.measurements), default=None)
    if first is None or data.baseline_date <= first:
        return []
    message = _l(
        "The baseline cannot be dated after the first measurement (%(date)s).",
        date=first.isoformat(),
    )
    return [BenefitError("baseline_date", message)]


def _number(value: Decimal | None) -> str | None:
    """A stored number as the audit trail shows it: 80, not 80.0000."""
    return None if value is None else format(value.normalize(), "f")


def _snapshot(benefit: Benefit) -> dict:
    ind = benefit.indicator
    return {
        "title": benefit.title,
        "description": benefit.description,
        "kind": benefit.kind.value,
        "owner_id": benefit.owner_id,
        "principles": sorted(p.key for p in benefit.principles),
        "indicator_name": ind.name if ind else None,
        "unit": ind.unit if ind else None,
        "direction": ind.direction.value if ind else None,
        "baseline_value": _number(ind.baseline_value) if ind else None,
        "baseline_date": ind.baseline_date.isoformat() if ind else None,
        "target_value": _number(ind.target_value) if ind else None,
        "target_date": ind.target_date.isoformat() if ind else None,
        "frequency": ind.frequency.value if ind else None,
    }


def _apply(benefit: Benefit, data: BenefitData, principles: list[Principle]) -> None:
    benefit.title = data.title
    benefit.description = data.description
    benefit.kind = data.kind
    benefit.owner_id = data.owner_id
    benefit.principles = principles
    indicator = benefit.indicator or Indicator()
    indicator.name = data.indicator_name
    indicator.unit = data.unit
    indicator.direction = data.direction
    indicator.baseline_value = data.baseline_value
    indicator.baseline_date = data.baseline_date
    indicator.target_value = data.target_value
    indicator.target_date = data.target_date
    indicator.frequency = data.frequency
    benefit.indicator = indicator


def _held(benefit: Benefit) -> dict:
    """What a benefit and its indicator hold, as their own values (a number is equal whatever
    its scale, unlike in ``_snapshot``)."""
    ind = benefit.indicator
    return {
        "title": benefit.title,
        "description": benefit.description,
        "kind": benefit.kind,
        "owner_id": benefit.owner_id,
        "principles": sorted(p.id for p in benefit.principles),
        "indicator_name": ind.name,
        "unit": ind.unit,
        "direction": ind.direction,
        "baseline_value": ind.baseline_value,
        "baseline_date": ind.baseline_date,
        "target_value": ind.target_value,
        "target_date": ind.target_date,
        "frequency": ind.frequency,
    }


def _repeated_benefit(user: User, initiative: Initiative, benefit: Benefit) -> Benefit | None:
    """The initiative's newest benefit when ``benefit`` (not yet added) is it sent again (a
    double click): added by the same person, moments ago, with the same benefit and indicator.
    See :mod:`tracker.repeats`."""
    repeats.lock_initiative(initiative.id)
    scope = (Benefit.initiative_id == initiative.id) & (Benefit.created_by_id == user.id)
    return repeats.latest_copy(Benefit, scope, _held(benefit), held=_held)


def create_benefit(user: User, initiative: Initiative, data: BenefitData) -> Benefit:
    require(can_manage_benefits(user, initiative))
    _owner, principles, errors = _check(data)
    if errors:
        raise BenefitErrors(errors)
    benefit = Benefit(initiative_id=initiative.id, created_by_id=user.id)
    _apply(benefit, data, principles)
    repeated = _repeated_benefit(user, initiative, benefit)
    if repeated is not None:
        return repeated
    db.session.add(benefit)
    db.session.flush()
    audit.record(
        user, "benefit.create", benefit, {k: [None, v] for k, v in _snapshot(benefit).items()}
    )
    return benefit


def update_benefit(user: User, benefit: Benefit, data: BenefitData, version: int) -> Benefit:
    """Change a benefit and its indicator; ``version`` is the one the user started from."""
    require(can_manage_benefits(user, benefit.initiative))
    conflicts.in_turn(f"benefit:{benefit.id}", benefit)  # two saves at once: the second a conflict
    if version != benefit.version:
        raise BenefitConflict(benefit)
    _owner, principles, errors = _check(data)
    errors += _baseline_errors(data, benefit)
    if errors:
        raise BenefitErrors(errors)
    before = _snapshot(benefit)
    _apply(benefit, data, principles)
    changes = audit.diff(before, _snapshot(benefit))
    if changes:
        benefit.version += 1
        benefit.updated_at = utcnow()
        db.session.flush()
        audit.record(user, "benefit.update", benefit, changes)
    return benefit


def _repeated_measurement(
    user: User, benefit: Benefit, data: MeasurementData
) -> Measurement | None:
    """The indicator's measurement that this one is, sent again (a double click): by the same
    person, moments ago, with the same value, date, comment and correction."""
    repeats.lock_initiative(benefit.initiative_id)
    recent = db.session.scalars(
        select(Measurement).where(
            Measurement.indicator_id == benefit.indicator.id,
            Measurement.author_id == user.id,
            Measurement.created_at >= utcnow() - repeats.REPEAT_WINDOW,
        )
    )
    for measurement in recent:
        if (
            measurement.value == data.value
            and measurement.measured_on == data.measured_on
            and measurement.comment == data.comment
            and measurement.corrects_id == data.corrects_id
        ):
            return measurement
    return None


def measurement_errors(benefit: Benefit, data: MeasurementData, today: date) -> list[BenefitError]:
    """The rules a measurement must keep, all of them at once. A value or date the form could not
    read is None here, and its rules wait (the form has told what is wrong with it)."""
    indicator = benefit.indicator
    value, measured_on, comment = data.value, data.measured_on, data.comment.strip()
    errors: list[BenefitError] = []
    if value is not None and abs(value) > MAX_ABS_VALUE:
        errors.append(BenefitError("value", _l("The number is too large.")))
    if measured_on is not None and measured_on < indicator.baseline_date:
        errors.append(
            BenefitError("measured_on", _l("A measurement cannot be dated before the baseline."))
        )
    if measured_on is not None and measured_on > today:
        errors.append(
            BenefitError("measured_on", _l("A measurement cannot be dated in the future."))
        )
    if len(comment) > TEXT_LIMIT:
        errors.append(BenefitError("comment", _l("Use at most %(n)d characters.", n=TEXT_LIMIT)))
    if data.corrects_id is not None:
        corrected = {m.corrects_id for m in indicator.measurements if m.corrects_id}
        target = next((m for m in indicator.measurements if m.id == data.corrects_id), None)
        if target is not None and target.id in corrected:
            errors.append(
                BenefitError(
                    "corrects_id",
                    _l(
                        "Someone has already corrected this measurement. If their correction "
                        "is wrong too, choose it to correct it."
                    ),
                )
            )
        elif target is None:
            errors.append(
                BenefitError(
                    "corrects_id", _l("Choose a measurement of this indicator to correct.")
                )
            )
        elif not comment:
            errors.append(BenefitError("comment", _l("Say why the measurement is corrected.")))
    return errors


def add_measurement(
    user: User, benefit: Benefit, data: MeasurementData, today: date
) -> Measurement:
    """Append a measurement; a correction names the standing measurement it replaces."""
    require(can_measure_benefit(user, benefit))
    indicator = benefit.indicator
    data.comment = data.comment.strip()
    repeated = _repeated_measurement(user, benefit, data)
    if repeated is not None:
        return repeated
    errors = measurement_errors(benefit, data, today)
    if errors:
        raise BenefitErrors(errors)
    measurement = Measurement(
        indicator_id=indicator.id,
        value=data.value,
        measured_on=data.measured_on,
        comment=data.comment,
        author_id=user.id,
        corrects_id=data.corrects_id,
    )
    db.session.add(measurement)
    db.session.flush()
    action = "benefit.correct_measurement" if data.corrects_id else "benefit.measure"
    audit.record(
        user,
        action,
        benefit,
        {
            "measurement_id": [None, measurement.id],
            "value": [None, str(data.value)],
            "measured_on": [None, data.measured_on.isoformat()],
            **({"corrects_id": [None, data.corrects_id]} if data.corrects_id else {}),
        },
    )
    db.session.expire(indicator, ["measurements"])
    return measurement
