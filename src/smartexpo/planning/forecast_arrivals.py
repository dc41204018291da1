"""The attendance forecast's days and arrivals: each day counted (over), nowcast (under way) or
forecast, and its admissions spread over the entrance gates and 15-minute periods by the
previous edition's arrival curve (`forecast.History.shares`) or the default one.

A period's arrivals are Poisson around the day's admissions times the entries a visit makes
times the period's share, drawn with the day's admissions so that the interval carries both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np
from django.utils.translation import gettext_noop

from smartexpo.core.notes import Note
from smartexpo.planning import queries
from smartexpo.planning.arrival_shape import default_curve
from smartexpo.planning.forecast_models import (
    Interval,
    gamma_draws,
    nowcast_multiplier,
)
from smartexpo.planning.lanes import PERIOD_S
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Expo

if TYPE_CHECKING:
    from smartexpo.planning.forecast import _Builder


@dataclasses.dataclass(frozen=True)
class DayForecast:
    """One day: registrations valid on it (booked by the forecast's instant, and expected by
    the day), admissions, and what was counted when the day is over or under way."""

    day: dt.date
    registered: int
    registered_final: Interval
    admissions: Interval
    state: str  # "forecast", "nowcast" (under way) or "counted" (over)
    admitted_so_far: int | None = None


def opening_of(expo: Expo, day: dt.date) -> dt.datetime:
    """The opening instant of one of the edition's days."""
    return dt.datetime.combine(day, expo.opens_at, tzinfo=expo.tz)


def closing_of(expo: Expo, day: dt.date) -> dt.datetime:
    """The closing instant of one of the edition's days."""
    return dt.datetime.combine(day, expo.closes_at, tzinfo=expo.tz)


def periods_of(expo: Expo) -> int:
    """15-minute periods from the opening to the closing (a last part period counts)."""
    seconds = (closing_of(expo, expo.starts_on) - opening_of(expo, expo.starts_on)).total_seconds()
    return max(1, math.ceil(seconds / PERIOD_S))


def entrance_gates(expo: Expo) -> list[tuple[int, str, int]]:
    """(id, code, installed lanes) of the gates into the venue zone: where visitors queue."""
    return [(g.pk, g.code, g.lanes) for g in venue_selectors.entrance_gates(expo=expo)]


# A gate-period whose entries reach this share of what the gate's lanes scan ran at capacity:
# people queued, and its scans say when they were scanned, not when they came.
SATURATED = 0.95


