"""Crowd alerts ahead of time: each hall's occupancy over the next 30 minutes, and the
*predicted* alerts it raises (docs/crowd-prediction.md).

Predictions are made at whole minutes of event time. The prediction made at the minute
boundary `T` reads only the count at `T` and before (`count_out` of the minutes that end by
`T`: movements strictly before `T`) and earlier days, so it is a function of the movements
before `T` alone: the live page at any instant, the API and a replay of the whole day give the
same answers, and movements after `T` never change it. Nothing is stored; each answer is
computed from the folded minute history of the halls, which is cheap (a day of every hall is
a few array operations).

The forecast for `T + h` (h = 0 … 30 minutes) blends two simple things:

* the recent trend, the count's change over the last 30 minutes per minute, times h;
* the day's pattern: how the hall's count moved from the same time of day to h minutes
  later on the edition's earlier days (their mean), scaled by today's count over the pattern's
  count at that time. Without earlier days with movements in that hall, the previous
  edition's days (the hall of the same code); without those, the trend alone.

The trend weighs `1 − h/30`, the pattern `h/30`: the next minutes follow what the hall is
doing now, half an hour ahead follows what halls do at that time of day.

A predicted alert is raised when the highest forecast within the horizon reaches the hall's
live alert threshold (`crowd.levels.raise_threshold`) while the hall is still below it, and
cleared only when that forecast falls to the clear threshold (`clear_threshold`): the same
hysteresis as live alerts (`occupancy_arithmetic.alert_states`). A hall at its threshold has a
live alert; a predicted alert raised before stays until its forecast clears. The nightly reset
ends it at closing time, like a live alert.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import threading

import numpy as np

from smartexpo.crowd import queries
from smartexpo.crowd.levels import ZoneInfo
from smartexpo.crowd.occupancy_arithmetic import alert_states
from smartexpo.crowd.periods import MINUTE_US, closing_instant, from_us, period_of, to_us
from smartexpo.crowd.zones import zone_infos, zone_table
from smartexpo.venue.models import Expo, ZoneKind

HORIZON_MINUTES = 30
# The trend is the change over the last half hour, continued over the next (docs: a shorter
# window reacted to every short burst and predicted twice as many alerts that never came).
TREND_MINUTES = 30
# Today's count over the pattern's is clamped to this range, and a tenth of the hall's
# threshold is added to both, so that a near-empty hall at opening gets no wild ratio.
SCALE_LIMITS = (0.5, 2.0)
SCALE_SMOOTHING = 0.1

# Where a hall's day pattern comes from.
BASIS_EDITION = "edition"
BASIS_PREVIOUS = "previous"
BASIS_TREND = "trend"


@dataclasses.dataclass(frozen=True)
class PredictedAlert:
    """One predicted alert of a hall: raised at a minute, the instant its prediction then
    expected the threshold to be reached, and when it cleared (None: not by the instant the
    day was computed to). `minutes_to_threshold` and `forecast_peak` are those of the latest
    prediction while it is active (None once it has ended)."""

    zone: ZoneInfo
    period: dt.date
    basis: str
    raised_at: dt.datetime
    expected_at: dt.datetime
    cleared_at: dt.datetime | None
    ended_by_reset: bool
    minutes_to_threshold: int | None
    forecast_peak: int | None

    @property
    def active(self) -> bool:
        return self.cleared_at is None

    @property
    def lead_minutes(self) -> int:
        """Minutes between raising and the threshold expected then."""
        return int((self.expected_at - self.raised_at).total_seconds() // 60)


@dataclasses.dataclass
class DayForecast:
    """Every hall's forecast at every minute boundary of a count period, up to a minute.

    Arrays are (halls × boundaries): the count at the boundary, the highest forecast within
    the horizon, the first h at which the forecast reaches the threshold (−1: none) and the
    predicted alert after that boundary."""

    halls: list[ZoneInfo]
    basis: list[str]
    period: dt.date
    minutes: np.ndarray
    counts: np.ndarray
    peak: np.ndarray
    first_cross: np.ndarray
    alert: np.ndarray
    closing_minute: int


def _boundaries(expo: Expo, day: dt.date) -> tuple[int, int]:
    """The first and last whole-minute boundaries of a count period (its closing instant)."""
    tz, closes = expo.tz, expo.closes_at
    before = to_us(closing_instant(day - dt.timedelta(days=1), tz=tz, closes_at=closes))
    last = to_us(closing_instant(day, tz=tz, closes_at=closes)) // MINUTE_US
    return before // MINUTE_US + 1, last


def _counts_at(rows: np.ndarray, zone_id: int, boundaries: np.ndarray) -> np.ndarray | None:
    """A zone's count at each boundary (the last minute before it's `count_out`; 0 before its
    first), from rows `(zone_id, minute, count_out)` sorted by zone then minute; None when
    the zone has no row."""
    lo, hi = np.searchsorted(rows[:, 0], [zone_id, zone_id + 1])
    if lo == hi:
        return None
    minutes, counts = rows[lo:hi, 1], rows[lo:hi, 2]
    where = np.searchsorted(minutes, boundaries, side="left") - 1
    return np.where(where >= 0, counts[np.maximum(where, 0)], 0).astype(np.float64)


def _rows(zone_ids: list[int], period: dt.date, before: int | None) -> np.ndarray:
    found = queries.minute_counts(zone_ids, period, before)
    rows = np.array(found, dtype=np.int64).reshape(-1, 3)
    return rows[np.lexsort((rows[:, 1], rows[:, 0]))]


# Pattern days' counts, kept per process: (edition, day, zones, grid) → (the days' totals when
# read, counts per zone). Earlier days rarely change during the day being watched, so the page
# and the API read them once; a late movement folded into one changes its totals and stored
# minutes (`queries.zone_day_totals`), which every call reads, and the counts are read again.
_pattern_counts: collections.OrderedDict = collections.OrderedDict()
_pattern_lock = threading.Lock()  # a server's threads share the cache
PATTERN_CACHE_SIZE = 64


def _day_counts(
    edition: Expo, other: dt.date, ids: tuple[int, ...], grid: np.ndarray, totals: tuple
) -> dict[int, np.ndarray]:
    """Each zone's count at the grid's boundaries on the day `other` (zones without movements
    that day left out), from the cache while the day's totals are unchanged."""
    key = (edition.pk, other, ids, int(grid[0]), len(grid))
    with _pattern_lock:
        kept = _pattern_counts.get(key)
        if kept is not None and kept[0] == totals:
            _pattern_counts.move_to_end(key)
            return kept[1]
    rows = _rows(list(ids), other, None)
    counts = {}
    for zone_id in ids:
        found = _counts_at(rows, zone_id, grid)
        if found is not None:
            counts[zone_id] = found
    with _pattern_lock:
        _pattern_counts[key] = (totals, counts)
        while len(_pattern_counts) > PATTERN_CACHE_SIZE:
            _pattern_counts.popitem(last=False)
    return counts


