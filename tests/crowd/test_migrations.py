"""Sensor events stored before their times became integers keep their times."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from smartexpo.devices.services import device_create
from tests.migrations import leaf_nodes, migrate

BEFORE = [("crowd", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_event_times_survive_the_move_to_microseconds(expo):
    device, _token = device_create(expo=expo, name="s", kind="sensor", zones=["N1"])
    zone_id = expo.zones.get(code="N1").pk
    latest = leaf_nodes()
    migrate(BEFORE)
    try:
        at = dt.datetime(2019, 8, 26, 2, 0, 0, 250_000, tzinfo=dt.UTC)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO crowd_sensorevent (event_id, kind, count, at, received_at, "
                "device_id, expo_id, zone_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                ["old", "enter", 1, at, at + dt.timedelta(seconds=1), device.pk, expo.pk, zone_id],
            )
        migrate(latest)
        from smartexpo.crowd.models import SensorEvent

        event = SensorEvent.objects.get(event_id="old")
        assert (event.at, event.received_at) == (at, at + dt.timedelta(seconds=1))
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT at FROM crowd_sensorevent WHERE event_id = 'old'")
            (back,) = cursor.fetchone()
        if isinstance(back, str):  # SQLite's text, as stored
            back = dt.datetime.fromisoformat(back)
        if back.tzinfo is None:  # SQLite's naive UTC
            back = back.replace(tzinfo=dt.UTC)
        assert back == at
    finally:
        migrate(latest)
