"""The per-minute occupancy history of a fold (see `crowd.fold`): loading the stored minutes
of the touched zone-periods, merging new movements into them, the count and alert after every
instant, and the rows of the minutes that changed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
from django.db import connection

from smartexpo.core.db import date_value
from smartexpo.crowd import occupancy_arithmetic, queries
from smartexpo.crowd.levels import ZoneInfo, threshold_arrays
from smartexpo.crowd.periods import MINUTE_US, closing_instant, day_number, day_of_number, to_us


@dataclasses.dataclass
class Segment:
    """One zone's count period touched by a fold."""

    zone: int
    period: int  # day number
    start: int  # first minute recomputed
    count_before: int = 0
    alert_before: bool = False


def add_whole_periods(segments: dict[tuple[int, int], Segment], zone_ids) -> None:
    """Add (or widen to the whole period) a segment for every stored period of these zones."""
    for zone_id, period, first in queries.minutes_first_per_period(sorted(zone_ids)):
        key = (zone_id, _day(period))
        segment = segments.setdefault(key, Segment(zone_id, key[1], int(first)))
        segment.start = min(segment.start, int(first))


def runs(*keys: np.ndarray) -> np.ndarray:
    """Indices where any of the (sorted) keys changes: the starts of equal runs."""
    n = len(keys[0])
    change = np.zeros(n, dtype=bool)
    if n:
        change[0] = True
        for key in keys:
            change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def segments_of(zone, period, minute) -> dict[tuple[int, int], Segment]:
    starts = runs(zone, period)
    return {
        (int(zone[i]), int(period[i])): Segment(int(zone[i]), int(period[i]), int(minute[i]))
        for i in starts
    }


def period_dates(segments) -> list[dt.date]:
    return sorted({day_of_number(s.period) for s in segments.values()})


@dataclasses.dataclass
class Loaded:
    """Stored minutes of the touched spans, as arrays sorted by (zone, period, minute)."""

    zone: np.ndarray
    period: np.ndarray
    minute: np.ndarray
    count_in: np.ndarray
    alert_in: np.ndarray
    entries: np.ndarray
    exits: np.ndarray
    blobs: list


def load_minutes(segments) -> Loaded:
    rows = queries.minutes_from(
        [(s.zone, day_of_number(s.period), s.start) for s in segments.values()]
    )
    rows.sort(key=lambda r: (r[0], _day(r[1]), r[2]))
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    return Loaded(
        np.array(columns[0], dtype=np.int64),
        np.array([_day(d) for d in columns[1]], dtype=np.int64),
        np.array(columns[2], dtype=np.int64),
        np.array(columns[3], dtype=np.int64),
        np.array([bool(v) for v in columns[4]], dtype=bool),
        np.array(columns[5], dtype=np.int64),
        np.array(columns[6], dtype=np.int64),
        list(columns[7]),
    )


def _day(value) -> int:
    """A period as stored (a date, or SQLite's text) → day number."""
    return day_number(date_value(value))


def load_state_before(segments) -> None:
    """Each segment's count and alert just before its first recomputed minute."""
    spans = [(s.zone, day_of_number(s.period), s.start) for s in segments.values()]
    for zone_id, period, count_out, alert_out in queries.minutes_last_before(spans):
        segment = segments[(zone_id, _day(period))]
        segment.count_before, segment.alert_before = int(count_out), bool(alert_out)


@dataclasses.dataclass
class Gross:
    """New movements summed per minute: keys and people in and out."""

    zone: np.ndarray
    period: np.ndarray
    minute: np.ndarray
    entries: np.ndarray
    exits: np.ndarray


def gross(zone, period, minute, delta) -> Gross:
    starts = runs(zone, period, minute)
    return Gross(
        zone[starts],
        period[starts],
        minute[starts],
        np.add.reduceat(np.maximum(delta, 0), starts) if len(starts) else delta[:0],
        np.add.reduceat(np.maximum(-delta, 0), starts) if len(starts) else delta[:0],
    )


