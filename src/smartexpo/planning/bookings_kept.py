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

`until` (bookings made by an instant) is answered from the same counts: the ticket-days booked
after a horizon (the first instant asked, moved on with the instants asked after it) are kept
by their booking instant too, and those booked after `until` taken off. An instant before the
horizon reads the tickets booked after it again (a scan of the tickets).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
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
    counts: Counter  # (type, day, lead) → ticket-days, every ticket read
    horizon: dt.datetime | None = None  # the instant `late` starts after
    # (booking instant, type, day, lead) → ticket-days of the tickets booked after `horizon`
    late: Counter = dataclasses.field(default_factory=Counter)


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
    added, high = queries.tickets_after(expo_id=expo_id, after_id=low)
    # The tickets booked after the horizon are kept one by one instant: the dashboard's instant
    # moves on, and what was booked by it is then counted here. An instant before the horizon
    # (asked for by hand) reads the later ones again.
    horizon = kept.horizon if kept is not None else until
    if kept is not None and until is not None and (horizon is None or until > horizon):
        horizon = until
    counts = Counter() if kept is None else Counter(kept.counts)
    late = Counter() if kept is None else Counter(kept.late)
    if kept is None or high > low:
        if horizon is None:
            rows = [
                (t, d, lead, None, n)
                for t, d, lead, n in queries.bookings(
                    expo_id=expo_id, opening=opening, ids=(low, high)
                )
            ]
        else:
            rows = queries.bookings_split(
                expo_id=expo_id, opening=opening, horizon=horizon, ids=(low, high)
            )
        for type_id, day, lead, at, n in rows:
            counts[(type_id, day, lead)] += n
            if at is not None:
                late[(at, type_id, day, lead)] += n
    if kept is not None and horizon != kept.horizon:
        if kept.horizon is None:  # the tickets read before, split at the horizon now
            late += _late_read(expo_id, opening, horizon, low)
        else:  # the horizon moved on: what was booked by it needs no instant any more
            late = Counter({k: n for k, n in late.items() if k[0] > horizon})
    fresh = _Kept((revoked, upto + added), high, counts, horizon, late)
    with _lock:
        _kept[key] = fresh
        _kept.move_to_end(key)
        while len(_kept) > KEPT_EDITIONS:
            _kept.popitem(last=False)
    return _answer(fresh, expo_id=expo_id, opening=opening, until=until)


def _late_read(expo_id: int, opening: dt.datetime, horizon: dt.datetime, upto_id: int) -> Counter:
    """The ticket-days booked after `horizon` of the tickets up to `upto_id`, by instant."""
    late: Counter = Counter()
    for type_id, day, lead, at, n in queries.bookings_split(
        expo_id=expo_id, opening=opening, horizon=horizon, ids=(0, upto_id)
    ):
        if at is not None:
            late[(at, type_id, day, lead)] += n
    return late


def _answer(
    kept: _Kept, *, expo_id: int, opening: dt.datetime, until: dt.datetime | None
) -> list[tuple[int, dt.date, int, int]]:
    counts = kept.counts
    if until is None:
        pass
    elif kept.horizon is not None and until >= kept.horizon:
        counts = Counter(counts)
        counts.subtract(_sum_after(kept.late, until))
    else:
        later = queries.bookings(
            expo_id=expo_id, opening=opening, after=until, ids=(0, kept.last_id)
        )
        counts = Counter(counts)
        counts.subtract({(t, d, lead): n for t, d, lead, n in later})
    return [(t, d, lead, n) for (t, d, lead), n in counts.items() if n > 0]


def _sum_after(late: Counter, until: dt.datetime) -> Counter:
    """The ticket-days of `late` booked after `until`, by (type, day, lead)."""
    out: Counter = Counter()
    for (at, type_id, day, lead), n in late.items():
        if at > until:
            out[(type_id, day, lead)] += n
    return out
