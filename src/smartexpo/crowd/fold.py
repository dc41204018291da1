"""Folding movements into the occupancy history: the one write path of occupancy.

Movements (a zone, an instant, ± people) come from sensor events and gate scans, in any order
and at any lateness. Folding a set of them into the stored history (`OccupancyMinute`,
`ZoneDay`, `CrowdAlert`) gives the same history whatever the order of the sets, because each
zone's count period is recomputed from the earliest minute that changes:

1. the new movements are netted per zone and instant and grouped into count periods;
2. for each zone-period touched, the stored minutes from that earliest minute on are loaded
   (from the start of an alert still running then, so its peak is recomputed whole) with the
   count and alert state just before;
3. old and new movements are merged, the clamped count and the alert state follow for every
   instant (`crowd.paths`), and the minutes that changed are written back;
4. the day's drift (count at closing), totals and visitor sketch, and the alerts of the
   recomputed span, are brought in line.

All array work is numpy; the database sees a handful of statements per batch, not one per
movement. The caller holds the edition's fold lock and the transaction (`crowd.services`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import defaultdict

import numpy as np
from django.db import connection

from smartexpo.crowd import paths
from smartexpo.crowd.levels import ZoneInfo, alert_reason, threshold_arrays
from smartexpo.crowd.models import CrowdAlert, OccupancyMinute, ZoneDay
from smartexpo.crowd.periods import (
    MINUTE_US,
    closing_instant,
    day_number,
    day_of_number,
    from_us,
    periods_of,
    to_us,
)
from smartexpo.crowd.visitors import sketch_add, sketch_from_bytes
from smartexpo.crowd.zones import zone_infos
from smartexpo.venue.models import Expo

OR_CHUNK = 150  # (zone, period, minute) conditions per statement


@dataclasses.dataclass
class Movements:
    """Movements as parallel arrays: zone id, event time (µs since the epoch), ± people, and
    the visitor hash of an entry (0 for none)."""

    zone: np.ndarray
    at_us: np.ndarray
    delta: np.ndarray
    visitor: np.ndarray

    @classmethod
    def of(cls, zone, at_us, delta, visitor=None) -> Movements:
        zone = np.asarray(zone, dtype=np.int64)
        visitor = np.zeros(len(zone), np.int64) if visitor is None else visitor
        return cls(
            zone,
            np.asarray(at_us, dtype=np.int64),
            np.asarray(delta, dtype=np.int64),
            np.asarray(visitor, dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.zone)


@dataclasses.dataclass
class FoldReport:
    movements: int = 0
    minutes_written: int = 0
    alerts_raised: int = 0
    alerts_removed: int = 0


@dataclasses.dataclass
class _Segment:
    """One zone's count period touched by a fold."""

    zone: int
    period: int  # day number
    start: int  # first minute recomputed
    count_before: int = 0
    alert_before: bool = False


def movements_fold(*, expo: Expo, moves: Movements) -> FoldReport:
    """Fold movements into the edition's occupancy history (inside the caller's transaction,
    with the fold lock held)."""
    report = FoldReport(movements=len(moves))
    if not len(moves):
        return report
    zones = zone_infos(expo_id=expo.pk)
    tz, closes = expo.tz, expo.closes_at
    order = np.lexsort((moves.at_us, moves.zone))
    zone, at, delta = moves.zone[order], moves.at_us[order], moves.delta[order]
    visitor = moves.visitor[order]
    period = periods_of(at, tz=tz, closes_at=closes)
    minute = at // MINUTE_US

    segments = _segments(zone, period, minute)
    alerts = _touched_alerts(segments)
    _extend_over_alerts(segments, alerts)
    loaded = _load_minutes(segments)
    _load_state_before(segments)

    # The new movements per minute (gross in and out) and netted per instant.
    new_minutes = _gross(zone, period, minute, delta)
    instants = _merge(zone, period, at, delta, loaded)
    state = _paths(instants, segments, zones)
    written = _write_minutes(state, new_minutes, loaded, tz, closes)
    report.minutes_written = written
    _write_days(state, segments, new_minutes, zone, period, delta, visitor)
    raised, removed = _reconcile_alerts(expo, state, segments, alerts, zones, tz, closes)
    report.alerts_raised, report.alerts_removed = raised, removed
    return report


def _runs(*keys: np.ndarray) -> np.ndarray:
    """Indices where any of the (sorted) keys changes: the starts of equal runs."""
    n = len(keys[0])
    change = np.zeros(n, dtype=bool)
    if n:
        change[0] = True
        for key in keys:
            change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def _segments(zone, period, minute) -> dict[tuple[int, int], _Segment]:
    starts = _runs(zone, period)
    return {
        (int(zone[i]), int(period[i])): _Segment(int(zone[i]), int(period[i]), int(minute[i]))
        for i in starts
    }


