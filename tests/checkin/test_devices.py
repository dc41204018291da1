"""Devices through the API: created by organisers, token shown once and stored hashed."""

from __future__ import annotations

import pytest

from smartexpo.core.models import ApiToken
from smartexpo.devices.models import Device
from tests.checkin.conftest import issue, scan
from tests.conftest import ApiClient, error_of

DEVICES = "/api/v1/expos/test-2019/devices"


def test_an_organiser_creates_a_scanner_whose_token_works_at_once(organizer, expo, types):
    response = organizer.post(DEVICES, {"name": "North lane 1", "kind": "scanner", "gates": ["G1"]})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "token"}
    token = body["token"]
    # Only a digest is stored; the token is in no column.
    stored = ApiToken.objects.get(device__pk=body["id"])
    assert token not in {stored.digest, stored.prefix, stored.name}
    _ticket, secret = issue(expo)
    assert scan(ApiClient(token), secret).json()["result"] == "admit"
    listed = organizer.get(DEVICES).json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["gates"] == ["G1"] and item["kind"] == "scanner" and not item["revoked"]
    assert item["last_contact"] is not None
    assert "token" not in item


def test_a_sensor_is_bound_to_zones(organizer, expo):
    response = organizer.post(DEVICES, {"name": "Hall N1 door", "kind": "sensor", "zones": ["N1"]})
    assert response.status_code == 201
    device = Device.objects.get(pk=response.json()["id"])
    assert [z.code for z in device.zones.all()] == ["N1"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "kind": "scanner", "gates": ["NOPE"]}, "gates"),
        ({"name": "x", "kind": "scanner", "gates": []}, "gates"),
        ({"name": "x", "kind": "scanner"}, "gates"),
        ({"name": "x", "kind": "sensor", "zones": ["NOPE"]}, "zones"),
        ({"name": "x", "kind": "toaster", "gates": ["G1"]}, "kind"),
        ({"name": "", "kind": "scanner", "gates": ["G1"]}, "name"),
        ({"kind": "scanner", "gates": ["G1"]}, "name"),
        ({"name": "x", "kind": "scanner", "gates": "G1"}, "gates"),
    ],
)
def test_bad_devices_are_422_at_the_field(organizer, expo, body, field):
    response = organizer.post(DEVICES, body)
    assert response.status_code == 422
    assert field in error_of(response)["detail"]["fields"]
    assert Device.objects.count() == 0
    assert not ApiToken.objects.filter(role="device").exists()


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 401), ("exhibitor", 403), ("device", 403)]
)
def test_only_organisers_manage_devices(expo, role, status, request):
    client = request.getfixturevalue(role)
    assert client.post(DEVICES, {"name": "x", "kind": "scanner", "gates": ["G1"]}).status_code == (
        status
    )
    assert client.get(DEVICES).status_code == status
    assert client.delete(f"{DEVICES}/1").status_code == status


def test_deleting_a_device_of_another_edition_is_404(organizer, expo, other_expo):
    from smartexpo.devices.services import device_create
    from smartexpo.venue.models import Gate, Zone, ZoneKind

    zone = Zone.objects.create(
        expo=other_expo, code="V", kind=ZoneKind.VENUE, name_en="V", area_m2=1, capacity=1
    )
    Gate.objects.create(expo=other_expo, code="G1", name_en="G1", zone=zone)
    foreign, _token = device_create(expo=other_expo, name="x", kind="scanner", gates=["G1"])
    assert organizer.delete(f"{DEVICES}/{foreign.pk}").status_code == 404
    assert organizer.delete(f"{DEVICES}/999999").status_code == 404
    assert organizer.delete(f"{DEVICES}/abc").status_code == 422
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_the_setup_tells_a_scanner_its_gates_and_the_types_zones(expo, types):
    from tests.checkin.conftest import scanner_client

    scanner = scanner_client(expo, gates=["G-N1"])
    setup = scanner.get("/api/v1/expos/test-2019/checkin/setup")
    assert setup.status_code == 200
    body = setup.json()
    assert body["timezone"] == "Asia/Shanghai"
    assert body["days"] == ["2019-08-26", "2019-08-27", "2019-08-28", "2019-08-29"]
    assert [(g["code"], g["zone"]) for g in body["gates"]] == [("G-N1", "N1")]
    zones = {t["code"]: t["zones"] for t in body["ticket_types"]}
    assert zones == {"day": ["V"], "pro": ["N1", "V"]}
    assert {t["id"] for t in body["ticket_types"]} == {types["day"].pk, types["pro"].pk}


def test_keys_since_lists_only_later_revocations(expo, types, organizer):
    from smartexpo.tickets.services.cancellation import registration_cancel

    first, _s = issue(expo)
    registration_cancel(registration=first.registration)
    package = organizer.get("/api/v1/expos/test-2019/checkin/keys").json()
    assert package["revoked"] == [first.serial]
    import datetime as dt

    from django.utils import timezone

    from smartexpo.tickets.models import Ticket

    # Pretend the first revocation is an hour old; the overlap is a minute.
    Ticket.objects.filter(pk=first.pk).update(revoked_at=timezone.now() - dt.timedelta(hours=1))
    second, _s = issue(expo)
    registration_cancel(registration=second.registration)
    later = organizer.get(
        "/api/v1/expos/test-2019/checkin/keys", {"since": package["generated_at"]}
    ).json()
    assert later["revoked"] == [second.serial]
    assert later["keys"] == package["keys"]
    naive = organizer.get("/api/v1/expos/test-2019/checkin/keys", {"since": "2019-08-26T10:00"})
    assert naive.status_code == 422
    bad = organizer.get("/api/v1/expos/test-2019/checkin/keys", {"since": "yesterday"})
    assert bad.status_code == 422


def test_the_device_list_is_paginated(organizer, expo):
    for n in range(3):
        organizer.post(DEVICES, {"name": f"Lane {n}", "kind": "scanner", "gates": ["G1"]})
    page = organizer.get(DEVICES, {"limit": 2, "offset": 1}).json()
    assert page["count"] == 3
    assert [d["name"] for d in page["items"]] == ["Lane 1", "Lane 2"]
    assert organizer.get(DEVICES, {"limit": 0}).status_code == 422


def test_the_check_in_endpoints_are_in_the_openapi_document(db):
    spec = ApiClient().get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/expos/{expo}/devices",
        "/api/v1/expos/{expo}/devices/{device_id}",
        "/api/v1/expos/{expo}/checkin/setup",
        "/api/v1/expos/{expo}/checkin/scans",
        "/api/v1/expos/{expo}/checkin/sync",
        "/api/v1/expos/{expo}/checkin/keys",
    ):
        assert path in paths, path
    scans = paths["/api/v1/expos/{expo}/checkin/scans"]["post"]
    assert scans["security"] == [{"BearerToken": []}]
    assert "BearerToken" in spec["components"]["securitySchemes"]
    body = scans["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"secret", "gate", "direction", "nonce"}
    keys = paths["/api/v1/expos/{expo}/checkin/keys"]["get"]
    assert "since" in {p["name"] for p in keys["parameters"]}
