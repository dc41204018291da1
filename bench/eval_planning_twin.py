"""What `eval_planning.py` measures against the twin: a run's truth (admissions per day, entries
and arrivals per gate), the forecast's errors against it, and a lane plan replayed on the
run's own arrivals through the twin's queue (`planning.queue_sim.lanes_queue`, the function
the twin's gates use).

Conventions (bench/RESULTS.md repeats them):

* **Daily admissions**: the visitors the twin admits through the entrance gates each day (one
  per visitor), against the forecast's `admissions.mid`.
* **15-minute arrivals per gate**: the twin's admitted entries per entrance gate and period
  from each day's opening by when the visitor reached the gate (those there before the
  opening in its first period), against the forecast's `arrivals[gate][k].mid`; and the same
  entries by when they were scanned (what the forecast learns from the previous edition),
  which a gate at capacity holds back. The MAPE is over the gate-periods with at least
  `MIN_PERIOD` entries (a quiet period's few entries make percentages meaningless); the
  WAPE (sum of absolute errors over the sum of entries) covers every period.
* **The replay**: each visitor queues at the twin's gate from the moment they reach it (an
  early comer from the opening, as in the twin: nobody is scanned before), in front of the
  plan's lanes of each period. A gate-period meets the target when the wait of `within` of its
  arrivals is under `wait_s`. Replayed **with the early openings**, a gate-day the plan
  suggests opening early lets its early comers in from then (those who came before, at once)
  in front of the suggested lanes; its early periods count as gate-periods the plan promised,
  and so do the unmet periods from the opening the suggestion was for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

MIN_PERIOD = 50
PERIOD_S = 900


@dataclasses.dataclass
class DayTruth:
    day: dt.date
    admissions: int
    gates: list[str]
    entries: np.ndarray  # (gates, periods): admitted entries per period from the opening
    arrivals: np.ndarray  # (gates, periods): those entries by when they reached the gate
    arrived: dict[str, np.ndarray]  # gate -> POSIX seconds each visitor reached it


def day_truth(arrays, *, gates: list[str], opening: dt.datetime, periods: int) -> DayTruth:
    """The truth of one twin day (`simulator.day.DayArrays`): the first `n` scans are each
    visitor's entry, in visitor order."""
    n = arrays.visitors
    scan_s = arrays.scan_at[:n] / 1e6
    gate = arrays.scan_gate[:n].astype(np.int64)
    arrived = arrays.arrived_at / 1e6
    origin = opening.timestamp()
    k = np.clip(((scan_s - origin) // PERIOD_S).astype(np.int64), 0, periods - 1)
    entries = np.zeros((len(gates), periods))
    np.add.at(entries, (gate, k), 1)
    # When they came, those there before the opening counted in its first period.
    came = np.clip(((np.maximum(arrived, origin) - origin) // PERIOD_S).astype(np.int64), 0, None)
    arrivals = np.zeros((len(gates), periods))
    np.add.at(arrivals, (gate, np.minimum(came, periods - 1)), 1)
    reached = {code: arrived[gate == g] for g, code in enumerate(gates)}
    return DayTruth(arrays.day, n, gates, entries, arrivals, reached)


def ape(forecast: float, truth: float) -> float:
    return abs(forecast - truth) / truth * 100 if truth else float("nan")


def arrival_errors(forecast, truths: list[DayTruth], periods: int, of: str = "arrivals") -> dict:
    """MAPE over the gate-periods with at least MIN_PERIOD entries, and WAPE over all, against
    the entries by when they came (`of="arrivals"`) or by when they were scanned ("entries")."""
    apes, abs_err, total = [], 0.0, 0.0
    for d, truth in enumerate(truths):
        counts = getattr(truth, of)
        for g, code in enumerate(truth.gates):
            values = forecast.arrivals[code][d * periods : (d + 1) * periods]
            for k in range(periods):
                actual = counts[g, k]
                predicted = values[k].mid
                abs_err += abs(predicted - actual)
                total += actual
                if actual >= MIN_PERIOD:
                    apes.append(ape(predicted, actual))
    return {
        "mape": float(np.mean(apes)) if apes else float("nan"),
        "wape": abs_err / total * 100 if total else float("nan"),
        "periods": len(apes),
    }


@dataclasses.dataclass
class Replay:
    gate_periods: int  # with arrivals
    met: int
    promised: int  # gate-periods the plan said the target can be met in
    promised_met: int
    worst: tuple[str, dt.datetime, float, int]  # gate, period start, p-wait (s), lanes
    share_within: float  # of every arrival, the share served within wait_s
    lane_hours: float
    all_open_lane_hours: float


def replay(
    plan,
    truths: list[DayTruth],
    *,
    periods: int,
    wait_s: float,
    within: float,
    early: bool = False,
) -> Replay:
    """The plan's lanes in front of the run's own arrivals, `early`: with the early openings it
    suggests (see the module's docstring)."""
    from smartexpo.planning.queue_sim import lanes_queue

    pct = within * 100
    met = counted = promised = promised_met = 0
    served = arrivals = 0
    worst = ("", None, -1.0, 0)
    suggested = {(e.gate, e.opening): e for e in plan.early} if early else {}
    for d, truth in enumerate(truths):
        for gate_plan in plan.gates:
            day_periods = gate_plan.periods[d * periods : (d + 1) * periods]
            suggestion = suggested.get((gate_plan.gate, day_periods[0].start))
            before = suggestion.lanes if suggestion else []
            # The periods from the opening the suggestion was for: unmet as planned.
            covered = 0
            while suggestion and covered < periods and not day_periods[covered].feasible:
                covered += 1
            start = day_periods[0].start.timestamp() - PERIOD_S * len(before)
            lanes = [*before, *(p.lanes for p in day_periods)]
            ready = np.sort(np.maximum(truth.arrived[gate_plan.gate], start))
            if not len(ready):
                continue
            begin = lanes_queue(ready, start_s=start, period_s=PERIOD_S, lanes=lanes)
            wait = begin - ready
            served += int((wait < wait_s).sum())
            arrivals += len(wait)
            k = np.clip(((ready - start) // PERIOD_S).astype(np.int64), 0, len(lanes) - 1)
            for period in np.unique(k):
                waits = wait[k == period]
                p_wait = float(np.percentile(waits, pct))
                counted += 1
                met += p_wait <= wait_s
                j = int(period) - len(before)  # the plan's period (negative: an early one)
                if j < covered or day_periods[j].feasible:
                    promised += 1
                    promised_met += p_wait <= wait_s
                if p_wait > worst[2]:
                    at = day_periods[0].start + dt.timedelta(seconds=PERIOD_S * j)
                    worst = (gate_plan.gate, at, p_wait, lanes[period])
    extra = sum(e.lane_hours for e in plan.early) if early else 0.0
    return Replay(
        gate_periods=counted,
        met=met,
        promised=promised,
        promised_met=promised_met,
        worst=worst,
        share_within=served / arrivals if arrivals else float("nan"),
        lane_hours=plan.lane_hours + extra,
        all_open_lane_hours=plan.all_open_lane_hours,
    )
