"""Occupancy: every zone counted from sensors and gates, in event time, reset every night."""

from __future__ import annotations

import pytest

from smartexpo.crowd.models import OccupancyMinute, PendingMovement, ZoneDay
from smartexpo.crowd.services import pending_fold
from tests.conftest import error_of
from tests.crowd.conftest import HISTORY, OCCUPANCY, counts, ev, post

DAY = "2019-08-26"


def at(clock: str, day: str = DAY) -> str:
    return f"{day}T{clock}+08:00"


def test_every_zone_is_listed_with_its_count_density_and_level(all_zones_sensor, organizer):
    post(
        all_zones_sensor,
        [ev("N1", "enter", at("10:00:00"), 400), ev("V", "enter", at("10:00:00"), 7)],
    )
    response = organizer.get(OCCUPANCY, {"at": at("10:30:00")})
    body = response.json()
    assert body["at"] == "2019-08-26T10:30:00+08:00"
    zones = {z["zone"]: z for z in body["zones"]}
    assert list(zones) == ["V", "N1", "S1", "R1", "N1-B"]
    assert zones["N1"] == {
        "zone": "N1",
        "kind": "hall",
        "hall": None,
        "name": {"en": "Hall N1", "zh": "N1馆"},
        "count": 400,
        "capacity": 500,
        "area_m2": 1000.0,
        "density": 0.4,
        "level": "B",
        "alert": False,
    }
    assert zones["S1"]["count"] == 0 and zones["S1"]["level"] == "A"
    assert zones["N1-B"]["hall"] == "N1"
    assert zones["V"]["count"] == 7  # nothing rolls up into enclosing zones


def test_an_answered_batch_is_in_the_very_next_reading(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("S1", "enter", at("11:00:00"), 3)])
    assert PendingMovement.objects.count() == 1
    assert counts(organizer, at("11:00:00"))["S1"]["count"] == 3
    assert PendingMovement.objects.count() == 0


def test_counts_follow_event_time_not_arrival(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("N1", "exit", at("12:00:00"), 5)])
    post(all_zones_sensor, [ev("N1", "enter", at("11:00:00"), 8)])  # arrives later, happened first
    assert counts(organizer, at("11:30:00"))["N1"]["count"] == 8
    assert counts(organizer, at("12:00:00"))["N1"]["count"] == 3


def test_the_count_never_goes_below_zero(all_zones_sensor, organizer):
    post(
        all_zones_sensor,
        [ev("N1", "exit", at("10:00:00"), 4), ev("N1", "enter", at("10:00:01"), 2)],
    )
    assert counts(organizer, at("10:00:00"))["N1"]["count"] == 0
    assert counts(organizer, at("10:00:01"))["N1"]["count"] == 2
    assert OccupancyMinute.objects.get().clamped == 4


def test_movements_at_the_same_instant_are_netted_first(all_zones_sensor, organizer):
    post(
        all_zones_sensor,
        [ev("S1", "exit", at("10:00:00"), 5), ev("S1", "enter", at("10:00:00"), 5)],
    )
    # Netted: 0. One after the other the exit would have been clamped and 5 would remain.
    assert counts(organizer, at("10:00:00"))["S1"]["count"] == 0


def test_the_instant_asked_for_is_included(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("N1", "enter", "2019-08-26T10:00:00.250000+08:00", 2)])
    assert counts(organizer, "2019-08-26T10:00:00.249999+08:00")["N1"]["count"] == 0
    assert counts(organizer, "2019-08-26T10:00:00.250000+08:00")["N1"]["count"] == 2
    assert counts(organizer, "2019-08-26T02:00:00.25Z")["N1"]["count"] == 2


def test_the_count_resets_after_closing_and_the_drift_is_recorded(all_zones_sensor, organizer):
    post(
        all_zones_sensor,
        [
            ev("N1", "enter", at("17:00:00"), 10),
            ev("N1", "exit", at("17:59:00"), 7),
            ev("N1", "enter", at("18:00:00"), 1),  # at closing time: still that day's
            ev("N1", "enter", at("18:00:01"), 2),  # after: the next day's count
        ],
    )
    assert counts(organizer, at("18:00:00"))["N1"]["count"] == 4
    assert counts(organizer, at("18:00:01"))["N1"]["count"] == 2
    assert counts(organizer, at("08:00:00", "2019-08-27"))["N1"]["count"] == 2
    assert counts(organizer, at("18:00:01", "2019-08-27"))["N1"]["count"] == 0
    drift = ZoneDay.objects.get(zone__code="N1", period="2019-08-26")
    assert (drift.closing_count, drift.entries, drift.exits) == (4, 11, 7)


def test_any_past_instant_can_be_read(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("S1", "enter", at(f"{9 + h:02d}:00:00"), 10) for h in range(5)])
    assert [counts(organizer, at(f"{9 + h:02d}:30:00"))["S1"]["count"] for h in range(5)] == [
        10,
        20,
        30,
        40,
        50,
    ]


