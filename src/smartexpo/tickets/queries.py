"""Ticketing's SQL statements: the registration hot path's conditional updates and inserts, and
the bulk path's reads, id allocation and inserts.

The hot path's statements are what the ORM would send, without the ORM's per-call compilation,
which cost more than the database's own work. Each function runs its statements on the cursor
it is given (Django's, so the caller decides the transaction) or opens one; `core.db` supplies
placeholders, chunks, dates as SQLite hands them back and the differences between databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection

from smartexpo.core.db import chunks, date_value, is_postgresql, is_sqlite, placeholders, table
from smartexpo.tickets.models import (
    DayQuota,
    Invitation,
    PassGrant,
    Registration,
    Ticket,
    TicketDay,
    TicketStatus,
)

REGISTRATION_COLUMNS = (
    "expo",
    "ticket_type",
    "name",
    "email",
    "id_type",
    "id_hash",
    "id_masked",
    "interests",
    "language",
    "manage_digest",
    "manage_nonce",
    "source",
    "status",
    "created_at",
    "confirmation_attempts",
    "invitation",
    "exhibitor",
    # The networking profile, in `profile_params` order.
    "phone",
    "company",
    "title",
    "sectors",
    "intents",
    "share",
)
TICKET_COLUMNS = (
    "expo",
    "registration",
    "ticket_type",
    "serial",
    "kid",
    "days",
    "status",
    "created_at",
    "secret_digest",
)
TICKET_DAY_COLUMNS = ("expo", "ticket", "day", "id_hash", "valid")
# Rows per `executemany` of the bulk inserts: the driver's memory stays bounded at demo scale.
BULK_ROWS = 5000

_insert_sql_cache: dict[tuple, str] = {}


def _insert_sql(model, columns: Sequence[str], *, returning: bool = True) -> str:
    """`INSERT … [RETURNING id]` for these columns, built once per process."""
    cache_key = (is_sqlite(), model, tuple(columns), returning)
    sql = _insert_sql_cache.get(cache_key)
    if sql is None:
        quote = connection.ops.quote_name
        names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
        # Names come from the model's own metadata, quoted; every value is a bound parameter.
        sql = f"INSERT INTO {table(model)} ({names}) VALUES ({placeholders(len(columns))})"
        if returning:
            sql += " RETURNING id"
        _insert_sql_cache[cache_key] = sql
    return sql


def json_param(values: list[str]):
    """A JSON list parameter: text on SQLite, the driver's JSON wrapper on PostgreSQL.

    The lists are validated tag codes and ISO dates (no quotes or backslashes), so on SQLite a
    plain join is exact JSON and ten times cheaper than the encoder."""
    if is_sqlite():
        return '["' + '","'.join(values) + '"]' if values else "[]"
    return connection.ops.adapt_json_value(values, None)


def profile_params(profile: dict) -> tuple:
    """The profile's values in `REGISTRATION_COLUMNS` order (`Clean.profile_row()`'s dict):
    the lists are validated codes, as `json_param` needs."""
    lists = (profile["sectors"], profile["intents"], profile["share"])
    if not any(lists):
        # Most registrations give no profile: one look-up of the database's kind, not three.
        empty = json_param([])
        encoded = (empty, empty, empty)
    else:
        encoded = tuple(json_param(values) for values in lists)
    return (profile["phone"], profile["company"], profile["title"], *encoded)


# --- one registration ------------------------------------------------------------------------


def places_take(cursor, quota_ids: list[int]) -> bool:
    """Take a place on every one of these day quotas with one conditional UPDATE; False (and
    nothing taken) when a day is full."""
    quotas = table(DayQuota)
    marks = placeholders(len(quota_ids))
    if is_postgresql() and len(quota_ids) > 1:
        # Lock several days in one order, so overlapping registrations cannot deadlock.
        cursor.execute(
            f"SELECT id FROM {quotas} WHERE id IN ({marks}) ORDER BY id FOR UPDATE", quota_ids
        )
    cursor.execute(
        f"UPDATE {quotas} SET sold = sold + 1 WHERE id IN ({marks}) AND sold < size", quota_ids
    )
    return cursor.rowcount == len(quota_ids)


def invitation_use_take(cursor, invitation_id: int) -> bool:
    """Take one use of an unrevoked invitation code; False when it has none left."""
    cursor.execute(
        f"UPDATE {table(Invitation)} SET uses = uses + 1 "
        "WHERE id = %s AND uses < uses_allowed AND revoked_at IS NULL",
        [invitation_id],
    )
    return cursor.rowcount == 1


def grant_pass_take(cursor, grant_id: int) -> bool:
    """Take one of the staff passes of an exhibitor's grant; False when all are issued."""
    cursor.execute(
        f"UPDATE {table(PassGrant)} SET used = used + 1 WHERE id = %s AND used < passes",
        [grant_id],
    )
    return cursor.rowcount == 1


