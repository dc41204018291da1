"""Real concurrent sensors, scanners and readers against a live server: every accepted
movement is counted once, whoever folds it, and every answer reflects what was answered
before it."""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request

import pytest

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.crowd.models import OccupancyMinute, PendingMovement
from smartexpo.devices.services import device_create
from smartexpo.venue.models import Gate, Zone, ZoneKind
from tests.checkin.conftest import issue, make_types
from tests.conftest import make_expo

pytestmark = pytest.mark.django_db(transaction=True)
AT = "2019-08-26T{:02d}:{:02d}:{:02d}+08:00"


def _call(url: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return json.loads(response.read())


def test_sensors_scanners_and_readers_at_once_lose_no_movement(production_server, taxonomy):
    expo = make_expo(slug="rush")
    venue = Zone.objects.create(
        expo=expo, code="V", kind=ZoneKind.VENUE, name_en="V", area_m2=10_000, capacity=9_000
    )
    Zone.objects.create(
        expo=expo, code="N1", kind=ZoneKind.HALL, name_en="N1", area_m2=1_000, capacity=900
    )
    Gate.objects.create(expo=expo, code="G", name_en="G", zone=venue)
    make_types(expo)
    sensors = [
        device_create(expo=expo, name=f"Door {n}", kind="sensor", zones=["N1"])[1] for n in range(3)
    ]
    scanner = device_create(expo=expo, name="Gate", kind="scanner", gates=["G"])[1]
    _t, organiser = token_create(role=Role.ORGANIZER, name="Control room")
    secrets = [issue(expo)[1] for _ in range(60)]
    base = f"{production_server}/api/v1/expos/rush"
    seen_by_sensor = {}
    done = threading.Event()
    readings: list[tuple[int, int]] = []

    def sensor(n, token):
        # 20 batches of 25 entries each, at instants interleaved with the other sensors'.
        accepted = 0
        for b in range(20):
            events = [
                {
                    "id": f"s{n}-{b}-{i}",
                    "zone": "N1",
                    "kind": "enter",
                    "at": AT.format(10, b, (i * 2 + n) % 60),
                }
                for i in range(25)
            ]
            accepted += _call(f"{base}/venue/events", token, {"events": events})["accepted"]
            # What this sensor had answered is in the very next reading.
            at = urllib.parse.quote(AT.format(12, 0, 0))
            count = {
                z["zone"]: z["count"]
                for z in _call(f"{base}/venue/occupancy?at={at}", organiser)["zones"]
            }["N1"]
            assert count >= accepted
            readings.append((n, count))
        seen_by_sensor[n] = accepted

    def gate():
        for i, secret in enumerate(secrets):
            body = {
                "secret": secret,
                "gate": "G",
                "direction": "in",
                "nonce": f"g{i}",
                "scanned_at": AT.format(9, 30, i % 60),
            }
            assert _call(f"{base}/checkin/scans", scanner, body)["result"] == "admit"

    def reader():
        at = urllib.parse.quote(AT.format(12, 0, 0))
        while not done.is_set():
            _call(f"{base}/venue/occupancy?at={at}", organiser)

    workers = [threading.Thread(target=sensor, args=(n, t)) for n, t in enumerate(sensors)]
    workers.append(threading.Thread(target=gate))
    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in workers + readers:
        t.start()
    for t in workers:
        t.join()
    done.set()
    for t in readers:
        t.join()
    at = urllib.parse.quote(AT.format(12, 0, 0))
    final = {
        z["zone"]: z["count"] for z in _call(f"{base}/venue/occupancy?at={at}", organiser)["zones"]
    }
    assert sum(seen_by_sensor.values()) == 3 * 20 * 25
    assert final == {"V": 60, "N1": 1_500}
    assert PendingMovement.objects.count() == 0
    assert OccupancyMinute.objects.filter(zone__expo=expo).exists()
