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
#
# Each app names the tables its cached data comes from in its AppConfig (`catalogue_tables`: a
# table, or a table with the columns whose updates count). After every `migrate` (and every
# flush of a test database) the triggers are written again from those declarations: SQLite
# remakes a table to alter it, and a trigger dies with the table it was on.

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


def catalogue_tables() -> list[tuple[str, tuple[str, ...]]]:
    """(table, columns whose updates count — all if empty) of every app's declaration."""
    from django.apps import apps

    specs = []
    for config in apps.get_app_configs():
        for table in getattr(config, "catalogue_tables", ()):
            specs.append((table, ()) if isinstance(table, str) else table)
    return specs


def stamp_triggers_install(*, using: str = "default") -> None:
    """Write the stamp's row and function and the triggers of every declared table that
    exists (a database migrated back to before a table has none to watch)."""
    from django.db import connections, transaction

    db = connections[using]
    if db.vendor not in ("sqlite", "postgresql"):  # pragma: no cover - the two we run on
        return
    existing = set(db.introspection.table_names())
    if STAMP_TABLE not in existing:
        return
    with transaction.atomic(using=using), db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
        cursor.execute(
            f"INSERT INTO {STAMP_TABLE} (name, version) VALUES (%s, 1) "  # noqa: S608
            "ON CONFLICT (name) DO NOTHING",
            [CATALOGUE],
        )
        for table, columns in catalogue_tables():
            if table in existing:
                for sql in _trigger_sql(db.ops, db.vendor, table, columns, CATALOGUE):
                    cursor.execute(sql)


def install_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate receiver (connected by the core app): runs once per migrate, when the
    signal reaches the core app, by which time every migration has run."""
    stamp_triggers_install(using=using)