def test_at_without_an_offset_is_refused(organizer, expo):
    response = organizer.get(OCCUPANCY, {"at": "2019-08-26T10:00:00"})
    assert response.status_code == 422
    assert "at" in error_of(response)["detail"]["fields"]
    assert organizer.get(OCCUPANCY, {"at": "soon"}).status_code == 422


@pytest.mark.parametrize("instant", ["9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00+08:00"])
def test_an_instant_at_the_ends_of_the_calendar_is_refused_not_a_crash(organizer, expo, instant):
    assert organizer.get(OCCUPANCY, {"at": instant}).status_code == 422
    response = organizer.get(HISTORY, {"zone": "N1", "to": instant})
    assert response.status_code == 422


def test_a_plus_sign_decoded_to_a_space_is_still_an_offset(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 3)])
    response = organizer.client.get(
        OCCUPANCY + "?at=2019-08-26T10:00:00+08:00",
        headers={"Authorization": f"Bearer {organizer.token}"},
    )
    assert response.status_code == 200
    assert {z["zone"]: z["count"] for z in response.json()["zones"]}["S1"] == 3


def test_occupancy_is_for_organisers_only(anonymous, device, exhibitor, all_zones_sensor):
    assert anonymous.get(OCCUPANCY).status_code == 401
    assert exhibitor.get(OCCUPANCY).status_code == 403
    assert all_zones_sensor.get(OCCUPANCY).status_code == 403
    assert error_of(device.get(OCCUPANCY))["code"] == "forbidden"


def test_history_is_the_count_at_each_step(all_zones_sensor, organizer):
    post(
        all_zones_sensor,
        [
            ev("N1", "enter", at("10:00:30"), 5),
            ev("N1", "exit", at("10:02:10"), 2),
            ev("N1", "enter", at("10:04:00"), 1),
        ],
    )
    response = organizer.get(
        HISTORY, {"zone": "N1", "from": at("10:00:00"), "to": at("10:05:00"), "step": 60}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["zone"] == "N1" and body["step"] == 60
    assert [p["count"] for p in body["points"]] == [0, 5, 5, 3, 4, 4]
    assert body["points"][1]["at"] == "2019-08-26T02:01:00+00:00"
    assert body["points"][1] == {
        "at": "2019-08-26T02:01:00+00:00",
        "count": 5,
        "density": 0.005,
        "level": "A",
        "alert": False,
    }
    for point in body["points"]:
        one = counts(organizer, point["at"])["N1"]
        assert (one["count"], one["alert"]) == (point["count"], point["alert"])


def test_history_spans_the_nightly_reset(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("S1", "enter", at("17:30:00"), 9)])
    response = organizer.get(
        HISTORY,
        {"zone": "S1", "from": at("17:00:00"), "to": at("09:00:00", "2019-08-27"), "step": 3600},
    )
    assert [p["count"] for p in response.json()["points"]] == [0, 9] + [0] * 15


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"zone": "NOPE"}, "zone"),
        ({"zone": "N1", "from": "2019-08-26T10:00:00"}, "from"),
        ({"zone": "N1", "from": at("11:00:00"), "to": at("10:00:00")}, "to"),
        ({"zone": "N1", "from": at("10:00:00"), "to": at("11:00:00"), "step": 0}, "step"),
        ({"zone": "N1", "from": at("00:00:00"), "to": at("23:00:00"), "step": 1}, "step"),
        ({"zone": "N1", "from": "2019-08-01T00:00:00Z", "to": "2019-09-30T00:00:00Z"}, "to"),
        ({"zone": "N1", "step": 10**30}, "step"),
        ({"zone": "N1", "step": 31 * 86_400 + 1}, "step"),
    ],
)
def test_a_bad_history_request_names_its_field(organizer, expo, params, field):
    response = organizer.get(HISTORY, params)
    assert response.status_code == 422, response.content
    assert field in error_of(response)["detail"]["fields"]


def test_history_from_alone_is_the_day_that_follows(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("N1", "enter", at("10:30:00"), 4)])
    points = organizer.get(HISTORY, {"zone": "N1", "from": at("10:00:00"), "step": 3600})
    assert points.status_code == 200, points.content
    counts_ = [p["count"] for p in points.json()["points"]]
    # 10:00 to 10:00 the next day: the count until 18:00's closing, then the reset.
    assert counts_ == [0] + [4] * 8 + [0] * 16
    assert points.json()["points"][-1]["at"] == "2019-08-27T02:00:00+00:00"
    # A window's longest step is accepted, with its one point.
    one = organizer.get(HISTORY, {"zone": "N1", "from": at("10:00:00"), "step": 31 * 86_400})
    assert len(one.json()["points"]) == 1


def test_history_needs_a_zone(organizer, expo):
    assert organizer.get(HISTORY).status_code == 422


def test_folding_twice_changes_nothing(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("N1", "enter", at("10:00:00"), 3)])
    before = counts(organizer, at("10:00:00"))
    assert pending_fold(expo=all_zones_sensor_expo(organizer)).movements == 0
    assert counts(organizer, at("10:00:00")) == before


def all_zones_sensor_expo(_client):
    from smartexpo.venue.models import Expo

    return Expo.objects.get(slug="test-2019")
