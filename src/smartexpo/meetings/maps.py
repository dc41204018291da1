"""The map of where a meeting is: the session's tables laid out as a grid (the matchmaking area
has numbered tables, not surveyed positions) with the person's table marked, or the hall's plan
with the exhibitor's booth marked (`venue.floorplan.booth_locator`). Templates only draw what is
computed here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from smartexpo.meetings.models import Meeting
from smartexpo.venue import floorplan
from smartexpo.venue.models import Booth

# A table is drawn as a 2 × 1.2 unit rectangle with a gap around it; rows wider than they are
# deep read like the room on a phone.
TABLE_W, TABLE_D, GAP = 2.0, 1.2, 0.6


@dataclass
class TableCell:
    number: int
    x: float
    y: float
    mine: bool

    @property
    def cx(self) -> float:
        return round(self.x + TABLE_W / 2, 2)

    @property
    def cy(self) -> float:
        # The label's baseline: a little below the middle, so the digits sit centred.
        return round(self.y + TABLE_D / 2 + 0.3, 2)


@dataclass
class TableGrid:
    columns: int
    rows: int
    cells: list[TableCell] = field(default_factory=list)
    table_w: float = TABLE_W
    table_d: float = TABLE_D

    @property
    def width(self) -> float:
        return self.columns * (TABLE_W + GAP) + GAP

    @property
    def depth(self) -> float:
        return self.rows * (TABLE_D + GAP) + GAP

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.depth:g}"


def table_grid(*, tables: int, mine: int | None) -> TableGrid:
    """All `tables` numbered row by row in a grid about twice as wide as deep, `mine` marked."""
    tables = max(int(tables), 1)
    columns = max(1, math.ceil(math.sqrt(tables * 2)))
    columns = min(columns, tables)
    rows = math.ceil(tables / columns)
    grid = TableGrid(columns=columns, rows=rows)
    for n in range(1, tables + 1):
        col, row = (n - 1) % columns, (n - 1) // columns
        grid.cells.append(
            TableCell(
                number=n,
                x=round(GAP + col * (TABLE_W + GAP), 2),
                y=round(GAP + row * (TABLE_D + GAP), 2),
                mine=n == mine,
            )
        )
    return grid


def booth_plan(booth: Booth) -> floorplan.Plan:
    """The booth's hall, small, with the booth marked."""
    booths = list(
        Booth.objects.filter(hall_id=booth.hall_id).only("code", "x", "y", "width", "depth")
    )
    return floorplan.booth_locator(booth.hall, booths, mine={booth.code})


def meeting_map(meeting: Meeting) -> dict:
    """What the page draws for one meeting: `{"kind": "tables", "grid": …}` or
    `{"kind": "booth", "plan": …, "hall": …}`, or {} when there is nothing to draw."""
    if meeting.table is not None:
        return {
            "kind": "tables",
            "grid": table_grid(tables=meeting.session.tables, mine=meeting.table),
            "zone": meeting.session.zone,
            "table": meeting.table,
        }
    if meeting.booth_id:
        return {
            "kind": "booth",
            "plan": booth_plan(meeting.booth),
            "hall": meeting.booth.hall,
            "code": meeting.booth.code,
        }
    return {}
