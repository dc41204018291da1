"""Occupancy frames: the whole venue minute by minute, so that an instant is one row away.

A zone's history is its minutes (`OccupancyMinute`); asking for every zone at an instant then
costs an index seek per zone and a minute's movements per zone — some 900 of each for the
demo edition, most of the occupancy endpoint's time. A frame holds, for one minute of a count
period in which anything moved, every zone's count and alert at the minute's start and every
zone's movements in that minute: the same answer from one row.

Frames are derived from the minutes by the fold that changes them (`frames_plan`, called by
`crowd.fold.fold_plan`): the frames of a count period from its earliest changed minute on are
rebuilt from the zones' paths — the fold's own for the zones it recomputed, the stored minutes
for the others — starting from the state the frame before leaves.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from django.db import connection

from smartexpo.crowd import occupancy_arithmetic, queries
from smartexpo.crowd.levels import ZoneInfo
from smartexpo.crowd.periods import MINUTE_US, day_of_number

# One movement of a frame: the zone's position in the frame's zone ids, µs into the minute,
# the net change. Sorted by zone position, then time.
FRAME_MOVE = np.dtype([("zone", "<i4"), ("offset", "<i4"), ("net", "<i8")])


@dataclasses.dataclass
class FramesPlan:
    """Frames to write: per period (day number) the first minute replaced, and the rows."""

    starts: dict[int, int]
    rows: list[tuple]


@dataclasses.dataclass
class Frame:
    """One stored frame, decoded."""

    minute: int
    zone_ids: np.ndarray
    counts: np.ndarray
    alerts: np.ndarray
    moves: np.ndarray

    @classmethod
    def of(cls, minute, zone_ids, counts, alerts, moves) -> Frame:
        return cls(
            int(minute),
            np.frombuffer(bytes(zone_ids), dtype="<i8"),
            np.frombuffer(bytes(counts), dtype="<i8").copy(),
            np.frombuffer(bytes(alerts), dtype=np.uint8).astype(bool),
            np.frombuffer(bytes(moves), dtype=FRAME_MOVE),
        )

    def state(self, zones: dict[int, ZoneInfo], cut_us: int | None = None):
        """(zone ids, counts, alerts) after the frame's moves up to `cut_us` µs into the minute
        (all of them if None)."""
        raise_at, clear_at = thresholds(zones, self.zone_ids)
        return self.state_with(raise_at, clear_at, cut_us)

    def state_with(self, raise_at: np.ndarray, clear_at: np.ndarray, cut_us: int | None = None):
        """`state` with the thresholds given per zone of the frame."""
        moves = self.moves if cut_us is None else self.moves[self.moves["offset"] <= cut_us]
        counts, alerts = self.counts.copy(), self.alerts.copy()
        if len(moves):
            where = moves["zone"].astype(np.int64)
            starts = occupancy_arithmetic.segment_starts(where)
            count = occupancy_arithmetic.clamped_counts(moves["net"], starts, counts[where])
            state = occupancy_arithmetic.alert_states(
                count, starts, raise_at[where], clear_at[where], alerts[where]
            )
            last = np.append(np.flatnonzero(starts)[1:], len(where)) - 1
            counts[where[last]] = count[last]
            alerts[where[last]] = state[last]
        return self.zone_ids, counts, alerts


def thresholds(zones: dict[int, ZoneInfo], ids: np.ndarray):
    """(raise_at, clear_at) per element of `ids` (zone ids); a zone deleted since never
    raises an alert."""
    distinct, where = np.unique(ids, return_inverse=True)
    big = np.iinfo(np.int64).max
    raise_at = [zones[i].raise_at if i in zones else big for i in distinct.tolist()]
    clear_at = [zones[i].clear_at if i in zones else -1 for i in distinct.tolist()]
    return (
        np.array(raise_at, dtype=np.int64)[where].reshape(ids.shape),
        np.array(clear_at, dtype=np.int64)[where].reshape(ids.shape),
    )


def frame_at(*, expo_id: int, period, minute: int) -> Frame | None:
    """The latest frame of a count period at or before a minute."""
    row = queries.frame_row_at(expo_id, period, minute)
    return Frame.of(*row) if row else None


def frames_plan(*, expo_id: int, zones: dict[int, ZoneInfo], segments, state) -> FramesPlan:
    """The frames of every period the fold touched, from its earliest changed minute on.

    `segments` and `state` are the fold's (`crowd.fold_minutes`): the recomputed paths of the
    touched zones. The other zones' minutes are read back, and the zones' state at the first
    rebuilt minute comes from the frame before it."""
    starts: dict[int, int] = {}
    for s in segments.values():
        starts[s.period] = min(starts.get(s.period, s.start), s.start)
    ids = np.array(sorted(zones), dtype=np.int64)
    position = {z: i for i, z in enumerate(ids.tolist())}
    rows: list[tuple] = []
    inst = state.instants
    for period, first in sorted(starts.items()):
        mine = inst.period == period
        zone = inst.zone[mine]
        keep = np.isin(zone, ids)  # a zone deleted meanwhile has no place in a frame
        touched = _Path(
            zone[keep],
            inst.at[mine][keep],
            inst.net[mine][keep],
            state.count[mine][keep],
            state.alert[mine][keep],
        )
        others = _stored_paths(period, first, segments, ids, zones)
        before = frame_at(expo_id=expo_id, period=day_of_number(period), minute=first - 1)
        counts0 = np.zeros(len(ids), dtype=np.int64)
        alerts0 = np.zeros(len(ids), dtype=bool)
        if before is not None:
            old_ids, counts, alerts = before.state(zones)
            for zone_id, count, alert in zip(old_ids.tolist(), counts, alerts, strict=True):
                if zone_id in position:
                    counts0[position[zone_id]], alerts0[position[zone_id]] = count, alert
        rows += _frame_rows(expo_id, period, ids, touched.plus(others), counts0, alerts0)
    return FramesPlan(starts, rows)


@dataclasses.dataclass
class _Path:
    """Zones' netted movements with the count and alert after each."""

    zone: np.ndarray
    at: np.ndarray
    net: np.ndarray
    count: np.ndarray
    alert: np.ndarray

    def plus(self, other: _Path) -> _Path:
        """Both paths in one, by zone and time."""
        if not len(other.zone):
            return self  # the fold's own paths are in that order already
        both = _Path(
            *(np.concatenate((a, b)) for a, b in zip(self.fields(), other.fields(), strict=True))
        )
        order = np.lexsort((both.at, both.zone))
        return _Path(*(f[order] for f in both.fields()))

    def fields(self):
        return (self.zone, self.at, self.net, self.count, self.alert)


