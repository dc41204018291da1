"""Properties of occupancy: order, batching and duplicates never change it; it is never
negative; levels and alerts follow the thresholds exactly."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartexpo.core.bodies import items_checked
from smartexpo.crowd import selectors
from smartexpo.crowd.ingest import events_ingest
from smartexpo.crowd.levels import area_tenths, level_of
from smartexpo.crowd.models import CrowdAlert, PendingMovement
from smartexpo.crowd.periods import to_us
from smartexpo.crowd.schemas import EventIn
from smartexpo.crowd.services import pending_fold
from smartexpo.devices.auth import Sensor
from smartexpo.devices.services import device_create
from smartexpo.venue.models import Zone
from tests.crowd import reference

TZ = dt.timezone(dt.timedelta(hours=8))
# 17:55 local, five minutes before the test edition's 18:00 closing: the window spans a reset.
BASE = dt.datetime(2019, 8, 26, 17, 55, tzinfo=TZ)
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

movement = st.tuples(
    st.sampled_from(["N1-B", "S1"]),
    # Sub-second instants over ten minutes, few enough distinct ones that some coincide.
    st.integers(0, 600).map(lambda s: s * 1_000_000) | st.integers(0, 600_000_000),
    st.integers(-6, 6).filter(bool),
)


def instants(moves):
    return sorted({BASE + dt.timedelta(microseconds=us) for _z, us, _d in moves})


def fold_in_batches(expo, moves, batches: int, seed: int) -> None:
    zones = dict(Zone.objects.filter(expo=expo).values_list("code", "id"))
    shuffled = list(moves)
    random.Random(seed).shuffle(shuffled)
    size = max(1, len(shuffled) // batches + 1)
    for start in range(0, len(shuffled), size):
        PendingMovement.objects.bulk_create(
            PendingMovement(
                expo=expo,
                zone_id=zones[z],
                at_us=to_us(BASE + dt.timedelta(microseconds=us)),
                delta=d,
            )
            for z, us, d in shuffled[start : start + size]
        )
        pending_fold(expo=expo)


def readings(expo, moves):
    """(zone, instant) → (count, alert) at every movement's instant, just before and after."""
    found = {}
    probes = set()
    for instant in instants(moves):
        probes.update({instant, instant - dt.timedelta(microseconds=1)})
    probes.add(BASE + dt.timedelta(minutes=11))
    for probe in sorted(probes):
        for z in selectors.occupancy_at(expo=expo, at=probe):
            found[(z.zone.code, probe)] = (z.count, z.alert)
    return found


def expected(expo, moves):
    zones = {z.code: z for z in Zone.objects.filter(expo=expo)}
    result = {}
    for (code, probe), _value in readings_keys(moves):
        zone = zones[code]
        own = [(BASE + dt.timedelta(microseconds=us), d) for z, us, d in moves if z == code]
        result[(code, probe)] = reference.occupancy(
            own, probe, tz=expo.tz, closes=expo.closes_at, capacity=zone.capacity, area=zone.area_m2
        )
    return result


def readings_keys(moves):
    probes = set()
    for instant in instants(moves):
        probes.update({instant, instant - dt.timedelta(microseconds=1)})
    probes.add(BASE + dt.timedelta(minutes=11))
    for probe in sorted(probes):
        for code in ("N1-B", "S1"):
            yield (code, probe), None


def in_rollback(test):
    def run(*args, **kwargs):
        with transaction.atomic():
            result = test(*args, **kwargs)
            transaction.set_rollback(True)
        return result

    return run


