"""The comparison of two measurement rounds, and the maturity page built on it.

Only question values are stored. A capability's and a category's score is the mean of its
questions' values (SQL AVG over the round and scope); a dimension's score is the mean of its
categories' scores, so each category weighs the same, as in the spider chart. Figures are rounded
to one decimal, and a change is the difference of the rounded figures, so that what the page and
the exports show always adds up.

``comparison`` returns plain dataclasses with no database objects in them, for the page and for
the exports alike. It does not check rights: its caller does (``page.build`` checks them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select

from ..extensions import db
from ..models import (
    Department,
    Dimension,
    MaturityQuestion,
    MaturityRound,
    MaturityValue,
)
from . import structure

WEAK_COUNT = 3
QUESTION_SORTS = ("change", "weakest", "order")


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value + 0.0, 1)


def _change(latest: float | None, previous: float | None) -> float | None:
    if latest is None or previous is None:
        return None
    return round(latest - previous, 1)


@dataclass(frozen=True)
class RoundInfo:
    id: int
    name: str
    measured_on: date
    respondents: int | None
    response_rate: float | None
    changed_at: datetime | None

    @classmethod
    def of(cls, round_: MaturityRound) -> RoundInfo:
        return cls(
            round_.id,
            round_.name,
            round_.measured_on,
            round_.respondents,
            round_.response_rate,
            round_.changed_at,
        )


@dataclass(frozen=True)
class Figure:
    """A score in the latest and the previous round, and the change in percentage points."""

    key: str
    name_sv: str
    name_en: str
    latest: float | None
    previous: float | None
    change: float | None

    def name(self, locale: str) -> str:
        return (self.name_en or self.name_sv) if locale == "en" else self.name_sv


@dataclass(frozen=True)
class DimensionFigure(Figure):
    dimension: Dimension = Dimension.CAPABILITY


@dataclass(frozen=True)
class CategoryFigure(Figure):
    dimension: Dimension = Dimension.CAPABILITY
    weak: bool = False  # one of the three weakest in the latest round


@dataclass(frozen=True)
class CapabilityFigure(Figure):
    category_key: str = ""


@dataclass(frozen=True)
class QuestionFigure(Figure):
    """``name_sv``/``name_en`` hold the question's text."""

    category_key: str = ""
    capability_sv: str = ""
    capability_en: str = ""

    def capability(self, locale: str) -> str:
        return (self.capability_en or self.capability_sv) if locale == "en" else self.capability_sv


@dataclass
class Comparison:
    latest: RoundInfo
    previous: RoundInfo | None
    department_code: str | None
    department_name: str | None
    dimensions: list[DimensionFigure]
    categories: list[CategoryFigure]  # in the model's order
    capabilities: list[CapabilityFigure]
    questions: list[QuestionFigure]  # in the model's order

    @property
    def weakest(self) -> list[CategoryFigure]:
        """The three weakest categories of the latest round, the weakest first."""
        return sorted((c for c in self.categories if c.weak), key=lambda c: c.latest)

    def categories_weakest_first(self) -> list[CategoryFigure]:
        known = [c for c in self.categories if c.latest is not None]
        return sorted(known, key=lambda c: c.latest) + [
            c for c in self.categories if c not in known
        ]

    def sorted_questions(self, sort: str) -> list[QuestionFigure]:
        """``change``: the biggest changes (up or down) first; ``weakest``: the lowest first."""
        if sort == "change":
            return sorted(
                self.questions, key=lambda q: (q.change is None, -abs(q.change or 0), q.latest or 0)
            )
        if sort == "weakest":
            return sorted(self.questions, key=lambda q: (q.latest is None, q.latest or 0))
        return list(self.questions)


def _scope(department_id: int | None):
    if department_id is None:
        return MaturityValue.department_id.is_(None)
    return MaturityValue.department_id == department_id