def _stored_paths(period: int, first: int, segments, ids: np.ndarray, zones) -> _Path:
    """The stored minutes from `first` on that the fold did not recompute, replayed."""
    bounds = []
    for zone_id in ids.tolist():
        segment = segments.get((zone_id, period))
        upper = segment.start if segment is not None else None
        if upper is None or upper > first:
            bounds.append((zone_id, first, upper))
    found = queries.minutes_path(day_of_number(period), bounds)
    empty = np.empty(0, dtype=np.int64)
    if not found:
        return _Path(empty, empty, empty, empty, np.empty(0, dtype=bool))
    found.sort(key=lambda r: (r[0], r[1]))
    sizes, at, net = occupancy_arithmetic.stored_moves([r[1] for r in found], [r[4] for r in found])
    zone = np.repeat(np.array([r[0] for r in found], dtype=np.int64), sizes)
    # Each minute replayed from its own stored start: they are consecutive already.
    row = np.repeat(np.arange(len(found)), sizes)
    starts = occupancy_arithmetic.segment_starts(row)
    count0 = np.repeat(np.array([r[2] for r in found], dtype=np.int64), sizes)
    alert0 = np.repeat(np.array([bool(r[3]) for r in found], dtype=bool), sizes)
    count = occupancy_arithmetic.clamped_counts(net, starts, count0)
    raise_at, clear_at = thresholds(zones, zone)
    alert = occupancy_arithmetic.alert_states(count, starts, raise_at, clear_at, alert0)
    return _Path(zone, at, net, count, alert)


def _frame_rows(expo_id, period, ids, path: _Path, counts0, alerts0) -> list[tuple]:
    """One row per minute with movements: every zone's state at its start, and its moves."""
    if not len(path.zone):
        return []
    minute = path.at // MINUTE_US
    frame_minutes = np.unique(minute)
    where = np.searchsorted(ids, path.zone)  # ids are sorted: a zone's position
    counts = np.tile(counts0, (len(frame_minutes), 1))
    alerts = np.tile(alerts0, (len(frame_minutes), 1))
    # A zone's count at a frame's start: after its last movement before that minute.
    zone_first = np.flatnonzero(occupancy_arithmetic.segment_starts(path.zone))
    zone_end = np.append(zone_first[1:], len(path.zone))
    for a, b in zip(zone_first.tolist(), zone_end.tolist(), strict=True):
        k = int(where[a])
        before = np.searchsorted(path.at[a:b], frame_minutes * MINUTE_US, side="left") - 1
        seen = before >= 0
        counts[seen, k] = path.count[a:b][before[seen]]
        alerts[seen, k] = path.alert[a:b][before[seen]]
    # The moves of each minute, by zone position and time: the path is in zone and time order
    # already, so a stable sort by minute alone (a radix sort over a day's minutes) does it.
    span = minute - minute.min()
    small = span.astype(np.int16) if span.max() < 2**15 else span
    order = np.argsort(small, kind="stable")
    m_sorted, w_sorted = minute[order], where[order]
    packed = np.empty(len(order), dtype=FRAME_MOVE)
    packed["zone"] = w_sorted
    packed["offset"] = path.at[order] - m_sorted * MINUTE_US
    packed["net"] = path.net[order]
    bounds = [*np.searchsorted(m_sorted, frame_minutes, side="left").tolist(), len(order)]
    day = connection.ops.adapt_datefield_value(day_of_number(period))
    zone_blob = ids.astype("<i8").tobytes()
    return [
        (
            expo_id,
            day,
            int(m),
            zone_blob,
            counts[i].astype("<i8").tobytes(),
            alerts[i].astype(np.uint8).tobytes(),
            packed[bounds[i] : bounds[i + 1]].tobytes(),
        )
        for i, m in enumerate(frame_minutes.tolist())
    ]


def write_frames(*, expo_id: int, plan: FramesPlan) -> None:
    """Replace the frames of each period from its first rebuilt minute on."""
    starts = {day_of_number(period): first for period, first in plan.starts.items()}
    queries.frames_replace(expo_id, starts, plan.rows)