def ingest_in_batches(expo, moves, batches: int, seed: int) -> None:
    """The same movements as sensor events through the ingest service, in shuffled batches
    (a delta of 0 cannot be an event: the strategy has none)."""
    device, _token = device_create(expo=expo, name="p", kind="sensor", zones=["N1-B", "S1"])
    sensor = Sensor(device.pk, expo.pk, "p", frozenset({"N1-B", "S1"}))
    events = [
        {
            "id": f"p{i}",
            "zone": z,
            "kind": "enter" if d > 0 else "exit",
            "count": abs(d),
            "at": (BASE + dt.timedelta(microseconds=us)).isoformat(),
        }
        for i, (z, us, d) in enumerate(moves)
    ]
    random.Random(seed).shuffle(events)
    size = max(1, len(events) // batches + 1)
    for start in range(0, len(events), size):
        result = events_ingest(
            expo=expo, sensor=sensor, items=items_checked(EventIn, events[start : start + size])
        )
        assert not result.rejected
        pending_fold(expo=expo)


# Movements queued as they are by every write path, or posted as sensor events.
@pytest.mark.parametrize("arrive", [fold_in_batches, ingest_in_batches], ids=["moves", "events"])
@PROPERTY
@given(
    moves=st.lists(movement, min_size=1, max_size=60), batches=st.integers(1, 5), seed=st.integers()
)
def test_any_arrival_order_gives_the_reference_occupancy(arrive, expo, moves, batches, seed):
    @in_rollback
    def check():
        arrive(expo, moves, batches, seed)
        got = readings(expo, moves)
        for key, value in expected(expo, moves).items():
            assert got[key] == value, key
            assert got[key][0] >= 0

    check()


@PROPERTY
@given(moves=st.lists(movement, min_size=1, max_size=60), seed=st.integers())
def test_two_arrival_orders_store_the_same_alerts(expo, moves, seed):
    def alerts():
        return sorted(
            (a.zone.code, a.raised_at, a.ends_at, a.ended_by_reset, a.peak_count, a.reason)
            for a in CrowdAlert.objects.select_related("zone")
        )

    @in_rollback
    def once(batches, order_seed):
        fold_in_batches(expo, moves, batches, order_seed)
        return alerts()

    first = once(1, 0)
    again = once(4, seed)
    assert first == again
    # Each stored alert is exactly one raise and one clear of the reference's state.
    for code, raised, ends, by_reset, _peak, _reason in first:
        before = reference_alert(expo, moves, code, raised - dt.timedelta(microseconds=1))
        assert not before and reference_alert(expo, moves, code, raised)
        if not by_reset:
            assert not reference_alert(expo, moves, code, ends)
            assert reference_alert(expo, moves, code, ends - dt.timedelta(microseconds=1))


def reference_alert(expo, moves, code, probe) -> bool:
    zone = Zone.objects.get(expo=expo, code=code)
    own = [(BASE + dt.timedelta(microseconds=us), d) for z, us, d in moves if z == code]
    return reference.occupancy(
        own, probe, tz=expo.tz, closes=expo.closes_at, capacity=zone.capacity, area=zone.area_m2
    )[1]


@PROPERTY
@given(
    batch=st.lists(
        st.tuples(st.integers(0, 30), st.sampled_from(["enter", "exit"]), st.integers(1, 9)),
        min_size=1,
        max_size=30,
    ),
    resend=st.lists(st.integers(0, 29), max_size=30),
)
def test_duplicates_change_nothing(expo, batch, resend):
    @in_rollback
    def check():
        device, _token = device_create(expo=expo, name="s", kind="sensor", zones=["S1"])
        sensor = Sensor(device.pk, expo.pk, "s", frozenset({"S1"}))
        events = [
            {
                "id": f"d{i}",
                "zone": "S1",
                "kind": kind,
                "count": n,
                "at": (BASE - dt.timedelta(hours=2, seconds=s)).isoformat(),
            }
            for i, (s, kind, n) in enumerate(batch)
        ]
        events_ingest(expo=expo, sensor=sensor, items=items_checked(EventIn, events))
        probe = BASE - dt.timedelta(hours=1)
        before = {z.zone.code: z.count for z in occupancy(expo, probe)}
        again = [events[i] for i in resend if i < len(events)]
        altered = [{**e, "count": 100, "kind": "enter"} for e in again]
        result = events_ingest(
            expo=expo, sensor=sensor, items=items_checked(EventIn, again + altered)
        )
        assert result.accepted == 0 and result.duplicates == 2 * len(again)
        assert {z.zone.code: z.count for z in occupancy(expo, probe)} == before

    check()


def occupancy(expo, at):
    pending_fold(expo=expo)
    return selectors.occupancy_at(expo=expo, at=at)


@given(count=st.integers(0, 10_000), area10=st.integers(1, 100_000))
def test_the_level_matches_the_density_thresholds_exactly(count, area10):
    area = Decimal(area10) / 10
    assert level_of(count, area_tenths(area)) == reference.level(count, area)


@given(multiple=st.integers(1, 2_000), bound=st.sampled_from([31, 43, 72, 108, 217]))
def test_a_density_exactly_on_a_threshold_gets_the_lower_level(multiple, bound):
    # count / area == bound / 100 exactly: area10 = multiple × 1000 / gcd(bound, 1000).
    area10 = multiple * 1000 // math.gcd(bound, 1000)
    count = bound * area10 // 1000
    letter = "ABCDE"[[31, 43, 72, 108, 217].index(bound)]
    assert level_of(count, area10) == letter
    assert level_of(count + 1, area10) > letter
    assert reference.level(count, Decimal(area10) / 10) == letter
