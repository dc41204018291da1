"""The database layer every app shares: cursors, parameter styles, vendor differences, values.

An app's SQL statements live in its own `queries.py`, named by what they do; what those
statements need from the database underneath — the driver's own cursor for the hottest paths,
`%s` written in the driver's style, placeholders and chunks for `IN (...)` lists, the row lock
only PostgreSQL takes, dates as SQLite hands them back — is here, once. No other module reads
`connection.vendor` or runs a statement (`tests/core/test_structure.py`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TypeVar

from django.db import connection

T = TypeVar("T")

# Parameters per statement for `IN (...)` lists: below SQLite's smallest limit on host
# parameters (999 before 3.32), with room for a statement's other parameters.
CHUNK = 900


@contextlib.contextmanager
def driver_cursor():
    """A cursor of the database driver itself, on Django's connection and in its transaction.

    The hottest statements (a scan's three, say) skip Django's cursor layers (query
    conversion, error wrapping, debug hooks), a tenth of a scan's time; their SQL is written
    for the driver's parameter style below, and their parameters are adapted by the caller."""
    # What Django's own cursor() does first: a connection found broken is replaced.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        yield cursor
    except connection.Database.Error as exc:
        if not isinstance(exc, connection.Database.IntegrityError):
            # As Django's error wrapper does: the end of the request checks the connection.
            connection.errors_occurred = True
        raise
    finally:
        cursor.close()


def driver_sql(sql: str) -> str:
    """`%s` parameters in the driver's own style (SQLite's `?`)."""
    return sql.replace("%s", "?") if connection.vendor == "sqlite" else sql


def date_value(value) -> dt.date | None:
    """A date column as a raw cursor hands it back, as a date: PostgreSQL's driver gives a date,
    SQLite's its ISO text (Django converts only in its own cursors), a NULL None."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def is_sqlite(conn=None) -> bool:
    """Whether `conn` (Django's default connection unless given) is SQLite."""
    return (conn or connection).vendor == "sqlite"


def is_postgresql(conn=None) -> bool:
    """Whether `conn` (Django's default connection unless given) is PostgreSQL."""
    return (conn or connection).vendor == "postgresql"


def for_update() -> str:
    """` FOR UPDATE` on PostgreSQL; nothing on SQLite, whose first write of a transaction
    locks the whole database (and which has no row locks to ask for)."""
    return " FOR UPDATE" if is_postgresql() else ""


def placeholders(n: int) -> str:
    """`%s, %s, …` for an `IN (...)` list of `n` values."""
    return ", ".join(["%s"] * n)


def epoch_seconds(column: str) -> str:
    """SQL for a timestamp column as whole seconds since 1970 (UTC): SQLite keeps timestamps as
    ISO text, PostgreSQL as `timestamptz`. For reads that bin many rows in the database (the
    attendance forecast's 15-minute periods) rather than convert each to a datetime here."""
    if is_sqlite():
        # Julian days carry about 10 µs of rounding: half a millisecond keeps a timestamp on a
        # whole second from falling into the second before.
        return f"CAST((julianday({column}) - 2440587.5) * 86400 + 0.0005 AS INTEGER)"
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """`values` in slices of at most `size`, for statements with one parameter per value."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def table(model) -> str:
    """A model's table name, quoted for the database."""
    return connection.ops.quote_name(model._meta.db_table)


def wal_checkpoint(conn: sqlite3.Connection) -> None:
    """Copy a SQLite database's write-ahead log back into it as far as no reader needs the log
    (PASSIVE: it never blocks a writer)."""
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


@contextlib.contextmanager
def wal_autocheckpoint_paused():
    """No automatic WAL checkpoint inside this block's commits (SQLite; elsewhere nothing).

    SQLite copies the write-ahead log into the database inside the commit that passes the
    threshold: for a commit of gigabytes (a whole stream imported at once) that is seconds
    the caller waits for. Paused, the copy is left to `serve`'s checkpointer, or to SQLite
    when the last connection closes."""
    if not is_sqlite():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (pages,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
