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
   instant (`crowd.occupancy_arithmetic`), and the minutes that changed are written back;
4. the day's drift (count at closing), totals and visitor sketch, and the alerts of the
   recomputed span, are brought in line.

All array work is numpy; the database sees a handful of statements per batch, not one per
movement. The caller holds the edition's fold lock and the transaction (`crowd.services`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from smartexpo.crowd import fold_minutes as minutes
from smartexpo.crowd import fold_records as records
from smartexpo.crowd import frames
from smartexpo.crowd.periods import MINUTE_US, periods_of
from smartexpo.crowd.zones import zone_infos
from smartexpo.venue.models import Expo


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

    def where(self, mask: np.ndarray) -> Movements:
        """The movements a boolean mask selects."""
        return Movements(self.zone[mask], self.at_us[mask], self.delta[mask], self.visitor[mask])


@dataclasses.dataclass
class FoldReport:
    movements: int = 0
    minutes_written: int = 0
    alerts_raised: int = 0
    alerts_removed: int = 0

    def __add__(self, other: FoldReport) -> FoldReport:
        return FoldReport(
            *(
                a + b
                for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)
            )
        )


@dataclasses.dataclass
class FoldPlan:
    """What folding a set of movements will write: computed from the stored history (reads
    only), applied by `fold_apply` in the transaction that holds the fold lock."""

    movements: int
    minute_rows: list = dataclasses.field(default_factory=list)
    days: records.DayChanges | None = None
    alerts: records.AlertChanges | None = None
    frames: frames.FramesPlan | None = None
    expo_id: int | None = None


def fold_plan(*, expo: Expo, moves: Movements, rebuild: frozenset[int] = frozenset()) -> FoldPlan:
    """Compute a fold (see the module's docstring) without writing anything; the zones in
    `rebuild` have their whole history recomputed (after a change of capacity or area, which
    moves their alerts).

    It reads the stored history, so it must run while the caller holds the edition's fold
    lock — on another connection too: the batch path plans while it stores the events."""
    plan = FoldPlan(movements=len(moves), expo_id=expo.pk)
    if not len(moves) and not rebuild:
        return plan
    zones = zone_infos(expo_id=expo.pk)
    tz, closes = expo.tz, expo.closes_at
    order = _zone_time_order(moves.zone, moves.at_us)
    zone, at, delta = moves.zone[order], moves.at_us[order], moves.delta[order]
    visitor = moves.visitor[order]
    period = periods_of(at, tz=tz, closes_at=closes)
    minute = at // MINUTE_US

    segments = minutes.segments_of(zone, period, minute)
    if rebuild:
        minutes.add_whole_periods(segments, rebuild)
    alerts = records.touched_alerts(segments)
    records.extend_over_alerts(segments, alerts)
    loaded = minutes.load_minutes(segments)
    minutes.load_state_before(segments)

    # The new movements per minute (gross in and out), then netted per instant with the
    # stored ones.
    new_minutes = minutes.gross(zone, period, minute, delta)
    instants = minutes.merge(zone, period, at, delta, loaded)
    state = minutes.history_paths(instants, segments, zones)
    plan.minute_rows = minutes.minute_rows(state, new_minutes, loaded, tz, closes, rewrite=rebuild)
    plan.days = records.day_changes(state, segments, new_minutes, zone, period, delta, visitor)
    plan.alerts = records.alert_changes(expo, state, segments, alerts, zones, tz, closes)
    plan.frames = frames.frames_plan(expo_id=expo.pk, zones=zones, segments=segments, state=state)
    return plan


# Movements per plan of `fold_plans`: a day of the reference expo is about 5.6 million.
PLAN_MOVEMENTS = 4_000_000


def fold_plans(*, expo: Expo, moves: Movements, per_plan: int = PLAN_MOVEMENTS) -> list[FoldPlan]:
    """`fold_plan` of many movements as several plans of whole count periods, each of about
    `per_plan` movements or more (a single period is never split), in period order.

    A count period is folded on its own: its minutes, day records, alerts and frames follow
    from its movements and what is stored for it, nothing of another period. So plans of
    different periods, all computed from the same stored history, may be applied one after
    the other (`fold_apply_all`). The batch path plans a whole stream this way: each plan's
    arrays are a fraction of one plan's, and the memory one frees, the next takes up."""
    if len(moves) <= per_plan:
        return [fold_plan(expo=expo, moves=moves)]
    period = periods_of(moves.at_us, tz=expo.tz, closes_at=expo.closes_at)
    first = int(period.min())
    sizes = np.bincount(period - first)
    groups: list[list[int]] = [[]]
    size = 0
    for day in np.flatnonzero(sizes).tolist():
        if size >= per_plan:
            groups.append([])
            size = 0
        groups[-1].append(first + day)
        size += int(sizes[day])
    return [
        fold_plan(expo=expo, moves=moves.where((period >= days[0]) & (period <= days[-1])))
        for days in groups
    ]


def fold_apply_all(plans: list[FoldPlan]) -> FoldReport:
    """Write plans of `fold_plans` in turn; their reports summed."""
    report = FoldReport()
    for plan in plans:
        report += fold_apply(plan)
    return report


def fold_apply(plan: FoldPlan) -> FoldReport:
    """Write a planned fold (inside the transaction that holds the fold lock)."""
    report = FoldReport(movements=plan.movements, minutes_written=len(plan.minute_rows))
    if plan.minute_rows:
        minutes.write_minute_rows(plan.minute_rows)
    if plan.days is not None:
        records.write_days(plan.days)
    if plan.frames is not None:
        frames.write_frames(expo_id=plan.expo_id, plan=plan.frames)
    if plan.alerts is not None:
        records.write_alerts(plan.alerts)
        report.alerts_raised = len(plan.alerts.create)
        report.alerts_removed = len(plan.alerts.remove)
    return report


def movements_fold(*, expo: Expo, moves: Movements) -> FoldReport:
    """Fold movements into the edition's occupancy history (inside the caller's transaction,
    with the fold lock held)."""
    return fold_apply(fold_plan(expo=expo, moves=moves))


def dense_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values ascending, each value's rank among them) for small non-negative ids,
    by counting rather than sorting."""
    if len(values) and values.min() >= 0 and values.max() < 50_000_000:
        present = np.flatnonzero(np.bincount(values))
        lookup = np.zeros(int(present[-1]) + 1, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        return present, lookup[values]
    return np.unique(values, return_inverse=True)


def _zone_time_order(zone: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The permutation that sorts movements by zone, then time (stable).

    A stream arrives in time order, mostly: then a stable sort by zone alone (a radix sort
    for fewer than 65,536 zones) is all it takes; otherwise one sort of a combined key."""
    _ids, rank = dense_ranks(zone)
    in_time_order = len(at) < 2 or bool(np.all(at[1:] >= at[:-1]))
    if in_time_order:
        small = rank.astype(np.uint16) if rank.max(initial=0) < 65_536 else rank
        return np.argsort(small, kind="stable")
    low = int(at.min())
    span = int(at.max()) - low + 1
    if (int(rank.max()) + 1) * span < 2**62:
        return np.argsort(rank * span + (at - low), kind="stable")
    return np.lexsort((at, zone))  # pragma: no cover - centuries of movements
