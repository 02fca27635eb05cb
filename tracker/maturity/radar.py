"""The geometry of the spider (radar) chart, computed here so that the template only draws.

One axis per category, clockwise from the top; 0 % at the centre and 100 % on the outer ring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .figures import CategoryFigure

WIDTH, HEIGHT = 720, 500
CENTRE_X, CENTRE_Y = 360, 250
RADIUS = 180
RINGS = (20, 40, 60, 80, 100)
LABEL_GAP = 22
LINE_LENGTH = 16  # characters per label line


@dataclass(frozen=True)
class Axis:
    x: float  # the outer end of the axis
    y: float
    label_x: float
    label_y: float
    anchor: str  # text-anchor: start, middle or end
    lines: list[str]
    weak: bool


@dataclass(frozen=True)
class Radar:
    width: int
    height: int
    centre_x: int
    centre_y: int
    rings: list[tuple[int, str]]  # (percent, polygon points)
    ticks: list[tuple[int, float, float]]  # (percent, x, y) of the ring labels on the top axis
    axes: list[Axis]
    latest: str  # polygon points; empty when no category has a value
    previous: str
    latest_dots: list[tuple[float, float]]
    previous_dots: list[tuple[float, float]]


def _point(index: int, count: int, percent: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = RADIUS * max(0.0, min(percent, 100.0)) / 100
    return round(CENTRE_X + r * math.cos(angle), 1), round(CENTRE_Y + r * math.sin(angle), 1)


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x},{y}" for x, y in points)


def _wrap(text: str) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LINE_LENGTH:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def radar(categories: list[CategoryFigure], locale: str) -> Radar | None:
    """The chart of the categories in the model's order; None with fewer than three."""
    count = len(categories)
    if count < 3:
        return None
    rings = [(ring, _points([_point(i, count, ring) for i in range(count)])) for ring in RINGS]
    axes = []
    for i, category in enumerate(categories):
        x, y = _point(i, count, 100)
        angle = -math.pi / 2 + 2 * math.pi * i / count
        label_x = CENTRE_X + (RADIUS + LABEL_GAP) * math.cos(angle)
        label_y = CENTRE_Y + (RADIUS + LABEL_GAP) * math.sin(angle)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
        lines = _wrap(category.name(locale))
        if math.sin(angle) < -0.5:  # above the chart: the text grows upwards
            label_y -= 20 * (len(lines) - 1)
        elif math.sin(angle) > 0.5:
            label_y += 10
        axes.append(Axis(x, y, round(label_x, 1), round(label_y, 1), anchor, lines, category.weak))

    def series(values: list[float | None]) -> list[tuple[float, float]]:
        if all(v is None for v in values):
            return []
        return [_point(i, count, v or 0) for i, v in enumerate(values)]

    latest = series([c.latest for c in categories])
    previous = series([c.previous for c in categories])
    ticks = [(ring, CENTRE_X + 4, round(CENTRE_Y - RADIUS * ring / 100 + 12, 1)) for ring in RINGS]
    return Radar(
        WIDTH,
        HEIGHT,
        CENTRE_X,
        CENTRE_Y,
        rings,
        ticks,
        axes,
        _points(latest),
        _points(previous),
        latest,
        previous,
    )
