"""Crowd's SQL statements: the pending movements, the fold's reads and writes, the frames.

Each function runs one statement (or one kind of statement) on the cursor it is given, so the
caller decides the transaction; `core.db` supplies the parameter style, placeholders and the
differences between the databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection

from smartexpo.core.db import (
    chunks,
    driver_cursor,
    driver_sql,
    is_postgresql,
    is_sqlite,
    placeholders,
    table,
)
from smartexpo.crowd.models import (
    BoothVisit,
    OccupancyFrame,
    OccupancyMinute,
    PendingMovement,
    SensorEvent,
    ZoneDay,
)
from smartexpo.venue.models import Zone

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
        for chunk in chunks(rows, INSERT_ROWS):
            values = ", ".join([f"({placeholders(8)})"] * len(chunk))
            cursor.execute(head + values + tail, [v for row in chunk for v in row])
            stored.extend(r[0] for r in cursor.fetchall())
    return stored


def booth_visits_insert(rows: list[tuple]) -> None:
    """Insert booth-visit rows `(expo_id, serial, zone_id, day, at)`, keeping the first of a
    ticket's visits to a zone on a day (the others are the same visit)."""
    head = f"INSERT INTO {table(BoothVisit)} (expo_id, serial, zone_id, day, at) VALUES "
    tail = " ON CONFLICT (expo_id, serial, zone_id, day) DO NOTHING"
    ops = connection.ops
    rows = [
        (expo, serial, zone, ops.adapt_datefield_value(day), ops.adapt_datetimefield_value(at))
        for expo, serial, zone, day, at in rows
    ]
    with connection.cursor() as cursor:
        for chunk in chunks(rows, INSERT_ROWS):
            values = ", ".join([f"({placeholders(5)})"] * len(chunk))
            cursor.execute(head + values + tail, [v for row in chunk for v in row])


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


# --- the fold's lock and its queue ---------------------------------------------------------

# PostgreSQL advisory lock class of the fold (its key is the edition's id).
FOLD_LOCK_CLASS = 0x5E_F0_1D


def fold_lock(expo_id: int) -> None:
    """Serialise folds of one edition (inside a transaction). SQLite needs nothing: its write
    transactions are serial already; PostgreSQL takes a transaction-scoped advisory lock."""
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FOLD_LOCK_CLASS, expo_id])


def pending_exists(expo_id: int) -> bool:
    """Whether movements of the edition wait to be folded (one indexed probe)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table(PendingMovement)} WHERE expo_id = %s LIMIT 1", [expo_id]
        )
        return cursor.fetchone() is not None


def pending_first(expo_id: int, limit: int) -> list[tuple]:
    """The edition's oldest waiting movements: `(id, zone_id, at_us, delta, visitor)` rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, zone_id, at_us, delta, visitor FROM {table(PendingMovement)} "
            f"WHERE expo_id = %s ORDER BY id LIMIT %s",
            [expo_id, limit],
        )
        return cursor.fetchall()


def pending_delete(expo_id: int, ids: list[int]) -> None:
    """Delete folded movements. On SQLite the write lock has been held since they were read,
    so every row up to the highest id was among them; on PostgreSQL a row with a lower id may
    commit later, so exactly these ids go."""
    with connection.cursor() as cursor:
        if is_sqlite():
            cursor.execute(
                f"DELETE FROM {table(PendingMovement)} WHERE expo_id = %s AND id <= %s",
                [expo_id, max(ids)],
            )
        else:
            cursor.execute(f"DELETE FROM {table(PendingMovement)} WHERE id = ANY(%s)", [ids])


# --- zones ---------------------------------------------------------------------------------


def zone_rows(expo_id: int) -> list[tuple]:
    """The edition's zones in listing order (position, then creation): `(id, code, kind, hall
    code, name_en, name_zh, area_m2, capacity)`."""
    if "zones" not in _sql:
        zones = table(Zone)
        _sql["zones"] = driver_sql(
            f"SELECT z.id, z.code, z.kind, h.code, z.name_en, z.name_zh, z.area_m2, z.capacity "
            f"FROM {zones} z LEFT JOIN {zones} h ON h.id = z.hall_id "
            f"WHERE z.expo_id = %s ORDER BY z.position, z.id"
        )
    with driver_cursor() as cursor:
        cursor.execute(_sql["zones"], (expo_id,))
        return cursor.fetchall()


# --- the minutes of the occupancy history --------------------------------------------------

# (zone, period, minute) conditions per statement.
OR_CHUNK = 150


