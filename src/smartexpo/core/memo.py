"""A bounded per-process memo of values by (owner id, version, key): kept while the version
its caller reads from the database stays the same, least recently used dropped first. The
caller decides what the version is (a ledger's head, a stamp and a fingerprint of rows) and
reads it before making the value, so a change committed meanwhile is a new version next time."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class HeadMemo:
    """A bounded memo of values by (owner id, version, key); least recently used go first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, expo_id: int, head: tuple, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value kept for `key` at `head`, or `make()`'s, kept."""
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
