"""Sensor events: stored once, placed by event time, every bad event named, nothing valid lost."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest

from smartexpo.crowd.models import SensorEvent
from smartexpo.devices.services import device_create
from tests.conftest import ApiClient, error_of

EVENTS = "/api/v1/expos/test-2019/venue/events"


@pytest.fixture
def sensor(expo):
    _device, token = device_create(
        expo=expo, name="Hall N1 doors", kind="sensor", zones=["N1", "V"]
    )
    return ApiClient(token)


def event(n, zone="N1", kind="enter", at="2019-08-26T10:00:00+08:00", **extra):
    return {"id": f"e{n}", "zone": zone, "kind": kind, "at": at, **extra}


def test_a_batch_is_stored_and_counted(sensor):
    batch = [event(1), event(2, kind="exit", count=3), event(3, zone="V", count=100_000)]
    response = sensor.post(EVENTS, {"events": batch})
    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "duplicates": 0, "rejected": []}
    stored = {e.event_id: e for e in SensorEvent.objects.select_related("zone")}
    assert stored["e2"].kind == "exit" and stored["e2"].count == 3
    assert stored["e1"].count == 1 and stored["e1"].zone.code == "N1"
    assert stored["e1"].at.isoformat() == "2019-08-26T02:00:00+00:00"


def test_an_event_whose_kind_or_zone_is_an_object_or_a_list_is_rejected_invalid_not_a_500(sensor):
    """Found by `make fuzz` (sensor role): `"kind": {}` made the membership test in
    `event_invalid`, the hand-written check the schema has since replaced, raise TypeError
    (unhashable), answered 500."""
    batch = [
        event(1, kind={}),
        event(2, kind=[]),
        event(3, zone={}),
        event(4, zone=["N1"]),
        event(5),
    ]
    response = sensor.post(EVENTS, {"events": batch})
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1
    assert [r["reason"] for r in response.json()["rejected"]] == ["invalid"] * 4


def test_repeated_ids_are_duplicates_whatever_their_body(sensor):
    assert sensor.post(EVENTS, {"events": [event(1)]}).json()["accepted"] == 1
    again = sensor.post(
        EVENTS, {"events": [event(1, kind="exit", count=9), event(2), event(2, zone="V")]}
    )
    assert again.json() == {"accepted": 1, "duplicates": 2, "rejected": []}
    assert SensorEvent.objects.get(event_id="e1").kind == "enter"
    assert SensorEvent.objects.count() == 2


def test_a_repeated_id_with_a_bad_body_is_a_duplicate_not_a_refusal(sensor):
    assert sensor.post(EVENTS, {"events": [event(1)]}).json()["accepted"] == 1
    batch = [
        event(1, zone="NOPE"),  # stored before
        event(2),
        event(2, kind="teleport"),  # accepted above in this batch
        event(3, zone="S1"),  # refused first: the id is not taken
        event(3),
    ]
    answer = sensor.post(EVENTS, {"events": batch}).json()
    assert answer == {
        "accepted": 2,
        "duplicates": 2,
        "rejected": [{"id": "e3", "reason": "zone_not_allowed"}],
    }
    assert SensorEvent.objects.get(event_id="e1").zone.code == "N1"
    assert sorted(SensorEvent.objects.values_list("event_id", flat=True)) == ["e1", "e2", "e3"]


def test_late_and_out_of_order_events_keep_their_own_time(sensor):
    batch = [
        event(1, at="2019-08-26T12:00:00+08:00"),
        event(2, at="2019-08-26T09:00:00+08:00"),
        event(3, at="2019-08-26T01:30:00Z"),
    ]
    sensor.post(EVENTS, {"events": batch})
    sensor.post(EVENTS, {"events": [event(4, at="2019-08-25T18:00:00+08:00")]})  # a day late
    order = list(SensorEvent.objects.order_by("at").values_list("event_id", flat=True))
    assert order == ["e4", "e2", "e3", "e1"]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (event(9, zone="NOPE"), "unknown_zone"),
        (event(9, zone="S1"), "zone_not_allowed"),
        (event(9, kind="teleport"), "invalid"),
        (event(9, at="2019-08-26T10:00:00"), "invalid"),  # no offset
        (event(9, at="yesterday"), "invalid"),
        (event(9, count=0), "invalid"),
        (event(9, count=100_001), "invalid"),
        (event(9, count="3"), "invalid"),
        (event(9, count=True), "invalid"),
        ({**event(9), "id": "x" * 65}, "invalid"),
        ({**event(9), "id": ""}, "invalid"),
    ],
)
def test_a_bad_event_is_named_and_the_rest_is_stored(sensor, bad, reason):
    response = sensor.post(EVENTS, {"events": [event(1), bad, event(2)]})
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 2 and body["duplicates"] == 0
    assert [r["reason"] for r in body["rejected"]] == [reason]
    assert sorted(SensorEvent.objects.values_list("event_id", flat=True)) == ["e1", "e2"]


def test_events_without_an_id_are_rejected_with_no_id(sensor):
    body = sensor.post(EVENTS, {"events": [{"zone": "N1"}, "text", event(1)]}).json()
    assert body["rejected"] == [
        {"id": None, "reason": "invalid"},
        {"id": None, "reason": "invalid"},
    ]
    assert body["accepted"] == 1


def test_bad_batches_are_refused_whole(sensor):
    too_many = {"events": [event(n) for n in range(10_001)]}
    response = sensor.post(EVENTS, too_many)
    assert response.status_code == 422
    assert "events" in error_of(response)["detail"]["fields"]
    assert sensor.post(EVENTS, {"events": "all"}).status_code == 422
    assert sensor.post(EVENTS, raw="{").status_code == 400
    assert SensorEvent.objects.count() == 0
    ten_thousand = sensor.post(EVENTS, {"events": [event(n) for n in range(10_000)]})
    assert ten_thousand.json()["accepted"] == 10_000


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 401), ("organizer", 403), ("device", 403)]
)
def test_only_sensor_devices_report(expo, role, status, request):
    assert request.getfixturevalue(role).post(EVENTS, {"events": [event(1)]}).status_code == status


def test_a_scanner_may_not_report_and_a_revoked_sensor_is_refused(expo, sensor):
    from smartexpo.devices.models import Device
    from smartexpo.devices.services import device_revoke

    _scanner, token = device_create(expo=expo, name="Lane", kind="scanner", gates=["G1"])
    refused = ApiClient(token).post(EVENTS, {"events": [event(1)]})
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "forbidden"
    device_revoke(device=Device.objects.get(name="Hall N1 doors"))
    assert sensor.post(EVENTS, {"events": [event(1)]}).status_code == 401
    assert SensorEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_sensors_resending_the_same_batch_at_once_store_it_once(production_server, taxonomy):
    from smartexpo.venue.models import Zone, ZoneKind
    from tests.conftest import make_expo

    expo = make_expo(slug="doors")
    Zone.objects.create(
        expo=expo, code="H", kind=ZoneKind.HALL, name_en="H", area_m2=100, capacity=50
    )
    tokens = [
        device_create(expo=expo, name=f"Door {n}", kind="sensor", zones=["H"])[1] for n in range(4)
    ]
    batch = json.dumps({"events": [event(n, zone="H") for n in range(2_000)]}).encode()
    barrier = threading.Barrier(len(tokens))
    answers = []

    def send(token):
        request = urllib.request.Request(
            f"{production_server}/api/v1/expos/doors/venue/events",
            data=batch,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        barrier.wait()
        with urllib.request.urlopen(request, timeout=60) as response:
            answers.append(json.loads(response.read()))

    threads = [threading.Thread(target=send, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(a["accepted"] for a in answers) == 2_000
    assert sum(a["duplicates"] for a in answers) == 3 * 2_000
    assert SensorEvent.objects.filter(expo=expo).count() == 2_000
