"""A zone's flows per time slot of one day: person-time, people out, the count at the slot's
end and, for a queue, the mean wait of the people who left it in the slot, from the folded
minute history (`crowd.models.OccupancyMinute`).

A gate's queue area is such a zone (`checkin.selectors.gate_waits`). Over a whole day its
person-time divided by the people who left it is their mean wait exactly (Little's law, the
queue being empty at both ends). Over a quarter hour it is not: when people wait longer than
the slot, the slot's person-time belongs mostly to people who leave in other slots (a twin's
morning queue of 30 to 50 minutes measured so is 10 to 25 minutes off,
tests/demo/test_simulator_queues.py). So a slot's wait matches the counts first in, first out:
the k-th person out of the queue is the k-th who went in (`fifo_waits`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from smartexpo.crowd import queries
from smartexpo.crowd.periods import MINUTE_US, closing_instant, to_us
from smartexpo.venue.models import Expo


@dataclasses.dataclass(frozen=True)
class ZoneSlot:
    """One zone in one slot: `minutes` of it elapsed, the person-seconds spent in the zone in
    them, the people who left, and the count at the end of the last elapsed minute."""

    start: dt.datetime  # in the edition's time zone
    minutes: int
    person_seconds: float
    exits: int
    count_end: int
    wait_seconds: float | None  # first in, first out: the mean wait of those who left


def zone_slots(
    *,
    expo: Expo,
    zone_ids: list[int],
    day: dt.date,
    slot_minutes: int,
    at: dt.datetime | None = None,
) -> dict[int, list[ZoneSlot]]:
    """Per zone id, its slots of `slot_minutes` from the local midnight of `day` up to the
    day's closing (the end of the count period `day`), or up to the whole minutes ended by
    `at` if earlier: every slot from the first to the last in which any zone held or let out
    anyone, the same slots for every zone (none when nothing moved).

    A minute without a stored row keeps the count of the row before it (as `footfall` reads
    it), so the person-time of those minutes is that count times a minute."""
    tz = expo.tz
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    start = to_us(midnight) // MINUTE_US
    end = to_us(closing_instant(day, tz=tz, closes_at=expo.closes_at)) // MINUTE_US
    if at is not None:
        end = min(end, to_us(at) // MINUTE_US)
    if end <= start or not zone_ids:
        return {z: [] for z in zone_ids}
    rows = np.array(queries.minute_flows(list(zone_ids), day, end), dtype=np.int64).reshape(-1, 6)
    n = end - start
    person = np.zeros((len(zone_ids), n), dtype=np.float64)
    exits = np.zeros((len(zone_ids), n), dtype=np.int64)
    entries = np.zeros((len(zone_ids), n), dtype=np.int64)
    carries = []
    counts = np.zeros((len(zone_ids), n), dtype=np.int64)
    for i, zone_id in enumerate(zone_ids):
        mine = rows[rows[:, 0] == zone_id]
        mine = mine[np.argsort(mine[:, 1])]
        before = mine[mine[:, 1] < start]
        carry = int(before[-1, 2]) if len(before) else 0  # the period began before midnight
        inside = mine[mine[:, 1] >= start]
        at_minute = inside[:, 1] - start
        # Each minute's count at its end: the stored one, else carried from the row before.
        stored = np.full(n, -1, dtype=np.int64)
        stored[at_minute] = inside[:, 2]
        filled = np.where(stored >= 0, np.arange(n), -1)
        np.maximum.accumulate(filled, out=filled)
        counts[i] = np.where(filled >= 0, stored[np.maximum(filled, 0)], carry)
        carried = np.append(carry, counts[i][:-1])  # the count each minute began with
        person[i] = carried * 60.0
        person[i][at_minute] = inside[:, 4] / 1e6
        exits[i][at_minute] = inside[:, 3]
        entries[i][at_minute] = inside[:, 5]
        carries.append(carry)
    active = np.flatnonzero((person > 0).any(axis=0) | (exits > 0).any(axis=0))
    if not len(active):
        return {z: [] for z in zone_ids}
    first, last = int(active[0]) // slot_minutes, int(active[-1]) // slot_minutes
    found: dict[int, list[ZoneSlot]] = {z: [] for z in zone_ids}
    waited = [fifo_waits(entries[i], exits[i], carries[i]) for i in range(len(zone_ids))]
    for slot in range(first, last + 1):
        lo, hi = slot * slot_minutes, min((slot + 1) * slot_minutes, n)
        begins = midnight + dt.timedelta(minutes=lo)
        for i, zone_id in enumerate(zone_ids):
            found[zone_id].append(
                ZoneSlot(
                    begins,
                    hi - lo,
                    float(person[i, lo:hi].sum()),
                    int(exits[i, lo:hi].sum()),
                    int(counts[i, hi - 1]),
                    _mean(waited[i], lo, hi),
                )
            )
    return found


def _mean(waited: tuple[np.ndarray, np.ndarray], lo: int, hi: int) -> float | None:
    left_at, wait = waited
    a, b = np.searchsorted(left_at, [lo, hi])
    return float(wait[a:b].mean()) * 60 if b > a else None


def fifo_waits(entries: np.ndarray, exits: np.ndarray, carry: int) -> tuple[np.ndarray, np.ndarray]:
    """(minute each person left at, their wait in minutes), in order of leaving, for a queue
    whose people leave in the order they came: the k-th out is the k-th in (`carry` people were
    in at minute 0, counted in at its start). Within a minute, the people in or out are spread
    evenly over it. A person out beyond everyone counted in (a missed entry) waited nothing."""
    total = int(exits.sum())
    if not total:
        return np.zeros(0), np.zeros(0)
    out_minute = np.repeat(np.arange(len(exits)), exits)
    out_rank = np.arange(total) - np.repeat(np.cumsum(exits) - exits, exits)
    left = out_minute + (out_rank + 0.5) / exits[out_minute]
    came = np.concatenate([np.zeros(carry), _spread(entries)])
    joined = came[np.minimum(np.arange(total), len(came) - 1)] if len(came) else left
    joined = np.where(np.arange(total) < len(came), joined, left)
    return out_minute, np.maximum(left - joined, 0.0)


def _spread(counts: np.ndarray) -> np.ndarray:
    """Each person's instant (in minutes) when `counts[m]` people spread evenly over minute m."""
    minute = np.repeat(np.arange(len(counts)), counts)
    rank = np.arange(len(minute)) - np.repeat(np.cumsum(counts) - counts, counts)
    return minute + (rank + 0.5) / np.maximum(counts[minute], 1)
