"""An edition's bookings (`queries.bookings`) kept per process and read on from where the last
read stopped: the dashboard's booking curve at every rebuild costs the tickets registered
since, not the million ticket-days of the edition (docs/reports.md, "Speed at the reference
scale").

Tickets are only added under rising ids; what else changes the counts is caught by a cheap
fingerprint read *before* the rows (`queries.tickets_fingerprint`), and a changed one means a
full read:
- a cancellation revokes its tickets in the transaction that invalidates their days (the
  only path that does): the edition's revoked tickets are counted;
- a deletion (a demo reset, an edition's tickets removed) or, on PostgreSQL, a ticket that
  commits after one with a higher id changes how many tickets have an id up to the last one
  read.
A ticket's type, days and creation instant are never changed once issued (no service, no admin
form does); a change made by hand in SQL is seen at the next full read, when the process
restarts or the fingerprint moves.

`until` (bookings made by an instant) is answered from the same counts: when tickets created
after it were read, theirs are read again (by a scan of the edition's tickets) and taken off.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
from collections import Counter, OrderedDict

from smartexpo.planning import queries

# Editions kept per process (each a few thousand counts); the least recently used go first.
KEPT_EDITIONS = 8
Key = tuple[int, dt.date, int]


@dataclasses.dataclass
class _Kept:
    fingerprint: tuple[int, int]
    last_id: int
    counts: Counter
    latest: int | None  # the latest created_at read, seconds since 1970


_kept: OrderedDict[tuple[int, dt.datetime], _Kept] = OrderedDict()
_lock = threading.Lock()


def forget() -> None:
    """Drop every edition's kept counts (tests, whose databases start over)."""
    with _lock:
        _kept.clear()


def bookings_kept(
    *, expo_id: int, opening: dt.datetime, until: dt.datetime | None = None
) -> list[tuple[int, dt.date, int, int]]:
    """`queries.bookings(expo_id=…, opening=…, until=…)`, the same rows in another order, read
    incrementally (see the module's docstring)."""
    key = (expo_id, opening)
    with _lock:
        kept = _kept.get(key)
    low = kept.last_id if kept is not None else 0
    revoked, upto = queries.tickets_fingerprint(expo_id=expo_id, upto_id=low)
    if kept is None or kept.fingerprint != (revoked, upto):
        kept, low = None, 0
    added, high, latest = queries.tickets_after(expo_id=expo_id, after_id=low)
    counts = Counter() if kept is None else Counter(kept.counts)
    if kept is None or high > low:
        for type_id, day, lead, n in queries.bookings(
            expo_id=expo_id, opening=opening, ids=(low, high)
        ):
            counts[(type_id, day, lead)] += n
    if kept is not None and kept.latest is not None:
        latest = kept.latest if latest is None else max(latest, kept.latest)
    fresh = _Kept((revoked, upto + added), high, counts, latest)
    with _lock:
        _kept[key] = fresh
        _kept.move_to_end(key)
        while len(_kept) > KEPT_EDITIONS:
            _kept.popitem(last=False)
    return _answer(fresh, expo_id=expo_id, opening=opening, until=until)


def _answer(
    kept: _Kept, *, expo_id: int, opening: dt.datetime, until: dt.datetime | None
) -> list[tuple[int, dt.date, int, int]]:
    counts = kept.counts
    # `latest` is floored to the second: a ticket of that second may still be after `until`.
    if (
        until is not None
        and kept.latest is not None
        and kept.latest >= math.floor(until.timestamp())
    ):
        later = queries.bookings(
            expo_id=expo_id, opening=opening, after=until, ids=(0, kept.last_id)
        )
        counts = Counter(counts)
        counts.subtract({(t, d, lead): n for t, d, lead, n in later})
    return [(t, d, lead, n) for (t, d, lead), n in counts.items() if n > 0]
