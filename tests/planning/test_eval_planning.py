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
    counts = np.array([per_period], float)
    return DayTruth(OPENING.date(), len(ready), ["G"], counts, counts.copy(), {"G": ready})


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


def test_arrival_errors_are_against_when_they_came_or_when_they_were_scanned():
    truth = _truth([MIN_PERIOD * 2, MIN_PERIOD * 2])
    # At capacity: the second period scanned half of the first's crowd.
    truth.entries = np.array([[MIN_PERIOD, MIN_PERIOD * 3]], float)
    forecast = SimpleNamespace(arrivals={"G": [SimpleNamespace(mid=MIN_PERIOD * 2)] * 2})
    assert arrival_errors(forecast, [truth], periods=2)["mape"] == 0.0
    scans = arrival_errors(forecast, [truth], periods=2, of="entries")
    assert abs(scans["mape"] - (100.0 + 100 / 3) / 2) < 1e-9


def test_arrival_errors_skip_quiet_periods_in_the_mape_but_not_in_the_wape():
    truth = _truth([MIN_PERIOD * 2, 10])
    forecast = SimpleNamespace(
        arrivals={"G": [SimpleNamespace(mid=MIN_PERIOD * 2 * 1.1), SimpleNamespace(mid=20)]}
    )
    errors = arrival_errors(forecast, [truth], periods=2)
    assert errors["periods"] == 1
    assert abs(errors["mape"] - 10.0) < 1e-9
    assert abs(errors["wape"] - (MIN_PERIOD * 0.2 + 10) / (MIN_PERIOD * 2 + 10) * 100) < 1e-9


def test_with_the_early_openings_the_early_comers_are_let_in_from_then():
    origin = OPENING.timestamp()
    # 500 come in the half hour before the opening, 300 over the next 45 minutes.
    came = np.concatenate(
        [origin - 1800 + np.linspace(0, 1799, 500), origin + np.linspace(0, 2699, 300)]
    )
    truth = DayTruth(
        OPENING.date(), len(came), ["G"], np.zeros((1, 3)), np.zeros((1, 3)), {"G": came}
    )
    plan = _plan([2, 2, 2])
    plan.gates[0].periods[0].feasible = False
    plan.early = [SimpleNamespace(gate="G", opening=OPENING, lanes=[2, 2], lane_hours=1.0)]
    # As planned, the 500 are there at once at the opening: 2 lanes take 23 minutes, and the
    # next quarter hour's queue behind them.
    planned = replay(plan, [truth], periods=3, wait_s=600, within=0.95)
    assert planned.met < 3 and (planned.gate_periods, planned.promised) == (3, 2)
    assert planned.worst[1] == OPENING
    early = replay(plan, [truth], periods=3, wait_s=600, within=0.95, early=True)
    assert (early.met, early.gate_periods, early.promised, early.promised_met) == (5, 5, 5, 5)
    assert early.lane_hours == planned.lane_hours + 1.0 and early.share_within == 1.0