def _patterns(
    expo: Expo, day: dt.date, halls: list[ZoneInfo], boundaries: np.ndarray
) -> tuple[list[np.ndarray | None], list[str]]:
    """Each hall's mean count at the same times of day on its pattern days (None: none), and
    where that pattern comes from."""
    patterns: list[list[np.ndarray]] = [[] for _ in halls]
    closing = to_us(closing_instant(day, tz=expo.tz, closes_at=expo.closes_at))

    def add(edition: Expo, days: list[dt.date], ids: list[int | None]) -> None:
        wanted = tuple(i for i in ids if i is not None)
        totals: dict[str, list] = {}
        for zone_id, period, *figures in queries.zone_day_totals(list(wanted), days):
            totals.setdefault(str(period)[:10], []).append((zone_id, *figures))
        for other in days:
            shift = closing - to_us(
                closing_instant(other, tz=edition.tz, closes_at=edition.closes_at)
            )
            found = tuple(sorted(totals.get(other.isoformat(), [])))
            if not found:
                continue  # no movement in any of the halls that day
            grid = boundaries - shift // MINUTE_US
            counts = _day_counts(edition, other, wanted, grid, found)
            for k, zone_id in enumerate(ids):
                if zone_id in counts:
                    patterns[k].append(counts[zone_id])

    add(expo, [d for d in expo.days if d < day], [h.id for h in halls])
    basis = [BASIS_EDITION if p else BASIS_TREND for p in patterns]
    missing = [k for k, p in enumerate(patterns) if not p]
    previous = expo.previous
    if missing and previous is not None:
        by_code = {z.code: z.id for z in zone_infos(expo_id=previous.pk).values()}
        ids = [by_code.get(halls[k].code) if k in missing else None for k in range(len(halls))]
        add(previous, previous.days, ids)
        for k in missing:
            if patterns[k]:
                basis[k] = BASIS_PREVIOUS
    means = [np.mean(p, axis=0) if p else None for p in patterns]
    return means, basis


