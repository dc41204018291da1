"""The digital twin's model on its own (no database): arrivals, gate queues, itineraries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from smartexpo.demo.simulator import model as m
from smartexpo.demo.simulator.day import simulate_day
from smartexpo.demo.visitors import PUBLIC_DAY_QUOTAS

TZ = ZoneInfo("Asia/Shanghai")
DAYS = tuple(dt.date(2019, 8, 26) + dt.timedelta(days=i) for i in range(4))
HALLS = [f"{g}{i}" for g in "NS" for i in range(1, 9)]
# The demo's passes: professional, media, VIP and exhibitor staff, each day a quarter of them.
PASSES = (30_000, 5_000, 5_000, 20_000)


def demo_like_venue(lanes=(24, 24, 12, 12)) -> m.Venue:
    halls = (
        *(
            m.Hall(code, 40 * 36.0, tuple(f"{code}-{i:03d}" for i in range(1, 41)), (36.0,) * 40)
            for code in HALLS
        ),
        m.Hall("M", 20 * 216.0, tuple(f"M-{i:03d}" for i in range(1, 21)), (216.0,) * 20),
    )
    everywhere = frozenset([*HALLS, "M"])
    classes = (
        m.VisitorClass("public-day", False, frozenset(HALLS)),
        *(
            m.VisitorClass(code, True, everywhere)
            for code in ("professional", "media", "vip", "exhibitor-staff")
        ),
    )
    weights = tuple((float(q), *(p * m.PASS_SHOW_UP for p in PASSES)) for q in PUBLIC_DAY_QUOTAS)
    return m.Venue(
        tz=TZ,
        days=DAYS,
        opens=dt.time(9),
        closes=dt.time(18),
        gates=tuple(
            m.Gate(code, n) for code, n in zip(("G-N", "G-S", "G-E", "G-W"), lanes, strict=True)
        ),
        halls=halls,
        classes=classes,
        weights=weights,
    )


def day(venue=None, visitors=20_000, index=0, seed=2019, miss=0.0):
    venue = venue or demo_like_venue()
    plan = m.visits_plan(venue=venue, visitors=visitors, days=range(index, index + 1))
    return venue, simulate_day(
        venue=venue, day_index=index, counts=plan[0], seed=seed, sensor_miss=miss
    )


def local(day_, hour, minute=0) -> int:
    return round(dt.datetime.combine(day_, dt.time(hour, minute), tzinfo=TZ).timestamp() * 1e6)


def test_700000_visits_split_over_the_days_as_the_demo_quotas_and_passes_do():
    plan = m.visits_plan(venue=demo_like_venue(), visitors=700_000, days=range(4))
    assert m.expected_admissions(plan=plan) == [190_000, 175_000, 155_000, 180_000]
    assert plan[:, 0].tolist() == PUBLIC_DAY_QUOTAS
    assert plan[0, 1:].tolist() == [7_500, 1_250, 1_250, 5_000]


def test_any_number_of_visits_is_apportioned_exactly():
    for visitors, days in ((12_345, range(1, 3)), (1, range(4)), (999_999, range(2, 3))):
        plan = m.visits_plan(venue=demo_like_venue(), visitors=visitors, days=days)
        assert plan.sum() == visitors and plan.min() >= 0


def test_a_lane_starts_somebody_at_most_660_times_an_hour_in_arrival_order():
    rng = np.random.default_rng(1)
    ready = np.sort(rng.uniform(0, 3600, 30_000))  # far more than 12 lanes can take
    starts = m.lane_queue(ready, 12)
    assert (starts >= ready).all()
    assert (np.diff(starts) >= 0).all()  # first come, first served
    for hour in range(int(starts.max() // 3600) + 1):
        in_hour = ((starts >= hour * 3600) & (starts < (hour + 1) * 3600)).sum()
        assert in_hour <= 12 * (m.LANE_RATE_PER_HOUR + 1)
    assert ((starts >= 3600) & (starts < 7200)).sum() >= 12 * (m.LANE_RATE_PER_HOUR - 1)


def test_the_morning_rush_builds_queues_but_no_gate_passes_more_than_its_lanes_allow():
    venue, arrays = day(demo_like_venue(lanes=(2, 2, 1, 1)), visitors=20_000)
    for g, gate in enumerate(venue.gates):
        for direction in (False, True):
            at = arrays.scan_at[(arrays.scan_gate == g) & (arrays.scan_out == direction)]
            per_hour = np.bincount((at - at.min()) // 3_600_000_000)
            assert per_hour.max() <= gate.lanes * (m.LANE_RATE_PER_HOUR + 1)
    n = arrays.visitors
    wait_min = (arrays.scan_at[:n] - arrays.arrived_at) / 60e6
    nine_thirty = (arrays.arrived_at >= local(DAYS[0], 9, 30)) & (
        arrays.arrived_at < local(DAYS[0], 10)
    )
    assert np.median(wait_min[nine_thirty]) > 20
    assert (arrays.scan_at[:n] >= local(DAYS[0], 9)).all()  # nobody before the lanes open


def test_arrivals_peak_in_the_morning_with_a_smaller_peak_after_lunch():
    _venue, arrays = day(visitors=50_000)
    hours = (arrays.arrived_at - local(DAYS[0], 0)) // 3_600_000_000
    per_hour = np.bincount(hours, minlength=24) / arrays.visitors
    assert per_hour[9] == per_hour.max()
    assert per_hour[9] + per_hour[10] > 0.45
    assert per_hour[13] > per_hour[12]  # back from lunch
    assert per_hour[17:].sum() == 0


def test_nobody_is_inside_a_zone_or_the_venue_after_closing_but_for_the_missed_exits():
    venue, arrays = day(visitors=20_000, miss=0.01)
    closing = local(DAYS[0], 18)
    assert arrays.scan_at.max() < closing and arrays.event_at.max() < closing
    zones = len(venue.zone_codes)
    inside = np.bincount(arrays.event_zone[~arrays.event_exit], minlength=zones) - np.bincount(
        arrays.event_zone[arrays.event_exit], minlength=zones
    )
    assert len(arrays.missed_zone) > 0
    assert (inside == np.bincount(arrays.missed_zone, minlength=zones)).all()
    assert arrays.scan_out.sum() == (~arrays.scan_out).sum() == arrays.visitors


def test_every_exit_follows_its_entry_for_each_visitor_and_zone():
    _venue, arrays = day(visitors=5_000)
    order = np.lexsort((arrays.event_at, arrays.event_zone, arrays.event_visitor))
    exits = arrays.event_exit[order]
    assert not exits[0::2].any() and exits[1::2].all()
    pairs = arrays.event_at[order].reshape(-1, 2)
    same = arrays.event_visitor[order].reshape(-1, 2)[:, 0] == arrays.event_visitor[order][1::2]
    assert same.all() and (pairs[:, 1] > pairs[:, 0]).all()


def test_a_visitor_enters_the_halls_only_after_the_gate_and_leaves_them_before_the_exit_scan():
    _venue, arrays = day(visitors=5_000)
    n = arrays.visitors
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.zeros(n, dtype=np.int64)
    np.minimum.at(first, arrays.event_visitor, arrays.event_at)
    np.maximum.at(last, arrays.event_visitor, arrays.event_at)
    assert (first > arrays.scan_at[:n]).all() and (last < arrays.scan_at[n:]).all()


def test_a_public_day_pass_never_takes_its_holder_into_hall_m():
    venue, arrays = day(visitors=20_000)
    hall_m = venue.zone_codes.index("M")
    m_booths = {i for i, code in enumerate(venue.zone_codes) if code.startswith("M-")}
    public = arrays.visitor_class[arrays.event_visitor] == 0
    in_m = (arrays.event_zone == hall_m) | np.isin(arrays.event_zone, list(m_booths))
    assert in_m.any() and not (in_m & public).any()


def test_a_visitor_sees_five_to_seven_halls_and_eight_to_twelve_booths_on_average():
    venue, arrays = day(visitors=20_000)
    hall = arrays.event_zone < len(venue.halls)
    per_visitor_halls = hall.sum() / 2 / arrays.visitors
    per_visitor_booths = (~hall).sum() / 2 / arrays.visitors
    assert 5 <= per_visitor_halls <= 7
    assert 8 <= per_visitor_booths <= 12


@pytest.mark.parametrize("what", ["scan_at", "event_at", "event_zone", "event_visitor"])
def test_the_same_seed_gives_the_same_day_and_another_seed_another(what):
    _venue, first = day(visitors=3_000, seed=7, miss=0.01)
    _venue, again = day(visitors=3_000, seed=7, miss=0.01)
    _venue, other = day(visitors=3_000, seed=8, miss=0.01)
    assert np.array_equal(getattr(first, what), getattr(again, what))
    assert not np.array_equal(getattr(first, what), getattr(other, what))
