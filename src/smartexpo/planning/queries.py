"""The attendance forecast's SQL: an edition's registrations binned by booking day, and its
gate admissions binned by 15 minutes, counted in the database.

An edition of 700,000 visitors has about a million ticket-days and two million scans; the
forecast needs a few thousand counts of them, so the binning is done by the database (times
as whole seconds since 1970, `core.db.epoch_seconds`) and only the counts come back.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from smartexpo.checkin.models import Direction, Scan, ScanResult
from smartexpo.core.db import date_value, epoch_seconds, placeholders, table
from smartexpo.tickets.models import Ticket, TicketDay, TicketStatus

DAY_S = 86_400
PERIOD_S = 900
# Added before an integer division and taken off after it, so that it floors negative leads
# (bookings made after the opening) as it floors positive ones: both databases truncate.
_FAR_DAYS = 100_000


def _epoch(at: dt.datetime) -> int:
    return int(at.timestamp())


def _at(value: dt.datetime):
    """An aware datetime as the database compares it (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def bookings(
    *,
    expo_id: int,
    opening: dt.datetime,
    until: dt.datetime | None = None,
    after: dt.datetime | None = None,
    ids: tuple[int, int] | None = None,
) -> list[tuple[int, dt.date, int, int]]:
    """(ticket type id, day, whole days before `opening` it was booked, ticket-days) for the
    edition's valid tickets booked by `until` (all when None), after `after` (when given) and
    whose id is in `ids` (low excluded, high included; all when None). A booking at 08:59 on
    the opening day is 0 days before a 09:00 opening; one made at 09:00 is −1."""
    created = epoch_seconds("t.created_at")
    sql = (
        f"SELECT t.ticket_type_id, d.day, "
        f"({_epoch(opening) + _FAR_DAYS * DAY_S} - {created} - 1) / {DAY_S} - {_FAR_DAYS}, "
        f"COUNT(*) FROM {table(TicketDay)} d JOIN {table(Ticket)} t ON t.id = d.ticket_id "
        "WHERE d.expo_id = %s AND d.valid = %s"
    )
    params: list = [expo_id, True]
    if until is not None:
        sql += " AND t.created_at <= %s"
        params.append(_at(until))
    if after is not None:
        sql += " AND t.created_at > %s"
        params.append(_at(after))
    if ids is not None:
        # A range of the primary key: read by it, not by the edition's index (`+` keeps the
        # planner off that one), so a few new tickets cost a few rows however many came before.
        sql += " AND t.id > %s AND t.id <= %s AND +t.expo_id = %s"
        params += [ids[0], ids[1], expo_id]
    sql += " GROUP BY 1, 2, 3"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(tid, date_value(day), int(lead), int(n)) for tid, day, lead, n in rows]


def bookings_split(
    *, expo_id: int, opening: dt.datetime, horizon: dt.datetime, ids: tuple[int, int]
) -> list[tuple[int, dt.date, int, dt.datetime | None, int]]:
    """`bookings` of the tickets whose id is in `ids` (low excluded), with each booking instant
    after `horizon` as well (None for those booked by it): what is booked by any later instant
    is then counted without the database."""
    created = epoch_seconds("t.created_at")
    sql = (
        f"SELECT t.ticket_type_id, d.day, "
        f"({_epoch(opening) + _FAR_DAYS * DAY_S} - {created} - 1) / {DAY_S} - {_FAR_DAYS}, "
        "CASE WHEN t.created_at > %s THEN t.created_at END, "
        f"COUNT(*) FROM {table(TicketDay)} d JOIN {table(Ticket)} t ON t.id = d.ticket_id "
        "WHERE d.expo_id = %s AND d.valid = %s AND t.id > %s AND t.id <= %s AND +t.expo_id = %s "
        "GROUP BY 1, 2, 3, 4"
    )
    params = [_at(horizon), expo_id, True, ids[0], ids[1], expo_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (tid, date_value(day), int(lead), _instant(at), int(n)) for tid, day, lead, at, n in rows
    ]


