"""The optimiser's rules one by one: priority, ties, zones, booths, gaps, stability."""

from __future__ import annotations

import dataclasses

import pytest

from smartexpo.meetings.scheduling import Instance, Person, Placement, Request, check, solve
from smartexpo.meetings.scheduling.check import STAY_BONUS
from smartexpo.meetings.scheduling.generate import random_instance
from smartexpo.meetings.scheduling.weights import MUST, SCORE_BONUS_MAX, WANT, request_weight


def star(n_wants: int, *, cap: int = 1) -> Instance:
    """Person 0 can take one meeting; one `must` and many `want` requests compete for it."""
    people = {p: Person() for p in range(n_wants + 2)}
    people[0] = Person(cap=cap)
    requests = [Request(id="must", a=0, b=1, weight=request_weight("must", 0), score=0.0)]
    requests += [
        Request(id=f"w{i}", a=0, b=i + 2, weight=request_weight("want", 0), score=1.0)
        for i in range(n_wants)
    ]
    return Instance(n_slots=3, tables=[5, 5, 5], people=people, requests=requests)


def test_a_must_beats_any_number_of_wants():
    result = solve(star(40), time_limit=20)
    assert result.status == "optimal"
    assert set(result.placements) == {"must"}


def test_must_outweighs_more_wants_than_any_session_can_hold():
    assert MUST > WANT * 5000 * 48 * 2


def test_repeated_no_shows_lower_a_request_within_its_tier():
    assert request_weight("want", 1) == WANT
    assert request_weight("want", 2) < WANT
    assert request_weight("must", 5) > WANT * 100_000


def test_ties_go_to_the_higher_reciprocal_score():
    people = {0: Person(cap=1), 1: Person(), 2: Person()}
    requests = [
        Request(id="low", a=0, b=1, weight=WANT, score=0.1),
        Request(id="high", a=0, b=2, weight=WANT, score=0.9),
    ]
    result = solve(Instance(n_slots=2, tables=[1, 1], people=people, requests=requests))
    assert set(result.placements) == {"high"}


def test_nobody_walks_between_zones_without_a_free_slot():
    # Person 0 meets 1 at 1's booth (hall 1; no table in slot 0) and 2 at a table (hall 0, the
    # only table stands in the last slot). In consecutive slots both cannot happen: the walk
    # needs a slot in between.
    people = {0: Person(), 1: Person(), 2: Person()}
    requests = [
        Request(id="booth", a=0, b=1, weight=WANT, booth="B1"),
        Request(id="table", a=0, b=2, weight=WANT),
    ]
    inst = Instance(
        n_slots=2,
        tables=[0, 1],
        people=people,
        requests=requests,
        table_zone=0,
        booth_zone={"B1": 1},
    )
    assert len(solve(inst).placements) == 1
    wider = dataclasses.replace(inst, n_slots=3, tables=[0, 0, 1])
    placed = solve(wider).placements
    assert placed == {"booth": Placement(slot=0, booth="B1"), "table": Placement(slot=2, table=1)}


def test_booth_meetings_need_no_table():
    people = {p: Person() for p in range(4)}
    requests = [
        Request(id="a", a=0, b=1, weight=WANT, booth="B0"),
        Request(id="b", a=2, b=3, weight=WANT),
    ]
    inst = Instance(
        n_slots=1,
        tables=[1],
        people=people,
        requests=requests,
        table_zone=0,
        booth_zone={"B0": 0},
    )
    placed = solve(inst).placements
    assert placed["a"] == Placement(slot=0, booth="B0")
    assert placed["b"] == Placement(slot=0, table=1)


def test_fewer_idle_gaps_when_the_weight_is_the_same():
    people = {0: Person(), 1: Person(), 2: Person()}
    requests = [
        Request(id="x", a=0, b=1, weight=WANT),
        Request(id="y", a=0, b=2, weight=WANT),
    ]
    placed = solve(Instance(n_slots=5, tables=[1] * 5, people=people, requests=requests))
    assert len(placed.placements) == 2
    assert placed.idle_gaps == 0


