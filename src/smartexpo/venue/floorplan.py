"""Geometry for the SVG floor plans: booths drawn to scale, in metres, from their rectangles.

The templates only place what is computed here (positions, colours, fitted labels), so the
drawing logic is testable without parsing SVG. The public pages draw halls and booths with it,
the live venue page its zones. Links are the caller's: a plan knows no page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from smartexpo.venue.models import booth_code_key

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
# A booth with nobody the public may see there is an outline with its code, to everyone;
# only organisers are told which of those are free, in a colour of their own.
EMPTY_COLOUR = "#ffffff"
FREE_COLOUR = "#d8f3dc"
HIGHLIGHT_COLOUR = "#e63946"


def sector_colour(position: int) -> str:
    return SECTOR_COLOURS[position % len(SECTOR_COLOURS)]


def label_width(text: str, font_m: float) -> float:
    """About how wide `text` is drawn at `font_m` (CJK glyphs a full em, others 0.56)."""
    return sum(font_m * (1.0 if ord(ch) > 0x2E80 else 0.56) for ch in text)


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
    free: bool = False

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
    neighbours: list = field(default_factory=list)
    gates: list = field(default_factory=list)
    marker: tuple[float, float, float] | None = None

    @property
    def view_box(self) -> str:
        m = self.margin
        return f"{-m} {-m} {self.width + 2 * m} {self.depth + 2 * m}"


def _hall_size(hall, booths) -> tuple[float, float]:
    width = float(hall.plan_width or 0) or max((float(b.x + b.width) for b in booths), default=10)
    depth = float(hall.plan_depth or 0) or max((float(b.y + b.depth) for b in booths), default=10)
    return width, depth


def hall_plan(
    hall,
    booths,
    *,
    exhibitor_url: Callable[[object], str],
    highlight: str = "",
    free: set[str] | None = None,
) -> Plan:
    """Booths of a hall with their exhibitor's name fitted into the rectangle: a booth may
    carry an `assignment` with its `exhibitor` (named, with a sector), which `exhibitor_url`
    links to. `free`: the codes of the booths nobody holds, given for organisers only; the
    public's plan draws every booth without an exhibitor alike."""
    zh = (get_language() or "en").startswith("zh")
    width, depth = _hall_size(hall, booths)
    plan = Plan(width=width, depth=depth)
    sectors = {}
    marked = booth_code_key(highlight)
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
        elif free is not None and booth.code in free:
            name, fill, url = _("free"), FREE_COLOUR, None
            title = _("%(code)s · free") % {"code": booth.code}
        else:
            name, fill, url, title = "", EMPTY_COLOUR, None, booth.code
        highlighted = bool(marked) and booth_code_key(booth.code) == marked
        plan.shapes.append(
            BoothShape(
                code=booth.code,
                x=float(booth.x),
                y=float(booth.y),
                width=w,
                depth=d,
                fill=HIGHLIGHT_COLOUR if highlighted else fill,
                title=title,
                url=url,
                code_label=fit_label(booth.code, w, font * 0.8),
                name_label=fit_label(name, w, font) if d >= font * 2.6 else "",
                font=font,
                highlighted=highlighted,
                free=fill == FREE_COLOUR,
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


def site_plan(halls, *, hall_url: Callable[[object], str], gates=()) -> Plan:
    """Every hall that has a place on the site plan, drawn to scale, each linked to
    `hall_url(hall)`; `gates` into those halls are marked on the side `gate_side` gives."""
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
    by_hall: dict[int, list] = {}
    for gate in gates:
        by_hall.setdefault(gate.zone_id, []).append(gate)
    for hall in placed:
        doors = by_hall.get(hall.pk, [])
        side = gate_side(hall, placed)
        w, d = float(hall.plan_width), float(hall.plan_depth)
        length = w if side in ("north", "south") else d
        slot = length / max(len(doors), 1)
        door = min(slot * 0.6, max(6.0, length * 0.12))
        for i, gate in enumerate(doors):
            middle = slot * (i + 0.5)
            x, y, bw, bd = _band(side, middle - door / 2, middle + door / 2, 0, 3.0, w, d)
            plan.gates.append(
                SideLabel(
                    code=gate.code,
                    name=gate.name,
                    side=side,
                    x=x + float(hall.plan_x),
                    y=y + float(hall.plan_y),
                    width=bw,
                    depth=bd,
                    label="",
                    font=0,
                )
            )
    return plan


# --- around a hall: its gates and its neighbours ------------------------------------------

SIDES = ("north", "east", "south", "west")
# Halls closer than this leave a passage between them, not a forecourt a gate would open on.
NARROW_PASSAGE_M = 20.0
# A hall further than this on one side (across more than an avenue) is no longer next door.
NEIGHBOUR_MAX_GAP_M = 80.0


def _rect(hall) -> tuple[float, float, float, float]:
    x, y = float(hall.plan_x), float(hall.plan_y)
    return x, y, x + float(hall.plan_width), y + float(hall.plan_depth)


def _facing(a, b) -> tuple[str, float, float, float] | None:
    """The side of `a` that `b` lies on, the gap between them and the stretch of that side
    they share (in `a`'s own metres from its north-west corner); None unless they face."""
    ax0, ay0, ax1, ay1 = a
    bx0, by0, bx1, by1 = b
    across_x = (max(ax0, bx0), min(ax1, bx1))
    across_y = (max(ay0, by0), min(ay1, by1))
    if across_x[1] > across_x[0]:
        lo, hi = across_x[0] - ax0, across_x[1] - ax0
        if by1 <= ay0:
            return "north", ay0 - by1, lo, hi
        if by0 >= ay1:
            return "south", by0 - ay1, lo, hi
    if across_y[1] > across_y[0]:
        lo, hi = across_y[0] - ay0, across_y[1] - ay0
        if bx1 <= ax0:
            return "west", ax0 - bx1, lo, hi
        if bx0 >= ax1:
            return "east", bx0 - ax1, lo, hi
    return None


def hall_neighbours(hall, halls) -> list[tuple[str, object, float, float]]:
    """The halls next to `hall` on the site plan: on each side, the nearest ones facing it
    (within `NEIGHBOUR_MAX_GAP_M`), as (side, hall, from, to) with the stretch of the side
    they face, in the hall's own metres."""
    if not hall.has_plan:
        return []
    mine = _rect(hall)
    by_side: dict[str, list] = {}
    for other in halls:
        if other.pk == hall.pk or not other.has_plan:
            continue
        facing = _facing(mine, _rect(other))
        if facing is not None and facing[1] <= NEIGHBOUR_MAX_GAP_M:
            side, gap, lo, hi = facing
            by_side.setdefault(side, []).append((gap, lo, hi, other))
    found = []
    for side in SIDES:
        near = sorted(by_side.get(side, []), key=lambda item: (item[0], item[1]))
        if near:
            nearest = near[0][0]
            found += [(side, o, lo, hi) for gap, lo, hi, o in near if gap <= nearest + 1.0]
    return found


def gate_side(hall, halls) -> str:
    """The side a hall's gates are drawn on. Gates have no place of their own in the data, so
    the plan puts them where a visitor would look: on a side that opens onto space rather
    than a narrow passage to the next hall, the one facing the middle of the site among
    those (north first when it is a tie)."""
    if not hall.has_plan:
        return "north"
    mine = _rect(hall)
    placed = [_rect(h) for h in halls if h.has_plan] or [mine]
    site_x = (min(r[0] for r in placed) + max(r[2] for r in placed)) / 2
    site_y = (min(r[1] for r in placed) + max(r[3] for r in placed)) / 2
    to_x, to_y = site_x - (mine[0] + mine[2]) / 2, site_y - (mine[1] + mine[3]) / 2
    blocked = {
        facing[0]
        for other in halls
        if other.pk != hall.pk and other.has_plan
        for facing in [_facing(mine, _rect(other))]
        if facing is not None and facing[1] < NARROW_PASSAGE_M
    }
    normals = {"north": (0, -1), "east": (1, 0), "south": (0, 1), "west": (-1, 0)}
    open_sides = [s for s in SIDES if s not in blocked] or list(SIDES)
    return max(open_sides, key=lambda s: normals[s][0] * to_x + normals[s][1] * to_y)


@dataclass
class SideLabel:
    """A labelled band along one side of a hall, outside its walls: a neighbouring hall (a
    link) or a gate (a door on the wall)."""

    code: str
    name: str
    side: str
    x: float
    y: float
    width: float
    depth: float
    label: str
    font: float
    url: str = ""

    @property
    def vertical(self) -> bool:
        return self.side in ("east", "west")

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.depth / 2

    @property
    def rotate(self) -> int:
        return {"east": 90, "west": -90}.get(self.side, 0)


def _band(side: str, lo: float, hi: float, near: float, far: float, w: float, d: float):
    """(x, y, width, depth) of a band outside the hall along `side`, from `lo` to `hi` along
    it and from `near` to `far` metres off the wall."""
    thick = far - near
    return {
        "north": (lo, -far, hi - lo, thick),
        "south": (lo, d + near, hi - lo, thick),
        "west": (-far, lo, thick, hi - lo),
        "east": (w + near, lo, thick, hi - lo),
    }[side]


def _gate_label(gate, room: float, font: float) -> str:
    name = fit_label(gate.name, room, font)
    return name if name == gate.name else fit_label(gate.code, room, font)


def surround(plan: Plan, hall, halls, gates, *, hall_url: Callable[[object], str]) -> Plan:
    """Add to a hall's plan what is around it: its gates, as doors on the wall chosen by
    `gate_side`, each labelled; and its neighbours, as labelled bands on their side linking
    to `hall_url(neighbour)`. The margin grows to hold both."""
    w, d = plan.width, plan.depth
    m = max(4.0, 0.1 * max(w, d))
    plan.margin = m
    font = m * 0.2
    for side, other, lo, hi in hall_neighbours(hall, halls):
        x, y, bw, bd = _band(side, lo, hi, 0.5 * m, 0.9 * m, w, d)
        length = hi - lo
        plan.neighbours.append(
            SideLabel(
                code=other.code,
                name=other.name,
                side=side,
                x=x,
                y=y,
                width=bw,
                depth=bd,
                label=fit_label(other.name, length, font) or other.code,
                font=font,
                url=hall_url(other),
            )
        )
    side = gate_side(hall, halls)
    length = w if side in ("north", "south") else d
    gates = list(gates)
    slot = length / max(len(gates), 1)
    for i, gate in enumerate(gates):
        label = _gate_label(gate, slot * 0.95, font)
        # The door is as wide as its label, within its share of the wall.
        door = min(slot * 0.95, max(4.0, label_width(label, font) + font))
        middle = slot * (i + 0.5)
        x, y, bw, bd = _band(side, middle - door / 2, middle + door / 2, 0, 0.45 * m, w, d)
        plan.gates.append(
            SideLabel(
                code=gate.code,
                name=gate.name,
                side=side,
                x=x,
                y=y,
                width=bw,
                depth=bd,
                label=label,
                font=font,
            )
        )
    return plan


@dataclass
class LocatorShape:
    code: str
    x: float
    y: float
    width: float
    depth: float
    mine: bool


def booth_locator(hall, booths, *, mine: set[str]) -> Plan:
    """A hall drawn small to find booths in: every booth an outline, with nobody's name and
    nothing said of which are free, the booths in `mine` marked. `plan.marker` rings the
    first of them (a 6 m booth is a dozen pixels across a phone)."""
    width, depth = _hall_size(hall, booths)
    plan = Plan(width=width, depth=depth, margin=max(1.0, 0.02 * max(width, depth)))
    for booth in booths:
        plan.shapes.append(
            LocatorShape(
                code=booth.code,
                x=float(booth.x),
                y=float(booth.y),
                width=float(booth.width),
                depth=float(booth.depth),
                mine=booth.code in mine,
            )
        )
    marked = [s for s in plan.shapes if s.mine]
    if marked:
        first = marked[0]
        radius = max(first.width, first.depth) / 2 + 0.04 * max(width, depth)
        cx, cy = first.x + first.width / 2, first.y + first.depth / 2
        plan.marker = (cx, cy, radius)
        # The ring stays in the picture when the booth is against a wall.
        room = min(cx, cy, width - cx, depth - cy)
        plan.margin = max(plan.margin, radius - room + 0.5)
    return plan
