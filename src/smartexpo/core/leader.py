"""Who runs the background work: one leader among all the servers of a deployment.

The occupancy fold, the mailer, the waiting-list offers and the report worker are run by one
process at a time — `smartexpo worker`, or a `smartexpo serve` that has the background work on —
the one that holds the lease below. Every other such process stands by and asks for the lease
every `INTERVAL_SECONDS`; when the leader dies, the lease is freed with it and a standby takes it
within a poll or two.

- PostgreSQL: a session-level advisory lock, `pg_try_advisory_lock(LEASE_KEY)`. It belongs to
  the database session, so it is held on a connection of its own (`AdvisoryLease`), never on the
  connections Django opens per thread for requests and closes when it likes: closing one of
  those would hand the lease to another server while this one still works. When the leader's
  process dies, even by SIGKILL or the OOM killer, its kernel closes the socket, PostgreSQL ends
  the session, and the lock goes with it. A leader whose host vanishes (power, network) sends
  no close: the server-side TCP keepalives set on this one connection end its session within
  about `KEEPALIVE_SECONDS`, and the client-side ones make the leader's own check fail as fast,
  so it stops its work rather than run on beside the new leader.
- SQLite (one host by definition): an exclusive `flock` on a file beside the database
  (`FileLease`). The kernel releases it when the process that holds it dies, however it dies.

The lease decides who does the work; it is not what keeps the work correct. In the seconds
when an old leader has not yet noticed its loss (a network partition), two may run: every piece
of the work is already safe under that — the fold under its per-edition lock, each email and
report job claimed by a conditional UPDATE — so the lease only keeps the work from being done
by every server at once, and done nowhere when one dies.

Session-level advisory locks need a real session: the lease's connection must reach PostgreSQL
directly (or through PgBouncer in session mode), never through a transaction-mode pooler.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import connections
from django.db.utils import load_backend

from smartexpo.core.db import is_postgresql
from smartexpo.core.queries import advisory_lock_held, advisory_lock_try

logger = logging.getLogger("smartexpo.leader")

# pg_try_advisory_lock's two 32-bit keys: "SEXP" for the project, 1 for its background work.
# In pg_locks the lock shows as classid 1397053520, objid 1, objsubid 2.
LEASE_KEY = (0x53455850, 1)
# How often a standby asks for the lease and a leader checks that it still has it.
INTERVAL_SECONDS = 1.0
# A dead peer's TCP connection is given up after 2 s of silence and 3 unanswered probes a
# second apart (or 5 s of unacknowledged data): the lease's session on the server, and the
# leader's own check, end within about this long of a host or network loss.
KEEPALIVE_SECONDS = 5
_KEEPALIVES = {"idle": 2, "interval": 1, "count": 3}


class Lease(Protocol):
    def acquire(self) -> bool: ...
    def held(self) -> bool: ...
    def release(self) -> None: ...


class AdvisoryLease:
    """The PostgreSQL lease: the advisory lock `key` on a connection of its own.

    Use it from one thread (Django's connection objects refuse to be shared). The connection is
    kept open while standing by too, so a poll is one round trip."""

    def __init__(self, alias: str = "default", key: tuple[int, int] = LEASE_KEY):
        self.alias = alias
        self.key = key
        self._conn = None
        self._held = False
        self._pid = os.getpid()

    def acquire(self) -> bool:
        """Take the lease if it is free; whether this process holds it now. Never waits; a
        database that cannot be reached is a refusal (asked again at the next poll)."""
        if self._held:
            return self.held()
        try:
            if self._conn is None:
                self._conn = self._connection()
            self._held = advisory_lock_try(self._conn, self.key)
        except Exception as exc:  # any failure to reach the database
            logger.warning("Cannot ask for the background lease: %s", exc)
            self._drop()
        return self._held

    def held(self) -> bool:
        """Whether the lease is still this process's: one round trip on its session. A broken
        connection is a lost lease, for good — the connection is dropped rather than opened
        again, since a new session would not hold the lock."""
        if not self._held:
            return False
        try:
            if advisory_lock_held(self._conn, self.key):
                return True
        except Exception as exc:  # a lost connection, whatever the error
            logger.warning("The background lease's connection failed: %s", exc)
        self._drop()
        return False

    def release(self) -> None:
        """Give the lease up (closing its session releases the lock) and close the
        connection."""
        self._drop()

    def session_pid(self) -> int | None:
        """The PostgreSQL backend process of the lease's session (tests)."""
        return None if self._conn is None else self._conn.connection.info.backend_pid

    def _drop(self) -> None:
        self._held = False
        conn, self._conn = self._conn, None
        # A forked copy of this process shares the session's socket: closing it there would
        # end the leader's session.
        if conn is not None and os.getpid() == self._pid:
            with contextlib.suppress(Exception):
                conn.close()

    def _connection(self):
        """A new connection with Django's settings for `alias`, outside Django's per-thread
        handler (nothing else closes or reuses it), never from a pool, with short keepalives
        on both ends and the name operators see in pg_stat_activity."""
        settings_dict = copy.deepcopy(connections[self.alias].settings_dict)
        options = dict(settings_dict.get("OPTIONS") or {})
        options.pop("pool", None)
        server_side = " ".join(f"-c tcp_keepalives_{k}={v}" for k, v in _KEEPALIVES.items())
        server_side += f" -c tcp_user_timeout={KEEPALIVE_SECONDS * 1000}"
        options.update(
            application_name=f"smartexpo background lease {socket.gethostname()}:{os.getpid()}",
            connect_timeout=KEEPALIVE_SECONDS,
            keepalives=1,
            keepalives_idle=_KEEPALIVES["idle"],
            keepalives_interval=_KEEPALIVES["interval"],
            keepalives_count=_KEEPALIVES["count"],
            tcp_user_timeout=KEEPALIVE_SECONDS * 1000,
            options=f"{options.get('options', '')} {server_side}".strip(),
        )
        settings_dict.update(OPTIONS=options, CONN_MAX_AGE=None, CONN_HEALTH_CHECKS=False)
        conn = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, self.alias)
        conn.ensure_connection()
        return conn


