"""The post-show report's test edition: two days of the small test edition's show."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.deals import breakdowns
from smartexpo.reports import screen
from smartexpo.venue.models import Booth, Zone
from tests.checkin.conftest import SYNC, issue, make_types, result_of, scan, scanner_client
from tests.crowd.conftest import ev, fold, huawei_booth_visits, post

TZ = "+08:00"
DAY1, DAY2 = "2019-08-26", "2019-08-27"


def at(clock: str, day: str = DAY1) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}{TZ}")


END = at("00:00:00", "2019-08-30")  # after the edition's last day


@pytest.fixture
def fresh_reports():
    screen.forget()
    breakdowns.forget()
    yield
    screen.forget()


@pytest.fixture
def sensor(expo):
    from smartexpo.devices.services import device_create
    from tests.conftest import ApiClient

    _device, token = device_create(
        expo=expo, name="Every zone", kind="sensor", zones=["V", "N1", "S1", "R1", "N1-B"]
    )
    return ApiClient(token)


def crowd_in(sensor, zone: str, kind: str, people: int, when: str, day: str = DAY1) -> None:
    events = []
    while people > 0:
        n = min(people, 100)
        events.append(ev(zone, kind, f"{day}T{when}{TZ}", n))
        people -= n
    post(sensor, events)


@pytest.fixture
def show(expo, sensor, fresh_reports):
    """Two days of the test edition: admissions at both gates (a re-entry, an offline
    conflict), hall N1 at level E for 20 minutes and S1 at F for 5, Huawei's booth visited,
    and hall S1 left with people at closing on day 2 (drift)."""
    make_types(expo)
    Booth.objects.filter(code="N1-001").update(zone=Zone.objects.get(code="N1-B"))
    scanner = scanner_client(expo)
    secrets = []
    plan = [
        (DAY1, "G1", "09:05:00"),
        (DAY1, "G1", "09:10:00"),
        (DAY1, "G1", "09:12:00"),
        (DAY1, "G-N1", "10:20:00"),
        (DAY2, "G1", "11:01:00"),
        (DAY2, "G-N1", "11:50:00"),
    ]
    for day, gate, clock in plan:
        _ticket, secret = issue(expo, code="pro", days=[d.isoformat() for d in expo.days])
        secrets.append(secret)
        answer = scan(scanner, secret, gate=gate, at=f"{day}T{clock}{TZ}")
        assert result_of(answer)[0] == "admit", answer.content
    # The first visitor goes out and in again on day 1: one visitor, two entries.
    scan(scanner, secrets[0], gate="G1", direction="out", at=f"{DAY1}T12:00:00{TZ}")
    scan(scanner, secrets[0], gate="G1", at=f"{DAY1}T13:00:00{TZ}")
    # Offline on day 2: the second visitor admitted twice in a row (already inside): a conflict.
    items = [
        {
            "secret": secrets[1],
            "gate": "G1",
            "direction": "in",
            "nonce": f"o{i}",
            "scanned_at": f"{DAY2}T10:0{i}:00{TZ}",
        }
        for i in range(2)
    ]
    synced = scanner.post(SYNC, {"scans": items})
    assert synced.status_code == 200
    assert [r.get("reason") for r in synced.json()["results"]] == [None, "conflict"]

    crowd_in(sensor, "N1", "enter", 1200, "10:00:30")
    crowd_in(sensor, "N1", "exit", 1200, "10:20:30")
    crowd_in(sensor, "S1", "enter", 2500, "10:10:30")
    crowd_in(sensor, "S1", "exit", 2500, "10:15:30")
    crowd_in(sensor, "S1", "enter", 300, "11:00:00", DAY2)
    crowd_in(sensor, "S1", "exit", 260, "16:00:00", DAY2)  # 40 still counted at closing
    post(sensor, huawei_booth_visits())
    fold()
    return expo