def _period_dates(segments) -> list[dt.date]:
    return sorted({day_of_number(s.period) for s in segments.values()})


def _touched_alerts(segments) -> dict[tuple[int, int], list[CrowdAlert]]:
    """The stored alerts of the touched zone-periods."""
    found: dict[tuple[int, int], list[CrowdAlert]] = defaultdict(list)
    zone_ids = sorted({s.zone for s in segments.values()})
    days = _period_dates(segments)
    for start in range(0, len(zone_ids), 500):
        for alert in CrowdAlert.objects.filter(
            zone_id__in=zone_ids[start : start + 500], period__in=days
        ).order_by("raised_at", "id"):
            key = (alert.zone_id, day_number(alert.period))
            if key in segments:
                found[key].append(alert)
    return found


def _extend_over_alerts(segments, alerts) -> None:
    """Start each segment early enough that every alert it touches is recomputed whole."""
    for key, items in alerts.items():
        segment = segments[key]
        changed = True
        while changed:
            changed = False
            for alert in items:
                raised = to_us(alert.raised_at) // MINUTE_US
                if to_us(alert.ends_at) >= segment.start * MINUTE_US and raised < segment.start:
                    segment.start, changed = raised, True


def _conditions(items, template: str):
    for start in range(0, len(items), OR_CHUNK):
        chunk = items[start : start + OR_CHUNK]
        yield " OR ".join([template] * len(chunk)), chunk


def _minute_table() -> str:
    return connection.ops.quote_name(OccupancyMinute._meta.db_table)


@dataclasses.dataclass
class _Loaded:
    """Stored minutes of the touched spans, as arrays sorted by (zone, period, minute)."""

    zone: np.ndarray
    period: np.ndarray
    minute: np.ndarray
    count_in: np.ndarray
    alert_in: np.ndarray
    entries: np.ndarray
    exits: np.ndarray
    blobs: list