def comparison(
    latest: MaturityRound,
    previous: MaturityRound | None = None,
    department: Department | None = None,
) -> Comparison:
    """Every figure of ``latest`` against ``previous``, for the whole organisation or one
    department. Four queries, whatever the size of the portfolio."""
    round_ids = [latest.id] + ([previous.id] if previous is not None else [])
    scope = and_(
        MaturityValue.round_id.in_(round_ids), _scope(department.id if department else None)
    )
    previous_id = previous.id if previous is not None else None

    by_category: dict[int, dict[int, float]] = defaultdict(dict)
    for round_id, category_id, mean in db.session.execute(
        select(
            MaturityValue.round_id, MaturityQuestion.category_id, func.avg(MaturityValue.percent)
        )
        .join(MaturityQuestion, MaturityValue.question_id == MaturityQuestion.id)
        .where(scope)
        .group_by(MaturityValue.round_id, MaturityQuestion.category_id)
    ):
        by_category[category_id][round_id] = float(mean)

    capability_rows = db.session.execute(
        select(
            MaturityValue.round_id,
            MaturityQuestion.category_id,
            MaturityQuestion.capability_sv,
            func.max(MaturityQuestion.capability_en),
            func.avg(MaturityValue.percent),
            func.min(MaturityQuestion.sort_order),
        )
        .join(MaturityQuestion, MaturityValue.question_id == MaturityQuestion.id)
        .where(scope)
        .group_by(
            MaturityValue.round_id, MaturityQuestion.category_id, MaturityQuestion.capability_sv
        )
    ).all()

    question_rows = db.session.execute(
        select(MaturityQuestion, MaturityValue.round_id, MaturityValue.percent)
        .join(MaturityValue, MaturityValue.question_id == MaturityQuestion.id)
        .where(scope)
        .order_by(MaturityQuestion.sort_order, MaturityQuestion.key)
    ).all()

    categories = structure.categories()
    keys = {c.id: c.key for c in categories}
    means = {
        c.id: (
            by_category[c.id].get(latest.id),
            by_category[c.id].get(previous_id) if previous_id else None,
        )
        for c in categories
    }
    ranked = sorted(
        (c for c in categories if means[c.id][0] is not None),
        key=lambda c: (_round1(means[c.id][0]), c.sort_order),
    )
    weak_ids = {c.id for c in ranked[:WEAK_COUNT]}
    category_figures = [
        _figure(
            CategoryFigure,
            c.key,
            c.name_sv,
            c.name_en,
            *means[c.id],
            dimension=c.dimension,
            weak=c.id in weak_ids,
        )
        for c in categories
    ]
    dimension_figures = []
    for dimension in Dimension:
        own = [means[c.id] for c in categories if c.dimension is dimension]
        dimension_figures.append(
            _figure(
                DimensionFigure,
                dimension.value,
                _DIMENSION_NAMES[dimension][0],
                _DIMENSION_NAMES[dimension][1],
                _mean([m[0] for m in own]),
                _mean([m[1] for m in own]),
                dimension=dimension,
            )
        )

    capabilities: dict[tuple[int, str], dict] = {}
    for round_id, category_id, name_sv, name_en, mean, order in capability_rows:
        entry = capabilities.setdefault(
            (category_id, name_sv), {"en": name_en or "", "order": order, "values": {}}
        )
        entry["values"][round_id] = float(mean)
        entry["order"] = min(entry["order"], order)
    capability_figures = [
        _figure(
            CapabilityFigure,
            name_sv,
            name_sv,
            entry["en"],
            entry["values"].get(latest.id),
            entry["values"].get(previous_id) if previous_id else None,
            category_key=keys.get(category_id, ""),
        )
        for (category_id, name_sv), entry in sorted(
            capabilities.items(), key=lambda item: (item[1]["order"], item[0][1])
        )
    ]

    questions: dict[int, tuple[MaturityQuestion, dict[int, float]]] = {}
    for question, round_id, percent in question_rows:
        questions.setdefault(question.id, (question, {}))[1][round_id] = percent
    question_figures = [
        _figure(
            QuestionFigure,
            q.key,
            q.text_sv,
            q.text_en,
            values.get(latest.id),
            values.get(previous_id) if previous_id else None,
            category_key=keys.get(q.category_id, ""),
            capability_sv=q.capability_sv,
            capability_en=q.capability_en,
        )
        for q, values in questions.values()
    ]
    return Comparison(
        latest=RoundInfo.of(latest),
        previous=RoundInfo.of(previous) if previous is not None else None,
        department_code=department.code if department else None,
        department_name=department.name if department else None,
        dimensions=dimension_figures,
        categories=category_figures,
        capabilities=capability_figures,
        questions=question_figures,
    )


_DIMENSION_NAMES = {
    Dimension.CAPABILITY: ("Digital förmåga", "Digital capability"),
    Dimension.LEGACY: ("Digitalt arv", "Digital legacy"),
}


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _figure(cls, key, name_sv, name_en, latest, previous, **extra):
    latest, previous = _round1(latest), _round1(previous)
    return cls(key, name_sv, name_en, latest, previous, _change(latest, previous), **extra)
