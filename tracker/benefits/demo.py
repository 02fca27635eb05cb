"""The demo municipality's benefits, from ``demo_benefits.toml`` (content is data)."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import (
    Benefit,
    BenefitKind,
    Direction,
    Frequency,
    Indicator,
    Initiative,
    Measurement,
    Principle,
    User,
)
from .figures import add_months

DATA = Path(__file__).with_name("demo_benefits.toml")


def load(now: datetime) -> int:
    """Add the demo benefits to the initiatives of the same titles; returns how many."""
    entries = tomllib.loads(DATA.read_text(encoding="utf-8"))["benefit"]
    titles = {e["initiative"] for e in entries}
    initiatives = {
        i.title: i
        for i in db.session.scalars(
            select(Initiative).where(Initiative.title.in_(titles)).order_by(Initiative.id)
        )
    }
    users = {u.email: u for u in db.session.scalars(select(User))}
    principles = {p.key: p for p in db.session.scalars(select(Principle))}
    today = now.date()
    count = 0
    for entry in entries:
        initiative = initiatives.get(entry["initiative"])
        if initiative is None:  # a scaled-down demo without this initiative
            continue
        owner = users[entry["owner"]]
        benefit = Benefit(
            initiative_id=initiative.id,
            title=entry["title"],
            description=entry.get("description", ""),
            kind=BenefitKind(entry["kind"]),
            owner_id=owner.id,
            created_by_id=initiative.owner_id,
            created_at=now - timedelta(days=30 * entry["baseline_months_ago"]),
            principles=[principles[key] for key in entry["principles"]],
        )
        baseline_date = add_months(today, -entry["baseline_months_ago"])
        benefit.indicator = Indicator(
            name=entry["indicator"],
            unit=entry["unit"],
            direction=Direction(entry["direction"]),
            baseline_value=Decimal(str(entry["baseline"])),
            baseline_date=baseline_date,
            target_value=Decimal(str(entry["target"])),
            target_date=add_months(today, entry["target_months_ahead"]),
            frequency=Frequency(entry["frequency"]),
        )
        for months_ago, value in entry["measurements"]:
            day = add_months(today, -months_ago)
            benefit.indicator.measurements.append(
                Measurement(
                    value=Decimal(str(value)),
                    measured_on=day,
                    author_id=owner.id,
                    created_at=datetime.combine(day, now.timetz()) + timedelta(hours=2),
                )
            )
        db.session.add(benefit)
        count += 1
    db.session.flush()
    return count
