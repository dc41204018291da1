"""Crowd's SQL statements: the pending movements, the fold's reads and writes, the frames.

Each function runs one statement (or one kind of statement) on the cursor it is given, so the
caller decides the transaction; `core.db` supplies the parameter style, placeholders and the
differences between the databases.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from smartexpo.core.db import driver_sql, table
from smartexpo.crowd.models import PendingMovement, SensorEvent

_sql: dict[str, str] = {}


def _pending_insert_sql() -> str:
    if "pending_insert" not in _sql:
        _sql["pending_insert"] = driver_sql(
            f"INSERT INTO {table(PendingMovement)} (expo_id, zone_id, at_us, delta, visitor) "
            "VALUES (%s, %s, %s, %s, %s)"
        )
    return _sql["pending_insert"]


def pending_insert(cursor, rows: Sequence[tuple]) -> None:
    """Insert pending movements `(expo_id, zone_id, at_us, delta, visitor)` on a driver cursor."""
    if len(rows) == 1:
        cursor.execute(_pending_insert_sql(), rows[0])
    else:
        cursor.executemany(_pending_insert_sql(), rows)


# Rows per INSERT statement: 8 parameters each, well under SQLite's 32,766.
INSERT_ROWS = 1_000


def sensor_events_insert_returning(rows: list[tuple]) -> list[str]:
    """Insert sensor-event rows `(expo_id, event_id, device_id, zone_id, kind, count, at_us,
    received_us)` whose event id is new to the edition; return the ids that were."""
    head = (
        f"INSERT INTO {table(SensorEvent)} "
        "(expo_id, event_id, device_id, zone_id, kind, count, at, received_at) VALUES "
    )
    tail = " ON CONFLICT (expo_id, event_id) DO NOTHING RETURNING event_id"
    stored: list[str] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_ROWS):
            chunk = rows[start : start + INSERT_ROWS]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(head + values + tail, [v for row in chunk for v in row])
            stored.extend(r[0] for r in cursor.fetchall())
    return stored


def sensor_events_insert_many(cursor, rows) -> int:
    """Insert sensor-event rows (as above) on a driver cursor, skipping ids stored before;
    return how many were stored."""
    if "events_insert" not in _sql:
        _sql["events_insert"] = driver_sql(
            f"INSERT INTO {table(SensorEvent)} (expo_id, event_id, device_id, zone_id, kind, "
            "count, at, received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (expo_id, event_id) DO NOTHING"
        )
    cursor.executemany(_sql["events_insert"], rows)
    return cursor.rowcount
