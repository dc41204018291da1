"""The digital twin at forum sessions: visitors walk through the room doors at the sessions'
start and out at their end, those who need a seat hold one, and rooms fill on the live data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.management import call_command

from smartexpo.checkin.models import Scan
from smartexpo.crowd.selectors import occupancy
from smartexpo.demo.programme import demo_audience_seed
from smartexpo.demo.seed import demo_seed
from smartexpo.demo.simulator.stream import day_arrays, run_prepare
from smartexpo.demo.simulator.tickets import tickets_choose
from smartexpo.demo.visitors import demo_visitors_seed
from smartexpo.devices.models import Device
from smartexpo.programme.models import Reservation, ReservationStatus
from smartexpo.programme.selectors import published_programme
from smartexpo.venue.models import Expo, Zone, ZoneKind
from tests.demo.worlds import demo_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build():
        demo_seed(seed=7)
        expo = Expo.objects.get(slug="sce-2019")
        demo_visitors_seed(expo=expo, count=1_500, seed=7)
        demo_audience_seed(expo=expo, seed=7)
        return expo.pk

    with demo_world(django_db_blocker, build) as pk:
        yield pk


@pytest.fixture
def demo(world):
    return Expo.objects.get(pk=world)


def test_visitors_go_to_sessions_between_hall_visits_and_only_with_a_seat_where_one_is_needed(
    demo,
):
    run = run_prepare(expo=demo, visitors=3_000, days=range(1), seed=4, sensor_miss=0, say=print)
    assert run.rooms is not None and len(run.rooms.doors) == 12
    assert len(run.devices.doors) == 12
    arrays = day_arrays(run, 0)
    entrance = len(run.venue.gates)
    door = arrays.scan_gate >= entrance
    assert door.sum() > 100 and (~door).sum() == 2 * 3_000
    tickets = tickets_choose(
        pool=run.pool,
        day=0,
        cls=arrays.visitor_class,
        counts=run.plan[0],
        seed=run.seed,
        first=run.keen(0),
    )
    # Whoever reserved a seat that day comes (the day's visits of their ticket type allow it).
    holders = set(run.rooms.holders(run.venue.days[0]).tolist())
    assert holders and holders <= set(run.pool.registrations[tickets].tolist())
    registration = run.pool.registrations[tickets]
    published = published_programme(expo=demo)
    confirmed = set(
        Reservation.objects.filter(status=ReservationStatus.CONFIRMED).values_list(
            "session_id", "registration_id"
        )
    )
    doors = {code: i for i, code in enumerate(run.rooms.doors)}
    ins = np.flatnonzero(door & ~arrays.scan_out)
    outs = np.flatnonzero(door & arrays.scan_out)
    assert len(ins) == len(outs)
    seated = 0
    for i, o in zip(ins, outs, strict=True):
        v = arrays.scan_visitor[i]
        assert arrays.scan_visitor[o] == v and arrays.scan_at[i] < arrays.scan_at[o]
        at = dt.datetime.fromtimestamp(arrays.scan_at[i] / 1e6, tz=dt.UTC)
        room = run.gate_codes[arrays.scan_gate[i]].removeprefix("D-")
        assert doors[f"D-{room}"] == arrays.scan_gate[i] - entrance
        running = [
            s
            for s in published.sessions
            if s["room"] == room and published.starts[s["id"]] <= at < published.ends[s["id"]]
        ]
        assert len(running) == 1, "scanned in while exactly one session runs"
        if running[0]["seats"] is not None:
            seated += 1
            assert (running[0]["id"], registration[v]) in confirmed
        # Not in a hall meanwhile: the sensors saw nobody of theirs between in and out.
        theirs = arrays.event_visitor == v
        during = (arrays.event_at > arrays.scan_at[i]) & (arrays.event_at < arrays.scan_at[o])
        assert not (theirs & during).any()
    assert seated > 0, "holders of reservations came to sessions that need one"


def test_rooms_fill_on_the_live_data_during_a_session(demo):
    call_command(
        "simulate", "--quiet", "--visitors", 3_000, "--days", 1, "--speed", 1e9, "--seed", 4
    )
    door_scans = Scan.objects.filter(expo=demo, gate_code__startswith="D-")
    assert door_scans.filter(direction="in").count() > 100
    assert Device.objects.filter(expo=demo, name__startswith="Digital twin scanner D-").count()
    published = published_programme(expo=demo)
    busiest = max(
        (s for s in published.sessions if s["day"] == "2019-08-26" and s["format"] != "break"),
        key=lambda s: door_scans.filter(
            gate_code=f"D-{s['room']}",
            scanned_at__gte=published.starts[s["id"]],
            scanned_at__lt=published.ends[s["id"]],
            direction="in",
        ).count(),
    )
    middle = (
        published.starts[busiest["id"]]
        + (published.ends[busiest["id"]] - published.starts[busiest["id"]]) / 2
    )
    counts = {z.zone.code: z.count for z in occupancy(expo=demo, at=middle).items()}
    assert counts[busiest["room"]] > 0
    # Before the day's first session nobody is in a room.
    before = min(published.starts[s["id"]] for s in published.sessions if s["day"] == "2019-08-26")
    rooms = Zone.objects.filter(expo=demo, kind=ZoneKind.ROOM).values_list("code", flat=True)
    early = {z.zone.code: z.count for z in occupancy(expo=demo, at=before).items()}
    assert all(early[code] == 0 for code in rooms)
