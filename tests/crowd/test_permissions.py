"""Every venue-intelligence endpoint, asked by every role."""

from __future__ import annotations

import pytest

from smartexpo.crowd.models import CrowdAlert
from tests.checkin.conftest import scanner_client
from tests.conftest import error_of
from tests.crowd.conftest import ALERTS, FOOTFALL, HISTORY, OCCUPANCY, ev, fold, post

READS = {
    "occupancy": (OCCUPANCY, {}),
    "history": (HISTORY, {"zone": "N1"}),
    "alerts": (ALERTS, {}),
    "footfall": (FOOTFALL, {"day": "2019-08-26"}),
}
# role → expected status per endpoint (exhibitors may read their own booths' footfall)
EXPECTED = {
    "anonymous": dict.fromkeys(READS, 401),
    "exhibitor": {**dict.fromkeys(READS, 403), "footfall": 200},
    "scanner": dict.fromkeys(READS, 403),
    "sensor": dict.fromkeys(READS, 403),
    "organizer": dict.fromkeys(READS, 200),
}


@pytest.fixture
def clients(anonymous, exhibitor, organizer, all_zones_sensor, expo, types):
    return {
        "anonymous": anonymous,
        "exhibitor": exhibitor,
        "scanner": scanner_client(expo),
        "sensor": all_zones_sensor,
        "organizer": organizer,
    }


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("endpoint", list(READS))
def test_each_role_gets_what_it_may_read(clients, role, endpoint):
    path, params = READS[endpoint]
    response = clients[role].get(path, params)
    assert response.status_code == EXPECTED[role][endpoint], (role, endpoint, response.content)
    if response.status_code >= 400:
        assert error_of(response)["code"] in {"unauthenticated", "forbidden"}


@pytest.mark.parametrize("role", ["anonymous", "exhibitor", "scanner", "sensor"])
def test_only_an_organiser_acknowledges(clients, role):
    post(clients["sensor"], [ev("S1", "enter", "2019-08-26T10:00:00+08:00", 500)])
    fold()
    alert = CrowdAlert.objects.get()
    response = clients[role].post(f"{ALERTS}/{alert.pk}/acknowledge")
    assert response.status_code == (401 if role == "anonymous" else 403)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert clients["organizer"].post(f"{ALERTS}/{alert.pk}/acknowledge").status_code == 200


def test_a_device_of_another_edition_is_refused(other_expo, organizer, expo):
    from smartexpo.devices.services import device_create
    from tests.conftest import ApiClient

    _device, token = device_create(expo=expo, name="Doors", kind="sensor", zones=["N1"])
    stranger = ApiClient(token)
    assert stranger.get("/api/v1/expos/test-2018/venue/occupancy").status_code == 403
    assert organizer.get("/api/v1/expos/test-2018/venue/occupancy").status_code == 200


@pytest.mark.parametrize(
    ("endpoint", "params"),
    [
        (HISTORY, {"step": "abc"}),  # no zone either
        (ALERTS, {"active": "maybe", "limit": 0}),
        (FOOTFALL, {"day": "yesterday"}),
    ],
)
def test_without_a_token_bad_parameters_are_a_401_not_a_422(anonymous, organizer, endpoint, params):
    response = anonymous.get(endpoint, params)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert organizer.get(endpoint, params).status_code == 422  # with one, they are read


def test_acknowledging_without_a_token_is_a_401_whatever_the_id(anonymous):
    response = anonymous.post(f"{ALERTS}/not-a-number/acknowledge", {})
    assert response.status_code == 401
