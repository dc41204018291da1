"""The lane queue: the twin's gates and the plan's check are one queue, and its time-varying
form agrees with a visitor-by-visitor reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartexpo.demo.simulator import model
from smartexpo.planning.queue_sim import LANE_SERVICE_S, fifo_starts, lanes_queue

PERIOD = 900.0


def lindley_loop(ready, lanes, service):
    """start_i = max(ready_i, start_{i−c} + S), one visitor at a time."""
    order = np.argsort(ready, kind="stable")
    starts = np.empty(len(ready))
    done = []
    for i in order:
        at = ready[i] if len(done) < lanes else max(ready[i], done[-lanes] + service)
        done.append(at)
        starts[i] = at
    return starts


def reference(ready, lanes, start, service=LANE_SERVICE_S, period=PERIOD):
    """The rules of `queue_sim`, visitor by visitor: each takes the first moment a lane of the
    open set is free; the set changes only when the count does (added: closed lanes that free
    first; kept: open lanes that free first); the last period's lanes stay open."""
    total = max(lanes)
    free = [-np.inf] * total
    is_open = [False] * total
    current = None  # the count the open set was last made for
    order = np.argsort(ready, kind="stable")
    out = np.full(len(ready), np.inf)
    last = -np.inf
    for i in order:
        t = max(ready[i], last, start)
        while True:
            k = min(int((t - start) // period), len(lanes) - 1)
            boundary = start + k * period
            c = lanes[k]
            if c != current:
                eff = [max(f, boundary) for f in free]
                opened = [j for j in range(total) if is_open[j]]
                if c < len(opened):
                    keep = sorted(opened, key=lambda j: (eff[j], j))[:c]
                    is_open = [j in keep for j in range(total)]
                elif c > len(opened):
                    closed = [j for j in range(total) if not is_open[j]]
                    for j in sorted(closed, key=lambda j: (eff[j], j))[: c - len(opened)]:
                        is_open[j] = True
                current = c
            end = np.inf if k == len(lanes) - 1 else start + (k + 1) * period
            candidates = [max(free[j], t, boundary) for j in range(total) if is_open[j]]
            if candidates and min(candidates) < end:
                at = min(candidates)
                lane = next(
                    j for j in range(total) if is_open[j] and max(free[j], t, boundary) == at
                )
                free[lane] = at + service
                out[i] = last = at
                break
            if end == np.inf:
                break
            t = end
    return out


def test_the_plan_and_the_twin_use_one_service_time():
    assert model.SERVICE_S == LANE_SERVICE_S == 3600 / 660


@given(
    st.lists(st.floats(0, 7200, allow_nan=False), max_size=400),
    st.integers(1, 12),
    st.integers(1, 10),
)
def test_constant_lanes_give_exactly_the_twins_lane_queue(ready, lanes, periods):
    ready = np.array(ready, dtype=np.float64)
    twin = model.lane_queue(ready, lanes)
    planned = lanes_queue(ready, start_s=0.0, period_s=PERIOD, lanes=[lanes] * periods)
    assert np.array_equal(twin, planned)


@given(st.lists(st.floats(0, 3600, allow_nan=False), max_size=200), st.integers(1, 6))
def test_the_shared_queue_is_the_lindley_recursion(ready, lanes):
    ready = np.array(ready, dtype=np.float64)
    np.testing.assert_allclose(
        fifo_starts(ready, lanes, 20.0), lindley_loop(ready, lanes, 20.0), rtol=0, atol=1e-9
    )


@given(
    st.lists(st.floats(0, 4 * PERIOD, allow_nan=False), max_size=300),
    st.lists(st.integers(0, 5), min_size=1, max_size=6),
    st.integers(1, 5),
)
def test_varying_lanes_agree_with_the_visitor_by_visitor_reference(ready, lanes, last):
    lanes = [*lanes, last]  # the last period keeps a lane, so everyone is served
    ready = np.array(ready, dtype=np.float64)
    got = lanes_queue(ready, start_s=0.0, period_s=PERIOD, lanes=lanes, service_s=60.0)
    want = reference(ready, lanes, 0.0, service=60.0)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    assert (got >= ready).all()


def test_nobody_starts_before_the_first_period_or_while_no_lane_is_open():
    ready = np.array([-500.0, 10.0, 20.0])
    starts = lanes_queue(ready, start_s=0.0, period_s=PERIOD, lanes=[0, 1])
    assert starts.tolist() == [PERIOD, PERIOD + LANE_SERVICE_S, PERIOD + 2 * LANE_SERVICE_S]


def test_a_last_period_without_lanes_leaves_its_queue_unserved():
    starts = lanes_queue(np.array([100.0, PERIOD + 5]), start_s=0.0, period_s=PERIOD, lanes=[1, 0])
    assert starts[0] == 100.0 and starts[1] == np.inf


def test_more_lanes_never_make_anybody_wait_longer():
    rng = np.random.default_rng(7)
    ready = np.sort(rng.random(3000) * 4 * PERIOD)
    few = lanes_queue(ready, start_s=0.0, period_s=PERIOD, lanes=[2, 3, 1, 2])
    many = lanes_queue(ready, start_s=0.0, period_s=PERIOD, lanes=[2, 5, 1, 2])
    assert (many <= few + 1e-9).all()


def test_counts_must_be_given_and_non_negative():
    with pytest.raises(ValueError, match="one non-negative count per period"):
        lanes_queue(np.array([1.0]), start_s=0.0, period_s=PERIOD, lanes=[])
    with pytest.raises(ValueError, match="one non-negative count per period"):
        lanes_queue(np.array([1.0]), start_s=0.0, period_s=PERIOD, lanes=[1, -1])