def _load_minutes(segments) -> _Loaded:
    adapt = connection.ops.adapt_datefield_value
    rows: list[tuple] = []
    items = list(segments.values())
    table = _minute_table()
    with connection.cursor() as cursor:
        for where, chunk in _conditions(items, "(zone_id = %s AND period = %s AND minute >= %s)"):
            params = []
            for s in chunk:
                params += [s.zone, adapt(day_of_number(s.period)), s.start]
            cursor.execute(
                f"SELECT zone_id, period, minute, count_in, alert_in, entries, exits, moves "  # noqa: S608
                f"FROM {table} WHERE {where}",
                params,
            )
            rows.extend(cursor.fetchall())
    rows.sort(key=lambda r: (r[0], _day(r[1]), r[2]))
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    return _Loaded(
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
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return day_number(value)


def _load_state_before(segments) -> None:
    """Each segment's count and alert just before its first recomputed minute."""
    adapt = connection.ops.adapt_datefield_value
    table = _minute_table()
    one = (
        f"SELECT * FROM (SELECT zone_id, period, count_out, alert_out FROM {table} "  # noqa: S608
        f"WHERE zone_id = %s AND period = %s AND minute < %s ORDER BY minute DESC LIMIT 1) AS prev"
    )
    items = list(segments.values())
    with connection.cursor() as cursor:
        for start in range(0, len(items), OR_CHUNK):
            chunk = items[start : start + OR_CHUNK]
            params = []
            for s in chunk:
                params += [s.zone, adapt(day_of_number(s.period)), s.start]
            cursor.execute(" UNION ALL ".join([one] * len(chunk)), params)
            for zone_id, period, count_out, alert_out in cursor.fetchall():
                segment = segments[(zone_id, _day(period))]
                segment.count_before, segment.alert_before = int(count_out), bool(alert_out)


@dataclasses.dataclass
class _Gross:
    """New movements summed per minute: keys and people in and out."""

    zone: np.ndarray
    period: np.ndarray
    minute: np.ndarray
    entries: np.ndarray
    exits: np.ndarray


def _gross(zone, period, minute, delta) -> _Gross:
    starts = _runs(zone, period, minute)
    return _Gross(
        zone[starts],
        period[starts],
        minute[starts],
        np.add.reduceat(np.maximum(delta, 0), starts) if len(starts) else delta[:0],
        np.add.reduceat(np.maximum(-delta, 0), starts) if len(starts) else delta[:0],
    )


@dataclasses.dataclass
class _Instants:
    """Movements netted per instant, sorted by (zone, period, time)."""

    zone: np.ndarray
    period: np.ndarray
    at: np.ndarray
    net: np.ndarray


def _merge(zone, period, at, delta, loaded: _Loaded) -> _Instants:
    if loaded.blobs:
        moves = [paths.unpack_moves(b) for b in loaded.blobs]
        sizes = np.array([len(m) for m in moves], dtype=np.int64)
        stored = np.concatenate(moves)
        base = np.repeat(loaded.minute * MINUTE_US, sizes)
        zone = np.concatenate((zone, np.repeat(loaded.zone, sizes)))
        period = np.concatenate((period, np.repeat(loaded.period, sizes)))
        at = np.concatenate((at, base + stored["offset"]))
        delta = np.concatenate((delta, stored["net"]))
        order = np.lexsort((at, period, zone))
        zone, period, at, delta = zone[order], period[order], at[order], delta[order]
    starts = _runs(zone, period, at)
    net = np.add.reduceat(delta, starts) if len(starts) else delta
    return _Instants(zone[starts], period[starts], at[starts], net)


@dataclasses.dataclass
class _State:
    """The merged instants with their count and alert, and the segment boundaries."""

    instants: _Instants
    starts: np.ndarray  # bool: first instant of a segment
    count: np.ndarray
    count_prev: np.ndarray
    alert: np.ndarray
    alert_prev: np.ndarray
    clamped: np.ndarray


def _paths(instants: _Instants, segments, zones: dict[int, ZoneInfo]) -> _State:
    starts = paths.segment_starts(instants.zone) | paths.segment_starts(instants.period)
    first = np.flatnonzero(starts)
    lengths = np.diff(np.append(first, len(instants.zone)))
    keys = zip(instants.zone[first].tolist(), instants.period[first].tolist(), strict=True)
    before = [segments[k] for k in keys]
    count0 = np.repeat(np.array([s.count_before for s in before], dtype=np.int64), lengths)
    alert0 = np.repeat(np.array([s.alert_before for s in before], dtype=bool), lengths)
    count = paths.clamped_counts(instants.net, starts, count0)
    count_prev = paths.previous_in_segment(count, starts, count0)
    raise_at, clear_at = threshold_arrays(zones, instants.zone)
    alert = paths.alert_states(count, starts, raise_at, clear_at, alert0)
    alert_prev = paths.previous_in_segment(alert, starts, alert0)
    clamped = count - (count_prev + instants.net)
    return _State(instants, starts, count, count_prev, alert, alert_prev, clamped)


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


def _write_minutes(state: _State, new: _Gross, loaded: _Loaded, tz, closes) -> int:
    inst = state.instants
    minute = inst.at // MINUTE_US
    first = _runs(inst.zone, inst.period, minute)
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

    offsets = (inst.at - np.repeat(b_minute * MINUTE_US, last - first + 1)).astype(np.int32)
    packed = np.empty(len(inst.at), dtype=paths.MOVE)
    packed["offset"], packed["net"] = offsets, inst.net
    raw = packed.tobytes()
    size = paths.MOVE.itemsize
    adapt = connection.ops.adapt_datefield_value
    days = {int(p): adapt(day_of_number(p)) for p in np.unique(b_period)}
    rows = [
        (
            int(b_zone[i]),
            days[int(b_period[i])],
            int(b_minute[i]),
            int(count_in[i]),
            int(count_out[i]),
            int(peak[i]),
            int(entries[i]),
            int(exits[i]),
            int(clamped[i]),
            int(person_us[i]),
            bool(alert_in[i]),
            bool(alert_out[i]),
            raw[int(first[i]) * size : (int(last[i]) + 1) * size],
        )
        for i in np.flatnonzero(changed)
    ]
    if rows:
        columns = (
            "zone_id, period, minute, count_in, count_out, peak, entries, exits, clamped, "
            "person_us, alert_in, alert_out, moves"
        )
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns.split(", ")[3:])
        sql = (
            f"INSERT INTO {_minute_table()} ({columns}) VALUES ({', '.join(['%s'] * 13)}) "  # noqa: S608
            f"ON CONFLICT (zone_id, period, minute) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    return len(rows)


def _write_days(state: _State, segments, new: _Gross, zone, period, delta, visitor) -> None:
    inst = state.instants
    last = np.append(np.flatnonzero(state.starts)[1:], len(inst.zone)) - 1
    closing = {
        (int(z), int(p)): int(c)
        for z, p, c in zip(inst.zone[last], inst.period[last], state.count[last], strict=True)
    }
    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for z, p, e, x in zip(new.zone, new.period, new.entries, new.exits, strict=True):
        item = totals[(int(z), int(p))]
        item[0] += int(e)
        item[1] += int(x)
    seen = (visitor != 0) & (delta > 0)
    by_day: dict[tuple[int, int], np.ndarray] = {}
    if seen.any():
        vz, vp, vh = zone[seen], period[seen], visitor[seen]
        bounds = np.append(_runs(vz, vp), len(vz))
        for a, b in itertools.pairwise(bounds):
            by_day[(int(vz[a]), int(vp[a]))] = vh[a:b]
    zone_ids = {s.zone for s in segments.values()}
    days = _period_dates(segments)
    existing = {
        (d.zone_id, day_number(d.period)): d
        for d in ZoneDay.objects.filter(zone_id__in=zone_ids, period__in=days).defer("visitors")
    }
    # Sketches are read and written only where new visitors were seen.
    sketches = (
        {
            (z, day_number(p)): blob
            for z, p, blob in ZoneDay.objects.filter(
                zone_id__in={k[0] for k in by_day}, period__in=days
            ).values_list("zone_id", "period", "visitors")
        }
        if by_day
        else {}
    )
    create, update, tagged = [], [], []
    for key, segment in segments.items():
        day = existing.get(key) or ZoneDay(zone_id=segment.zone, period=day_of_number(key[1]))
        entries, exits = totals[key]
        day.entries += entries
        day.exits += exits
        day.closing_count = closing[key]
        if key in by_day:
            sketch = sketch_from_bytes(sketches.get(key))
            sketch_add(sketch, by_day[key])
            day.visitors = sketch.tobytes()
            if day.pk:
                tagged.append(day)
        (update if day.pk else create).append(day)
    ZoneDay.objects.bulk_create(create, batch_size=500)
    ZoneDay.objects.bulk_update(update, ["closing_count", "entries", "exits"], batch_size=500)
    ZoneDay.objects.bulk_update(tagged, ["visitors"], batch_size=200)


@dataclasses.dataclass
class _Episode:
    zone: int
    period: int
    raised_us: int
    ends_us: int
    by_reset: bool
    peak: int
    reason: str


def _episodes(state: _State, zones, tz, closes) -> list[_Episode]:
    inst = state.instants
    rises = np.flatnonzero(state.alert & ~state.alert_prev)
    if not len(rises):
        return []
    falls = np.flatnonzero(~state.alert & state.alert_prev)
    seg_first = np.flatnonzero(state.starts)
    seg_end = np.append(seg_first[1:], len(inst.zone))
    episodes = []
    for rise in rises.tolist():
        segment = int(np.searchsorted(seg_first, rise, side="right")) - 1
        end = seg_end[segment]
        k = int(np.searchsorted(falls, rise))
        fall = int(falls[k]) if k < len(falls) and falls[k] < end else None
        stop = fall if fall is not None else end
        zone_id, period = int(inst.zone[rise]), int(inst.period[rise])
        if fall is not None:
            ends_us, by_reset = int(inst.at[fall]), False
        else:
            closing = closing_instant(day_of_number(period), tz=tz, closes_at=closes)
            ends_us, by_reset = to_us(closing), True
        count = int(state.count[rise])
        episodes.append(
            _Episode(
                zone_id,
                period,
                int(inst.at[rise]),
                ends_us,
                by_reset,
                int(state.count[rise:stop].max()),
                alert_reason(count, zones[zone_id].capacity),
            )
        )
    return episodes


def _reconcile_alerts(expo, state, segments, alerts, zones, tz, closes) -> tuple[int, int]:
    """Replace the alerts of the recomputed spans by the episodes found now; an episode that
    overlaps an alert already stored keeps that alert (and its acknowledgement)."""
    fresh: dict[tuple[int, int], list[_Episode]] = defaultdict(list)
    for episode in _episodes(state, zones, tz, closes):
        fresh[(episode.zone, episode.period)].append(episode)
    create, update, remove = [], [], []
    for key, segment in segments.items():
        start_us = segment.start * MINUTE_US
        touched = [a for a in alerts.get(key, []) if to_us(a.ends_at) >= start_us]
        for episode in fresh.get(key, []):
            match = next(
                (
                    a
                    for a in touched
                    if to_us(a.raised_at) <= episode.ends_us
                    and episode.raised_us <= to_us(a.ends_at)
                ),
                None,
            )
            alert = match or CrowdAlert(expo=expo, zone_id=episode.zone)
            alert.period = day_of_number(episode.period)
            alert.raised_at = from_us(episode.raised_us)
            alert.ends_at = from_us(episode.ends_us)
            alert.ended_by_reset = episode.by_reset
            alert.peak_count = episode.peak
            alert.reason = episode.reason
            if match is None:
                create.append(alert)
            else:
                touched.remove(match)
                update.append(alert)
        remove.extend(a.pk for a in touched)
    CrowdAlert.objects.bulk_create(create)
    CrowdAlert.objects.bulk_update(
        update, ["period", "raised_at", "ends_at", "ended_by_reset", "peak_count", "reason"]
    )
    if remove:
        CrowdAlert.objects.filter(pk__in=remove).delete()
    return len(create), len(remove)
