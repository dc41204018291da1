"""The gate-lane plan: how many lanes to open at each gate in each 15-minute period so that a
target share of arrivals (95 %) waits less than a target time (10 minutes), never more lanes
than a gate has installed (docs/planning.md).

1. **First cut: the stationary model period by period with a lag** (lagged SIPP; Green,
   Kolesar & Whitt 2007). Period k is staffed as a stationary queue whose arrival rate is the
   mean rate over the period shifted back by the lag (the mean service time), with
   `queueing.servers_for_wait` at the fixed lane service time.
2. **Check and correct by simulation** (after Feldman, Mandelbaum, Massey & Whitt 2008):
   arrivals are drawn (Poisson within each period, seeded, those who waited for the opening
   all at its instant; or the instants given), queued
   through the planned lanes with the exact fixed service (`queue_sim.lanes_queue`) and each
   period's arrivals are measured. In a period that misses the target one lane is added: in
   that period if it has one to spare, otherwise in the latest earlier period whose queue
   carried into it (the backlog that made the wait), otherwise in the next period (which
   serves the period's last arrivals). The same draws are queued again until no period can be
   improved: a fixed point, since lanes only ever grow and never beyond the installed ones.
   A period that still misses the target with every useful lane open is reported infeasible.

Pure NumPy: no database. `smartexpo planning lanes` feeds it from an edition's gates and a CSV.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import time
from collections.abc import Mapping, Sequence

import numpy as np

from smartexpo.planning.arrival_shape import (
    EARLY_PERIODS,
    FIRST_PERIOD_WAITING,
    waiting_when_early,
)
from smartexpo.planning.queue_sim import LANE_SERVICE_S, lanes_queue
from smartexpo.planning.queueing import servers_for_wait

PERIOD_S = 15 * 60
METHOD = "lagged SIPP (Green, Kolesar & Whitt 2007) + simulation check and correction"


@dataclasses.dataclass(frozen=True)
class PeriodPlan:
    """One gate in one period: the lanes to open and what the simulation measured."""

    start: dt.datetime
    expected: float  # expected arrivals in the period
    lanes: int
    simulated: int  # arrivals simulated in the period (over all replications)
    share_within: float | None  # share of them waiting at most the target time
    p_wait_s: float | None  # the target percentile of their wait (None: nobody simulated)
    feasible: bool  # False: the target cannot be met even with every useful lane open


@dataclasses.dataclass(frozen=True)
class EarlyOpening:
    """A gate's lanes opened before a day's opening, so that the crowd waiting for it is served
    within the target where the opening's periods cannot be otherwise."""

    gate: str
    opening: dt.datetime  # the day's first period
    lanes: list[int]  # lanes in each 15-minute period before it, the earliest first
    p_wait_s: float  # the worst target-percentile wait of those periods and the opening's

    @property
    def starts_at(self) -> dt.datetime:
        return self.opening - dt.timedelta(seconds=PERIOD_S * len(self.lanes))

    @property
    def lane_hours(self) -> float:
        return sum(self.lanes) * PERIOD_S / 3600


@dataclasses.dataclass(frozen=True)
class GatePlan:
    gate: str
    installed: int
    periods: list[PeriodPlan]
    # Where the opening's periods cannot meet the target, the earliest opening (up to an hour)
    # that would: a suggestion beside the plan, whose periods stay as they are.
    early: list[EarlyOpening] = dataclasses.field(default_factory=list)

    @property
    def lane_hours(self) -> float:
        return sum(p.lanes for p in self.periods) * PERIOD_S / 3600

    @property
    def all_open_lane_hours(self) -> float:
        return self.installed * len(self.periods) * PERIOD_S / 3600


@dataclasses.dataclass(frozen=True)
class LanePlan:
    gates: list[GatePlan]
    wait_s: float
    within: float
    method: str
    seconds: float  # how long the plan took to compute

    @property
    def lane_hours(self) -> float:
        return sum(g.lane_hours for g in self.gates)

    @property
    def all_open_lane_hours(self) -> float:
        return sum(g.all_open_lane_hours for g in self.gates)

    @property
    def saving(self) -> float:
        """Share of the lane-hours of opening every lane in every period that the plan saves."""
        full = self.all_open_lane_hours
        return 0.0 if full == 0 else 1.0 - self.lane_hours / full

    @property
    def infeasible(self) -> list[tuple[str, dt.datetime]]:
        return [(g.gate, p.start) for g in self.gates for p in g.periods if not p.feasible]

    @property
    def early(self) -> list[EarlyOpening]:
        return [e for g in self.gates for e in g.early]

    def lanes(self, gate: str) -> list[int]:
        """The planned lanes of one gate, period by period."""
        return [p.lanes for g in self.gates if g.gate == gate for p in g.periods]


