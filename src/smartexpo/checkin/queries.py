"""Check-in's SQL statements, named by what they do (`core.db` holds what they share).

Callers own the transaction and, where they pass one, the cursor: a driver cursor of
`core.db.driver_cursor` (every statement here is written with `%s` and put in the driver's
style). An online scan's statements are built once per process and kept, in the driver's
style, so that the hot path spends nothing on them: an admission is one UPDATE (the
anti-passback rule in its WHERE clause) and the log's INSERT; a refusal a SELECT and the INSERT.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection

from smartexpo.checkin.models import Direction, Reason, Scan, ScanResult
from smartexpo.core.db import (
    chunks,
    date_value,
    driver_cursor,
    driver_sql,
    epoch_seconds,
    for_update,
    is_sqlite,
    placeholders,
    table,
)
from smartexpo.tickets.models import Registration, Ticket, TicketStatus

# The check-in log's columns, in the order of `scans.log_fixed` then `scans.log_decided`.
LOG_COLUMNS = (
    "expo_id",
    "device_id",
    "gate_id",
    "gate_code",
    "zone_id",
    "direction",
    "nonce",
    "scanned_at",
    "received_at",
    "source",
    "serial",
    "ticket_id",
    "result",
    "reason",
    "rule",
)

# From this many tickets on, one pass over the edition's tickets beats looking each one up
# (SQLite; PostgreSQL's planner chooses for itself).
WHOLE_EDITION_ABOVE = 20_000

_hot: dict[str, str] = {}


def _statements() -> dict[str, str]:
    """The online scan's statements and the log's INSERT, in the driver's style, built once."""
    if not _hot:
        t, r = table(Ticket), table(Registration)
        holder = f"(SELECT name FROM {r} WHERE {r}.id = {t}.registration_id)"
        returning = f"RETURNING id, ticket_type_id, {holder}"
        sql = {
            "enter": (
                f"UPDATE {t} SET inside_day = %s WHERE serial = %s AND expo_id = %s "
                f"AND status = %s AND (inside_day IS NULL OR inside_day <> %s) {returning}"
            ),
            "leave": (
                f"UPDATE {t} SET inside_day = NULL WHERE serial = %s AND expo_id = %s "
                f"AND inside_day = %s {returning}"
            ),
            "ticket": (
                f"SELECT id, ticket_type_id, status, inside_day, {holder} FROM {t} "
                f"WHERE serial = %s AND expo_id = %s"
            ),
            "door": (
                f"SELECT id, ticket_type_id, status, registration_id, {holder} FROM {t} "
                f"WHERE serial = %s AND expo_id = %s"
            ),
            "log": (
                f"INSERT INTO {table(Scan)} ({', '.join(LOG_COLUMNS)}) "
                f"VALUES ({placeholders(len(LOG_COLUMNS))})"
            ),
            "inside": f"UPDATE {t} SET inside_day = %s WHERE id = %s",
        }
        _hot.update({name: driver_sql(text) for name, text in sql.items()})
    return _hot


# --- an online scan -------------------------------------------------------------------------


def ticket_enter(cursor, *, serial: int, expo_id: int, day) -> list[tuple]:
    """Let a valid ticket in on `day` (its database value) unless it is inside that day
    already: `[(id, type id, holder)]` if it went in, `[]` if not (no such ticket, revoked, or
    already inside — `ticket_read` tells which)."""
    cursor.execute(_statements()["enter"], (day, serial, expo_id, TicketStatus.VALID, day))
    return cursor.fetchall()


def ticket_leave(cursor, *, serial: int, expo_id: int, day) -> list[tuple]:
    """Let a ticket out if it is inside on `day`: `[(id, type id, holder)]`, or `[]`."""
    cursor.execute(_statements()["leave"], (serial, expo_id, day))
    return cursor.fetchall()


def ticket_read(cursor, *, serial: int, expo_id: int) -> tuple | None:
    """The edition's ticket with this serial: `(id, type id, status, inside day, holder)`, the
    inside day as a date; None if there is none."""
    cursor.execute(_statements()["ticket"], (serial, expo_id))
    row = cursor.fetchone()
    if row is None:
        return None
    ticket_id, type_id, status, inside_day, holder = row
    return ticket_id, type_id, status, date_value(inside_day), holder


def ticket_read_at_door(cursor, *, serial: int, expo_id: int) -> tuple | None:
    """The edition's ticket with this serial as a room's door needs it: `(id, type id,
    status, registration id, holder)`; None if there is none. (Its venue state is not read: a
    room's door neither reads nor moves it.)"""
    cursor.execute(_statements()["door"], (serial, expo_id))
    return cursor.fetchone()


def scan_log_insert(cursor, *, row: Sequence) -> None:
    """Write one check-in log row (`LOG_COLUMNS`, values adapted for the database). A nonce
    its device used before raises the driver's IntegrityError."""
    cursor.execute(_statements()["log"], row)


# --- a batch of scans (sync, bulk import) ---------------------------------------------------


def scan_log_insert_many(cursor, *, rows: Sequence[Sequence]) -> None:
    """Write check-in log rows (`LOG_COLUMNS`) in one `executemany`."""
    if rows:
        cursor.executemany(_statements()["log"], rows)


def tickets_inside_set(cursor, *, states: Sequence[tuple[object, int]]) -> None:
    """Set tickets' inside days: `(inside day as the database takes it, ticket id)` pairs."""
    if states:
        cursor.executemany(_statements()["inside"], states)


