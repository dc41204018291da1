"""Geometry for the SVG floor plans: booths drawn to scale, in metres, from their rectangles.

The templates only place what is computed here (positions, colours, fitted labels), so the
drawing logic is testable without parsing SVG. The public pages draw halls and booths with it,
the live venue page its zones. Links are the caller's: a plan knows no page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import get_language

# One colour per sector position, chosen to stay distinguishable and to carry dark text.
SECTOR_COLOURS = [
    "#8ecae6",
    "#ffb703",
    "#b8e0d2",
    "#f4a6a6",
    "#cdb4db",
    "#ffd6a5",
    "#a3d977",
    "#9bb1ff",
    "#f7c6e0",
    "#c9c9a3",
]
FREE_COLOUR = "#eef1f4"
HIGHLIGHT_COLOUR = "#e63946"


def sector_colour(position: int) -> str:
    return SECTOR_COLOURS[position % len(SECTOR_COLOURS)]


def fit_label(text: str, width_m: float, font_m: float) -> str:
    """Cut a label to what fits across `width_m` at `font_m` (CJK glyphs are a full em wide)."""
    budget = width_m * 0.9
    used = 0.0
    out = []
    for ch in text:
        used += font_m * (1.0 if ord(ch) > 0x2E80 else 0.56)
        if used > budget:
            return "".join(out).rstrip() + "…" if out else ""
        out.append(ch)
    return text


@dataclass
class BoothShape:
    code: str
    x: float
    y: float
    width: float
    depth: float
    fill: str
    title: str
    url: str | None
    code_label: str
    name_label: str
    font: float
    highlighted: bool = False

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def code_y(self) -> float:
        return self.y + self.depth / 2 - (self.font * 0.2 if self.name_label else -self.font * 0.35)

    @property
    def name_y(self) -> float:
        return self.y + self.depth / 2 + self.font * 1.05


@dataclass
class Plan:
    width: float
    depth: float
    shapes: list = field(default_factory=list)
    legend: list = field(default_factory=list)
    margin: float = 2.0

    @property
    def view_box(self) -> str:
        m = self.margin
        return f"{-m} {-m} {self.width + 2 * m} {self.depth + 2 * m}"


def hall_plan(hall, booths, *, exhibitor_url: Callable[[object], str], highlight: str = "") -> Plan:
    """Booths of a hall with their exhibitor's name fitted into the rectangle: a booth may
    carry an `assignment` with its `exhibitor` (named, with a sector), which `exhibitor_url`
    links to."""
    zh = (get_language() or "en").startswith("zh")
    width = float(hall.plan_width or 0) or max((float(b.x + b.width) for b in booths), default=10)
    depth = float(hall.plan_depth or 0) or max((float(b.y + b.depth) for b in booths), default=10)
    plan = Plan(width=width, depth=depth)
    sectors = {}
    for booth in booths:
        w, d = float(booth.width), float(booth.depth)
        font = max(0.45, min(w / 7.0, d / 3.6, 1.5))
        assignment = getattr(booth, "assignment", None)
        exhibitor = assignment.exhibitor if assignment else None
        if exhibitor is not None:
            name = (exhibitor.name_zh if zh else "") or exhibitor.name_en
            fill = sector_colour(exhibitor.sector.position)
            sectors[exhibitor.sector.position] = exhibitor.sector
            url = exhibitor_url(exhibitor)
            title = f"{booth.code} · {name}"
        else:
            name, fill, url, title = "", FREE_COLOUR, None, f"{booth.code}"
        plan.shapes.append(
            BoothShape(
                code=booth.code,
                x=float(booth.x),
                y=float(booth.y),
                width=w,
                depth=d,
                fill=HIGHLIGHT_COLOUR if booth.code == highlight else fill,
                title=title,
                url=url,
                code_label=fit_label(booth.code, w, font * 0.8),
                name_label=fit_label(name, w, font) if d >= font * 2.6 else "",
                font=font,
                highlighted=booth.code == highlight,
            )
        )
    plan.legend = [(sector_colour(pos), sectors[pos]) for pos in sorted(sectors)]
    return plan


@dataclass
class HallShape:
    code: str
    x: float
    y: float
    width: float
    depth: float
    name: str
    url: str
    exhibitors: int
    font: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.depth / 2


def site_plan(halls, *, hall_url: Callable[[object], str]) -> Plan:
    """Every hall that has a place on the site plan, drawn to scale, each linked to
    `hall_url(hall)`."""
    placed = [h for h in halls if h.has_plan]
    width = max((float(h.plan_x + h.plan_width) for h in placed), default=100)
    depth = max((float(h.plan_y + h.plan_depth) for h in placed), default=100)
    plan = Plan(width=width, depth=depth, margin=10)
    for hall in placed:
        w, d = float(hall.plan_width), float(hall.plan_depth)
        plan.shapes.append(
            HallShape(
                code=hall.code,
                x=float(hall.plan_x),
                y=float(hall.plan_y),
                width=w,
                depth=d,
                name=hall.name,
                url=hall_url(hall),
                exhibitors=getattr(hall, "exhibitor_count", 0),
                font=max(4.0, min(w / 6, d / 5, 14.0)),
            )
        )
    return plan