def period_runs(starts: Sequence[dt.datetime]) -> list[range]:
    """Consecutive 15-minute periods (one day's opening hours) as ranges of indices."""
    runs, first = [], 0
    for k in range(1, len(starts) + 1):
        if k == len(starts) or (starts[k] - starts[k - 1]).total_seconds() != PERIOD_S:
            runs.append(range(first, k))
            first = k
    return runs


def lagged_rates(expected: np.ndarray, lag_s: float) -> np.ndarray:
    """Mean arrival rate (per second) over each period shifted back by `lag_s`, for counts that
    arrive evenly within their periods (nothing before the first period)."""
    rate = expected / PERIOD_S
    share = min(max(lag_s / PERIOD_S, 0.0), 1.0)
    before = np.concatenate(([0.0], rate[:-1]))
    return (1.0 - share) * rate + share * before


def initial_lanes(
    expected: np.ndarray,
    *,
    installed: int,
    wait_s: float,
    within: float,
    min_lanes: int,
    waiting: float = 0.0,
) -> np.ndarray:
    """Step 1: lanes per period from the stationary model at the lagged rate; the first
    period has at least the lanes that scan the `waiting` share of its arrivals, there at its
    start, so that the `within` share of them waits under `wait_s` (the stationary model
    knows no burst, and the check would add those lanes one round at a time)."""
    rates = lagged_rates(expected, LANE_SERVICE_S)
    lanes = np.empty(len(expected), dtype=np.int64)
    for k, rate in enumerate(rates):
        need = servers_for_wait(
            float(rate),
            LANE_SERVICE_S,
            wait_s=wait_s,
            within=within,
            service_scv=0.0,
            limit=installed,
        )
        lanes[k] = installed if need is None else need
    if len(lanes) and waiting > 0:
        burst = math.ceil(within * expected[0] * waiting * LANE_SERVICE_S / wait_s)
        lanes[0] = max(lanes[0], burst)
    return np.clip(lanes, min(min_lanes, installed), installed)


@dataclasses.dataclass
class _Draws:
    """The simulated arrivals of one gate over one run of periods (seconds from its start)."""

    arrive: np.ndarray
    period: np.ndarray
    rep_of: np.ndarray  # replication of each arrival: each is queued on its own
    reps: int


def _draw(expected: np.ndarray, rng: np.random.Generator, reps: int, waiting: float) -> _Draws:
    parts, periods, rep_of = [], [], []
    for r in range(reps):
        counts = rng.poisson(expected)
        k = np.repeat(np.arange(len(expected)), counts)
        offset = rng.random(len(k))
        # Those who queued before the gates opened are all there at the first instant.
        offset[: rng.binomial(counts[0], waiting)] = 0.0
        parts.append(np.sort((k + offset) * PERIOD_S))
        periods.append(k)
        rep_of.append(np.full(len(k), r))
    return _Draws(np.concatenate(parts), np.concatenate(periods), np.concatenate(rep_of), reps)