def uncensored(counts: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """A day's entries per gate (rows) and period, with each run of periods at capacity (and
    the period after it, which scanned the queue's rest) spread again by the default curve's
    shape over the run, its total kept: everybody who queued in the run was scanned in it,
    but at the lanes' pace, so the scans there cannot tell when they came. Learned as they
    are, a morning at capacity would teach a flat curve, and the plan would open too few
    lanes for the rush (bench/RESULTS.md, "Planning")."""
    curve = default_curve(counts.shape[1])
    out = counts.astype(np.float64).copy()
    for g in range(counts.shape[0]):
        if capacity[g] <= 0:
            continue
        full = counts[g] >= SATURATED * capacity[g]
        k = 0
        while k < len(full):
            if not full[k]:
                k += 1
                continue
            end = k
            while end < len(full) and full[end]:
                end += 1
            stop = min(end + 1, len(full))
            shape = curve[k:stop]
            if shape.sum() > 0:
                out[g, k:stop] = counts[g, k:stop].sum() * shape / shape.sum()
            k = stop
    return out


def _fit(curve: np.ndarray, periods: int) -> np.ndarray:
    out = np.zeros(periods)
    out[: min(periods, len(curve))] = curve[:periods]
    return out


def gate_shares(build: _Builder) -> np.ndarray:
    """The share of a day's entries at each entrance gate (rows, the gates' order) in each
    period (columns); the rows sum to 1 together."""
    gates = build.gates
    periods = periods_of(build.expo)
    lanes = np.array([max(lanes, 0) for _g, _c, lanes in gates], dtype=np.float64)
    by_lanes = lanes / lanes.sum() if lanes.sum() else np.full(len(gates), 1 / max(len(gates), 1))
    learned = build.history.shares if build.history else {}
    codes = [c for _g, c, _l in gates]
    if learned and all(c in learned for c in codes):
        shares = np.array([_fit(learned[c], periods) for c in codes])
        if shares.sum() > 0:
            return shares / shares.sum()
    if learned:
        curve = _fit(sum(learned.values()), periods)
        if curve.sum() > 0:
            build.notes.append(
                Note(
                    gettext_noop(
                        "The gates differ from the previous edition's: its arrival curve is "
                        "shared over this edition's gates by their lanes."
                    )
                )
            )
            return by_lanes[:, None] * (curve / curve.sum())[None, :]
    build.notes.append(
        Note(
            gettext_noop(
                "No previous edition's scans to learn the arrival curve from: the default curve."
            )
        )
    )
    return by_lanes[:, None] * default_curve(periods)[None, :]


def _admitted(build: _Builder, start: dt.datetime, end: dt.datetime) -> int:
    gate_ids = [g for g, _c, _l in build.gates]
    rows = queries.admitted(expo_id=build.expo.pk, gate_ids=gate_ids, start=start, end=end)
    return sum(n for _t, n in rows)


def counted_entries(build: _Builder, day: dt.date) -> np.ndarray:
    """The day's admitted entries per gate (rows) and period (columns) before the forecast's
    instant, read once: the nowcast and the arrivals both use them."""
    if day not in build.counted:
        row = {g: i for i, (g, _c, _l) in enumerate(build.gates)}
        periods = periods_of(build.expo)
        counts = np.zeros((len(row), periods))
        for gate_id, k, n in queries.entries(
            expo_id=build.expo.pk,
            gate_ids=list(row),
            start=opening_of(build.expo, day),
            end=build.as_of,
        ):
            counts[row[gate_id], min(max(k, 0), periods - 1)] += n
        build.counted[day] = counts
    return build.counted[day]


def day_states(
    build: _Builder,
    registered: dict[tuple[str, dt.date], np.ndarray],
    admissions: list[np.ndarray],
) -> tuple[list[DayForecast], list[np.ndarray]]:
    """Each day's forecast, and the draws of its admissions once the counts so far are in."""
    shares = gate_shares(build)
    build.shares = shares
    visit = build.history.entries_per_visit if build.history else 1.0
    days, draws = [], []
    for i, day in enumerate(build.days):
        opening, closing = opening_of(build.expo, day), closing_of(build.expo, day)
        final = sum(registered[(code, day)] for code, _all in build.types.values())
        final_interval = Interval.of(np.broadcast_to(final, admissions[i].shape))
        have = sum(build.now.get((code, day), 0) for code, _all in build.types.values())
        forecast = admissions[i]
        if build.as_of >= closing:
            came = _admitted(build, opening, closing)
            days.append(DayForecast(day, have, final_interval, Interval.exact(came), "counted"))
            draws.append(np.full_like(forecast, came))
            continue
        if build.as_of > opening:
            came = _admitted(build, opening, build.as_of)
            seen = counted_entries(build, day).sum()
            elapsed = (build.as_of - opening).total_seconds() / PERIOD_S
            expected_share = _elapsed_share(shares.sum(axis=0), elapsed)
            prior = Interval.of(forecast)
            posterior = nowcast_multiplier(
                prior=prior, seen=seen, expected_so_far=prior.mid * visit * expected_share
            )
            if posterior is not None:
                forecast = np.maximum(prior.mid * gamma_draws(*posterior, build.rng), came)
            days.append(
                DayForecast(
                    day,
                    have,
                    final_interval,
                    Interval.of(forecast),
                    "nowcast",
                    admitted_so_far=came,
                )
            )
            draws.append(forecast)
            continue
        days.append(DayForecast(day, have, final_interval, Interval.of(forecast), "forecast"))
        draws.append(forecast)
    return days, draws


def _elapsed_share(curve: np.ndarray, elapsed: float) -> float:
    """The share of a day's entries expected in its first `elapsed` periods (a part period by
    its part)."""
    whole = int(min(elapsed, len(curve)))
    share = float(curve[:whole].sum())
    if whole < len(curve):
        share += float(curve[whole]) * (elapsed - whole)
    return share


def arrivals_build(
    build: _Builder, admissions: list[np.ndarray]
) -> tuple[list[dt.datetime], dict[str, list[Interval]]]:
    """The period starts of every day, and each gate's arrivals per period: counted where the
    period is over, drawn from the day's admissions elsewhere."""
    gates = build.gates
    periods = periods_of(build.expo)
    shares = build.shares
    visit = build.history.entries_per_visit if build.history else 1.0
    starts: list[dt.datetime] = []
    out: dict[str, list[Interval]] = {c: [] for _g, c, _l in gates}
    for day, draws in zip(build.days, admissions, strict=True):
        opening = opening_of(build.expo, day)
        day_starts = [opening + dt.timedelta(seconds=PERIOD_S * k) for k in range(periods)]
        starts.extend(day_starts)
        over = sum(1 for s in day_starts if s + dt.timedelta(seconds=PERIOD_S) <= build.as_of)
        counted = counted_entries(build, day) if over else None
        lam = draws[:, None, None] * visit * shares[None, :, :]
        drawn = build.rng.poisson(lam)
        # The middle value is the expected count (what the lane plan takes), not the median
        # draw: a quiet period's median is 0 however many are expected over the day.
        low, high = np.percentile(drawn, [10.0, 90.0], axis=0)
        mid = lam.mean(axis=0)
        for g, (_gid, code, _l) in enumerate(gates):
            for k in range(periods):
                if counted is not None and k < over:
                    out[code].append(Interval.exact(counted[g, k]))
                else:
                    out[code].append(
                        Interval(float(mid[g, k]), float(low[g, k]), float(high[g, k]))
                    )
    return starts, out
