"""WAL checkpoints off the request path, for `smartexpo serve` on SQLite.

In WAL mode SQLite copies the log back into the database file ("checkpoint") whenever a commit
finds the log past `wal_autocheckpoint` pages (1,000 by default): that commit, and everything
queued behind the write lock, waits for the copy. Under a registration rush this is the tail
of the latency curve. `serve` therefore runs a checkpointer thread that does PASSIVE
checkpoints — they copy what no reader needs, and never block writers — four times a second,
and tells the web workers to leave automatic checkpoints to it (a far higher threshold stays
as a safety net should the thread ever stop). Measured (bench/RESULTS.md): every 0.25 s gave
the best tail; rarer checkpoints are bigger and their fsync stalls the commits queued behind
it longer, more frequent ones fsync too often.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from smartexpo.core.db import wal_checkpoint

logger = logging.getLogger("smartexpo.sqlite")

INTERVAL_SECONDS = 0.25
# Pages (4 KiB): the workers' own automatic checkpoint while `serve` checkpoints for them.
WORKER_AUTOCHECKPOINT = 20_000
ENV = "SMARTEXPO_SQLITE_AUTOCHECKPOINT"


class Checkpointer(threading.Thread):
    """A daemon thread checkpointing one SQLite database until `stop()`."""

    def __init__(self, path: str, interval: float = INTERVAL_SECONDS):
        super().__init__(name="sqlite-checkpoint", daemon=True)
        self.path = path
        self.interval = interval
        self.checkpoints = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        try:
            while not self._stop_event.wait(self.interval):
                try:
                    wal_checkpoint(conn)
                    self.checkpoints += 1
                except sqlite3.Error as exc:  # a busy database is retried next time
                    logger.warning("WAL checkpoint failed: %s", exc)
        finally:
            conn.close()

    def stop(self, timeout: float | None = 5) -> None:
        """Ask the thread to stop after its checkpoint, and wait up to `timeout` seconds."""
        self._stop_event.set()
        self.join(timeout=timeout)