def _given(instants: np.ndarray, periods: int) -> _Draws:
    at = np.sort(np.asarray(instants, dtype=np.float64))
    at = at[(at >= 0) & (at < periods * PERIOD_S)]
    return _Draws(at, (at // PERIOD_S).astype(np.int64), np.zeros(len(at), np.int64), 1)


def _measure(draws: _Draws, lanes: np.ndarray, *, wait_s: float, within: float):
    """Per period: (arrivals, share within the target, the percentile wait) and the people
    still queuing at each period's start (the backlog an earlier period hands on)."""
    k = len(lanes)
    wait = np.empty(len(draws.arrive))
    backlog = np.zeros(k + 1)
    edges = np.arange(k + 1) * PERIOD_S
    for r in range(draws.reps):
        mine = draws.rep_of == r
        arrive = draws.arrive[mine]
        start = lanes_queue(arrive, start_s=0.0, period_s=PERIOD_S, lanes=lanes)
        wait[mine] = start - arrive
        backlog += np.searchsorted(arrive, edges, side="left") - np.searchsorted(
            np.sort(start), edges, side="left"
        )
    n = np.bincount(draws.period, minlength=k)
    ok = np.bincount(draws.period, weights=(wait <= wait_s).astype(np.float64), minlength=k)
    share = np.divide(ok, n, out=np.ones(k), where=n > 0)
    p_wait = np.full(k, np.nan)
    order = np.argsort(draws.period, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(n)))
    sorted_wait = wait[order]
    for j in np.flatnonzero(n):
        # The inverted CDF: the percentile is at most the target exactly when the share is met.
        p_wait[j] = np.quantile(
            sorted_wait[bounds[j] : bounds[j + 1]], within, method="inverted_cdf"
        )
    return n, share, p_wait, backlog


def _fix_for(k: int, lanes: np.ndarray, installed: int, backlog: np.ndarray) -> int | None:
    """The period where one more lane helps period k most: k itself, else the latest earlier
    period whose queue carried into k, else the next period; None if all are full."""
    if lanes[k] < installed:
        return k
    j = k
    while j > 0 and backlog[j] > 0:
        j -= 1
        if lanes[j] < installed:
            return j
    if k + 1 < len(lanes) and lanes[k + 1] < installed:
        return k + 1
    return None


def gate_run_plan(
    expected: np.ndarray,
    *,
    installed: int,
    wait_s: float,
    within: float,
    min_lanes: int,
    rng: np.random.Generator,
    replications: int,
    instants: np.ndarray | None = None,
    waiting: float = 0.0,
    max_rounds: int = 10_000,
):
    """Lanes for one gate over one run of consecutive periods, with the measured figures and
    the periods found infeasible. `instants` (seconds from the run's start) replace the draws;
    else a `waiting` share of the first period's draws are queued at its start."""
    lanes = initial_lanes(
        expected,
        installed=installed,
        wait_s=wait_s,
        within=within,
        min_lanes=min_lanes,
        waiting=waiting if instants is None else 0.0,
    )
    draws = (
        _draw(expected, rng, replications, waiting)
        if instants is None
        else _given(instants, len(expected))
    )
    hopeless: set[int] = set()
    for _round in range(max_rounds):
        n, share, p_wait, backlog = _measure(draws, lanes, wait_s=wait_s, within=within)
        missing = [j for j in np.flatnonzero((n > 0) & (share < within)) if j not in hopeless]
        if not missing:
            break
        # One fix per block of consecutive failing periods: the block's first period, whose
        # backlog the later ones inherit (fixing it may fix them).
        fixes = set()
        for j in missing:
            if j - 1 in missing and (j - 1) not in hopeless:
                continue
            target = _fix_for(int(j), lanes, installed, backlog)
            if target is None:
                hopeless.add(int(j))
            else:
                fixes.add(target)
        for target in fixes:
            lanes[target] += 1
    else:  # pragma: no cover - lanes only grow, so the rounds are bounded by the lanes
        raise RuntimeError("the lane plan did not converge")
    # A period that misses the target after the last round, with no lane left to add where
    # it would help, is infeasible (the loop ends only when none misses or none can be fixed).
    infeasible = {int(j) for j in np.flatnonzero((n > 0) & (share < within))}
    return lanes, n, share, p_wait, infeasible


def early_opening(
    expected: np.ndarray,
    lanes: np.ndarray,
    infeasible: set[int],
    *,
    installed: int,
    wait_s: float,
    within: float,
    waiting: float,
    rng: np.random.Generator,
    replications: int,
) -> tuple[list[int], float] | None:
    """(lanes per early period, the worst percentile wait then) of the latest early opening of
    one gate's day that serves the crowd waiting for the opening within the target: in those
    early periods and in the run of `infeasible` periods from the opening; None if the opening
    is not infeasible, or no opening up to an hour early meets it.
    The waiting crowd came as `arrival_shape.WAITING_ARRIVED` says; the day's lanes are kept,
    and each early period opens the fewest lanes that still meet the target."""
    crowd = float(expected[0]) * waiting
    if crowd <= 0 or 0 not in infeasible:
        return None
    # The unmet periods from the opening on: those the crowd waiting for it makes.
    opening_block = list(itertools.takewhile(lambda j: j in infeasible, range(len(expected))))
    # A FIFO queue's waits up to an instant do not depend on who comes after it: the day is
    # cut where the block's last arrivals are scanned or have waited too long, so the search
    # queues a few periods rather than the whole day, with the same verdicts.
    horizon = min(len(expected), opening_block[-1] + 2 + math.ceil(wait_s / PERIOD_S))
    expected, lanes = expected[:horizon], lanes[:horizon]
    for periods in range(1, EARLY_PERIODS + 1):
        there, arriving = waiting_when_early(periods)
        before = crowd * arriving
        before[0] += crowd * there
        extended = np.concatenate((before, [expected[0] - crowd], expected[1:]))
        # Each replication on its own must meet the target, not their pool: the fewest lanes
        # that just meet it on average would miss it on about half of the real mornings.
        days = [_draw(extended, rng, 1, crowd * there / extended[0]) for _r in range(replications)]
        checked = [*range(periods), *(periods + j for j in opening_block)]

        def worst(early: np.ndarray, days=days, checked=checked) -> float | None:
            """The worst percentile wait of the checked periods, None if one misses."""
            waits = []
            for draws in days:
                n, share, p_wait, _backlog = _measure(
                    draws, np.concatenate((early, lanes)), wait_s=wait_s, within=within
                )
                if any(n[j] and share[j] < within for j in checked):
                    return None
                waits.extend(float(p_wait[j]) for j in checked if n[j])
            return max(waits, default=0.0)

        early = np.full(periods, installed, dtype=np.int64)
        if worst(early) is None:
            continue
        # Fewest lanes per early period, the earliest first (a later one serves what it leaves).
        for k in range(periods):
            low, high = 1, installed
            while low < high:
                early[k] = (low + high) // 2
                if worst(early) is None:
                    low = early[k] + 1
                else:
                    high = early[k]
            early[k] = low
        return [int(c) for c in early], float(worst(early))
    return None


def lane_plan(
    *,
    gates: Mapping[str, int],
    period_starts: Sequence[dt.datetime],
    expected: Mapping[str, Sequence[float]],
    instants: Mapping[str, Sequence[float]] | None = None,
    wait_s: float = 600.0,
    within: float = 0.95,
    min_lanes: int = 1,
    seed: int = 0,
    replications: int = 3,
    waiting_at_opening: float = FIRST_PERIOD_WAITING,
) -> LanePlan:
    """The lane plan for `gates` (code → installed lanes) over 15-minute `period_starts`
    (aware, increasing; a gap starts a new day), from the `expected` arrivals of each gate per
    period. `instants` (POSIX seconds per gate), when given for a gate, are its arrivals in the
    check instead of Poisson draws. Every period of the plan keeps at least `min_lanes` open.
    Of a day's first period's expected arrivals, the share `waiting_at_opening` queued before
    the gates opened (`arrival_shape.FIRST_PERIOD_WAITING` by default) and is there at once."""
    began = time.perf_counter()
    if not 0 < within < 1 or wait_s <= 0:
        raise ValueError("the target needs a wait above 0 and a share strictly between 0 and 1")
    if not 0 <= waiting_at_opening <= 1:
        raise ValueError("the share waiting at the opening must be between 0 and 1")
    starts = list(period_starts)
    if any(b <= a for a, b in itertools.pairwise(starts)):
        raise ValueError("period starts must increase")
    runs = period_runs(starts)
    plans = []
    for g, (code, installed) in enumerate(gates.items()):
        counts = np.asarray(expected.get(code, np.zeros(len(starts))), dtype=np.float64)
        if len(counts) != len(starts) or (counts < 0).any():
            raise ValueError(f"gate {code}: one non-negative expected count per period")
        periods: list[PeriodPlan] = []
        early: list[EarlyOpening] = []
        for r, run in enumerate(runs):
            given = None
            if instants is not None and code in instants:
                origin = starts[run.start].timestamp()
                given = np.asarray(instants[code], dtype=np.float64) - origin
            lanes, n, share, p_wait, infeasible = gate_run_plan(
                counts[run.start : run.stop],
                installed=installed,
                wait_s=wait_s,
                within=within,
                min_lanes=min_lanes,
                rng=np.random.default_rng([seed, g, r]),
                replications=replications,
                instants=given,
                waiting=waiting_at_opening,
            )
            if given is None and infeasible:
                found = early_opening(
                    counts[run.start : run.stop],
                    lanes,
                    infeasible,
                    installed=installed,
                    wait_s=wait_s,
                    within=within,
                    waiting=waiting_at_opening,
                    rng=np.random.default_rng([seed, g, r, 1]),
                    replications=replications,
                )
                if found is not None:
                    early.append(EarlyOpening(code, starts[run.start], *found))
            for j, k in enumerate(run):
                periods.append(
                    PeriodPlan(
                        start=starts[k],
                        expected=float(counts[k]),
                        lanes=int(lanes[j]),
                        simulated=int(n[j]),
                        share_within=None if n[j] == 0 else float(share[j]),
                        p_wait_s=None if n[j] == 0 else float(p_wait[j]),
                        feasible=j not in infeasible,
                    )
                )
        plans.append(GatePlan(gate=code, installed=installed, periods=periods, early=early))
    return LanePlan(
        gates=plans,
        wait_s=wait_s,
        within=within,
        method=METHOD,
        seconds=time.perf_counter() - began,
    )
