"""The maturity page: the latest round against the previous one, and the initiatives tagged with
the weakest categories. The number of queries does not grow with the portfolio."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import (
    Department,
    Health,
    Initiative,
    MaturityCategory,
    MaturityRound,
    MaturityValue,
    Status,
    User,
    initiative_maturity_category,
)
from ..permissions import can_read_portfolio, committee_scope, require
from ..portfolio.services import visible_initiatives
from .figures import Comparison, comparison

INITIATIVES_PER_CATEGORY = 10
STATUS_ORDER = (
    Status.IN_PROGRESS,
    Status.PLANNED,
    Status.PAUSED,
    Status.IDEA,
    Status.DONE,
    Status.CANCELLED,
)


@dataclass(frozen=True)
class TaggedInitiative:
    id: int
    title: str
    status: Status
    health: Health
    department: str


@dataclass
class MaturityPage:
    comparison: Comparison | None
    departments: list[tuple[str, str]]  # (code, name) of the departments with values
    department: Department | None
    initiatives: dict[str, list[TaggedInitiative]] = field(default_factory=dict)
    initiative_counts: dict[str, int] = field(default_factory=dict)


def latest_rounds() -> tuple[MaturityRound | None, MaturityRound | None]:
    """The newest round and the one before it, by measurement date."""
    rounds = db.session.scalars(
        select(MaturityRound)
        .order_by(MaturityRound.measured_on.desc(), MaturityRound.id.desc())
        .limit(2)
    ).all()
    return (rounds[0] if rounds else None, rounds[1] if len(rounds) > 1 else None)


def departments_with_values(round_: MaturityRound, user: User | None = None) -> list[Department]:
    """The departments with values of their own in the round; for a reader limited to one
    committee (``committee_scope``), only that committee's departments."""
    query = select(Department).where(
        Department.id.in_(
            select(MaturityValue.department_id).where(
                MaturityValue.round_id == round_.id,
                MaturityValue.department_id.is_not(None),
            )
        )
    )
    scope = committee_scope(user) if user is not None else None
    if scope is not None:
        query = query.where(Department.committee_id == scope)
    return list(db.session.scalars(query.order_by(Department.name)))


def build(user: User, department_code: str | None = None) -> MaturityPage:
    """The maturity page: the latest round against the previous one, for the whole organisation
    or a department with values, and the initiatives tagged with the weakest categories."""
    require(can_read_portfolio(user))
    latest, previous = latest_rounds()
    if latest is None:
        return MaturityPage(None, [], None)
    departments = departments_with_values(latest, user)
    department = None
    if department_code:
        department = next((d for d in departments if d.code == department_code.upper()), None)
        if department is None:
            raise NotFound
    result = comparison(latest, previous, department)
    weak_keys = [c.key for c in result.weakest]
    rows, counts = tagged_initiatives(user, weak_keys, department)
    return MaturityPage(result, [(d.code, d.name) for d in departments], department, rows, counts)


def _with_units(department_id: int) -> list[int]:
    """The department and every unit below it, however deep (kontor, avdelning, enhet): one
    query of the organisation's tree, which is small."""
    children: dict[int, list[int]] = {}
    for id_, parent_id in db.session.execute(select(Department.id, Department.parent_id)):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(id_)
    found, todo = {department_id}, [department_id]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:  # a cycle in bad data ends here
                found.add(child)
                todo.append(child)
    return sorted(found)


def tagged_initiatives(
    user: User, category_keys: list[str], department: Department | None = None
) -> tuple[dict[str, list[TaggedInitiative]], dict[str, int]]:
    """Per category key: the first initiatives the user may read that are tagged with it (the
    active ones first), and how many there are. Two queries, however many initiatives exist.
    For a department, its own initiatives and those of its units."""
    if not category_keys:
        return {}, {}
    tag = initiative_maturity_category
    conditions = [
        MaturityCategory.key.in_(category_keys),
        Initiative.id.in_(visible_initiatives(user).with_only_columns(Initiative.id)),
    ]
    if department is not None:
        conditions.append(Department.id.in_(_with_units(department.id)))
    status_rank = case(
        {status.value: rank for rank, status in enumerate(STATUS_ORDER)}, value=Initiative.status
    )

    def joined(*columns):
        return (
            select(*columns)
            .select_from(tag)
            .join(MaturityCategory, MaturityCategory.id == tag.c.category_id)
            .join(Initiative, Initiative.id == tag.c.initiative_id)
            .join(Department, Department.id == Initiative.department_id)
            .where(*conditions)
        )

    number = func.row_number().over(
        partition_by=tag.c.category_id, order_by=(status_rank, Initiative.title, Initiative.id)
    )
    ranked = joined(
        MaturityCategory.key.label("key"),
        Initiative.id,
        Initiative.title,
        Initiative.status,
        Initiative.health,
        Department.name.label("department"),
        number.label("number"),
    ).subquery()
    listed: dict[str, list[TaggedInitiative]] = {key: [] for key in category_keys}
    for row in db.session.execute(
        select(ranked)
        .where(ranked.c.number <= INITIATIVES_PER_CATEGORY)
        .order_by(ranked.c.key, ranked.c.number)
    ):
        listed[row.key].append(
            TaggedInitiative(
                row.id, row.title, Status(row.status), Health(row.health), row.department
            )
        )
    counts = dict.fromkeys(category_keys, 0)
    for key, total in db.session.execute(
        joined(MaturityCategory.key, func.count(Initiative.id)).group_by(MaturityCategory.key)
    ):
        counts[key] = total
    return listed, counts