def scans_answered(cursor, *, device_id: int, nonces: Sequence[str]) -> list[tuple]:
    """The device's scans with these nonces: `(nonce, result, reason, rule, serial, ticket
    id)`."""
    rows: list[tuple] = []
    for chunk in chunks(list(dict.fromkeys(nonces))):
        cursor.execute(
            driver_sql(
                f"SELECT nonce, result, reason, rule, serial, ticket_id FROM {table(Scan)} "
                f"WHERE device_id = %s AND nonce IN ({placeholders(len(chunk))})"
            ),
            [device_id, *chunk],
        )
        rows.extend(cursor.fetchall())
    return rows


def nonces_used(*, device_ids: Sequence[int]) -> set[tuple[int, str]]:
    """The (device, nonce) pairs these devices have used."""
    found: set[tuple[int, str]] = set()
    with driver_cursor() as cursor:
        for chunk in chunks(sorted(device_ids)):
            cursor.execute(
                driver_sql(
                    f"SELECT device_id, nonce FROM {table(Scan)} "
                    f"WHERE device_id IN ({placeholders(len(chunk))})"
                ),
                chunk,
            )
            found.update(cursor.fetchall())
    return found


@dataclasses.dataclass
class TicketRecord:
    """What a batch needs of one ticket: the facts that never change (read before the write
    transaction) and its state (status, inside day: read under the lock by `tickets_states`,
    then moved as the batch is decided)."""

    id: int
    serial: int
    type_id: int
    digest: str
    status: str = ""
    inside: dt.date | None = None
    changed: bool = False
    registration_id: int | None = None


def _whole_edition(count: int) -> bool:
    return is_sqlite() and count > WHOLE_EDITION_ABOVE


def _tickets_by(
    cursor, columns: str, *, expo_id: int, key: str, values: Iterable[int], lock: str = ""
) -> list[tuple]:
    """`columns` of the edition's tickets whose `key` is among `values`: read in chunks of
    `IN (...)` lists, or, for very many on SQLite, the whole edition at once (one pass over
    its rows beats thousands of index lookups); the caller drops rows it did not ask for."""
    t = table(Ticket)
    if _whole_edition(len(values)):
        cursor.execute(driver_sql(f"SELECT {columns} FROM {t} WHERE expo_id = %s"), (expo_id,))
        return cursor.fetchall()
    rows: list[tuple] = []
    for chunk in chunks(sorted(values)):
        cursor.execute(
            driver_sql(
                f"SELECT {columns} FROM {t} WHERE {key} IN ({placeholders(len(chunk))}){lock}"
            ),
            chunk,
        )
        rows.extend(cursor.fetchall())
    return rows


def tickets_facts(*, expo_id: int, serials: Iterable[int]) -> dict[int, TicketRecord]:
    """The edition's tickets with these serials, by serial: their facts, which never change.

    By serial alone, without the edition: the serial's unique index finds each row, where a
    condition on the edition would lead SQLite to walk all of the edition's tickets."""
    serials = set(serials)
    with driver_cursor() as cursor:
        rows = _tickets_by(
            cursor,
            "id, serial, ticket_type_id, secret_digest, expo_id, registration_id",
            expo_id=expo_id,
            key="serial",
            values=serials,
        )
    found: dict[int, TicketRecord] = {}
    for ticket_id, serial, type_id, digest, ticket_expo, registration_id in rows:
        if ticket_expo == expo_id and serial in serials:
            found[serial] = TicketRecord(
                ticket_id, serial, type_id, digest, registration_id=registration_id
            )
    return found


def tickets_states(cursor, *, expo_id: int, tickets: Iterable[TicketRecord]) -> None:
    """Read each ticket's status and inside day as stored now into it, the rows locked on
    PostgreSQL (SQLite's transaction holds the whole database from its first write)."""
    by_id = {ticket.id: ticket for ticket in tickets}
    # The day as text: SQLite's driver would hand each one to Django's date parser, several
    # times slower than `date_value`'s `date.fromisoformat`, inside the batch's write lock.
    rows = _tickets_by(
        cursor,
        "id, status, CAST(inside_day AS TEXT)",
        expo_id=expo_id,
        key="id",
        values=by_id,
        lock=for_update(),
    )
    for ticket_id, status, inside in rows:
        ticket = by_id.get(ticket_id)
        if ticket is not None:
            ticket.status, ticket.inside = status, date_value(inside)


def entries_by_period(
    *, expo_id: int, start: dt.datetime, end: dt.datetime, period_s: int
) -> list[tuple[int, int, int]]:
    """(gate id, `period_s` period from `start`, entries) from `start` until before `end`:
    admitted scans in and offline admissions synced as conflicts, through any gate.

    Binned in the database on whole seconds since 1970 (`core.db.epoch_seconds`): a day of an
    edition of 700,000 visitors has some 200,000 of them, and on SQLite a time-zone extract
    calls back into Python for every row (about 10 s a day on the shared 2-core machine)."""
    at = epoch_seconds("s.scanned_at")
    sql = (
        f"SELECT s.gate_id, ({at} - %s) / %s, COUNT(*) FROM {table(Scan)} s "
        "WHERE s.expo_id = %s AND s.scanned_at >= %s AND s.scanned_at < %s "
        "AND s.direction = %s AND s.gate_id IS NOT NULL AND (s.result = %s OR s.reason = %s) "
        "GROUP BY 1, 2"
    )
    params = [int(start.timestamp()), period_s, expo_id, _at(start), _at(end)]
    params += [Direction.IN, ScanResult.ADMIT, Reason.CONFLICT]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(g), int(k), int(n)) for g, k, n in cursor.fetchall()]


def _at(value: dt.datetime):
    """An aware datetime as the database compares it (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)
