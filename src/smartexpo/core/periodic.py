"""A daemon thread that does one thing every interval until asked to stop: the occupancy fold of
`serve`'s leader (`crowd.folder`) and the report worker's dashboard refresher
(`reports.dashboard_shared`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import connection


class Periodic(threading.Thread):
    """Runs `work()` every `interval` seconds until `stop()`. A failed round is logged on
    `logger` with `failure` and tried again at the next; the thread's own database connection
    is closed when it ends."""

    def __init__(
        self,
        *,
        name: str,
        interval: float,
        work: Callable[[], object],
        logger: logging.Logger,
        failure: str,
    ):
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self._work = work
        self._logger = logger
        self._failure = failure
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.interval):
                try:
                    self._work()
                except Exception:  # a failed round is retried next interval, not fatal
                    self._logger.exception(self._failure)
        finally:
            connection.close()

    def stop(self, timeout: float | None = 10) -> None:
        """Ask the thread to stop after its round, and wait up to `timeout` seconds for it."""
        self._stop_event.set()
        self.join(timeout=timeout)