def _quiet_minutes(
    counts: np.ndarray, patterns: list[np.ndarray | None], raise_at: np.ndarray
) -> int:
    """How many of the period's first minutes forecast zero in every hall, so raise nothing:
    those before the first count above zero and more than the horizon before the first
    pattern count above zero (the forecast at a minute is the count, its trend over the half
    hour before, and the pattern's change over the half hour after, all zero there). None
    when a hall's threshold is zero (a zero forecast would reach it)."""
    if not counts.shape[1] or (raise_at <= 0).any():
        return 0
    busy = np.flatnonzero(counts.any(axis=0))
    first_count = int(busy[0]) if len(busy) else counts.shape[1]
    first_pattern = counts.shape[1] + HORIZON_MINUTES
    for pattern in patterns:
        if pattern is not None:
            found = np.flatnonzero(pattern)
            if len(found):
                first_pattern = min(first_pattern, int(found[0]))
    return max(0, min(first_count, first_pattern - HORIZON_MINUTES, counts.shape[1]))


def day_forecast(*, expo: Expo, day: dt.date, until_minute: int | None = None) -> DayForecast:
    """The forecast of every hall at every minute boundary of the count period `day`, up to
    the boundary `until_minute` (default: the closing); none outside the edition's days.
    Reads only movements before that boundary in the period, and the pattern days (earlier
    periods)."""
    halls = [z for z in zone_table(expo_id=expo.pk).zones if z.kind == ZoneKind.HALL]
    first, last = _boundaries(expo, day)
    end = last if until_minute is None else min(last, until_minute)
    if not expo.starts_on <= day <= expo.ends_on:
        # Only the edition's days are forecast: on any other the pattern of its days would
        # predict crowds in empty halls.
        end = first - 1
    minutes = np.arange(first, end + 1, dtype=np.int64)
    shape = (len(halls), len(minutes))
    if not halls or not len(minutes):
        empty = np.zeros(shape)
        return DayForecast(
            halls, [], day, minutes, empty, empty, empty.astype(np.int64), empty > 0, last
        )
    ids = [h.id for h in halls]
    rows = _rows(ids, day, end)
    counts = np.zeros(shape)
    for k, zone_id in enumerate(ids):
        found = _counts_at(rows, zone_id, minutes)
        if found is not None:
            counts[k] = found
    # The count 30 minutes back (the period's first boundary's before that: zero after reset).
    back = np.maximum(np.arange(len(minutes)) - TREND_MINUTES, 0)
    trend = (counts - counts[:, back]) / TREND_MINUTES
    # The pattern is read over the whole period whatever the instant, so that the pattern
    # days' cache (keyed by the grid) serves every instant of the day, not only repeats of one.
    extended = np.arange(first, last + HORIZON_MINUTES + 1, dtype=np.int64)
    patterns, basis = _patterns(expo, day, halls, extended)
    raise_at = np.array([z.raise_at for z in halls], dtype=np.float64)
    clear_at = np.array([z.clear_at for z in halls], dtype=np.float64)
    skip = _quiet_minutes(counts, patterns, raise_at)
    if skip:
        # The night's minutes forecast nobody (docs/crowd-prediction.md, "Cost"): the arrays
        # start where a forecast can first be above zero.
        minutes, counts, trend = minutes[skip:], counts[:, skip:], trend[:, skip:]
        shape = (len(halls), len(minutes))
        if not len(minutes):
            empty = np.zeros(shape)
            return DayForecast(
                halls, basis, day, minutes, empty, empty, empty.astype(np.int64), empty > 0, last
            )
    h = np.arange(HORIZON_MINUTES + 1, dtype=np.float64)
    forecast = counts[:, :, None] + trend[:, :, None] * h  # trend alone
    weight = h / HORIZON_MINUTES
    steps = skip + np.arange(len(minutes))[:, None] + np.arange(HORIZON_MINUTES + 1)
    for k, pattern in enumerate(patterns):
        if pattern is None:
            continue
        now = pattern[skip : skip + len(minutes)]
        smooth = SCALE_SMOOTHING * raise_at[k]
        scale = np.clip((counts[k] + smooth) / (now + smooth), *SCALE_LIMITS)
        change = (pattern[steps] - now[:, None]) * scale[:, None]
        forecast[k] = counts[k][:, None] + (1 - weight) * trend[k][:, None] * h + weight * change
    forecast = np.maximum(forecast, 0)
    reached = forecast >= raise_at[:, None, None]
    first_cross = np.where(reached.any(axis=2), reached.argmax(axis=2), -1)
    peak = forecast.max(axis=2)
    # A hall already at its threshold has a live alert, not a predicted one: no prediction is
    # raised (or cleared) while it is there, so a predicted alert is always ahead of time.
    between = ((raise_at + clear_at) / 2)[:, None]
    signal = np.where(counts >= raise_at[:, None], between, peak)
    starts = np.zeros(shape, dtype=bool)
    starts[:, 0] = True
    alert = alert_states(
        signal.ravel(),
        starts.ravel(),
        np.repeat(raise_at, len(minutes)),
        np.repeat(clear_at, len(minutes)),
        np.zeros(peak.size, dtype=bool),
    ).reshape(shape)
    return DayForecast(halls, basis, day, minutes, counts, peak, first_cross, alert, last)


