"""Exhibitors' lead devices: made through `POST …/devices` with `"exhibitor"` by the organiser
or that exhibitor, listed and revoked by their exhibitor, and unable to admit at a gate."""

from __future__ import annotations

import pytest

from smartexpo.leads.models import Lead, LeadDevice
from tests.checkin.conftest import scan
from tests.conftest import ApiClient, error_of
from tests.leads.conftest import LEADS, A, booth_device, visitor

pytestmark = pytest.mark.django_db
DEVICES = A + "/devices"
LEAD_DEVICES = A + "/lead-devices"


def test_an_exhibitor_makes_its_own_lead_devices(expo, huawei):
    huawei_id = expo.test_exhibitors["huawei"].pk
    made = huawei.post(DEVICES, {"name": "Tablet", "kind": "scanner", "exhibitor": huawei_id})
    assert made.status_code == 201, made.content
    implicit = huawei.post(DEVICES, {"name": "Phone", "kind": "scanner"})
    assert implicit.status_code == 201
    assert set(LeadDevice.objects.values_list("exhibitor_id", flat=True)) == {huawei_id}
    person = visitor(expo)
    tablet = ApiClient(made.json()["token"])
    assert tablet.post(LEADS, {"secret": person.secret}).json()["device"]["name"] == "Tablet"


def test_another_exhibitors_id_is_forbidden(expo, huawei):
    toyota_id = expo.test_exhibitors["toyota"].pk
    response = huawei.post(DEVICES, {"name": "Spy", "kind": "scanner", "exhibitor": toyota_id})
    assert response.status_code == 403
    assert not LeadDevice.objects.exists()


def test_an_exhibitor_makes_no_gate_scanner_nor_sensor(expo, huawei, organizer):
    response = huawei.post(DEVICES, {"name": "Gate", "kind": "scanner", "gates": ["G1"]})
    assert response.status_code == 403
    response = huawei.post(DEVICES, {"name": "Sensor", "kind": "sensor", "zones": ["V"]})
    assert response.status_code == 403
    huawei_id = expo.test_exhibitors["huawei"].pk
    both = {"name": "Both", "kind": "scanner", "gates": ["G1"], "exhibitor": huawei_id}
    assert organizer.post(DEVICES, both).status_code == 422
    assert not LeadDevice.objects.exists()


@pytest.mark.parametrize("exhibitor", [0, 2**40, "x"])
def test_an_unknown_exhibitor_is_invalid(expo, organizer, exhibitor, types):
    response = organizer.post(DEVICES, {"name": "T", "kind": "scanner", "exhibitor": exhibitor})
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"


def test_the_organiser_makes_one_for_any_exhibitor_and_sees_it_listed(expo, organizer, types):
    toyota_id = expo.test_exhibitors["toyota"].pk
    made = organizer.post(DEVICES, {"name": "T", "kind": "scanner", "exhibitor": toyota_id})
    assert made.status_code == 201
    listed = organizer.get(DEVICES).json()["items"]
    assert [(d["name"], d["exhibitor"], d["gates"]) for d in listed] == [("T", toyota_id, [])]


def test_a_lead_device_admits_nobody_at_a_gate(expo, types):
    person = visitor(expo)
    _device, tablet = booth_device(expo)
    answer = scan(tablet, person.secret, gate="G1")
    assert answer.status_code == 200
    assert answer.json()["result"] == "reject"
    assert answer.json()["reason"] == "gate_not_allowed"


def test_an_exhibitor_lists_and_revokes_its_own_devices_only(expo, huawei, toyota, organizer):
    mine, tablet = booth_device(expo, name="Mine")
    theirs, _other = booth_device(expo, "toyota", name="Theirs")
    assert [d["name"] for d in huawei.get(LEAD_DEVICES).json()["items"]] == ["Mine"]
    assert [d["name"] for d in organizer.get(LEAD_DEVICES).json()["items"]] == ["Mine", "Theirs"]
    assert huawei.delete(f"{LEAD_DEVICES}/{theirs.pk}").status_code == 404
    assert huawei.delete(f"{LEAD_DEVICES}/{mine.pk}").status_code == 204
    assert huawei.get(LEAD_DEVICES).json()["items"][0]["revoked"] is True
    person = visitor(expo)
    assert tablet.post(LEADS, {"secret": person.secret}).status_code == 401
    assert not Lead.objects.exists()
    # A lead device manages no device, nor does it export.
    _d, phone = booth_device(expo, name="Phone")
    assert phone.get(LEAD_DEVICES).status_code == 403
    assert phone.get(LEADS + ".csv").status_code == 403


def test_a_lead_devices_checkin_setup_has_no_gate(expo, types):
    _device, tablet = booth_device(expo)
    setup = tablet.get(A + "/checkin/setup")
    assert setup.status_code == 200
    assert setup.json()["gates"] == []
