"""The zones of an edition as occupancy needs them, read with one query.

Readers use `zone_table`, kept per process for a few seconds with every threshold worked out
and each zone's unchanging part of the occupancy answer already serialised: a dashboard asks
for some 900 zones several times a second, and a change of a zone's capacity or name reaches
it within `TABLE_SECONDS` (a new zone too; at once when it has movements, as the occupancy
reader asks for the zones of the frame it read). Folding always reads the zones afresh
(`zone_infos`).
"""

from __future__ import annotations

import dataclasses
import json
import time
from decimal import Decimal

import numpy as np
from django.db import connection

from smartexpo.checkin.driver import driver_cursor, driver_sql
from smartexpo.crowd.levels import LEVEL_BOUNDS, LEVELS, ZoneInfo
from smartexpo.venue.models import Zone

TENTH = Decimal("0.1")
TABLE_SECONDS = 5.0
_SQL: str | None = None


def _sql() -> str:
    global _SQL
    if _SQL is None:
        table = connection.ops.quote_name(Zone._meta.db_table)
        _SQL = driver_sql(
            f"SELECT z.id, z.code, z.kind, h.code, z.name_en, z.name_zh, z.area_m2, z.capacity "  # noqa: S608
            f"FROM {table} z LEFT JOIN {table} h ON h.id = z.hall_id "
            f"WHERE z.expo_id = %s ORDER BY z.position, z.id"
        )
    return _SQL


def zone_infos(*, expo_id: int) -> dict[int, ZoneInfo]:
    """The edition's zones by id, in the order zones are listed (position, then creation)."""
    with driver_cursor() as cursor:
        cursor.execute(_sql(), (expo_id,))
        rows = cursor.fetchall()
    zones: dict[int, ZoneInfo] = {}
    for zone_id, code, kind, hall, name_en, name_zh, area, capacity in rows:
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
    # The zone ids this table answers for: its zones', and those found deleted when it was read.
    known: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @classmethod
    def of(cls, zones: dict[int, ZoneInfo], gone=()) -> ZoneTable:
        items = list(zones.values())
        known = np.array(sorted({*zones, *gone}), dtype=np.int64)
        return cls(
            items,
            {z.id: i for i, z in enumerate(items)},
            np.array([float(z.area_m2) for z in items], dtype=np.float64),
            np.array([z.area10 for z in items], dtype=np.int64),
            np.array([z.raise_at for z in items], dtype=np.int64),
            np.array([z.clear_at for z in items], dtype=np.int64),
            [_head(z) for z in items],
            known,
        )

    def knows(self, ids: np.ndarray) -> bool:
        """Whether every one of these zone ids is in the table, or was gone when it was read."""
        return bool(np.isin(ids, self.known).all())

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


_tables: dict[int, tuple[float, ZoneTable]] = {}


def zone_table(*, expo_id: int, having: np.ndarray | None = None) -> ZoneTable:
    """The edition's `ZoneTable`, at most `TABLE_SECONDS` old, and read again at once if it
    does not know one of the zone ids `having` (a zone made a moment ago, in another process,
    that already has movements: an accepted movement shows as soon as it is answered)."""
    hit = _tables.get(expo_id)
    now = time.monotonic()
    fresh = hit is not None and now - hit[0] < TABLE_SECONDS
    if fresh and (having is None or hit[1].knows(having)):
        return hit[1]
    zones = zone_infos(expo_id=expo_id)
    gone = () if having is None else [z for z in having.tolist() if z not in zones]
    table = ZoneTable.of(zones, gone)
    _tables[expo_id] = (now, table)
    return table


def forget_zone_tables() -> None:
    """Drop the cached tables (tests, whose ids start over)."""
    _tables.clear()
