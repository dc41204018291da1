"""Erlang C: the stationary M/M/c queue, and the staffing it implies (pure Python + SciPy).

A gate is `c` identical lanes in front of one FIFO queue. With Poisson arrivals at rate `lam`
and service rate `mu` per lane the offered load is `a = lam / mu` and, for `a < c`,

    P(wait > 0)  = C(c, a)                                 (Erlang C)
    E[wait]      = C(c, a) / (c mu - lam)
    P(wait > t)  = C(c, a) exp(-(c mu - lam) t)

C is computed from Erlang B by its recursion 1/B(k) = 1 + (k / a) / B(k-1), which only adds
and multiplies positive numbers: no factorial or power overflows, however large the load
(`erlang_c_log` is a second, independent evaluation through SciPy's Poisson distribution in
log space, for the tests and for very many lanes).

Gate lanes have a FIXED service time (the Green Guide's 660 people an hour: 3600/660 s), not
an exponential one. Erlang C is then pessimistic. `service_scv` (the squared coefficient of
variation of the service time: 1 exponential, 0 fixed) applies the Allen–Cunneen / Lee–Longton
M/G/c approximation: the waiting time of those who wait is still taken as exponential, with its
mean scaled by (1 + scv) / 2, while the delay probability stays Erlang C's (an upper bound for
fixed service). The lane plan (`planning.lanes`) does not rely on the approximation alone: it
checks every period in a simulation with the exact fixed service time and corrects the plan.
"""

from __future__ import annotations

import math

__all__ = [
    "erlang_b",
    "erlang_c",
    "erlang_c_log",
    "mean_wait",
    "prob_wait_over",
    "servers_for_wait",
]


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of an M/M/c/c loss system with `servers` and offered `load`."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must be non-negative")
    if load == 0:
        return 0.0 if servers > 0 else 1.0
    inverse = 1.0
    for k in range(1, servers + 1):
        inverse = 1.0 + inverse * k / load
    return 1.0 / inverse


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits in M/M/c (1.0 when the load reaches the servers)."""
    if load <= 0:
        return 0.0
    if load >= servers:
        return 1.0
    b = erlang_b(servers, load)
    return servers * b / (servers - load * (1.0 - b))


def erlang_c_log(servers: int, load: float) -> float:
    """Erlang C through SciPy in log space: B = pmf(c) / cdf(c) of a Poisson(load)."""
    if load <= 0:
        return 0.0
    if load >= servers:
        return 1.0
    # Imported here: SciPy's statistics take seconds to import and only this check needs them.
    from scipy import stats

    log_b = stats.poisson.logpmf(servers, load) - stats.poisson.logcdf(servers, load)
    b = math.exp(log_b)
    return servers * b / (servers - load * (1.0 - b))


def _check(rate: float, service_s: float) -> None:
    if rate < 0 or service_s <= 0:
        raise ValueError("the arrival rate must be >= 0 and the service time > 0")


def mean_wait(servers: int, rate: float, service_s: float, *, service_scv: float = 1.0) -> float:
    """Mean wait in the queue (seconds when `rate` is per second and `service_s` in seconds);
    infinite when the lanes cannot keep up."""
    _check(rate, service_s)
    load = rate * service_s
    if rate == 0:
        return 0.0
    if load >= servers:
        return math.inf
    slack = servers / service_s - rate
    return erlang_c(servers, load) / slack * (1.0 + service_scv) / 2.0


def prob_wait_over(
    servers: int, rate: float, service_s: float, wait_s: float, *, service_scv: float = 1.0
) -> float:
    """P(wait > `wait_s`): exact for M/M/c (`service_scv=1`), the approximation of the module's
    docstring otherwise."""
    _check(rate, service_s)
    load = rate * service_s
    if rate == 0:
        return 0.0
    if load >= servers:
        return 1.0
    slack = servers / service_s - rate
    decay = slack * 2.0 / (1.0 + service_scv)
    return erlang_c(servers, load) * math.exp(-decay * wait_s)


def servers_for_wait(
    rate: float,
    service_s: float,
    *,
    wait_s: float,
    within: float,
    service_scv: float = 1.0,
    limit: int | None = None,
) -> int | None:
    """The fewest servers with P(wait <= `wait_s`) >= `within` (e.g. 0.95), or None when more
    than `limit` would be needed."""
    _check(rate, service_s)
    if not 0 < within < 1:
        raise ValueError("within must lie strictly between 0 and 1")
    if rate == 0:
        return 0
    load = rate * service_s
    servers = math.floor(load) + 1
    # Erlang B for `servers` once, then one recursion step per extra server.
    inverse = 1.0 / erlang_b(servers, load)
    while limit is None or servers <= limit:
        b = 1.0 / inverse
        delay = servers * b / (servers - load * (1.0 - b))
        slack = servers / service_s - rate
        if delay * math.exp(-slack * wait_s * 2.0 / (1.0 + service_scv)) <= 1.0 - within:
            return servers
        servers += 1
        inverse = 1.0 + inverse * servers / load
    return None