def registration_insert(cursor, values: Sequence) -> int:
    """Insert a registration (`values` in `REGISTRATION_COLUMNS` order); returns its id."""
    cursor.execute(_insert_sql(Registration, REGISTRATION_COLUMNS), values)
    # fetchall: a RETURNING statement left unfinished would block a savepoint's release.
    return cursor.fetchall()[0][0]


def ticket_insert(cursor, ticket: Ticket, *, registration_id: int, days, id_hash: str) -> int:
    """Insert a valid ticket (its fields set on `ticket`) and the days it holds for its person;
    returns its id. The per-person-per-day index may refuse a day (IntegrityError)."""
    ops = connection.ops
    cursor.execute(
        _insert_sql(Ticket, TICKET_COLUMNS),
        (
            ticket.expo_id,
            registration_id,
            ticket.ticket_type_id,
            ticket.serial,
            ticket.kid,
            json_param(ticket.days),
            TicketStatus.VALID,
            ops.adapt_datetimefield_value(ticket.created_at),
            ticket.secret_digest,
        ),
    )
    ticket_id = cursor.fetchall()[0][0]
    for day in days:
        cursor.execute(
            _insert_sql(TicketDay, TICKET_DAY_COLUMNS, returning=False),
            (ticket.expo_id, ticket_id, ops.adapt_datefield_value(day), id_hash, True),
        )
    return ticket_id


# --- many registrations at once --------------------------------------------------------------


def held_pairs(expo_id: int, hashes: Sequence[str]) -> set[tuple[str, dt.date]]:
    """(id hash, day) of every valid ticket day these people already hold in the edition."""
    held: set[tuple[str, dt.date]] = set()
    with connection.cursor() as cursor:
        for chunk in chunks(hashes):
            cursor.execute(
                # The WHERE repeats the partial unique index's own condition, so that SQLite
                # (which matches it term by term) searches that index instead of the edition.
                f"SELECT id_hash, day FROM {table(TicketDay)} WHERE expo_id = %s "
                f"AND valid AND NOT (id_hash = '') AND id_hash IN ({placeholders(len(chunk))})",
                [expo_id, *chunk],
            )
            held.update((id_hash, date_value(day)) for id_hash, day in cursor.fetchall())
    return held


def ids_allocate(model, count: int) -> list[int]:
    """Ids for rows about to be inserted in bulk (so no read-back is needed).

    SQLite: the transaction holds the write lock, so the next ids after MAX(id) are ours.
    PostgreSQL: taken from the identity sequence, as the database would have."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table(model)}")
        top = cursor.fetchone()[0]
        return list(range(top + 1, top + 1 + count))


def rows_insert(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """One prepared INSERT run over many rows: the ORM's per-object compilation costs ten
    times the database's own work at demo scale (700,000 registrations)."""
    if not rows:
        return
    sql = _insert_sql(model, columns, returning=False)
    with connection.cursor() as cursor:
        for batch in chunks(rows, BULK_ROWS):
            cursor.executemany(sql, batch)


_by_digest_sql: list[str] = []


def registration_by_digest(digest: str) -> Registration | None:
    """The registration whose manage digest this is (unique), or None: the ORM's
    `filter(manage_digest=…).first()` without its per-call compilation, which cost a millisecond
    of every request authenticated by a manage token (bench/recommend.py's visitors')."""
    if not _by_digest_sql:
        _by_digest_sql.append(f"SELECT * FROM {table(Registration)} WHERE manage_digest = %s")
    for registration in Registration.objects.raw(_by_digest_sql[0], [digest]):
        return registration
    return None