def minutes_first_per_period(zone_ids: list[int]) -> list[tuple]:
    """`(zone_id, period, first stored minute)` of every stored period of these zones."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT zone_id, period, MIN(minute) FROM {table(OccupancyMinute)} "
            f"WHERE zone_id IN ({placeholders(len(zone_ids))}) GROUP BY zone_id, period",
            zone_ids,
        )
        return cursor.fetchall()


def minutes_from(spans: list[tuple[int, dt.date, int]]) -> list[tuple]:
    """The stored minutes of each `(zone, period, first minute)` span from its first minute
    on: `(zone_id, period, minute, count_in, alert_in, entries, exits, moves)` rows."""
    adapt = connection.ops.adapt_datefield_value
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in chunks(spans, OR_CHUNK):
            where = " OR ".join(["(zone_id = %s AND period = %s AND minute >= %s)"] * len(chunk))
            params = [v for zone, period, first in chunk for v in (zone, adapt(period), first)]
            cursor.execute(
                f"SELECT zone_id, period, minute, count_in, alert_in, entries, exits, moves "
                f"FROM {table(OccupancyMinute)} WHERE {where}",
                params,
            )
            rows.extend(cursor.fetchall())
    return rows


def minutes_last_before(spans: list[tuple[int, dt.date, int]]) -> list[tuple]:
    """For each `(zone, period, minute)`: the last stored minute before it, as
    `(zone_id, period, count_out, alert_out)` (none for a span that starts its period)."""
    adapt = connection.ops.adapt_datefield_value
    one = (
        f"SELECT * FROM (SELECT zone_id, period, count_out, alert_out "
        f"FROM {table(OccupancyMinute)} WHERE zone_id = %s AND period = %s AND minute < %s "
        f"ORDER BY minute DESC LIMIT 1) AS prev"
    )
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in chunks(spans, OR_CHUNK):
            params = [v for zone, period, first in chunk for v in (zone, adapt(period), first)]
            cursor.execute(" UNION ALL ".join([one] * len(chunk)), params)
            rows.extend(cursor.fetchall())
    return rows


def minutes_path(period: dt.date, bounds: list[tuple[int, int, int | None]]) -> list[tuple]:
    """For each `(zone, first minute, upper minute or None)`: the stored minutes of the period
    in `[first, upper)`, as `(zone_id, minute, count_in, alert_in, moves)` rows."""
    found: list[tuple] = []
    day = connection.ops.adapt_datefield_value(period)
    with driver_cursor() as cursor:
        for chunk in chunks(bounds, OR_CHUNK):
            where, params = [], []
            for zone_id, first, upper in chunk:
                if upper is None:
                    where.append("(zone_id = %s AND period = %s AND minute >= %s)")
                    params += [zone_id, day, first]
                else:
                    where.append("(zone_id = %s AND period = %s AND minute >= %s AND minute < %s)")
                    params += [zone_id, day, first, upper]
            cursor.execute(
                driver_sql(
                    f"SELECT zone_id, minute, count_in, alert_in, moves "
                    f"FROM {table(OccupancyMinute)} WHERE {' OR '.join(where)}"
                ),
                params,
            )
            found.extend(cursor.fetchall())
    return found


MINUTE_COLUMNS = (
    "zone_id, period, minute, count_in, count_out, peak, entries, exits, clamped, "
    "person_us, alert_in, alert_out, moves"
)


def minutes_upsert(rows: list[tuple]) -> None:
    """Insert or replace minutes (rows of `MINUTE_COLUMNS`)."""
    if not rows:
        return
    if "minutes_upsert" not in _sql:
        updates = ", ".join(f"{c} = excluded.{c}" for c in MINUTE_COLUMNS.split(", ")[3:])
        _sql["minutes_upsert"] = driver_sql(
            f"INSERT INTO {table(OccupancyMinute)} ({MINUTE_COLUMNS}) "
            f"VALUES ({placeholders(13)}) "
            f"ON CONFLICT (zone_id, period, minute) DO UPDATE SET {updates}"
        )
    # The driver's cursor: Django's SQLite executemany tees (buffers) every row.
    with driver_cursor() as cursor:
        cursor.executemany(_sql["minutes_upsert"], rows)


# --- zone days -----------------------------------------------------------------------------


def zone_days_update(counts: list[tuple], visitors: list[tuple]) -> None:
    """Update zone days: `(closing_count, entries, exits, id)` rows, and `(visitors bitmap,
    id)` rows. One prepared UPDATE per row, not bulk_update's CASE over hundreds of rows (a
    live fold touches every zone's day each second; the CASE form cost half a second)."""
    days = table(ZoneDay)
    with driver_cursor() as cursor:
        if counts:
            cursor.executemany(
                driver_sql(
                    f"UPDATE {days} SET closing_count = %s, entries = %s, exits = %s WHERE id = %s"
                ),
                counts,
            )
        if visitors:
            cursor.executemany(
                driver_sql(f"UPDATE {days} SET visitors = %s WHERE id = %s"), visitors
            )


