"""Devices made before they had an app of their own are still there, bound and authenticated."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from smartexpo.devices.models import Device
from smartexpo.devices.services import device_create
from tests.migrations import leaf_nodes, migrate

# Before the devices app: its migration and the two that point at it, unapplied.
BEFORE = [("devices", None), ("checkin", "0001_initial"), ("crowd", "0003_occupancy_frames")]


@pytest.mark.django_db(transaction=True)
def test_a_device_and_its_bindings_survive_the_move_out_of_checkin(expo):
    device, _token = device_create(expo=expo, name="g1", kind="scanner", gates=["G1"])
    latest = leaf_nodes()
    migrate(BEFORE)
    try:
        # The content type as a database migrated before the move has it.
        assert ContentType.objects.filter(app_label="checkin", model="device").count() == 1
        migrate(latest)
        moved = Device.objects.get(pk=device.pk)
        assert moved.name == "g1"
        assert [g.code for g in moved.gates.all()] == ["G1"]
        assert moved.token_id == device.token_id
        assert ContentType.objects.filter(app_label="checkin", model="device").count() == 0
        assert ContentType.objects.get_for_model(Device).app_label == "devices"
    finally:
        migrate(latest)
