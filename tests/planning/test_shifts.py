"""Staff shifts: every period's lanes covered by people at work, 4–8 hour shifts, breaks where
the rules put them, and the fewest staff-hours on cases small enough to reason about."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.planning.lanes import lane_plan
from smartexpo.planning.shifts import day_shifts, staff_shifts, works

from .twin_curve import day_starts, edition

Q = dt.timedelta(minutes=15)


def at_work(plan, starts):
    """People at work (present, not on a break) in each period, from the returned shifts."""
    count = [0] * len(starts)
    for s in plan.shifts:
        for k, start in enumerate(starts):
            on_break = s.break_start is not None and s.break_start <= start < s.break_start + 2 * Q
            if s.start <= start < s.end and not on_break:
                count[k] += s.people
    return count


def hours(day_plan):
    return sum(length * people for (_s, length, _b), people in day_plan) / 4


def test_one_lane_for_eight_hours_is_two_four_hour_shifts():
    # Lower bound: 8 staff-hours of demand. One 8-hour shift would leave its break uncovered.
    status, chosen = day_shifts([1] * 32)
    assert status == "optimal" and hours(chosen) == 8
    assert all(kind[1] == 16 and kind[2] is None for kind, _n in chosen)


def test_one_lane_for_eleven_hours_takes_three_shifts_of_twelve_hours():
    # Without a break a shift is at most 5 h, and 5 + 5 < 11, so at least three shifts of at
    # least 4 h: 12 h. A shift over 5 h brings a break someone else must cover (at least 4 h
    # more): 8 h + 4 h cannot cover the other 3 h and the break, so 12 h is the optimum.
    status, chosen = day_shifts([1] * 44)
    assert status == "optimal" and hours(chosen) == 12
    assert sum(n for _k, n in chosen) == 3


def test_a_short_need_still_pays_the_shortest_shift():
    demand = [0] * 10 + [1] * 12 + [0] * 10  # 3 h in an 8-hour day
    status, chosen = day_shifts(demand)
    assert status == "optimal" and hours(chosen) == 4


def test_a_day_shorter_than_the_shortest_shift_is_reported_infeasible():
    starts = day_starts(dt.date(2019, 8, 26), periods=12)
    plan = staff_shifts(period_starts=starts, demand=[1] * 12)
    assert plan.status == "infeasible" and plan.shifts == []
    assert "4 to 8 hours" in plan.message and "2019-08-26 08:00" in plan.message


@pytest.fixture(scope="module")
def planned():
    starts, expected = edition(2, 60_000, {"G-N": 24})
    lanes = lane_plan(gates={"G-N": 24}, period_starts=starts, expected=expected).lanes("G-N")
    return starts, lanes, staff_shifts(period_starts=starts, demand=lanes, time_limit_s=20)


def test_shifts_cover_every_period_of_a_lane_plan(planned):
    starts, lanes, plan = planned
    assert plan.status == "optimal"
    assert all(have >= need for have, need in zip(at_work(plan, starts), lanes, strict=True))


def test_shifts_last_four_to_eight_hours_within_one_day(planned):
    _starts, _lanes, plan = planned
    for s in plan.shifts:
        assert 4 <= s.hours <= 8
        assert s.start.minute % 15 == 0 and s.start.date() == s.end.date()


def test_breaks_fall_in_the_middle_of_long_shifts_only(planned):
    _starts, _lanes, plan = planned
    assert any(s.break_start for s in plan.shifts) or all(s.hours <= 5 for s in plan.shifts)
    for s in plan.shifts:
        if s.hours <= 5:
            assert s.break_start is None
        else:
            assert s.break_start - s.start >= dt.timedelta(hours=2)
            assert s.end - (s.break_start + 2 * Q) >= dt.timedelta(hours=2)


def test_staff_hours_are_at_least_the_lane_hours(planned):
    _starts, lanes, plan = planned
    assert plan.staff_hours >= sum(lanes) / 4
    assert plan.staff_hours == pytest.approx(sum(s.hours * s.people for s in plan.shifts))


def test_a_person_on_a_break_is_not_at_work():
    assert works((0, 24, 8), 7) and not works((0, 24, 8), 8) and not works((0, 24, 8), 9)
    assert works((0, 24, 8), 10) and not works((0, 24, 8), 24)
