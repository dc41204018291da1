"""Payloads kept per process and rebuilt off the request when their build is slow: what the
organiser's dashboard (`dashboard_cache`) and the public big screen (`screen`) poll
(docs/reports.md, "Speed at the reference scale").

A payload is kept by key for `seconds()` of real time and under the version its caller read
(a stamp, a demo clock: another version is another payload at once). When the kept one is out
of date, one request rebuilds it while the others keep being answered the one before (each
payload says the instant it is of); only the first build of a key, or one under a new
version, waits. A version of None (no catalogue stamp: a flushed database) keeps nothing.

A build that took longer than `inline_seconds()` is redone on a thread of its own, the request
that found it out of date answered the one before like the others: `smartexpo serve` runs one
request at a time per worker, so a build of seconds (at 700,000 visitors) in a request held
every poll queued behind it in that worker for as long (bench/RESULTS.md, "Reports"). A quick
one is redone in the request.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.db import connection

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class _Kept:
    built: float  # time.monotonic() when the build started
    version: Hashable
    payload: Any
    seconds: float = 0.0  # how long the build took


class KeptPayloads:
    """Payloads by key, rebuilt at most once per `seconds()` each, slow rebuilds on a thread."""

    def __init__(
        self,
        name: str,
        *,
        seconds: Callable[[], float],
        inline_seconds: Callable[[], float],
    ) -> None:
        self.name = name
        self.seconds = seconds
        self.inline_seconds = inline_seconds
        self._kept: dict[Hashable, _Kept] = {}
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def get(
        self,
        key: Hashable,
        version: Hashable | None,
        build: Callable[[], Any],
        *,
        rebuild: Callable[[], Any] | None = None,
    ) -> Any:
        """The payload of `key` under `version`: kept while recent enough, else `build()`'s
        (in the request) or the last one while `rebuild()` (`build` by default) runs on a
        thread of its own, which closes its own database connection when done."""
        if version is None:
            return build()
        with self._lock:
            kept = self._kept.get(key)
            building = self._building.setdefault(key, threading.Lock())
        fresh = kept is not None and kept.version == version
        if fresh and time.monotonic() - kept.built < self.seconds():
            return kept.payload
        if fresh and not building.acquire(blocking=False):
            return kept.payload  # another request is rebuilding it: the last one meanwhile
        if fresh and kept.seconds > self.inline_seconds():
            # A slow build: on a thread of its own, which releases `building` when done.
            thread = threading.Thread(
                target=self._rebuild,
                args=(key, version, rebuild or build, building),
                name=f"{self.name}-rebuild",
                daemon=True,
            )
            with self._lock:
                self._threads[:] = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()
            return kept.payload
        if not fresh:
            building.acquire()
        try:
            with self._lock:
                again = self._kept.get(key)
            if again is not None and again is not kept and again.version == version:
                return again.payload  # built by the request this one waited for
            return self._build(key, version, build)
        finally:
            building.release()

    def _build(self, key: Hashable, version: Hashable, build: Callable[[], Any]) -> Any:
        started = time.monotonic()
        payload = build()
        with self._lock:
            self._kept[key] = _Kept(started, version, payload, time.monotonic() - started)
        return payload

    def _rebuild(self, key, version, build, building) -> None:
        """A rebuild on its own thread; a failure is logged and the kept payload stays (the
        next poll after the interval tries again)."""
        try:
            self._build(key, version, build)
        except Exception:
            logger.exception("%s %r could not be rebuilt", self.name, key)
        finally:
            building.release()
            connection.close()  # this thread's own connection

    def forget(self) -> None:
        """Drop every kept payload, once the rebuilds under way are done (tests, whose
        databases start over)."""
        self.join()
        with self._lock:
            self._kept.clear()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the rebuilds under way on their threads (tests; a process about to stop)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
