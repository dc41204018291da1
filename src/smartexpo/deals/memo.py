"""Answers kept per process under the ledger's head (docs/caches.md, "Deals").

Every change of any deal of an edition appends a log entry and moves the edition's head, in the
same transaction (`services.ledger.log_append`). So an answer made only from the edition's deals
is the same for as long as the head is: it is kept under (edition, head, what was asked) and
made again when the head moves. Servers never share it and need not: each reads the head from
the database on every request, and the same head gives every server the same answer.

A request that reads the head just before a write commits and the deals just after keeps the
newer answer under the older head; no request reads that head after the commit, so nothing
stale is ever served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

KEPT = 512


class HeadMemo:
    """A bounded memo of answers by (edition id, head, key); least recently used go first."""

    def __init__(self, size: int = KEPT) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, expo_id: int, head: tuple, key: Hashable, make: Callable[[], Any]) -> Any:
        """The answer kept for `key` at `head`, or `make()`'s, kept."""
        full = (expo_id, head, key)
        with self._lock:
            if full in self._kept:
                self._kept.move_to_end(full)
                return self._kept[full]
        value = make()
        with self._lock:
            self._kept[full] = value
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return value

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()


API = HeadMemo()
PAGES = HeadMemo()


def forget_all() -> None:
    """Drop every kept answer (tests rebuild the database under the process)."""
    API.forget()
    PAGES.forget()
