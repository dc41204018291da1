"""Organisers run check-in from the back office: devices, the log, entries per gate."""

from __future__ import annotations

from django.urls import reverse

from smartexpo.core.models import ApiToken
from smartexpo.devices.models import Device
from smartexpo.venue.models import Gate
from tests.checkin.conftest import PRO_DAYS, SYNC, issue, scan, scanner_client
from tests.conftest import ApiClient


def test_a_device_created_in_the_admin_shows_its_token_once_and_it_scans(staff, expo, types):
    gate = Gate.objects.get(code="G1")
    response = staff.post(
        reverse("admin:devices_device_add"),
        {"expo": expo.pk, "name": "North lane 2", "kind": "scanner", "gates": [gate.pk]},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    token = next(m.rsplit(": ", 1)[1] for m in shown if "shown only now" in m)
    device = Device.objects.get(name="North lane 2")
    assert [g.code for g in device.gates.all()] == ["G1"]
    assert ApiToken.objects.get(device=device).digest != token
    _ticket, secret = issue(expo)
    assert scan(ApiClient(token), secret).json()["result"] == "admit"
    listing = staff.get(reverse("admin:devices_device_changelist"))
    assert "North lane 2" in listing.content.decode()
    assert token not in listing.content.decode()


def test_an_admin_device_needs_gates_of_its_own_edition(staff, expo, other_expo):
    from smartexpo.venue.models import Zone, ZoneKind

    zone = Zone.objects.create(
        expo=other_expo, code="V", kind=ZoneKind.VENUE, name_en="V", area_m2=1, capacity=1
    )
    foreign = Gate.objects.create(expo=other_expo, code="G1", name_en="G1", zone=zone)
    for gates in ([], [foreign.pk]):
        response = staff.post(
            reverse("admin:devices_device_add"),
            {"expo": expo.pk, "name": "x", "kind": "scanner", "gates": gates},
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["gates"]
    assert not Device.objects.exists()


def test_changing_gates_and_revoking_in_the_admin(staff, expo, types):
    scanner = scanner_client(expo, gates=["G1"], name="Lane 9")
    device = Device.objects.get(name="Lane 9")
    hall_gate = Gate.objects.get(code="G-N1")
    _ticket, secret = issue(
        expo, "pro", days=("2019-08-26", "2019-08-27", "2019-08-28", "2019-08-29")
    )
    assert scan(scanner, secret, gate="G-N1").json()["reason"] == "gate_not_allowed"
    changed = staff.post(
        reverse("admin:devices_device_change", args=[device.pk]),
        {"name": "Lane 9", "gates": [hall_gate.pk]},
    )
    assert changed.status_code == 302
    assert scan(scanner, secret, gate="G-N1").json()["result"] == "admit"
    staff.post(
        reverse("admin:devices_device_changelist"),
        {"action": "revoke", "_selected_action": [device.pk]},
    )
    assert scan(scanner, secret, gate="G-N1").status_code == 401


def test_the_log_filters_and_entries_per_gate_per_quarter_hour(staff, expo, types):
    scanner = scanner_client(expo)
    tickets = [issue(expo, "pro", days=PRO_DAYS) for _ in range(4)]
    scan(scanner, tickets[0][1], gate="G1", at="2019-08-26T09:01:00+08:00")
    scan(scanner, tickets[1][1], gate="G1", at="2019-08-26T09:14:59+08:00")
    scan(scanner, tickets[2][1], gate="G-N1", at="2019-08-26T09:15:00+08:00")
    scan(scanner, tickets[0][1], gate="G1", at="2019-08-26T09:20:00+08:00")  # already inside
    scanner.post(
        SYNC,
        {
            "scans": [
                {
                    "secret": tickets[3][1],
                    "gate": "G1",
                    "direction": "in",
                    "nonce": "offline-1",
                    "scanned_at": "2019-08-26T23:59:00+08:00",
                }
            ]
        },
    )
    log = staff.get(reverse("admin:checkin_scan_changelist"), {"result__exact": "reject"})
    assert log.status_code == 200
    assert "already_inside" in log.content.decode()
    entries = staff.get(
        reverse("admin:checkin_scan_entries"), {"expo": expo.pk, "day": "2019-08-26"}
    )
    table = entries.context["table"]
    assert [g.code for g in table.gates] == ["G-N1", "G1"]
    assert [(str(start), counts) for start, counts, _total in table.rows] == [
        ("09:00:00", [0, 2]),
        ("09:15:00", [1, 0]),
        ("23:45:00", [0, 1]),
    ]
    assert table.total == 4
    assert "09:15" in entries.content.decode()
    empty = staff.get(reverse("admin:checkin_scan_entries"), {"expo": expo.pk, "day": "2019-08-27"})
    assert empty.context["table"].total == 0
    assert staff.get(reverse("admin:checkin_scan_entries")).status_code == 200
