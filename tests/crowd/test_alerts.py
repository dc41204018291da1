"""Crowd alerts: raised at capacity or level E, cleared only well below (hysteresis), placed
in event time, acknowledged by organisers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from smartexpo.crowd.models import CrowdAlert
from tests.conftest import error_of
from tests.crowd.conftest import ALERTS, counts, ev, fold, post


def at(clock: str) -> str:
    return f"2019-08-26T{clock}+08:00"


def alerts(organizer, when, **params):
    response = organizer.get(ALERTS, {"at": when, **params})
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_a_hall_at_capacity_raises_one_alert_and_clears_it_once(all_zones_sensor, organizer):
    # Hall S1: capacity 500, 1,000 m². Up to capacity, hovering between 90 % and 100 %, back
    # up, then down to 90 %: one alert, from reaching 500 to falling to 450.
    post(
        all_zones_sensor,
        [
            ev("S1", "enter", at("10:00:00"), 499),
            ev("S1", "enter", at("10:01:00"), 1),  # 500: raised
            ev("S1", "exit", at("10:02:00"), 40),  # 460: still raised
            ev("S1", "enter", at("10:03:00"), 45),  # 505: still the same alert
            ev("S1", "exit", at("10:04:00"), 54),  # 451: still raised
            ev("S1", "exit", at("10:05:00"), 1),  # 450 = 90 %: cleared
            ev("S1", "enter", at("10:06:00"), 40),  # 490: no new alert
        ],
    )
    assert counts(organizer, at("10:00:59"))["S1"]["alert"] is False
    assert counts(organizer, at("10:01:00"))["S1"]["alert"] is True
    assert counts(organizer, at("10:04:59"))["S1"]["alert"] is True
    assert counts(organizer, at("10:05:00"))["S1"]["alert"] is False
    assert counts(organizer, at("10:06:00"))["S1"]["alert"] is False
    stored = CrowdAlert.objects.get()
    assert (stored.zone.code, stored.reason, stored.peak_count) == ("S1", "capacity", 505)
    items = alerts(organizer, at("12:00:00"))
    assert len(items) == 1
    assert items[0] == {
        "id": stored.pk,
        "zone": "S1",
        "name": {"en": "Hall S1", "zh": "S1馆"},
        "reason": "capacity",
        "raised_at": "2019-08-26T02:01:00+00:00",
        "cleared_at": "2019-08-26T02:05:00+00:00",
        "ended_by_reset": False,
        "active": False,
        "peak_count": 505,
        "capacity": 500,
        "acknowledged_at": None,
        "acknowledged_by": "",
    }
    during = alerts(organizer, at("10:03:00"))
    assert during[0]["active"] is True and during[0]["cleared_at"] is None
    assert alerts(organizer, at("10:00:00")) == []  # not raised yet at that instant


def test_density_at_level_e_raises_an_alert_below_capacity(expo, all_zones_sensor, organizer):
    # The venue zone: 5,000 m², with room for 10,000. 5,400 people = 1.08 p/m², level D;
    # one more is above 1.08: level E.
    expo.zones.filter(code="V").update(capacity=10_000)
    post(all_zones_sensor, [ev("V", "enter", at("10:00:00"), 5_400)])
    zone = counts(organizer, at("10:00:00"))["V"]
    assert (zone["level"], zone["alert"]) == ("D", False)
    post(all_zones_sensor, [ev("V", "enter", at("11:00:00"), 1)])
    zone = counts(organizer, at("11:00:00"))["V"]
    assert (zone["level"], zone["alert"]) == ("E", True)
    assert CrowdAlert.objects.get().reason == "density"
    # Cleared only at 0.97 p/m² (4,850 people), not at level D.
    post(all_zones_sensor, [ev("V", "exit", at("11:10:00"), 500)])
    assert counts(organizer, at("11:10:00"))["V"]["alert"] is True
    post(all_zones_sensor, [ev("V", "exit", at("11:20:00"), 51)])
    assert counts(organizer, at("11:20:00"))["V"]["alert"] is False


def test_a_zone_without_a_safe_capacity_alerts_on_its_density_only(
    expo, all_zones_sensor, organizer
):
    # Capacity 0 is "none set", not "full when empty".
    expo.zones.filter(code="V").update(capacity=0)
    post(all_zones_sensor, [ev("V", "enter", at("10:00:00"), 5_400)])
    assert counts(organizer, at("10:00:00"))["V"]["alert"] is False
    post(all_zones_sensor, [ev("V", "enter", at("11:00:00"), 1)])
    assert counts(organizer, at("11:00:00"))["V"]["alert"] is True
    assert CrowdAlert.objects.get().reason == "density"


def test_an_alert_still_raised_at_closing_ends_with_the_nightly_reset(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("S1", "enter", at("17:00:00"), 600)])
    before = alerts(organizer, at("17:59:59"))[0]
    assert before["active"] is True and before["cleared_at"] is None
    after = alerts(organizer, at("18:00:01"))[0]
    assert after["active"] is False
    assert after["cleared_at"] == "2019-08-26T10:00:00+00:00"
    assert after["ended_by_reset"] is True
    assert alerts(organizer, at("18:00:00"))[0]["active"] is True  # the closing instant itself


def test_a_late_exit_withdraws_an_alert_that_never_was(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 400)])
    post(all_zones_sensor, [ev("S1", "enter", at("10:10:00"), 100)])
    assert len(alerts(organizer, at("11:00:00"))) == 1
    post(all_zones_sensor, [ev("S1", "exit", at("10:05:00"), 50)])  # it had happened before
    assert alerts(organizer, at("11:00:00")) == []
    assert counts(organizer, at("10:10:00"))["S1"]["alert"] is False


def test_an_acknowledgement_stays_with_an_alert_that_is_recomputed(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 500)])
    fold()
    alert = CrowdAlert.objects.get()
    response = organizer.post(f"{ALERTS}/{alert.pk}/acknowledge")
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == "Test organiser"
    post(all_zones_sensor, [ev("S1", "exit", at("10:30:00"), 100)])  # clears it
    post(all_zones_sensor, [ev("S1", "enter", at("10:20:00"), 1)])  # late, raises the peak
    fold()
    again = CrowdAlert.objects.get()
    assert again.pk == alert.pk and again.acknowledged_at is not None
    assert again.peak_count == 501


def test_acknowledging_twice_keeps_the_first(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 500)])
    fold()
    alert = CrowdAlert.objects.get()
    first = organizer.post(f"{ALERTS}/{alert.pk}/acknowledge").json()["acknowledged_at"]
    assert organizer.post(f"{ALERTS}/{alert.pk}/acknowledge").json()["acknowledged_at"] == first


def test_alerts_are_for_organisers(all_zones_sensor, organizer, anonymous, exhibitor):
    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 500)])
    fold()
    alert = CrowdAlert.objects.get()
    assert anonymous.get(ALERTS).status_code == 401
    assert exhibitor.get(ALERTS).status_code == 403
    assert exhibitor.post(f"{ALERTS}/{alert.pk}/acknowledge").status_code == 403
    assert all_zones_sensor.post(f"{ALERTS}/{alert.pk}/acknowledge").status_code == 403
    missing = organizer.post(f"{ALERTS}/{alert.pk + 1}/acknowledge")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_an_alert_of_another_edition_is_not_found(all_zones_sensor, organizer, other_expo):
    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 500)])
    fold()
    alert = CrowdAlert.objects.get()
    response = organizer.post(f"/api/v1/expos/test-2018/venue/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 404


@pytest.mark.parametrize(("active", "expected"), [("true", 1), ("false", 1), (None, 2)])
def test_alerts_filter_by_state_and_zone(all_zones_sensor, organizer, active, expected):
    post(
        all_zones_sensor,
        [
            ev("S1", "enter", at("10:00:00"), 500),
            ev("S1", "exit", at("10:10:00"), 100),
            ev("N1", "enter", at("10:20:00"), 500),
        ],
    )
    params = {} if active is None else {"active": active}
    assert len(alerts(organizer, at("11:00:00"), **params)) == expected
    assert [a["zone"] for a in alerts(organizer, at("11:00:00"), zone="N1")] == ["N1"]
    unknown = organizer.get(ALERTS, {"zone": "NOPE"})
    assert unknown.status_code == 422 and "zone" in error_of(unknown)["detail"]["fields"]


def test_organisers_acknowledge_alerts_in_the_admin(all_zones_sensor, admin_client):
    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 500)])
    fold()
    alert = CrowdAlert.objects.get()
    url = reverse("admin:crowd_crowdalert_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200 and b"S1" in page.content
    response = admin_client.post(
        url, {"action": "acknowledge", "_selected_action": [alert.pk]}, follow=True
    )
    assert b"1 alert acknowledged" in response.content
    alert.refresh_from_db()
    assert alert.acknowledged_by == "admin"
    assert admin_client.get(reverse("admin:crowd_zoneday_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:crowd_sensorevent_changelist")).status_code == 200


def test_a_new_safe_capacity_moves_the_alerts_of_the_past(
    all_zones_sensor, organizer, admin_client
):
    from smartexpo.venue.models import Zone

    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 450)])
    assert alerts(organizer, at("11:00:00")) == []
    hall = Zone.objects.get(code="S1")
    response = admin_client.post(
        reverse("admin:venue_hall_change", args=[hall.pk]),
        {
            "expo": hall.expo_id,
            "code": "S1",
            "name_en": hall.name_en,
            "name_zh": hall.name_zh,
            "area_m2": "1000.0",
            "capacity": "400",
            "position": hall.position,
            "plan_x": hall.plan_x,
            "plan_y": hall.plan_y,
            "plan_width": hall.plan_width,
            "plan_depth": hall.plan_depth,
        },
        follow=True,
    )
    assert b"recomputed" in response.content
    items = alerts(organizer, at("11:00:00"))
    assert [(a["zone"], a["raised_at"], a["reason"]) for a in items] == [
        ("S1", "2019-08-26T02:00:00+00:00", "capacity")
    ]
    assert counts(organizer, at("11:00:00"))["S1"]["alert"] is True
