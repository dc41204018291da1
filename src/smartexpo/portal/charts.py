"""Small charts drawn on the server as SVG: bars (visits per day, per hour) and a line
(occupancy over a day).

The portal's charts are a handful of numbers each, so they are drawn here rather than by the
live venue page's plotly.js (3.5 MB of script for a phone): they show without JavaScript, scale
to any width from the same drawing (text stays legible at 360 px because the drawing is made
for that width and only grows on wider screens), and every page that has one also lists its
numbers in a table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString

# The drawing's own units: its width is a phone's, and CSS scales it up to the column.
WIDTH = 360
HEIGHT = 190
LEFT = 42  # room for the value axis' labels
RIGHT = 8
TOP = 12
BOTTOM = 28  # room for the category labels
LABEL_GAP = 34  # at least this much between two category labels (units of the drawing)


@dataclass(frozen=True)
class Point:
    """One value of a chart: its label on the axis (may be empty to thin crowded axes), the
    value, and the text a pointer shows over it."""

    label: str
    value: float
    title: str


def nice_ceiling(value: float) -> float:
    """The value axis' top: 1, 2, 2.5 or 5 times a power of ten, at least `value` (at least 1,
    so that an empty chart still has an axis)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10 × power ≥ value


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _axis(top: float) -> SafeString:
    """Three gridlines (0, half, top) with their values."""
    parts = []
    for value in (0, top / 2, top):
        y = f"{_y(value, top):.1f}"
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="tick" x="{}" y="{}" dy="3" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                y,
                y,
                LEFT - 4,
                y,
                _number(value),
            )
        )
    return SafeString("".join(parts))


def _every(slot: float) -> int:
    """Label every n-th category so that labels never overlap."""
    return max(1, math.ceil(LABEL_GAP / slot)) if slot else 1


def _frame(name: str, title: str, description: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" data-chart="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}" preserveAspectRatio="xMidYMid meet"><title>{}</title>'
        "<desc>{}</desc>{}</svg>",
        name,
        WIDTH,
        HEIGHT,
        title,
        title,
        description,
        body,
    )


def bar_chart(
    name: str,
    points: list[Point],
    *,
    title: str,
    description: str = "",
    reference: float | None = None,
    reference_label: str = "",
) -> SafeString:
    """Vertical bars, one per point, with an optional dashed reference line (an average)."""
    top = nice_ceiling(max([p.value for p in points] + [reference or 0, 0]))
    inner = WIDTH - LEFT - RIGHT
    slot = inner / max(1, len(points))
    every = _every(slot)
    base = _y(0, top)
    parts = [_axis(top)]
    for i, point in enumerate(points):
        x = LEFT + i * slot + slot * 0.15
        y = _y(point.value, top)
        parts.append(
            format_html(
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}" data-value="{}">'
                "<title>{}</title></rect>",
                f"{x:.1f}",
                f"{y:.1f}",
                f"{slot * 0.7:.1f}",
                f"{base - y:.1f}",
                _number(point.value),
                point.title,
            )
        )
        if point.label and i % every == 0:
            parts.append(
                format_html(
                    '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{LEFT + (i + 0.5) * slot:.1f}",
                    HEIGHT - BOTTOM + 16,
                    point.label,
                )
            )
    if reference is not None:
        y = f"{_y(reference, top):.1f}"
        parts.append(
            format_html(
                '<line class="reference" x1="{}" x2="{}" y1="{}" y2="{}"><title>{}</title></line>',
                LEFT,
                WIDTH - RIGHT,
                y,
                y,
                reference_label,
            )
        )
    return _frame(name, title, description, SafeString("".join(parts)))


def line_chart(name: str, points: list[Point], *, title: str, description: str = "") -> SafeString:
    """A line over evenly spaced points, the area under it shaded; a point's label, when it
    has one, is written under it (the caller labels the whole hours)."""
    top = nice_ceiling(max([p.value for p in points] + [0]))
    inner = WIDTH - LEFT - RIGHT
    step = inner / max(1, len(points) - 1)
    xy = [(LEFT + i * step, _y(p.value, top)) for i, p in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    parts = [_axis(top)]
    if xy:
        base = _y(0, top)
        area = f"{xy[0][0]:.1f},{base:.1f} {path} {xy[-1][0]:.1f},{base:.1f}"
        parts.append(format_html('<polygon class="area" points="{}"></polygon>', area))
        parts.append(format_html('<polyline class="line" points="{}"></polyline>', path))
    labelled = [i for i, p in enumerate(points) if p.label]
    gap = (labelled[1] - labelled[0]) * step if len(labelled) > 1 else inner
    every = _every(gap)
    for n, i in enumerate(labelled):
        if n % every == 0:
            parts.append(
                format_html(
                    '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{xy[i][0]:.1f}",
                    HEIGHT - BOTTOM + 16,
                    points[i].label,
                )
            )
    # Invisible marks carry each point's value for a pointer (and for tests).
    parts.extend(
        format_html(
            '<circle class="mark" cx="{}" cy="{}" r="3" data-value="{}"><title>{}</title></circle>',
            f"{x:.1f}",
            f"{y:.1f}",
            _number(p.value),
            p.title,
        )
        for (x, y), p in zip(xy, points, strict=True)
    )
    return _frame(name, title, description, SafeString("".join(parts)))
