"""Real concurrent scanners against a live server running the production WSGI application."""

from __future__ import annotations

import functools
import json
import threading
import urllib.request

import pytest

from smartexpo.checkin.models import Scan
from smartexpo.devices.services import device_create
from smartexpo.tickets.models import Ticket
from tests.checkin.conftest import PRO_DAYS, make_types
from tests.programme.conftest import programme, rooms  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def _post(url: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return json.loads(response.read())


def _race(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_one_ticket_at_many_gates_at_the_same_instant_is_admitted_once(production_server, expo):
    from tests.checkin.conftest import issue

    make_types(expo)
    tokens = [
        device_create(expo=expo, name=f"Lane {n}", kind="scanner", gates=["G1", "G-N1"])[1]
        for n in range(8)
    ]
    url = f"{production_server}/api/v1/expos/test-2019/checkin/scans"
    for round_ in range(3):
        ticket, secret = issue(expo, "pro", days=PRO_DAYS)

        def attempt(n, token, secret=secret, round_=round_):
            body = {
                "secret": secret,
                "gate": "G1" if n % 2 else "G-N1",
                "direction": "in",
                "nonce": f"r{round_}-{n}",
                "scanned_at": "2019-08-26T09:00:00+08:00",
            }
            return _post(url, token, body)

        calls = [functools.partial(attempt, n, token) for n, token in enumerate(tokens)]
        results = _race(calls)
        assert sorted(r["result"] for r in results) == ["admit"] + ["reject"] * 7
        assert {r.get("reason") for r in results if r["result"] == "reject"} == {"already_inside"}
        assert Scan.objects.filter(serial=ticket.serial, result="admit").count() == 1
        assert Ticket.objects.get(pk=ticket.pk).inside_day is not None


def test_the_same_nonce_sent_at_once_is_one_scan(production_server, expo):
    from tests.checkin.conftest import issue

    make_types(expo)
    _device, token = device_create(expo=expo, name="Lane", kind="scanner", gates=["G1"])
    _ticket, secret = issue(expo)
    url = f"{production_server}/api/v1/expos/test-2019/checkin/scans"
    body = {
        "secret": secret,
        "gate": "G1",
        "direction": "in",
        "nonce": "retry-1",
        "scanned_at": "2019-08-26T09:00:00+08:00",
    }
    results = _race([lambda: _post(url, token, body) for _ in range(10)])
    assert all(r == results[0] for r in results)
    assert results[0]["result"] == "admit"
    assert Scan.objects.count() == 1


def test_sync_batches_and_online_scans_racing_on_the_same_tickets(production_server, expo):
    """Two offline scanners sync while a third scans online: every scan recorded once, each
    ticket admitted online at most once, the inside state consistent with the log."""
    from tests.checkin.conftest import issue

    make_types(expo)
    tickets = [issue(expo) for _ in range(30)]
    tokens = [
        device_create(expo=expo, name=f"Lane {n}", kind="scanner", gates=["G1"])[1]
        for n in range(3)
    ]
    base = f"{production_server}/api/v1/expos/test-2019/checkin"
    at = "2019-08-26T09:00:00+08:00"

    def sync(token, tag):
        scans = [
            {"secret": s, "gate": "G1", "direction": "in", "nonce": f"{tag}{i}", "scanned_at": at}
            for i, (_t, s) in enumerate(tickets)
        ]
        return _post(f"{base}/sync", token, {"scans": scans})["results"]

    def online():
        return [
            _post(
                f"{base}/scans",
                tokens[2],
                {"secret": s, "gate": "G1", "direction": "in", "nonce": f"o{i}", "scanned_at": at},
            )
            for i, (_t, s) in enumerate(tickets)
        ]

    first, second, live = _race(
        [lambda: sync(tokens[0], "a"), lambda: sync(tokens[1], "b"), online]
    )
    assert Scan.objects.count() == 90
    for i in range(30):
        outcomes = [first[i]["result"], second[i]["result"], live[i]["result"]]
        # Exactly one of the three was first; the others are conflicts or already_inside.
        assert outcomes.count("admit") == 1, (i, first[i], second[i], live[i])
    assert Ticket.objects.filter(inside_day__isnull=False).count() == 30


def test_one_ticket_at_a_rooms_door_from_many_lanes_is_counted_once(
    production_server,
    expo,
    programme,  # noqa: F811 - the fixture imported above
):
    """A room keeps no anti-passback (every lane admits the reservation holder), but its
    session's attendance counts the ticket once however many scans race; the venue state is
    left alone."""
    from smartexpo.programme.models import Attendance
    from smartexpo.programme.services.reservations import reservation_make
    from tests.checkin.conftest import issue

    make_types(expo)
    tokens = [
        device_create(expo=expo, name=f"Door {n}", kind="scanner", gates=["D-R2"])[1]
        for n in range(6)
    ]
    ticket, secret = issue(expo)
    reservation_make(registration=ticket.registration, session_id=programme["sessions"]["silk"].pk)
    url = f"{production_server}/api/v1/expos/test-2019/checkin/scans"

    def attempt(n, token):
        body = {
            "secret": secret,
            "gate": "D-R2",
            "direction": "in",
            "nonce": f"door-{n}",
            "scanned_at": "2019-08-26T11:05:00+08:00",
        }
        return _post(url, token, body)

    results = _race([functools.partial(attempt, n, t) for n, t in enumerate(tokens)])
    assert [r["result"] for r in results] == ["admit"] * len(tokens)
    assert Attendance.objects.filter(ticket=ticket).count() == 1
    assert Scan.objects.filter(result="admit").count() == len(tokens)
    assert Ticket.objects.get(pk=ticket.pk).inside_day is None
