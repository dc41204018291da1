"""The measures of `make eval-planning` (bench/eval_planning_twin.py) on hand-made runs: the
replay of a plan's lanes on a run's arrivals, and the forecast's errors per gate-period."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
from bench.eval_planning_twin import MIN_PERIOD, DayTruth, arrival_errors, replay

OPENING = dt.datetime(2019, 8, 26, 1, tzinfo=dt.UTC)


def _plan(lanes: list[int]):
    periods = [
        SimpleNamespace(start=OPENING + dt.timedelta(minutes=15 * k), lanes=n, feasible=True)
        for k, n in enumerate(lanes)
    ]
    return SimpleNamespace(
        gates=[SimpleNamespace(gate="G", periods=periods)],
        lane_hours=sum(lanes) / 4,
        all_open_lane_hours=4 * len(lanes) / 4,
    )


def _truth(per_period: list[int]) -> DayTruth:
    origin = OPENING.timestamp()
    ready = np.concatenate(
        [origin + 900 * k + np.linspace(0, 899, n) for k, n in enumerate(per_period)]
    )
    return DayTruth(OPENING.date(), len(ready), ["G"], np.array([per_period], float), {"G": ready})


def test_enough_lanes_meet_the_target_in_every_period():
    # A lane scans 165 people in 15 minutes: 100 a period never queue.
    result = replay(_plan([1, 1, 1]), [_truth([100, 100, 100])], periods=3, wait_s=600, within=0.95)
    assert (result.met, result.gate_periods) == (3, 3)
    assert result.share_within == 1.0
    assert result.lane_hours == 0.75 and result.all_open_lane_hours == 3.0


def test_too_few_lanes_miss_it_and_the_worst_period_is_named():
    result = replay(_plan([1, 1, 1]), [_truth([300, 300, 300])], periods=3, wait_s=600, within=0.95)
    assert result.met < 3
    gate, start, wait, lanes = result.worst
    assert gate == "G" and lanes == 1 and wait > 600
    assert start == OPENING + dt.timedelta(minutes=30)  # the queue is longest at the end
    assert result.share_within < 0.5
    # Two lanes from the second period on clear it.
    better = replay(_plan([2, 2, 2]), [_truth([300, 300, 300])], periods=3, wait_s=600, within=0.95)
    assert better.met == 3


def test_arrival_errors_skip_quiet_periods_in_the_mape_but_not_in_the_wape():
    truth = _truth([MIN_PERIOD * 2, 10])
    forecast = SimpleNamespace(
        arrivals={"G": [SimpleNamespace(mid=MIN_PERIOD * 2 * 1.1), SimpleNamespace(mid=20)]}
    )
    errors = arrival_errors(forecast, [truth], periods=2)
    assert errors["periods"] == 1
    assert abs(errors["mape"] - 10.0) < 1e-9
    assert abs(errors["wape"] - (MIN_PERIOD * 0.2 + 10) / (MIN_PERIOD * 2 + 10) * 100) < 1e-9
