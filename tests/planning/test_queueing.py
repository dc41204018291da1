"""Erlang C against published values, and the recursion against two independent evaluations."""

from __future__ import annotations

import math

import pytest

from smartexpo.planning.queueing import (
    erlang_b,
    erlang_c,
    erlang_c_log,
    mean_wait,
    prob_wait_over,
    servers_for_wait,
)


def erlang_c_by_the_textbook_sum(servers: int, load: float) -> float:
    """C(c, a) = [a^c / c! · c / (c − a)] / [Σ_{k<c} a^k / k! + a^c / c! · c / (c − a)]."""
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def test_the_call_centre_helper_worked_example_is_reproduced():
    # Call Centre Helper, "Erlang C formula – example" (callcentrehelper.com/
    # erlang-c-formula-example-121281.htm), reproduced in pyworkforce's README
    # (ErlangC(transactions=100, aht=3, interval=30, asa=20/60)): 100 calls in 30 minutes,
    # 3 minutes' handling, 80 % answered within 20 s needs 14 agents, with a waiting
    # probability of 0.1741 and a service level of 0.8884.
    # By hand: a = 100 / 1800 s × 180 s = 10 erlangs; the textbook sum gives
    # C(14, 10) = 0.17411…; SL = 1 − 0.17411 · exp(−(14 − 10) · 20 / 180) = 0.88840…;
    # ASA = 0.17411 · 180 / (14 − 10) = 7.835 s.
    rate, service = 100 / 1800, 180.0
    assert erlang_c_by_the_textbook_sum(14, 10.0) == pytest.approx(0.1741, abs=5e-5)
    assert erlang_c(14, rate * service) == pytest.approx(0.1741, abs=5e-5)
    assert 1 - prob_wait_over(14, rate, service, 20.0) == pytest.approx(0.8884, abs=5e-5)
    assert mean_wait(14, rate, service) == pytest.approx(7.835, abs=5e-3)
    assert servers_for_wait(rate, service, wait_s=20.0, within=0.80) == 14
    # 13 agents fall short of 80 % (0.7956 by the same formulas), which is why it is 14.
    assert 1 - prob_wait_over(13, rate, service, 20.0) < 0.80


@pytest.mark.parametrize("servers", [1, 2, 5, 11, 20, 40])
@pytest.mark.parametrize("utilisation", [0.1, 0.5, 0.8, 0.95, 0.999])
def test_the_recursion_agrees_with_the_textbook_sum(servers, utilisation):
    load = servers * utilisation
    assert erlang_c(servers, load) == pytest.approx(
        erlang_c_by_the_textbook_sum(servers, load), rel=1e-10
    )


@pytest.mark.parametrize(("servers", "load"), [(200, 180.0), (2_000, 1_950.0), (10_000, 9_900.0)])
def test_large_offered_loads_stay_finite_and_agree_with_scipy_in_log_space(servers, load):
    # The textbook sum overflows a float long before this (170! is the last finite factorial).
    recursion, logspace = erlang_c(servers, load), erlang_c_log(servers, load)
    assert 0 < recursion < 1
    assert recursion == pytest.approx(logspace, rel=1e-9)


def test_an_overloaded_queue_always_waits_and_never_empties():
    assert erlang_c(5, 5.0) == 1.0
    assert mean_wait(5, 1.0, 5.0) == math.inf
    assert prob_wait_over(5, 1.0, 5.0, 600.0) == 1.0


def test_erlang_b_matches_its_definition_for_one_server():
    # M/M/1/1: B = a / (1 + a).
    assert erlang_b(1, 3.0) == pytest.approx(0.75)


def test_fixed_service_halves_the_mean_wait_and_thins_the_tail():
    exponential = mean_wait(10, 1.5, 6.0, service_scv=1.0)
    fixed = mean_wait(10, 1.5, 6.0, service_scv=0.0)
    assert fixed == pytest.approx(exponential / 2)
    assert prob_wait_over(10, 1.5, 6.0, 30.0, service_scv=0.0) < prob_wait_over(10, 1.5, 6.0, 30.0)


def test_staffing_says_when_the_limit_is_not_enough():
    assert servers_for_wait(1.0, 5.0, wait_s=60.0, within=0.95, limit=5) is None
    need = servers_for_wait(1.0, 5.0, wait_s=60.0, within=0.95)
    assert need == 6
    assert 1 - prob_wait_over(need, 1.0, 5.0, 60.0) >= 0.95
    assert servers_for_wait(0.0, 5.0, wait_s=60.0, within=0.95) == 0
