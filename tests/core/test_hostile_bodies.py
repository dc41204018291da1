"""Bodies that no client sends on purpose are refused as the API's 4xx, never a 500.

Found while probing every body operation beside `make fuzz`: a JSON document nested deeper
than Python's recursion limit made `json.loads` raise RecursionError, which the scan, sync and
sensor-event routes did not catch (500). They read their bodies with their pydantic schema
now (`core.bodies`), whose parser refuses such a document as not JSON (400).
"""

from __future__ import annotations

import pytest

from smartexpo.devices.services import device_create
from tests.checkin.conftest import make_types, scanner_client
from tests.conftest import ApiClient, error_of

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
ROUTES = {
    "scans": ("/api/v1/expos/test-2019/checkin/scans", "scanner"),
    "sync": ("/api/v1/expos/test-2019/checkin/sync", "scanner"),
    "events": ("/api/v1/expos/test-2019/venue/events", "sensor"),
    "registrations": ("/api/v1/expos/test-2019/registrations", "anonymous"),
    "ticket-types": ("/api/v1/expos/test-2019/ticket-types", "organizer"),
    "devices": ("/api/v1/expos/test-2019/devices", "organizer"),
}


@pytest.fixture
def clients(expo, organizer, anonymous):
    make_types(expo)
    _device, sensor_token = device_create(expo=expo, name="Doors", kind="sensor", zones=["N1"])
    return {
        "scanner": scanner_client(expo),
        "sensor": ApiClient(sensor_token),
        "organizer": organizer,
        "anonymous": anonymous,
    }


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_json_body_nested_too_deeply_is_400_malformed(clients, route, body):
    url, role = ROUTES[route]
    response = clients[role].post(url, raw=body)
    assert response.status_code == 400, response.content
    assert error_of(response)["code"] == "malformed"


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize(
    "body", [b"\xff\xfe\x00", b'{"a": "\xff"}', b"1e999999", b'"\\ud800"'], ids=repr
)
def test_bytes_that_are_not_utf8_json_are_refused_with_a_4xx(clients, route, body):
    url, role = ROUTES[route]
    response = clients[role].post(url, raw=body)
    assert 400 <= response.status_code < 500, response.content
    error_of(response)
