"""The zones of an edition as occupancy needs them, read with one query."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from smartexpo.checkin.driver import driver_cursor, driver_sql
from smartexpo.crowd.levels import ZoneInfo
from smartexpo.venue.models import Zone

TENTH = Decimal("0.1")
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
