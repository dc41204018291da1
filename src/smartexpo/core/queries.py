"""Core's SQL statements: the rate limit's counters, the catalogue stamp's read, and the stamp's
triggers (the only DDL written outside migrations, per database: see `core.stamps`).

`core.db` supplies the driver's cursor, its parameter style and the vendor checks.
"""

from __future__ import annotations

import sqlite3
import threading

from django.conf import settings
from django.db import connection

from smartexpo.core.db import driver_cursor, driver_sql, is_postgresql, is_sqlite, table

# --- rate limit counters ---------------------------------------------------------------------

# The file database mirrors core.RateLimitCounter (same table name and unique key).
_RATELIMIT_CREATE = (
    "CREATE TABLE IF NOT EXISTS smartexpo_ratelimit ("
    " id INTEGER PRIMARY KEY, scope TEXT NOT NULL, client TEXT NOT NULL,"
    " minute INTEGER NOT NULL, hits INTEGER NOT NULL, UNIQUE (scope, client, minute))"
)
_RATELIMIT_HIT = (
    "INSERT INTO smartexpo_ratelimit (scope, client, minute, hits) VALUES (%s, %s, %s, 1) "
    "ON CONFLICT (scope, client, minute) DO UPDATE SET hits = smartexpo_ratelimit.hits + 1 "
    "RETURNING hits"
)
_RATELIMIT_PRUNE = "DELETE FROM smartexpo_ratelimit WHERE minute < %s"

_ratelimit_local = threading.local()


def _ratelimit_file() -> sqlite3.Connection:
    """This thread's connection to the counters' own SQLite file beside the main database."""
    conn = getattr(_ratelimit_local, "conn", None)
    if conn is None:
        path = settings.DATA_DIR / "ratelimit.sqlite3"
        conn = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        # Counters need no durability: losing the last second of them in a crash is harmless.
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(_RATELIMIT_CREATE)
        _ratelimit_local.conn = conn
    return conn


def ratelimit_hit(scope: str, client: str, minute: int, *, prune_before: int | None) -> int:
    """Count one hit of `client` in `scope` during `minute` with one atomic upsert; returns the
    minute's count so far. `prune_before`: also delete the counters of minutes before it.

    On SQLite the counters live in their own database file, so counting never competes with
    registrations for the main database's write lock; on PostgreSQL in the shared database,
    so the limit holds across several app servers."""
    if is_sqlite():
        conn = _ratelimit_file()
        (hits,) = conn.execute(
            _RATELIMIT_HIT.replace("%s", "?"), (scope, client, minute)
        ).fetchone()
        if prune_before is not None:
            conn.execute(_RATELIMIT_PRUNE.replace("%s", "?"), (prune_before,))
        return hits
    with connection.cursor() as cursor:
        cursor.execute(_RATELIMIT_HIT, [scope, client, minute])
        (hits,) = cursor.fetchone()
        if prune_before is not None:
            cursor.execute(_RATELIMIT_PRUNE, [prune_before])
        return hits


# --- version stamps --------------------------------------------------------------------------

STAMP_TABLE = "core_stamp"

_stamp_read_sql: str | None = None


def stamp_version(name: str) -> int | None:
    """The stamp's current version, or None when it has no row (one primary-key read on the
    driver's own cursor: every request of the hot routes makes it)."""
    global _stamp_read_sql
    if _stamp_read_sql is None:
        _stamp_read_sql = driver_sql(f"SELECT version FROM {STAMP_TABLE} WHERE name = %s")
    with driver_cursor() as cursor:
        cursor.execute(_stamp_read_sql, (name,))
        row = cursor.fetchone()
    return None if row is None else row[0]


_PG_BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION smartexpo_stamp_bump() RETURNS trigger AS $$
BEGIN
    INSERT INTO core_stamp (name, version)
    VALUES (TG_ARGV[0], floor(random() * 4611686018427387904))
    ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def stamp_triggers_supported(conn) -> bool:
    """Whether the stamp's triggers can be written on `conn` (the two databases we run on)."""
    return is_sqlite(conn) or is_postgresql(conn)


def stamp_row_ensure(cursor, conn, *, stamp: str) -> None:
    """Create the stamp's row (version 1) if it has none, and on PostgreSQL the function its
    triggers call; on `conn`'s `cursor`, in the caller's transaction."""
    if is_postgresql(conn):
        cursor.execute(_PG_BUMP_FUNCTION)
    cursor.execute(
        f"INSERT INTO {STAMP_TABLE} (name, version) VALUES (%s, 1) ON CONFLICT (name) DO NOTHING",
        [stamp],
    )


