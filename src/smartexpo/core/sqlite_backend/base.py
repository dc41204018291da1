"""SQLite with a writer queue: write transactions wait on an OS lock, not in a sleep loop.

SQLite lets one writer in at a time. When a second connection finds the database locked, its
busy handler sleeps and retries (1, 2, 5, 10 … 100 ms), so under concurrent writes most of the
time goes to sleeping and p99 latency explodes. Here every write transaction first takes a
process lock (threads) and then an `flock` on a file beside the database (processes): waiters
block in the kernel and are woken the moment the previous transaction ends. SQLite's own lock
is then free when `BEGIN IMMEDIATE` runs; the busy timeout stays as a fallback for writers
outside transactions and for other programs.
"""

from __future__ import annotations

import fcntl
import os
import threading

from django.db.backends.sqlite3 import base, operations

from smartexpo.core import queries

# Every connection: write-ahead logging (readers never wait for the writer), fsync at
# checkpoints only, foreign keys enforced, temporary tables in memory, a 64 MB page cache.
CONNECTION_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-64000",
)

_locks: dict[str, tuple[threading.Lock, int, int]] = {}
_registry_lock = threading.Lock()


def _writer_lock(path: str) -> tuple[threading.Lock, int]:
    with _registry_lock:
        entry = _locks.get(path)
        # A forked worker must not share its parent's open file: flock would not exclude the
        # parent then. Each process opens the lock file for itself.
        if entry is None or entry[2] != os.getpid():
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            entry = (threading.Lock(), fd, os.getpid())
            _locks[path] = entry
        return entry[0], entry[1]


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        """Empty the tables as PostgreSQL's TRUNCATE does: without firing their triggers.

        Append-only tables (the deals log) refuse DELETE through a trigger; wiping the whole
        database (`flush`, the tests' reset) is not a change to their rows but a new database,
        so their triggers are dropped for the DELETE and created again right after."""
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements:
            return statements
        with self.connection.cursor() as cursor:
            drop, create = queries.table_triggers(cursor, tables)
        return drop + statements + create


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _holding_writer_lock = False

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        for pragma in CONNECTION_PRAGMAS:
            conn.execute(pragma)
        # Read when the connection opens, not when settings load: `smartexpo serve` sets it
        # for its workers, which gunicorn forks after settings are loaded.
        pages = os.environ.get("SMARTEXPO_SQLITE_AUTOCHECKPOINT", "")
        if pages.isdigit():
            conn.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
        return conn

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if not name or self.is_in_memory_db():
            return None
        return name + ".writelock"

    def _start_transaction_under_autocommit(self):
        path = self._lock_path()
        if path is not None and not self._holding_writer_lock:
            thread_lock, fd = _writer_lock(path)
            thread_lock.acquire()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                thread_lock.release()
                raise
            self._holding_writer_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _release_writer_lock(self) -> None:
        if self._holding_writer_lock:
            self._holding_writer_lock = False
            thread_lock, fd = _writer_lock(self._lock_path())
            fcntl.flock(fd, fcntl.LOCK_UN)
            thread_lock.release()

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._release_writer_lock()

    def _rollback(self):
        try:
            super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self):
        try:
            super()._close()
        finally:
            self._release_writer_lock()
