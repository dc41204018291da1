"""The records a fold keeps beside the minutes (see `crowd.fold`): each zone's days (totals,
the count at closing, the visitor sketch) and the crowd alerts of the recomputed spans."""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict

import numpy as np

from smartexpo.core.db import chunks
from smartexpo.crowd import queries
from smartexpo.crowd.fold_minutes import Gross, State, period_dates, runs
from smartexpo.crowd.levels import alert_reason
from smartexpo.crowd.models import CrowdAlert, ZoneDay
from smartexpo.crowd.periods import (
    MINUTE_US,
    closing_instant,
    day_number,
    day_of_number,
    from_us,
    to_us,
)
from smartexpo.crowd.visitors import sketch_add, sketch_from_bytes


@dataclasses.dataclass
class DayChanges:
    create: list
    update: list
    tagged: list  # existing days whose visitor sketch changed


@dataclasses.dataclass
class AlertChanges:
    create: list
    update: list
    remove: list


def day_changes(state: State, segments, new: Gross, zone, period, delta, visitor) -> DayChanges:
    """The zone days to create and update: totals, the count at closing, visitor sketches."""
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
        bounds = np.append(runs(vz, vp), len(vz))
        for a, b in itertools.pairwise(bounds):
            by_day[(int(vz[a]), int(vp[a]))] = vh[a:b]
    zone_ids = {s.zone for s in segments.values()}
    days = period_dates(segments)
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
    return DayChanges(create, update, tagged)


def write_days(changes: DayChanges) -> None:
    """Store the zone days of `day_changes`."""
    create, update, tagged = changes.create, changes.update, changes.tagged
    ZoneDay.objects.bulk_create(create, batch_size=500)
    queries.zone_days_update(
        [(d.closing_count, d.entries, d.exits, d.pk) for d in update],
        [(bytes(d.visitors), d.pk) for d in tagged],
    )


def touched_alerts(segments) -> dict[tuple[int, int], list[CrowdAlert]]:
    """The stored alerts of the touched zone-periods."""
    found: dict[tuple[int, int], list[CrowdAlert]] = defaultdict(list)
    zone_ids = sorted({s.zone for s in segments.values()})
    days = period_dates(segments)
    for chunk in chunks(zone_ids):
        for alert in CrowdAlert.objects.filter(zone_id__in=chunk, period__in=days).order_by(
            "raised_at", "id"
        ):
            key = (alert.zone_id, day_number(alert.period))
            if key in segments:
                found[key].append(alert)
    return found


def extend_over_alerts(segments, alerts) -> None:
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


@dataclasses.dataclass
class Episode:
    zone: int
    period: int
    raised_us: int
    ends_us: int
    by_reset: bool
    peak: int
    reason: str


def episodes(state: State, zones, tz, closes) -> list[Episode]:
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
            Episode(
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


def alert_changes(expo, state, segments, alerts, zones, tz, closes) -> AlertChanges:
    """Replace the alerts of the recomputed spans by the episodes found now; an episode that
    overlaps an alert already stored keeps that alert (and its acknowledgement)."""
    fresh: dict[tuple[int, int], list[Episode]] = defaultdict(list)
    for episode in episodes(state, zones, tz, closes):
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
    return AlertChanges(create, update, remove)


def write_alerts(changes: AlertChanges) -> None:
    """Store the alerts of `alert_changes`."""
    create, update, remove = changes.create, changes.update, changes.remove
    CrowdAlert.objects.bulk_create(create)
    CrowdAlert.objects.bulk_update(
        update, ["period", "raised_at", "ends_at", "ended_by_reset", "peak_count", "reason"]
    )
    if remove:
        CrowdAlert.objects.filter(pk__in=remove).delete()