def _sqlite_bump(stamp: str) -> str:
    # `stamp` is one of core.stamps' constants, never input.
    return (
        f"INSERT INTO {STAMP_TABLE} (name, version) VALUES ('{stamp}', random()) "
        f"ON CONFLICT (name) DO UPDATE SET version = excluded.version;"
    )


def _trigger_statements(conn, table: str, columns: tuple[str, ...], stamp: str) -> list[str]:
    qn = conn.ops.quote_name
    of = f" OF {', '.join(qn(c) for c in columns)}" if columns else ""
    if is_postgresql(conn):
        name = qn(table + "_stamp")
        # One bump per statement: a bulk change of thousands of rows is one bump.
        return [
            f"DROP TRIGGER IF EXISTS {name} ON {qn(table)}",
            f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE{of} ON {qn(table)} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION smartexpo_stamp_bump('{stamp}')",
        ]
    # SQLite: row triggers only, one per kind of change.
    statements = []
    for event in ("INSERT", "DELETE", f"UPDATE{of}"):
        name = qn(f"{table}_stamp_{event.split()[0].lower()}")
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {qn(table)} BEGIN {_sqlite_bump(stamp)} END",
        ]
    return statements


def stamp_trigger_write(cursor, conn, *, table: str, columns: tuple[str, ...], stamp: str) -> None:
    """(Re)write the triggers that bump `stamp` on every change of `table` (of `columns` only
    for updates, when given), on `conn`'s `cursor`."""
    for sql in _trigger_statements(conn, table, columns, stamp):
        cursor.execute(sql)


# --- planner statistics ----------------------------------------------------------------------


def statistics_refresh(*models) -> None:
    """Bring PostgreSQL's planner statistics of these models' tables up to date (ANALYZE), after
    a bulk load changed their size many times over: until autovacuum comes round, the planner
    would cost the next statements on the old sizes and may pick a plan minutes slower. Inside a
    transaction it counts the transaction's own new rows. SQLite keeps no such statistics here."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {table(model)}")


def table_triggers(cursor, tables) -> tuple[list[str], list[str]]:
    """The statements that drop every SQLite trigger on `tables`, and those that create them
    again (the flush runs its DELETEs in between: the deals' triggers refuse them)."""
    placeholders = ",".join("%s" for _ in tables)  # parameters, never names
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        f"AND tbl_name IN ({placeholders}) ORDER BY name",
        list(tables),
    )
    triggers = cursor.fetchall()
    return [f'DROP TRIGGER "{name}"' for name, _ in triggers], [sql for _, sql in triggers]


# --- health --------------------------------------------------------------------------------


def database_ping() -> None:
    """One round trip to the database (`SELECT 1`): raises the driver's error, wrapped by
    Django, when the database cannot be reached."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


# --- the background work's leader lease (core.leader) ----------------------------------------

# Session-level advisory locks of the two-key form show in pg_locks as (classid, objid, 2).
_ADVISORY_TRY = "SELECT pg_try_advisory_lock(%s, %s)"
_ADVISORY_HELD = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
    "AND classid = %s AND objid = %s AND objsubid = 2 AND granted"
)
_ADVISORY_UNLOCK = "SELECT pg_advisory_unlock(%s, %s)"


def advisory_lock_try(conn, key: tuple[int, int]) -> bool:
    """Take the session-level advisory lock `key` on `conn` (PostgreSQL) if nobody holds it;
    whether this session holds it now. Never waits."""
    with conn.cursor() as cursor:
        cursor.execute(_ADVISORY_TRY, list(key))
        return bool(cursor.fetchone()[0])


def advisory_lock_held(conn, key: tuple[int, int]) -> bool:
    """Whether `conn`'s session holds the advisory lock `key` (a round trip: it raises when the
    connection is gone)."""
    with conn.cursor() as cursor:
        cursor.execute(_ADVISORY_HELD, list(key))
        return cursor.fetchone()[0] == 1


def advisory_unlock(conn, key: tuple[int, int]) -> None:
    """Release the advisory lock `key` that `conn`'s session holds."""
    with conn.cursor() as cursor:
        cursor.execute(_ADVISORY_UNLOCK, list(key))