def _instant(value) -> dt.datetime | None:
    """A timestamp as a raw cursor hands it back (SQLite: UTC text), as an aware datetime."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def tickets_after(*, expo_id: int, after_id: int) -> tuple[int, int]:
    """(how many, the highest id) of the edition's tickets whose id is above `after_id`, read
    along the primary key."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), MAX(id) FROM {table(Ticket)} WHERE id > %s AND +expo_id = %s",
            [after_id, expo_id],
        )
        n, high = cursor.fetchone()
    return int(n), int(high or after_id)


def tickets_fingerprint(*, expo_id: int, upto_id: int) -> tuple[int, int]:
    """(revoked tickets, tickets whose id is at most `upto_id`) of the edition: a cancellation
    revokes tickets as it invalidates their days, a deletion or a ticket committed late under
    a lower id changes the count (the two indexes on (edition, status) answer both)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table(Ticket)} WHERE expo_id = %s AND status = %s",
            [expo_id, TicketStatus.REVOKED],
        )
        revoked = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT COUNT(*) FROM {table(Ticket)} WHERE expo_id = %s AND id <= %s",
            [expo_id, upto_id],
        )
        upto = cursor.fetchone()[0]
    return int(revoked), int(upto)


def _admitted_entries(
    expo_id: int, gate_ids: list[int], start: dt.datetime, end: dt.datetime
) -> tuple[str, list]:
    """The WHERE clause (on the scans as `s`) and parameters of one rule: admitted scans in
    through these gates from `start` until before `end`."""
    where = (
        "s.expo_id = %s AND s.scanned_at >= %s AND s.scanned_at < %s AND s.result = %s "
        f"AND s.direction = %s AND s.gate_id IN ({placeholders(len(gate_ids))})"
    )
    return where, [expo_id, _at(start), _at(end), ScanResult.ADMIT, Direction.IN, *gate_ids]


def entries(
    *, expo_id: int, gate_ids: list[int], start: dt.datetime, end: dt.datetime
) -> list[tuple[int, int, int]]:
    """(gate id, 15-minute period from `start`, admitted entries) through these gates from
    `start` until before `end`: every admitted scan in, re-entries included (each is somebody
    a lane served)."""
    if not gate_ids:
        return []
    where, params = _admitted_entries(expo_id, gate_ids, start, end)
    at = epoch_seconds("s.scanned_at")
    sql = (
        f"SELECT s.gate_id, ({at} - {_epoch(start)}) / {PERIOD_S}, COUNT(*) "
        f"FROM {table(Scan)} s WHERE {where} GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(g, int(k), int(n)) for g, k, n in cursor.fetchall()]


def admitted(
    *, expo_id: int, gate_ids: list[int], start: dt.datetime, end: dt.datetime
) -> list[tuple[int, int]]:
    """(ticket type id, tickets admitted) through these gates from `start` until before `end`:
    each ticket once however often it came in (the day's show-ups)."""
    if not gate_ids:
        return []
    where, params = _admitted_entries(expo_id, gate_ids, start, end)
    sql = (
        f"SELECT t.ticket_type_id, COUNT(DISTINCT s.ticket_id) FROM {table(Scan)} s "
        f"JOIN {table(Ticket)} t ON t.id = s.ticket_id WHERE {where} GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(tid, int(n)) for tid, n in cursor.fetchall()]


def history_fingerprint(*, expo_id: int) -> tuple[int, ...]:
    """What an edition's history is read from, in a few numbers that change with it: its
    ticket-days (how many, the highest id, how many valid: a refund or a cancellation flips
    one) and its scans (how many, the highest id: scans are only added, or erased)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), MAX(id), SUM(CASE WHEN valid THEN 1 ELSE 0 END) "
            f"FROM {table(TicketDay)} WHERE expo_id = %s",
            [expo_id],
        )
        days = cursor.fetchone()
        cursor.execute(f"SELECT COUNT(*), MAX(id) FROM {table(Scan)} WHERE expo_id = %s", [expo_id])
        scans = cursor.fetchone()
    return tuple(int(v or 0) for v in (*days, *scans))