class FileLease:
    """The SQLite lease: an exclusive, non-blocking `flock` on `path`.

    The lock belongs to the open file, which this process alone has (Python opens files
    close-on-exec and `subprocess` closes the rest), so the kernel releases it when the
    process dies. A second `FileLease` on the same path is refused, in this process too."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if it is free; whether this process holds it now. Never waits."""
        if self._fd is not None:
            return self.held()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        # For people: who leads. The lock, not the text, is the lease.
        os.ftruncate(fd, 0)
        os.write(fd, f"{socket.gethostname()}:{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def held(self) -> bool:
        """Whether the lock is still this process's: the file it locked must still be the one
        at `path` — a lock file deleted or replaced would let another process lock the new one."""
        if self._fd is None:
            return False
        try:
            mine, there = os.fstat(self._fd), os.stat(self.path)
            if (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino):
                return True
        except FileNotFoundError:
            pass
        logger.warning("The background lease's file %s was removed or replaced", self.path)
        self.release()
        return False

    def release(self) -> None:
        """Give the lock up (closing the file releases it)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def lease_for_database() -> Lease:
    """The lease for Django's default database: the advisory lock on PostgreSQL, else the lock
    file beside the SQLite database (in the data directory for an in-memory one)."""
    if is_postgresql():
        return AdvisoryLease()
    name = str(connections["default"].settings_dict["NAME"])
    if name.startswith("file:") or name == ":memory:":
        return FileLease(settings.DATA_DIR / "background.lock")
    return FileLease(Path(name).with_name(Path(name).name + ".background.lock"))


class Work(Protocol):
    def begin_stop(self) -> None: ...
    def stop(self, *, deadline: float) -> None: ...


class Leadership(threading.Thread):
    """A daemon thread that asks for `lease` every `interval` seconds and, while it holds it,
    keeps the work `start()` returns running: started when the lease is won, stopped (within
    `grace` seconds, then killed) when it is lost, and stopped at `stop()`.

    `say` is told each change ("leading", "standing by", "lost the lease"), for the log that
    operators and the tests read."""

    def __init__(
        self,
        lease: Lease,
        start: Callable[[], Work],
        *,
        grace: float,
        say: Callable[[str], None] = logger.info,
        interval: float = INTERVAL_SECONDS,
    ):
        super().__init__(name="background-leadership", daemon=True)
        self.lease = lease
        self.start_work = start
        self.grace = grace
        self.say = say
        self.interval = interval
        self.work: Work | None = None
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._deadline: float | None = None
        self._pid = os.getpid()

    @property
    def leading(self) -> bool:
        return self.work is not None

    def run(self) -> None:
        try:
            self.say("standing by for the background work's lease")
            while not self._stop_event.is_set():
                if self.work is None:
                    if self.lease.acquire():
                        with self._lock:
                            if self._stop_event.is_set():
                                break
                            self.work = self.start_work()
                        self.say(f"leading: running the background work (pid {os.getpid()})")
                elif not self.lease.held():
                    self.say("lost the background work's lease: stopping the background work")
                    self._end_work(time.monotonic() + self.grace)
                    self.say("standing by for the background work's lease")
                self._stop_event.wait(self.interval)
        finally:
            self._end_work(self._deadline or time.monotonic() + self.grace)
            self.lease.release()

    def stop(self, *, deadline: float) -> None:
        """Stop the work by `deadline` (a `time.monotonic()` value) and give the lease up.

        The work is asked to stop at once from here, so a thread busy with the database (a
        check waiting out a dead connection) cannot hold the stop up; what still runs at the
        deadline is killed."""
        if os.getpid() != self._pid:
            return
        self._deadline = deadline
        self.begin_stop()
        if self.is_alive():
            self.join(timeout=max(0.0, deadline - time.monotonic()))
        with self._lock:
            work = self.work
        if work is not None:  # the thread is stuck: stop the work from here
            work.stop(deadline=deadline)

    def begin_stop(self) -> None:
        """Start no more work, and ask the work that runs to stop, without waiting (once the
        work has stopped, the thread gives the lease up and ends).

        Nothing happens in a process forked from this one: gunicorn's workers are forked from
        `serve` and unwind its stack when they exit; they must not stop the leader's work."""
        if os.getpid() != self._pid:
            return
        self._stop_event.set()
        with self._lock:
            work = self.work
        if work is not None:
            work.begin_stop()

    def _end_work(self, deadline: float) -> None:
        with self._lock:
            work, self.work = self.work, None
        if work is not None:
            work.stop(deadline=deadline)