@dataclasses.dataclass
class Instants:
    """Movements netted per instant, sorted by (zone, period, time)."""

    zone: np.ndarray
    period: np.ndarray
    at: np.ndarray
    net: np.ndarray


def merge(zone, period, at, delta, loaded: Loaded) -> Instants:
    if loaded.blobs:
        sizes, stored_at, stored_net = occupancy_arithmetic.stored_moves(
            loaded.minute, loaded.blobs
        )
        zone = np.concatenate((zone, np.repeat(loaded.zone, sizes)))
        period = np.concatenate((period, np.repeat(loaded.period, sizes)))
        at = np.concatenate((at, stored_at))
        delta = np.concatenate((delta, stored_net))
        order = np.lexsort((at, period, zone))
        zone, period, at, delta = zone[order], period[order], at[order], delta[order]
    starts = runs(zone, period, at)
    net = np.add.reduceat(delta, starts) if len(starts) else delta
    return Instants(zone[starts], period[starts], at[starts], net)


@dataclasses.dataclass
class State:
    """The merged instants with their count and alert, and the segment boundaries."""

    instants: Instants
    starts: np.ndarray  # bool: first instant of a segment
    count: np.ndarray
    count_prev: np.ndarray
    alert: np.ndarray
    alert_prev: np.ndarray
    clamped: np.ndarray


def history_paths(instants: Instants, segments, zones: dict[int, ZoneInfo]) -> State:
    starts = occupancy_arithmetic.segment_starts(
        instants.zone
    ) | occupancy_arithmetic.segment_starts(instants.period)
    first = np.flatnonzero(starts)
    lengths = np.diff(np.append(first, len(instants.zone)))
    keys = zip(instants.zone[first].tolist(), instants.period[first].tolist(), strict=True)
    before = [segments[k] for k in keys]
    count0 = np.repeat(np.array([s.count_before for s in before], dtype=np.int64), lengths)
    alert0 = np.repeat(np.array([s.alert_before for s in before], dtype=bool), lengths)
    count = occupancy_arithmetic.clamped_counts(instants.net, starts, count0)
    count_prev = occupancy_arithmetic.previous_in_segment(count, starts, count0)
    raise_at, clear_at = threshold_arrays(zones, instants.zone)
    alert = occupancy_arithmetic.alert_states(count, starts, raise_at, clear_at, alert0)
    alert_prev = occupancy_arithmetic.previous_in_segment(alert, starts, alert0)
    clamped = count - (count_prev + instants.net)
    return State(instants, starts, count, count_prev, alert, alert_prev, clamped)


def _closing_us(periods: np.ndarray, tz, closes) -> np.ndarray:
    distinct, where = np.unique(periods, return_inverse=True)
    ends = [to_us(closing_instant(day_of_number(p), tz=tz, closes_at=closes)) for p in distinct]
    return np.array(ends, dtype=np.int64)[where]


def _key_index(zone, period, minute, into_zone, into_period, into_minute) -> np.ndarray:
    """Positions of (zone, period, minute) keys among keys sorted the same way; -1 where
    absent. Both are mapped to one sortable integer, so a search replaces a dictionary of
    what may be a million minutes."""
    if not len(into_zone) or not len(zone):
        return np.full(len(zone), -1, dtype=np.int64)
    zones = np.unique(np.concatenate((zone, into_zone)))
    periods = np.unique(np.concatenate((period, into_period)))
    low = int(min(minute.min(), into_minute.min()))
    span = int(max(minute.max(), into_minute.max())) - low + 1

    def composite(z, p, m):
        z, p = np.searchsorted(zones, z), np.searchsorted(periods, p)
        return (z * len(periods) + p) * span + (m - low)

    keys, table = composite(zone, period, minute), composite(into_zone, into_period, into_minute)
    order = np.argsort(table, kind="stable")
    where = np.searchsorted(table, keys, sorter=order)
    where = np.minimum(where, len(table) - 1)
    found = order[where]
    return np.where(table[found] == keys, found, -1)


