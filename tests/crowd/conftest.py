"""Venue-intelligence fixtures: a sensor on every zone of the test edition, and its events."""

from __future__ import annotations

import itertools

import pytest

from smartexpo.devices.services import device_create
from tests.checkin.conftest import make_types, scanner_client
from tests.conftest import ApiClient

EVENTS = "/api/v1/expos/test-2019/venue/events"
OCCUPANCY = "/api/v1/expos/test-2019/venue/occupancy"
HISTORY = "/api/v1/expos/test-2019/venue/occupancy/history"
ALERTS = "/api/v1/expos/test-2019/venue/alerts"
FOOTFALL = "/api/v1/expos/test-2019/venue/footfall"

_ids = itertools.count(1)


@pytest.fixture
def types(expo):
    return make_types(expo)


@pytest.fixture
def scanner(expo, types):
    return scanner_client(expo)


@pytest.fixture
def all_zones_sensor(expo):
    _device, token = device_create(
        expo=expo, name="Every zone", kind="sensor", zones=["V", "N1", "S1", "R1", "N1-B"]
    )
    return ApiClient(token)


def ev(zone, kind, at, count=1, **extra):
    """A sensor event with a fresh id."""
    return {"id": f"t{next(_ids)}", "zone": zone, "kind": kind, "at": at, "count": count, **extra}


def at(clock: str, day: str = "2019-08-26") -> str:
    """A moment of the test edition's first day (or `day`), in Shanghai's time."""
    return f"{day}T{clock}+08:00"


def huawei_booth_visits() -> list[dict]:
    """Movements at Huawei's booth zone N1-B over two days: on the first, three visits by two
    distinct visitors (one comes back), dwelling 10, 10 and 5 minutes; one visit on the next."""
    return [
        ev("N1-B", "enter", at("10:00:00"), visitor="v1"),
        ev("N1-B", "enter", at("10:00:00"), visitor="v2"),
        ev("N1-B", "exit", at("10:10:00"), 2),
        ev("N1-B", "enter", at("11:00:00"), visitor="v1"),  # back again: a visit, not a visitor
        ev("N1-B", "exit", at("11:05:00")),
        ev("N1-B", "enter", at("10:00:00", "2019-08-27"), visitor="v1"),
    ]


def post(sensor, events):
    response = sensor.post(EVENTS, {"events": events})
    assert response.status_code == 200, response.content
    assert not response.json()["rejected"], response.json()
    return response.json()


def fold(slug="test-2019"):
    """Fold what requests queued (as the next reader, or `serve` within a second, would)."""
    from smartexpo.crowd.services import pending_fold
    from smartexpo.venue.models import Expo

    return pending_fold(expo=Expo.objects.get(slug=slug))


def counts(organizer, at) -> dict[str, dict]:
    response = organizer.get(OCCUPANCY, {"at": at})
    assert response.status_code == 200, response.content
    return {z["zone"]: z for z in response.json()["zones"]}
