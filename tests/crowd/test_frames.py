"""Occupancy frames (`crowd.frames`): the venue at an instant read from one row stays right
when zones come and go after the frames were made, and a late fold rebuilds what follows."""

from __future__ import annotations

from smartexpo.crowd.models import OccupancyFrame
from smartexpo.devices.services import device_create
from smartexpo.venue.models import Zone, ZoneKind
from tests.conftest import ApiClient
from tests.crowd.conftest import counts, ev, post


def at(clock: str) -> str:
    return f"2019-08-26T{clock}+08:00"


def test_a_zone_created_after_the_frames_reads_zero_then_its_own_count(
    all_zones_sensor, organizer, expo
):
    post(all_zones_sensor, [ev("N1", "enter", at("10:00:00"), 40)])
    Zone.objects.create(
        expo=expo, code="N2", kind=ZoneKind.HALL, name_en="Hall N2", area_m2=500, capacity=300
    )
    before = counts(organizer, at("10:30:00"))
    assert before["N2"]["count"] == 0 and before["N1"]["count"] == 40
    _device, token = device_create(expo=expo, name="N2 door", kind="sensor", zones=["N2"])
    post(ApiClient(token), [ev("N2", "enter", at("10:10:00"), 6)])
    after = counts(organizer, at("10:30:00"))
    assert after["N2"]["count"] == 6 and after["N1"]["count"] == 40
    assert counts(organizer, at("10:05:00"))["N2"]["count"] == 0


def test_a_deleted_zone_leaves_the_others_counts_and_later_folds_intact(
    all_zones_sensor, organizer, expo
):
    # A zone with sensor events cannot be deleted (they are kept): one without any can,
    # and every frame made meanwhile lists it.
    Zone.objects.create(
        expo=expo, code="TMP", kind=ZoneKind.HALL, name_en="Pop-up", area_m2=50, capacity=20
    )
    post(all_zones_sensor, [ev("N1", "enter", at("10:00:30"), 5)])
    assert counts(organizer, at("10:00:40"))["TMP"]["count"] == 0
    Zone.objects.filter(expo=expo, code="TMP").delete()
    reading = counts(organizer, at("10:00:40"))
    assert "TMP" not in reading and reading["N1"]["count"] == 5
    # A late event before the frames already stored: they are rebuilt without the zone.
    post(all_zones_sensor, [ev("N1", "enter", at("09:59:00"), 2)])
    assert counts(organizer, at("10:00:40"))["N1"]["count"] == 7
    assert counts(organizer, at("09:59:30"))["N1"]["count"] == 2


def test_a_late_event_rebuilds_the_frames_after_it(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("R1", "enter", at("11:00:00"), 4)])
    post(
        all_zones_sensor,
        [ev("R1", "exit", at("11:30:00"), 1), ev("N1", "enter", at("11:05:00"), 30)],
    )
    assert counts(organizer, at("11:10:00"))["R1"]["count"] == 4
    frames_before = OccupancyFrame.objects.count()
    post(all_zones_sensor, [ev("R1", "enter", at("10:45:10"), 10)])
    assert counts(organizer, at("10:50:00"))["R1"]["count"] == 10
    assert counts(organizer, at("11:10:00"))["R1"]["count"] == 14
    # N1's minutes after the late event were not recomputed: its frames come from them.
    assert counts(organizer, at("11:10:00"))["N1"]["count"] == 30
    assert counts(organizer, at("11:40:00"))["R1"]["count"] == 13
    assert OccupancyFrame.objects.count() == frames_before + 1  # the late event's minute
    # Within the late event's own minute, before and after it.
    assert counts(organizer, at("10:45:09"))["R1"]["count"] == 0
    assert counts(organizer, at("10:45:10"))["R1"]["count"] == 10


def test_a_zone_made_by_another_process_shows_with_its_first_movements(
    all_zones_sensor, organizer, expo, monkeypatch
):
    from smartexpo.crowd import zones

    post(all_zones_sensor, [ev("N1", "enter", at("10:00:00"), 40)])
    assert "N2" not in counts(organizer, at("10:30:00"))  # the table is cached now
    # Made elsewhere: nothing tells this process's cached table.
    Zone.objects.create(
        expo=expo, code="N2", kind=ZoneKind.HALL, name_en="Hall N2", area_m2=500, capacity=300
    )
    _device, token = device_create(expo=expo, name="N2 door", kind="sensor", zones=["N2"])
    post(ApiClient(token), [ev("N2", "enter", at("10:10:00"), 6)])
    assert counts(organizer, at("10:30:00"))["N2"]["count"] == 6
    # A zone deleted since its frames were made reads the zones once, not on every request.
    Zone.objects.create(
        expo=expo, code="TMP", kind=ZoneKind.HALL, name_en="Pop-up", area_m2=50, capacity=20
    )
    post(all_zones_sensor, [ev("N1", "enter", at("10:20:00"), 1)])
    assert counts(organizer, at("10:30:00"))["TMP"]["count"] == 0
    Zone.objects.filter(expo=expo, code="TMP").delete()
    reads = []
    real = zones.zone_infos
    monkeypatch.setattr(zones, "zone_infos", lambda **kw: reads.append(1) or real(**kw))
    for _ in range(3):
        reading = counts(organizer, at("10:30:00"))
        assert "TMP" not in reading and reading["N1"]["count"] == 41
    assert len(reads) == 1
