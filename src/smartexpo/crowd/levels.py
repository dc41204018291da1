"""Crowd-safety levels and alert thresholds, decided in exact integer arithmetic.

Density is people per m² (Fruin's walkway levels of service): A ≤ 0.31, B ≤ 0.43, C ≤ 0.72,
D ≤ 1.08, E ≤ 2.17, F above. A zone's area has one decimal place (`Zone.area_m2`), so with
`area10` = area × 10, "count / area ≤ t / 100" is `1000 × count ≤ t × area10`: no rounding, a
density exactly on a threshold gets the lower level, whatever the float says.

An alert is raised when the count reaches the safe capacity or the level reaches E (density
above 1.08), and cleared only when the count is at most 90 % of capacity and the density at
most 0.97 (docs/api.md). A capacity of 0 means no capacity was set: only density counts then.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

LEVELS = "ABCDEF"
# Upper bounds of levels A–E in hundredths of a person per m².
LEVEL_BOUNDS = (31, 43, 72, 108, 217)
RAISE_DENSITY = 108  # above D: level E
CLEAR_DENSITY = 97
CLEAR_CAPACITY_TENTHS = 9


def area_tenths(area_m2: Decimal | float | int) -> int:
    """The area in tenths of a m² (exact for the one decimal place zones are stored with)."""
    return int((Decimal(str(area_m2)) * 10).to_integral_value())


def level_of(count: int, area10: int) -> str:
    """The walkway level of service of `count` people on `area10` tenths of a m²."""
    scaled = 1000 * count
    for letter, bound in zip(LEVELS, LEVEL_BOUNDS, strict=False):
        if scaled <= bound * area10:
            return letter
    return LEVELS[-1]


def raise_threshold(capacity: int, area10: int) -> int:
    """The lowest count that raises an alert."""
    by_density = (RAISE_DENSITY * area10) // 1000 + 1
    return min(capacity, by_density) if capacity > 0 else by_density


def clear_threshold(capacity: int, area10: int) -> int:
    """The highest count at which a raised alert clears."""
    by_density = (CLEAR_DENSITY * area10) // 1000
    if capacity > 0:
        return min((CLEAR_CAPACITY_TENTHS * capacity) // 10, by_density)
    return by_density


def alert_reason(count: int, capacity: int) -> str:
    """Why an alert was raised at `count`: the capacity, else the density."""
    return "capacity" if capacity > 0 and count >= capacity else "density"


@dataclass(frozen=True)
class ZoneInfo:
    """What occupancy needs of a zone, read once per request or fold."""

    id: int
    code: str
    kind: str
    hall: str | None
    name_en: str
    name_zh: str
    area_m2: Decimal
    capacity: int

    @property
    def area10(self) -> int:
        return area_tenths(self.area_m2)

    @property
    def raise_at(self) -> int:
        return raise_threshold(self.capacity, self.area10)

    @property
    def clear_at(self) -> int:
        return clear_threshold(self.capacity, self.area10)

    def density(self, count: int) -> float:
        return count / float(self.area_m2)

    def level(self, count: int) -> str:
        return level_of(count, self.area10)


def threshold_arrays(zones: dict[int, ZoneInfo], zone_ids: np.ndarray):
    """(raise_at, clear_at) per element of `zone_ids`."""
    ids = np.fromiter(zones, dtype=np.int64, count=len(zones))
    order = np.argsort(ids)
    raises = np.array([zones[i].raise_at for i in ids], dtype=np.int64)[order]
    clears = np.array([zones[i].clear_at for i in ids], dtype=np.int64)[order]
    where = np.searchsorted(ids[order], zone_ids)
    return raises[where], clears[where]
