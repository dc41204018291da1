"""Booth layout: exhibitors packed onto hall floor plans in blocks between aisles.

A hall is a grid of 18 m × 12 m blocks separated by 5 m aisles. A block is six 6 m × 6 m cells
in two rows; a booth is a whole block (island, 216 m²), a full row (108 m²), two cells (72 m²) or
one cell (36 m²). Cells left over become free booths an organiser can still assign.
"""

from __future__ import annotations

from dataclasses import dataclass

BLOCK_W = 18.0
BLOCK_D = 12.0
CELL = 6.0
AISLE = 5.0
MARGIN = 6.0

SIZES = {"L": 6, "M": 3, "R": 2, "S": 1}  # cells per booth size


@dataclass
class PlannedExhibitor:
    """An exhibitor the demo will seed, with the booth size (a key of SIZES) it is packed with."""

    slug: str
    name_en: str
    name_zh: str
    sector: str
    tags: list[str]
    country: str
    website: str
    fortune500: bool
    description_en: str
    description_zh: str
    showcase: list[tuple[str, str, str, str]]
    size: str = "S"


@dataclass
class BoothSpot:
    hall: str
    code: str
    x: float
    y: float
    width: float
    depth: float
    owner: int | None  # index into the exhibitor list, or None for a free booth


def hall_blocks(width: float, depth: float) -> list[tuple[float, float]]:
    """Top-left corners of the blocks that fit the hall, centred, in reading order."""
    cols = int((width - 2 * MARGIN + AISLE) // (BLOCK_W + AISLE))
    rows = int((depth - 2 * MARGIN + AISLE) // (BLOCK_D + AISLE))
    used_w = cols * BLOCK_W + (cols - 1) * AISLE
    used_d = rows * BLOCK_D + (rows - 1) * AISLE
    x0 = (width - used_w) / 2
    y0 = (depth - used_d) / 2
    return [
        (x0 + c * (BLOCK_W + AISLE), y0 + r * (BLOCK_D + AISLE))
        for r in range(rows)
        for c in range(cols)
    ]


def hall_cells(width: float, depth: float) -> int:
    return len(hall_blocks(width, depth)) * SIZES["L"]


def cells_needed(sizes: list[str]) -> int:
    return sum(SIZES[s] for s in sizes)


def pack_hall(
    hall: str, width: float, depth: float, members: list[tuple[int, str]]
) -> list[BoothSpot]:
    """Place `members` (exhibitor index, size) in a hall; returns booths, free ones included.

    Islands take whole blocks first; the other booths fill block rows left to right. The caller
    makes sure the members fit (`fits`).
    """
    blocks = hall_blocks(width, depth)
    islands = [m for m in members if m[1] == "L"]
    others = [m for m in members if m[1] != "L"]
    spots: list[BoothSpot] = []
    block_index = 0
    for owner, _size in islands:
        bx, by = blocks[block_index]
        block_index += 1
        spots.append(BoothSpot(hall, "", bx, by, BLOCK_W, BLOCK_D, owner))

    rows = [
        (bx, by + r * CELL) for bx, by in blocks[block_index:] for r in range(2)
    ]  # each row has 3 cells
    row_index, used = 0, 0
    for owner, size in others:
        cells = SIZES[size]
        if used + cells > 3:
            spots.extend(_free_cells(hall, rows[row_index], used))
            row_index, used = row_index + 1, 0
        rx, ry = rows[row_index]
        spots.append(BoothSpot(hall, "", rx + used * CELL, ry, cells * CELL, CELL, owner))
        used += cells
    if others:
        spots.extend(_free_cells(hall, rows[row_index], used))
        row_index += 1
    for rx, ry in rows[row_index:]:
        spots.extend(_free_cells(hall, (rx, ry), 0))

    # Codes follow reading order on the plan, so neighbours have neighbouring numbers.
    spots.sort(key=lambda s: (s.y, s.x))
    for n, spot in enumerate(spots, start=1):
        spot.code = f"{hall}-{n:03d}"
    return spots


def _free_cells(hall: str, row: tuple[float, float], used: int) -> list[BoothSpot]:
    rx, ry = row
    return [BoothSpot(hall, "", rx + c * CELL, ry, CELL, CELL, None) for c in range(used, 3)]


def fits(width: float, depth: float, sizes: list[str]) -> bool:
    """Whether these booth sizes can be packed in the hall (rows waste at most 2 cells each)."""
    blocks = len(hall_blocks(width, depth))
    islands = sizes.count("L")
    if islands > blocks:
        return False
    rows_left = (blocks - islands) * 2
    rows_needed, used = 0, 3
    for size in (s for s in sizes if s != "L"):
        cells = SIZES[size]
        if used + cells > 3:
            rows_needed, used = rows_needed + 1, 0
        used += cells
    return rows_needed <= rows_left
