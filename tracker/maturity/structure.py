"""The six categories of the maturity model, two dimensions of three.

DiMiOS does not publish its export format or category labels in a machine-readable form; these
keys and names are our own labels for the public description of the model. Questions are not
fixed here: each round's file brings its questions, and a question key names the same question
in every round.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Dimension, MaturityCategory

# (key, dimension, Swedish name, English name)
CATEGORIES: tuple[tuple[str, Dimension, str, str], ...] = (
    ("strategi", Dimension.CAPABILITY, "Strategi och ledning", "Strategy and leadership"),
    ("kompetens", Dimension.CAPABILITY, "Kompetens och kultur", "Skills and culture"),
    (
        "innovation",
        Dimension.CAPABILITY,
        "Innovation och tjänsteutveckling",
        "Innovation and service development",
    ),
    ("information", Dimension.LEGACY, "Informationshantering", "Information management"),
    ("teknik", Dimension.LEGACY, "Teknik och infrastruktur", "Technology and infrastructure"),
    ("processer", Dimension.LEGACY, "Processer och arbetssätt", "Processes and ways of working"),
)


def ensure_categories() -> list[MaturityCategory]:
    """The six categories, created if missing (on the first import, or by the demo). Flushes."""
    existing = {c.key: c for c in db.session.scalars(select(MaturityCategory))}
    for order, (key, dimension, name_sv, name_en) in enumerate(CATEGORIES, start=1):
        if key not in existing:
            existing[key] = MaturityCategory(
                key=key, dimension=dimension, name_sv=name_sv, name_en=name_en, sort_order=order
            )
            db.session.add(existing[key])
    db.session.flush()
    return sorted(existing.values(), key=lambda c: (c.sort_order, c.id))


def categories() -> list[MaturityCategory]:
    """The categories as stored, in their order (empty before the first round)."""
    return list(
        db.session.scalars(
            select(MaturityCategory).order_by(MaturityCategory.sort_order, MaturityCategory.id)
        )
    )