# --- frames --------------------------------------------------------------------------------


def frame_row_at(expo_id: int, period: dt.date, minute: int) -> tuple | None:
    """The latest frame of a count period at or before a minute: `(minute, zone_ids, counts,
    alerts, moves)`."""
    with driver_cursor() as cursor:
        cursor.execute(
            driver_sql(
                f"SELECT minute, zone_ids, counts, alerts, moves FROM {table(OccupancyFrame)} "
                "WHERE expo_id = %s AND period = %s AND minute <= %s "
                "ORDER BY minute DESC LIMIT 1"
            ),
            (expo_id, connection.ops.adapt_datefield_value(period), minute),
        )
        return cursor.fetchone()


def frames_replace(expo_id: int, starts: dict[dt.date, int], rows: list[tuple]) -> None:
    """Delete each period's frames from its first rebuilt minute on (`starts`), then insert
    `(expo_id, period, minute, zone_ids, counts, alerts, moves)` rows."""
    frames = table(OccupancyFrame)
    adapt = connection.ops.adapt_datefield_value
    with driver_cursor() as cursor:
        for period, first in starts.items():
            cursor.execute(
                driver_sql(
                    f"DELETE FROM {frames} WHERE expo_id = %s AND period = %s AND minute >= %s"
                ),
                (expo_id, adapt(period), first),
            )
        if rows:
            cursor.executemany(
                driver_sql(
                    f"INSERT INTO {frames} (expo_id, period, minute, zone_ids, counts, alerts, "
                    "moves) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                ),
                rows,
            )


# --- predictions ---------------------------------------------------------------------------


def minute_counts(zone_ids: list[int], period: dt.date, before: int | None) -> list[tuple]:
    """The stored minutes of these zones in one count period, before the minute `before` if
    given: `(zone_id, minute, count_out)` rows, in no particular order."""
    if not zone_ids:
        return []
    sql = (
        f"SELECT zone_id, minute, count_out FROM {table(OccupancyMinute)} "
        f"WHERE zone_id IN ({placeholders(len(zone_ids))}) AND period = %s"
    )
    params = [*zone_ids, connection.ops.adapt_datefield_value(period)]
    if before is not None:
        sql += " AND minute < %s"
        params.append(before)
    with driver_cursor() as cursor:
        cursor.execute(driver_sql(sql), params)
        return cursor.fetchall()


def minute_flows(zone_ids: list[int], period: dt.date, before: int) -> list[tuple]:
    """The stored minutes of these zones in one count period before the minute `before`:
    `(zone_id, minute, count_out, exits, person_us, entries)` rows, in no particular order."""
    if not zone_ids:
        return []
    sql = (
        "SELECT zone_id, minute, count_out, exits, person_us, entries "
        f"FROM {table(OccupancyMinute)} "
        f"WHERE zone_id IN ({placeholders(len(zone_ids))}) AND period = %s AND minute < %s"
    )
    params = [*zone_ids, connection.ops.adapt_datefield_value(period), before]
    with driver_cursor() as cursor:
        cursor.execute(driver_sql(sql), params)
        return cursor.fetchall()


def zone_day_totals(zone_ids: list[int], periods: list[dt.date]) -> list[tuple]:
    """`(zone_id, period, entries, exits, minutes, sum of minutes)` of these zones' stored days
    among `periods`: the fold adds every movement to entries or exits, and the minutes stored
    (read from the unique index alone) tell apart histories of equal totals."""
    if not zone_ids or not periods:
        return []
    adapt = connection.ops.adapt_datefield_value
    zones, days = placeholders(len(zone_ids)), placeholders(len(periods))
    with driver_cursor() as cursor:
        cursor.execute(
            driver_sql(
                f"SELECT d.zone_id, d.period, d.entries, d.exits, m.n, m.total "
                f"FROM {table(ZoneDay)} d JOIN (SELECT zone_id, period, COUNT(*) AS n, "
                f"SUM(minute) AS total FROM {table(OccupancyMinute)} "
                f"WHERE zone_id IN ({zones}) AND period IN ({days}) GROUP BY zone_id, period) m "
                f"ON m.zone_id = d.zone_id AND m.period = d.period"
            ),
            [*zone_ids, *(adapt(p) for p in periods)],
        )
        return cursor.fetchall()
