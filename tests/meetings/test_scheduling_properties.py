"""Every schedule the optimiser or the greedy baseline produces holds every rule, on random
small instances; on tiny ones the optimiser's optimum is the brute-force optimum."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from smartexpo.meetings.scheduling import Instance, Person, Placement, Request, check, solve
from smartexpo.meetings.scheduling.greedy import greedy_solve
from smartexpo.meetings.scheduling.tables import number_tables
from smartexpo.meetings.scheduling.weights import request_weight

PROPERTY = settings(max_examples=30, deadline=None)


@st.composite
def instances(draw, max_people=6, max_slots=4, max_requests=8):
    n_slots = draw(st.integers(1, max_slots))
    n_people = draw(st.integers(2, max_people))
    tables = [draw(st.integers(0, 2)) for _ in range(n_slots)]
    people = {}
    booth_zone = {}
    booths = {}
    for p in range(n_people):
        cap = draw(st.none() | st.integers(0, 3))
        available = draw(st.none() | st.frozensets(st.integers(0, n_slots - 1)))
        people[p] = Person(cap=cap, available=available)
        if draw(st.booleans()):
            booths[p] = f"B{p}"
            booth_zone[f"B{p}"] = draw(st.integers(0, 1))
    pairs = list(itertools.combinations(range(n_people), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=max_requests))
    requests = []
    for i, (a, b) in enumerate(chosen):
        booth = booths.get(b) or booths.get(a) if draw(st.booleans()) else None
        requests.append(
            Request(
                id=i,
                a=a,
                b=b,
                weight=request_weight(draw(st.sampled_from(["must", "want"])), 0),
                score=draw(st.floats(0, 1)),
                booth=booth,
            )
        )
    return Instance(
        n_slots=n_slots,
        tables=tables,
        people=people,
        requests=requests,
        table_zone=0,
        booth_zone=booth_zone,
    )


def brute_force(instance: Instance) -> int:
    """The best objective over every assignment of every request to nothing, a table in a
    slot, or its booth in a slot."""
    options = []
    for r in instance.requests:
        mine = [None]
        for s in range(instance.n_slots):
            mine.append(Placement(slot=s, table=0))
            if r.booth is not None:
                mine.append(Placement(slot=s, booth=r.booth))
        options.append(mine)
    best = 0
    for combo in itertools.product(*options):
        placements = {r.id: p for r, p in zip(instance.requests, combo, strict=True) if p}
        per_slot = [0] * instance.n_slots
        for p in placements.values():
            if p.booth is None:
                per_slot[p.slot] += 1
        if any(n > t for n, t in zip(per_slot, instance.tables, strict=True)):
            continue
        numbered = number_tables(instance, placements)
        if check.violations(instance, numbered):
            continue
        best = max(best, check.objective(instance, numbered))
    return best


@PROPERTY
@given(instances())
def test_every_optimiser_schedule_keeps_every_rule(instance):
    result = solve(instance, time_limit=10)
    assert check.violations(instance, result.placements) == []
    assert set(result.placements) <= {r.id for r in instance.requests}
    assert result.status in ("optimal", "feasible")
    assert result.objective == check.objective(instance, result.placements)
    assert result.objective >= result.greedy_objective
    assert result.bound >= result.objective


@PROPERTY
@given(instances())
def test_every_greedy_schedule_keeps_every_rule(instance):
    placements = number_tables(instance, greedy_solve(instance))
    assert check.violations(instance, placements) == []
    assert set(placements) <= {r.id for r in instance.requests}


@settings(max_examples=25, deadline=None)
@given(instances(max_people=4, max_slots=3, max_requests=4))
def test_on_tiny_instances_the_optimum_is_the_brute_force_optimum(instance):
    result = solve(instance, time_limit=20)
    assert result.status == "optimal"
    assert result.objective == brute_force(instance)
