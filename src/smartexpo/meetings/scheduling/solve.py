"""One entry point: `solve(instance)` runs the greedy baseline, schedules the `must` requests
first, warm-starts the whole model from them (or from the previous schedule), numbers the
tables and checks the result."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Hashable

from . import check
from .cpsat import Model
from .greedy import greedy_solve
from .instance import Instance, Placement, Result
from .tables import number_tables
from .weights import is_must, score_bonus

# The share of the time limit the `must` requests get alone (phase 1); the search stops sooner
# when it proves their optimum.
MUSTS_SHARE = 0.4


def _finish(
    instance: Instance,
    placements: dict[Hashable, Placement],
    *,
    status: str,
    objective: int,
    bound: int,
    seconds: float,
    method: str,
    greedy: dict[Hashable, Placement] | None,
    variables: int = 0,
    details: dict | None = None,
) -> Result:
    numbered = number_tables(instance, placements)
    broken = check.violations(instance, numbered)
    if broken:
        # The model and the checker disagree: a bug, never a schedule to publish.
        raise AssertionError(f"{method} produced an invalid schedule: {broken[:5]}")
    bound = max(bound, objective)
    gap = 0.0 if bound <= objective else (bound - objective) / max(1, abs(bound))
    return Result(
        status=status,
        placements=numbered,
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=seconds,
        method=method,
        weight=check.weight(instance, numbered),
        moved=check.moved(instance, numbered),
        idle_gaps=check.idle_gaps(instance, numbered),
        greedy_weight=None if greedy is None else check.weight(instance, greedy),
        greedy_objective=None if greedy is None else check.objective(instance, greedy),
        variables=variables,
        details=details or {},
    )


def trivial_bound(instance: Instance) -> int:
    """An upper bound of the objective, cheap and valid: each request's best value (weight,
    score bonus, stay bonus) split in halves between its two persons, and each person keeping
    only the halves of their best `k` requests, `k` = their cap or the slots they could meet
    in (a weighted b-matching relaxation). CP-SAT's own bound is kept when it is better."""
    halves: dict[Hashable, list[float]] = {}
    reach: dict[Hashable, set[int]] = {}
    for r in instance.requests:
        slots = instance.common_slots(r)
        if not slots:
            continue
        value = r.weight + score_bonus(r.score)
        if r.id in instance.previous:
            value += check.STAY_BONUS
        for person in (r.a, r.b):
            halves.setdefault(person, []).append(value / 2)
            reach.setdefault(person, set()).update(slots)
    total = 0.0
    for person, values in halves.items():
        cap = instance.people[person].cap
        k = len(reach[person]) if cap is None else min(cap, len(reach[person]))
        total += sum(sorted(values, reverse=True)[:k])
    return int(total)


def solve(
    instance: Instance,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    method: str = "cpsat",
    gaps: bool = True,
    seed: int = 0,
) -> Result:
    """Schedule `instance`. `method`: "cpsat" (the optimiser, warm-started from greedy) or
    "greedy" (the baseline alone). An instance without requests has the empty schedule, which
    is optimal."""
    t0 = time.perf_counter()
    if not instance.requests:
        return _finish(
            instance,
            {},
            status="optimal",
            objective=0,
            bound=0,
            seconds=0.0,
            method=method,
            greedy={},
        )
    greedy = greedy_solve(instance)
    greedy_obj = check.objective(instance, greedy)
    if method == "greedy":
        return _finish(
            instance,
            greedy,
            status="feasible",
            objective=greedy_obj,
            bound=trivial_bound(instance),
            seconds=time.perf_counter() - t0,
            method="greedy",
            greedy=greedy,
        )
    if method != "cpsat":
        raise ValueError(f"unknown method {method!r}")
    # The limit covers everything: the greedy run, both phases and their builds, and a reserve
    # for the checks and table numbers after the search (measured: ~3 % of the limit at 20,000).
    deadline = t0 + time_limit * 0.95
    start, start_obj, details = greedy, greedy_obj, {}
    musts = _musts_first(instance, deadline=deadline, share=MUSTS_SHARE, workers=workers, seed=seed)
    if musts is not None:
        completed = greedy_solve(instance, first=musts)
        completed_obj = check.objective(instance, completed)
        details["musts_first"] = {
            "musts": len(musts),
            "greedy_musts": sum(
                1 for r in instance.requests if r.id in greedy and is_must(r.weight)
            ),
        }
        if completed_obj > start_obj:
            start, start_obj = completed, completed_obj
    built_at = time.perf_counter()
    model = Model(instance, gaps=gaps)
    model.hint(start)
    details["build_seconds"] = round(time.perf_counter() - built_at, 3)
    status, placements, objective, bound, _ = model.solve(
        time_limit=max(0.05, deadline - time.perf_counter()), workers=workers, seed=seed
    )
    bound = min(bound, trivial_bound(instance)) if status != "unknown" else bound
    if status == "unknown" or objective < start_obj:
        # No better schedule in time: the warm start stands, with the model's bound.
        details["fallback"] = "greedy" if start is greedy else "musts_first"
        status, placements, objective = "feasible", start, start_obj
        if bound < objective:
            bound = trivial_bound(instance)
    if bound <= objective:
        status = "optimal"
    return _finish(
        instance,
        placements,
        status=status,
        objective=objective,
        bound=bound,
        seconds=time.perf_counter() - t0,
        method="cpsat",
        greedy=greedy,
        variables=model.n_vars,
        details=details,
    )


def _musts_first(
    instance: Instance, *, deadline: float, share: float, workers: int, seed: int
) -> dict[Hashable, Placement] | None:
    """Phase 1: the best schedule of the `must` requests alone (no idle-gap term), within
    `share` of the time left. A `must` outweighs every `want`, so the whole model's optimum
    schedules as many `must` weight as this one; solved alone, the smaller model gets there far
    sooner when availability binds (docs/meeting-scheduling.md, "Musts first"). None when there
    is no second tier to separate, or nothing better than nothing was found."""
    must_ids = {r.id for r in instance.requests if is_must(r.weight)}
    if not must_ids or len(must_ids) == len(instance.requests):
        return None
    sub = dataclasses.replace(
        instance,
        requests=[r for r in instance.requests if r.id in must_ids],
        previous={k: p for k, p in instance.previous.items() if k in must_ids},
    )
    begun = time.perf_counter()
    budget = (deadline - begun) * share
    if budget <= 0.1:
        return None
    warm = greedy_solve(sub)
    model = Model(sub, gaps=False)
    model.hint(warm)
    # The whole model is built after this phase, in a time that grows with its variables: keep
    # that time (estimated from this build's pace, with a margin) out of this phase's search,
    # so that a slow machine shortens phase 1 rather than overrunning the limit.
    built = time.perf_counter() - begun
    pace = built / max(1, model.n_vars)
    whole_build = 1.5 * pace * _variables_estimate(instance)
    search = min(budget - built, deadline - time.perf_counter() - whole_build - 0.1 * budget)
    if search <= 0.05:
        return warm
    status, placements, objective, _, _ = model.solve(time_limit=search, workers=workers, seed=seed)
    if status == "unknown" or objective < check.objective(sub, warm):
        return warm
    return placements


def _variables_estimate(instance: Instance) -> int:
    """About how many variables the whole model has: one per request, slot and place."""
    return sum(
        len(instance.common_slots(r)) * (2 if r.booth is not None else 1) for r in instance.requests
    )
