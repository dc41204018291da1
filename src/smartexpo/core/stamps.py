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

from smartexpo.core import queries

# One stamp for everything the caches read (editions, zones, gates, ticket types and their
# days and zones, signing keys, tags, devices' gates and zones): these change a few times per
# edition, so one shared stamp costs a few reloads a day and keeps a request to one read.
CATALOGUE = "catalogue"

# "Read the stamp now": the default of the caches' `version` arguments.
READ = object()


def stamp_read(name: str = CATALOGUE) -> int | None:
    """The stamp's current version, or None when it has no row (then nothing is cached)."""
    return queries.stamp_version(name)


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
    if not queries.stamp_triggers_supported(db):  # pragma: no cover - the two we run on
        return
    existing = set(db.introspection.table_names())
    if queries.STAMP_TABLE not in existing:
        return
    with transaction.atomic(using=using), db.cursor() as cursor:
        queries.stamp_row_ensure(cursor, db, stamp=CATALOGUE)
        for table, columns in catalogue_tables():
            if table in existing:
                queries.stamp_trigger_write(
                    cursor, db, table=table, columns=columns, stamp=CATALOGUE
                )


def install_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate receiver (connected by the core app): runs once per migrate, when the
    signal reaches the core app, by which time every migration has run."""
    stamp_triggers_install(using=using)
