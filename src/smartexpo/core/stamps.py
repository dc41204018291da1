"""Version stamps: how a per-process cache knows, with one cheap read, that it is still right.

Some reads are too frequent to go to the database each time (the ticket types behind every
registration, the keys and gates behind every scan, the zones behind every occupancy answer)
and too important to be a few seconds stale: a ticket type created a moment ago must admit its
first visitor, on every worker of every server. So every table such a cache is built from
carries database triggers that give one row of `core_stamp` a new version in the same
transaction as the change, whoever makes it: a service, the admin, a bulk update, a shell,
another process or another server. A cache remembers the stamp it was built under and serves
only while the stamp it reads is the same; a request reads the stamp once (one primary-key
read) and hands it to every cache it consults.

Two rules keep a cache from ever changing an answer:
- the stamp is read *before* the data is loaded. A change that commits in between leaves new
  data under an old stamp, which the next request reloads; never old data under a new stamp.
- no stamp row (a database flushed by a test) means "unknown": nothing is served from memory.

`docs/caches.md` lists every per-process cache and the rule it follows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.db.migrations.operations import RunPython

from smartexpo.core.db import driver_cursor, driver_sql

# One stamp for everything the caches read (editions, zones, gates, ticket types and their
# days and zones, signing keys, tags, devices' gates and zones): these change a few times per
# edition, so one shared stamp costs a few reloads a day and keeps a request to one read.
CATALOGUE = "catalogue"
STAMP_TABLE = "core_stamp"

# "Read the stamp now": the default of the caches' `version` arguments.
READ = object()

_SQL: str | None = None


def stamp_read(name: str = CATALOGUE) -> int | None:
    """The stamp's current version, or None when it has no row (then nothing is cached)."""
    global _SQL
    if _SQL is None:
        _SQL = driver_sql(f"SELECT version FROM {STAMP_TABLE} WHERE name = %s")  # noqa: S608
    with driver_cursor() as cursor:
        cursor.execute(_SQL, (name,))
        row = cursor.fetchone()
    return None if row is None else row[0]


_caches: list[StampedCache] = []


def forget_all() -> None:
    """Empty every stamped cache of this process (tests, whose databases start over)."""
    for cache in _caches:
        cache.clear()


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class StampedCache(Generic[K, V]):
    """Values by key, each served only while the stamp it was loaded under is current.

    `load(key)` reads the value from the database; `get` calls it when the value is missing or
    was loaded under another stamp. A None is not kept: a miss is confirmed in the database
    every time, and keys that name nothing (garbage in requests) cannot fill the memory."""

    def __init__(self, load: Callable[[K], V], *, stamp: str = CATALOGUE):
        self._load = load
        self._stamp = stamp
        self._items: dict[K, tuple[int, V]] = {}
        self._lock = threading.Lock()
        _caches.append(self)

    def get(self, key: K, *, version: int | object | None = READ) -> V:
        """The value for `key` as of `version` (a stamp the caller read before; read now by
        default). A value loaded under another version is loaded again."""
        if version is READ:
            version = stamp_read(self._stamp)
        hit = self._items.get(key)
        if hit is not None and version is not None and hit[0] == version:
            return hit[1]
        value = self._load(key)
        if version is not None and value is not None:
            with self._lock:
                self._items[key] = (version, value)
        return value

    def clear(self) -> None:
        """Forget every value (tests, whose ids start over)."""
        with self._lock:
            self._items.clear()


# --- triggers ----------------------------------------------------------------------------------

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION smartexpo_stamp_bump() RETURNS trigger AS $$
BEGIN
    INSERT INTO core_stamp (name, version)
    VALUES (TG_ARGV[0], floor(random() * 4611686018427387904))
    ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def _sqlite_bump(stamp: str) -> str:
    # `stamp` is one of this module's constants, never input.
    return (
        f"INSERT INTO {STAMP_TABLE} (name, version) VALUES ('{stamp}', random()) "  # noqa: S608
        f"ON CONFLICT (name) DO UPDATE SET version = excluded.version;"
    )


def _trigger_sql(ops, vendor: str, table: str, columns: tuple[str, ...], stamp: str) -> list[str]:
    qn = ops.quote_name
    of = f" OF {', '.join(qn(c) for c in columns)}" if columns else ""
    if vendor == "postgresql":
        # One bump per statement: a bulk change of thousands of rows is one bump.
        return [
            f"CREATE TRIGGER {qn(table + '_stamp')} AFTER INSERT OR DELETE OR UPDATE{of} "
            f"ON {qn(table)} FOR EACH STATEMENT EXECUTE FUNCTION smartexpo_stamp_bump('{stamp}')"
        ]
    # SQLite: row triggers only, one per kind of change.
    return [
        f"CREATE TRIGGER {qn(f'{table}_stamp_{event.split()[0].lower()}')} AFTER {event} "
        f"ON {qn(table)} BEGIN {_sqlite_bump(stamp)} END"
        for event in ("INSERT", "DELETE", f"UPDATE{of}")
    ]


def _drop_sql(ops, vendor: str, table: str) -> list[str]:
    qn = ops.quote_name
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {qn(table + '_stamp')} ON {qn(table)}"]
    return [
        f"DROP TRIGGER IF EXISTS {qn(f'{table}_stamp_{e}')}" for e in ("insert", "delete", "update")
    ]


def stamp_triggers(*tables: str | tuple[str, tuple[str, ...]], stamp: str = CATALOGUE) -> RunPython:
    """A migration operation that makes every change of these tables bump `stamp`.

    A table is named alone (any change counts) or with the columns whose updates count (a
    quota's size does, the places sold a thousand times a minute do not)."""
    specs = [(t, ()) if isinstance(t, str) else t for t in tables]

    def forward(apps, schema_editor):
        db = schema_editor.connection
        for table, columns in specs:
            for sql in _trigger_sql(db.ops, db.vendor, table, columns, stamp):
                schema_editor.execute(sql)

    def backward(apps, schema_editor):
        db = schema_editor.connection
        for table, _columns in specs:
            for sql in _drop_sql(db.ops, db.vendor, table):
                schema_editor.execute(sql)

    return RunPython(forward, backward, elidable=False)


def stamp_function_install(apps, schema_editor) -> None:
    """The PostgreSQL function the triggers call, and the first stamp row (both vendors)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION)
    schema_editor.execute("INSERT INTO core_stamp (name, version) VALUES (%s, 1)", [CATALOGUE])


def stamp_function_remove(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS smartexpo_stamp_bump()")
