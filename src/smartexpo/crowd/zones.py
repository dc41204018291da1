"""The zones of an edition as occupancy needs them, read with one query.

Readers use `zone_table`, kept per process with every threshold worked out and each zone's
unchanging part of the occupancy answer already serialised: a dashboard asks for some 900
zones several times a second. The table is kept while the catalogue stamp is unchanged
(`core.stamps`), so a new zone, or a change of a zone's capacity or name, made by any process,
is in the next answer. Folding always reads the zones afresh (`zone_infos`).
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import numpy as np

from smartexpo.core.stamps import READ, StampedCache
from smartexpo.crowd import queries
from smartexpo.crowd.levels import LEVEL_BOUNDS, LEVELS, ZoneInfo

TENTH = Decimal("0.1")


def zone_infos(*, expo_id: int) -> dict[int, ZoneInfo]:
    """The edition's zones by id, in the order zones are listed (position, then creation)."""
    zones: dict[int, ZoneInfo] = {}
    for zone_id, code, kind, hall, name_en, name_zh, area, capacity in queries.zone_rows(expo_id):
        # SQLite hands a decimal column back as a float or int: one decimal place, as stored.
        area = Decimal(str(area)).quantize(TENTH)
        zones[zone_id] = ZoneInfo(
            zone_id, code, kind, hall, name_en, name_zh or name_en, area, capacity
        )
    return zones


@dataclasses.dataclass(frozen=True)
class ZoneTable:
    """The edition's zones in listing order, as arrays for vectorised reads."""

    zones: list[ZoneInfo]
    index: dict[int, int]  # zone id → position
    area: np.ndarray  # m², float
    area10: np.ndarray
    raise_at: np.ndarray
    clear_at: np.ndarray
    # Each zone's answer up to its count: '{"zone": …, "area_m2": …, '
    heads: list[str]

    @classmethod
    def of(cls, zones: dict[int, ZoneInfo]) -> ZoneTable:
        items = list(zones.values())
        return cls(
            items,
            {z.id: i for i, z in enumerate(items)},
            np.array([float(z.area_m2) for z in items], dtype=np.float64),
            np.array([z.area10 for z in items], dtype=np.int64),
            np.array([z.raise_at for z in items], dtype=np.int64),
            np.array([z.clear_at for z in items], dtype=np.int64),
            [_head(z) for z in items],
        )

    def levels(self, counts: np.ndarray) -> list[str]:
        """The walkway level of each zone's count (exact: `crowd.levels`)."""
        scaled = 1000 * counts
        index = np.zeros(len(counts), dtype=np.int64)
        for bound in LEVEL_BOUNDS:
            index += scaled > bound * self.area10
        return [LEVELS[i] for i in index.tolist()]


def _head(zone: ZoneInfo) -> str:
    fixed = {
        "zone": zone.code,
        "kind": zone.kind,
        "hall": zone.hall,
        "name": {"en": zone.name_en, "zh": zone.name_zh},
        "capacity": zone.capacity,
        "area_m2": float(zone.area_m2),
    }
    return json.dumps(fixed, ensure_ascii=False)[:-1] + ", "


_tables: StampedCache[int, ZoneTable] = StampedCache(
    lambda expo_id: ZoneTable.of(zone_infos(expo_id=expo_id))
)


def zone_table(*, expo_id: int, version=READ) -> ZoneTable:
    """The edition's `ZoneTable` as of the catalogue stamp `version` (read now unless given)."""
    return _tables.get(expo_id, version=version)
