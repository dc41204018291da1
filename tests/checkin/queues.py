"""A gate queue counted by a queue zone's sensor, with known waits: shared by the tests of the
gate-waits selector and API and of the dashboard's and report's waits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from smartexpo.devices.services import device_create
from smartexpo.venue.models import Gate, Zone, ZoneKind
from tests.conftest import ApiClient
from tests.crowd.conftest import at, ev, fold, post

WAITS = "/api/v1/expos/test-2019/gates/waits"


def queue_zone(expo, code="Q-G1") -> Zone:
    return Zone.objects.create(
        expo=expo,
        code=code,
        kind=ZoneKind.QUEUE,
        name_en="North gate queue",
        name_zh="北门排队区",
        area_m2=Decimal(200),
        capacity=400,
        position=20,
    )


def queue_sensor(expo):
    """G1's queue counted by the zone Q-G1, and a sensor on it; G-N1 has no queue zone."""
    zone = queue_zone(expo)
    Gate.objects.filter(expo=expo, code="G1").update(queue_zone=zone)
    _device, token = device_create(expo=expo, name="Queue", kind="sensor", zones=["Q-G1"])
    return ApiClient(token)


def known_queue(sensor):
    """Two join at 10:00 and leave at 10:06 and 10:10 (16 person-minutes, 2 out: 8 minutes
    each on average); one joins at 10:20 and leaves at 10:35 after 15 minutes (a slot with
    nobody out in between)."""
    post(
        sensor,
        [
            ev("Q-G1", "enter", at("10:00:00"), 2),
            ev("Q-G1", "exit", at("10:06:00")),
            ev("Q-G1", "exit", at("10:10:00")),
            ev("Q-G1", "enter", at("10:20:00")),
            ev("Q-G1", "exit", at("10:35:00")),
        ],
    )
    fold()


def instant(clock: str) -> dt.datetime:
    return dt.datetime.fromisoformat(at(clock))