def minute_rows(
    state: State, new: Gross, loaded: Loaded, tz, closes, rewrite: frozenset[int] = frozenset()
) -> list[tuple]:
    """The rows of the minutes that changed (every minute of the zones in `rewrite`), ready
    for `write_minute_rows`."""
    inst = state.instants
    minute = inst.at // MINUTE_US
    first = runs(inst.zone, inst.period, minute)
    last = np.append(first[1:], len(minute)) - 1
    b_zone, b_period, b_minute = inst.zone[first], inst.period[first], minute[first]
    count_in = state.count_prev[first]
    count_out = state.count[last]
    peak = np.maximum(np.maximum.reduceat(state.count, first), count_in)
    clamped = np.add.reduceat(state.clamped, first)
    alert_in, alert_out = state.alert_prev[first], state.alert[last]

    # ∫ count dt over each minute (up to closing time in the minute a period ends).
    ends = np.minimum((b_minute + 1) * MINUTE_US, _closing_us(b_period, tz, closes))
    following = np.empty_like(inst.at)
    following[:-1] = inst.at[1:]
    following[last] = ends
    person_us = np.add.reduceat(state.count * (following - inst.at), first)
    person_us += count_in * (inst.at[first] - b_minute * MINUTE_US)

    entries = np.zeros(len(first), dtype=np.int64)
    exits = np.zeros(len(first), dtype=np.int64)
    old = _key_index(b_zone, b_period, b_minute, loaded.zone, loaded.period, loaded.minute)
    has_old = old >= 0
    entries[has_old] = loaded.entries[old[has_old]]
    exits[has_old] = loaded.exits[old[has_old]]
    fresh = _key_index(new.zone, new.period, new.minute, b_zone, b_period, b_minute)
    np.add.at(entries, fresh, new.entries)
    np.add.at(exits, fresh, new.exits)

    changed = np.zeros(len(first), dtype=bool)
    changed[fresh] = True  # every new minute is among the merged ones
    changed |= ~has_old
    changed[has_old] |= loaded.count_in[old[has_old]] != count_in[has_old]
    changed[has_old] |= loaded.alert_in[old[has_old]] != alert_in[has_old]
    if rewrite:
        changed |= np.isin(b_zone, np.fromiter(rewrite, dtype=np.int64))

    offsets = (inst.at - np.repeat(b_minute * MINUTE_US, last - first + 1)).astype(np.int32)
    packed = np.empty(len(inst.at), dtype=occupancy_arithmetic.MOVE)
    packed["offset"], packed["net"] = offsets, inst.net
    raw = packed.tobytes()
    size = occupancy_arithmetic.MOVE.itemsize
    adapt = connection.ops.adapt_datefield_value
    days = {int(p): adapt(day_of_number(p)) for p in np.unique(b_period)}
    pick = np.flatnonzero(changed)
    starts, stops = (first[pick] * size).tolist(), ((last[pick] + 1) * size).tolist()
    rows = list(
        zip(
            b_zone[pick].tolist(),
            [days[p] for p in b_period[pick].tolist()],
            b_minute[pick].tolist(),
            count_in[pick].tolist(),
            count_out[pick].tolist(),
            peak[pick].tolist(),
            entries[pick].tolist(),
            exits[pick].tolist(),
            clamped[pick].tolist(),
            person_us[pick].tolist(),
            alert_in[pick].tolist(),
            alert_out[pick].tolist(),
            [raw[a:b] for a, b in zip(starts, stops, strict=True)],
            strict=True,
        )
    )
    return rows


def write_minute_rows(rows: list[tuple]) -> None:
    """Insert or replace minutes (rows from `minute_rows`)."""
    queries.minutes_upsert(rows)