def test_a_meeting_outside_availability_is_never_produced():
    people = {0: Person(available=frozenset({2})), 1: Person(available=frozenset({0, 1}))}
    requests = [Request(id="r", a=0, b=1, weight=MUST)]
    inst = Instance(n_slots=3, tables=[1, 1, 1], people=people, requests=requests)
    result = solve(inst)
    assert result.placements == {}
    assert result.status == "optimal"


def test_an_empty_instance_has_the_empty_optimal_schedule():
    result = solve(Instance(n_slots=3, tables=[1, 1, 1], people={}, requests=[]))
    assert (result.status, result.placements, result.objective) == ("optimal", {}, 0)


def test_a_resolve_after_a_small_change_keeps_the_untouched_meetings():
    # Without the idle-gap term (stability does not depend on it), so that the first schedule
    # is proven optimal quickly even on a busy machine.
    inst = random_instance(10, 20, seed=3, n_slots=5, tables=2)
    first = solve(inst, time_limit=60, gaps=False)
    # Moves are bounded by what they buy: from an optimal first schedule, only the change can.
    assert first.status == "optimal"
    # One request is cancelled and a new one is accepted, between two persons already busy.
    gone = next(iter(first.placements))
    survivors = [r for r in inst.requests if r.id != gone]
    new = Request(id="new", a=survivors[0].a, b=survivors[1].b, weight=WANT, score=0.5)
    if new.a == new.b:
        new = dataclasses.replace(new, b=survivors[2].b)
    again = dataclasses.replace(
        inst,
        requests=[*survivors, new],
        previous={rid: p for rid, p in first.placements.items() if rid != gone},
    )
    second = solve(again, time_limit=60, gaps=False)
    assert check.violations(again, second.placements) == []
    kept = sum(
        1 for rid, p in first.placements.items() if rid != gone and second.placements.get(rid) == p
    )
    # A meeting moves only when it pays: each move forgoes the stay bonus, which only more
    # scheduled weight (a request let in) can buy back — never a score tie or an idle gap.
    gone_weight = next(r.weight for r in inst.requests if r.id == gone)
    bought = second.weight - (first.weight - gone_weight)
    assert STAY_BONUS * second.moved <= bought + SCORE_BONUS_MAX * len(second.placements)
    assert kept == len(first.placements) - 1 - second.moved
    assert second.weight >= first.weight - gone_weight


def test_a_resolve_with_nothing_changed_moves_nothing():
    inst = random_instance(10, 20, seed=5, n_slots=5, tables=2)
    first = solve(inst, time_limit=60, gaps=False)
    assert first.status == "optimal"
    again = dataclasses.replace(inst, previous=first.placements)
    second = solve(again, time_limit=60, gaps=False)
    assert second.moved == 0
    assert second.placements == first.placements


def test_the_optimiser_never_schedules_less_than_the_greedy_baseline():
    inst = random_instance(80, 300, seed=7, n_slots=8)
    result = solve(inst, time_limit=20)
    assert result.weight >= result.greedy_weight
    assert check.violations(inst, result.placements) == []


def test_the_hosted_profile_binds_on_availability():
    inst = random_instance(60, 240, seed=2, profile="hosted")
    exhibitors = [p for p in inst.people if p < 20]
    visitors = [p for p in inst.people if p >= 20]
    assert all(len(inst.people[p].available) == 12 for p in exhibitors)
    assert all(3 <= len(inst.people[p].available) <= 6 for p in visitors)
    windows = [sorted(inst.people[p].available) for p in visitors]
    assert all(w == list(range(w[0], w[-1] + 1)) for w in windows)  # one stay, no holes
    musts = sum(1 for r in inst.requests if r.weight == MUST)
    assert 0.35 < musts / len(inst.requests) < 0.65
    result = solve(inst, time_limit=10)
    assert check.violations(inst, result.placements) == []
    assert result.weight >= result.greedy_weight


def test_an_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="loose"):
        random_instance(10, 20, profile="loose")