def alerts_of(forecast: DayForecast) -> list[PredictedAlert]:
    """The predicted alerts of a computed day, oldest first."""
    found = []
    minutes = forecast.minutes
    if not len(minutes):
        return found
    at_end = int(minutes[-1]) == forecast.closing_minute
    for k, zone in enumerate(forecast.halls):
        on = forecast.alert[k]
        change = np.diff(on.astype(np.int8), prepend=np.int8(0))
        raised = np.flatnonzero(change == 1)
        cleared = np.flatnonzero(change == -1)
        for n, start in enumerate(raised.tolist()):
            stop = cleared[n] if n < len(cleared) else None
            reset = stop is None and at_end
            latest = len(minutes) - 1
            cross = int(forecast.first_cross[k, start])
            found.append(
                PredictedAlert(
                    zone=zone,
                    period=forecast.period,
                    basis=forecast.basis[k],
                    raised_at=from_us(int(minutes[start]) * MINUTE_US),
                    expected_at=from_us((int(minutes[start]) + max(cross, 0)) * MINUTE_US),
                    cleared_at=(
                        from_us(int(minutes[stop]) * MINUTE_US)
                        if stop is not None
                        else from_us(forecast.closing_minute * MINUTE_US)
                        if reset
                        else None
                    ),
                    ended_by_reset=reset,
                    minutes_to_threshold=(
                        None
                        if stop is not None or reset or forecast.first_cross[k, latest] < 0
                        else int(forecast.first_cross[k, latest])
                    ),
                    forecast_peak=(
                        None if stop is not None or reset else int(forecast.peak[k, latest])
                    ),
                )
            )
    found.sort(key=lambda a: (a.raised_at, a.zone.code))
    return found


def predicted_alerts(*, expo: Expo, day: dt.date) -> list[PredictedAlert]:
    """Every predicted alert of the count period `day`, computed minute by minute over the
    whole period from its history (what a replay of the day would have shown)."""
    return alerts_of(day_forecast(expo=expo, day=day))


def predicted_at(*, expo: Expo, at: dt.datetime) -> list[PredictedAlert]:
    """The predicted alerts of `at`'s count period up to `at`: those raised at or before the
    last whole minute of `at`, active (`cleared_at` None) or ended by then."""
    day = period_of(at, tz=expo.tz, closes_at=expo.closes_at)
    return alerts_of(day_forecast(expo=expo, day=day, until_minute=to_us(at) // MINUTE_US))
