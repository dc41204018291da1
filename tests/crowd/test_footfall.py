"""Booth analytics: visits, distinct visitors and dwell per booth zone and day."""

from __future__ import annotations

import pytest

from smartexpo.venue.models import Booth, Zone
from tests.conftest import error_of
from tests.crowd.conftest import FOOTFALL, at, ev, huawei_booth_visits, post


@pytest.fixture
def huawei_booth_zone(expo):
    """Huawei's booth N1-001 counted by the booth-area zone N1-B."""
    Booth.objects.filter(code="N1-001").update(zone=Zone.objects.get(code="N1-B"))


def visits(sensor):
    post(sensor, huawei_booth_visits())


def booth_item(response):
    assert response.status_code == 200, response.content
    return {i["zone"]: i for i in response.json()["items"]}["N1-B"]


def test_a_booth_has_visits_distinct_visitors_and_mean_dwell(
    huawei_booth_zone, all_zones_sensor, organizer, expo
):
    visits(all_zones_sensor)
    item = booth_item(organizer.get(FOOTFALL, {"day": "2019-08-26", "kind": "booth"}))
    huawei = expo.test_exhibitors["huawei"]
    assert item == {
        "zone": "N1-B",
        "kind": "booth",
        "hall": "N1",
        "name": {"en": "Booth area", "zh": "展位区"},
        "booth": "N1-001",
        "exhibitor": {"id": huawei.pk, "name": {"en": "Huawei", "zh": "华为"}},
        "day": "2019-08-26",
        "visits": 3,
        "exits": 3,
        "unique_visitors": 2,
        # Little's law: 2 people × 10 min + 1 × 5 min over 3 visits.
        "mean_dwell_seconds": 500.0,
        "peak": 2,
        "closing_count": 0,
    }
    next_day = booth_item(organizer.get(FOOTFALL, {"day": "2019-08-27", "kind": "booth"}))
    assert (next_day["visits"], next_day["unique_visitors"], next_day["closing_count"]) == (1, 1, 1)


def test_an_exhibitor_sees_only_its_own_booths(
    huawei_booth_zone, all_zones_sensor, exhibitor, other_exhibitor
):
    visits(all_zones_sensor)
    own = exhibitor.get(FOOTFALL, {"day": "2019-08-26"}).json()
    assert [i["zone"] for i in own["items"]] == ["N1-B"]
    assert other_exhibitor.get(FOOTFALL, {"day": "2019-08-26"}).json()["items"] == []


def test_footfall_refuses_strangers_and_bad_filters(anonymous, all_zones_sensor, organizer, expo):
    assert anonymous.get(FOOTFALL).status_code == 401
    assert all_zones_sensor.get(FOOTFALL).status_code == 403
    bad = organizer.get(FOOTFALL, {"kind": "moon"})
    assert bad.status_code == 422 and "kind" in error_of(bad)["detail"]["fields"]
    assert organizer.get(FOOTFALL, {"day": "26/08/2019"}).status_code == 422


def test_untagged_events_leave_distinct_visitors_unknown(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 3)])
    item = {i["zone"]: i for i in organizer.get(FOOTFALL, {"day": "2019-08-26"}).json()["items"]}
    assert (item["S1"]["visits"], item["S1"]["unique_visitors"]) == (3, None)


def test_footfall_is_paginated(all_zones_sensor, organizer):
    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 3)])
    whole = organizer.get(FOOTFALL, {"day": "2019-08-26"}).json()
    zones = [i["zone"] for i in whole["items"]]
    assert whole["count"] == len(zones) > 2
    page = organizer.get(FOOTFALL, {"day": "2019-08-26", "limit": 2, "offset": 1}).json()
    assert (page["day"], page["count"]) == ("2019-08-26", len(zones))
    assert [i["zone"] for i in page["items"]] == zones[1:3]
    bad = organizer.get(FOOTFALL, {"limit": 0})
    assert bad.status_code == 422 and "limit" in error_of(bad)["detail"]["fields"]
