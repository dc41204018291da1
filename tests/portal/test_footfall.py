"""The portal's footfall page: the booth's visits, distinct visitors and dwell per day, checked
against movements the booth's sensors report, for every role."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from smartexpo.crowd import selectors as crowd
from smartexpo.venue.models import Booth, Zone, ZoneKind
from tests.crowd.conftest import at, ev, huawei_booth_visits, post
from tests.portal.conftest import signed_in

FOOTFALL = "/portal/test-2019/huawei/footfall/"


@pytest.fixture
def booth_zones(expo):
    """Huawei's booth N1-001 counted by zone N1-B, Toyota's S1-001 by a zone of its own."""
    Booth.objects.filter(code="N1-001").update(zone=Zone.objects.get(code="N1-B"))
    toyota_zone = Zone.objects.create(
        expo=expo,
        code="S1-B",
        kind=ZoneKind.BOOTH,
        hall=expo.test_halls["S1"],
        name_en="Toyota booth",
        name_zh="丰田展位",
        area_m2=Decimal(72),
        capacity=40,
        position=12,
    )
    Booth.objects.filter(code="S1-001").update(zone=toyota_zone)


@pytest.fixture
def sensor(expo, booth_zones):
    from smartexpo.devices.services import device_create
    from tests.conftest import ApiClient

    _device, token = device_create(
        expo=expo, name="Booth counters", kind="sensor", zones=["N1-B", "S1-B"]
    )
    return ApiClient(token)


def movements(sensor):
    """Reported by the sensors and left pending: the page folds them before it reads."""
    post(
        sensor,
        [
            *huawei_booth_visits(),
            ev("S1-B", "enter", at("14:00:00"), visitor="v9"),
            ev("S1-B", "exit", at("14:30:00")),
        ],
    )


def row(html: str, day: str) -> dict[str, str]:
    """The per-day table's cells of one day, by field."""
    found = re.search(rf'<tr data-day="{day}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, html
    cells = re.findall(r'<td data-field="(\w+)">(.*?)</td>', found.group(1), re.S)
    return {name: re.sub(r"<[^>]+>", "", value).strip() for name, value in cells}


def test_the_page_shows_each_day_of_the_booth_as_the_sensors_counted_it(sensor, staff_client):
    movements(sensor)
    response = staff_client.get(FOOTFALL)
    assert response.status_code == 200
    html = response.content.decode()
    # 3 visits by 2 people; 2 × 10 min + 5 min over 3 visits is 8.3 min; 2 at once. The
    # average booth: (3 + 1) visits over the two booths with an exhibitor, and 3 is × 1.5.
    assert row(html, "2019-08-26") == {
        "visits": "3",
        "unique": "2",
        "dwell": "8.3",
        "peak": "2",
        "average": "2.0 (×1.5)",
    }
    # Still there at closing (18:00): 8 hours.
    assert row(html, "2019-08-27") == {
        "visits": "1",
        "unique": "1",
        "dwell": "480.0",
        "peak": "1",
        "average": "0.5 (×2.0)",
    }
    assert row(html, "2019-08-28")["visits"] == "0"
    assert 'data-chart="visits-per-day"' in html
    # The latest day anybody came is the day shown by default.
    assert "Over the day: 2019-08-27" in html


def test_a_chosen_day_has_visits_per_hour_and_people_over_the_day(sensor, admin_client):
    movements(sensor)
    html = admin_client.get(FOOTFALL, {"day": "2019-08-26"}).content.decode()
    assert 'data-chart="visits-per-hour"' in html and 'data-chart="occupancy"' in html
    assert '<tr><th scope="row">10:00</th><td>2</td></tr>' in html
    assert '<tr><th scope="row">11:00</th><td>1</td></tr>' in html
    assert '<tr><th scope="row">09:00</th><td>0</td></tr>' in html
    # Occupancy every half hour in the table (the chart has every ten minutes).
    assert '<table class="availability" id="occupancy-table">' in html
    occupancy = html.split('id="occupancy-table"')[1]
    assert '<th scope="row">10:00</th><td>2</td>' in occupancy
    assert '<th scope="row">10:30</th><td>0</td>' in occupancy


def test_the_day_series_matches_the_movements(expo, sensor):
    movements(sensor)
    from smartexpo.crowd.services import pending_fold

    pending_fold(expo=expo)
    zone = Zone.objects.get(code="N1-B")
    series = crowd.day_series(expo=expo, day=dt.date(2019, 8, 26), zone_ids=[zone.pk])
    by_hour = {start.astimezone(expo.tz).hour: n for start, n in series.hours}
    assert by_hour[10] == 2 and by_hour[11] == 1 and sum(by_hour.values()) == 3
    counts = {a.astimezone(expo.tz).strftime("%H:%M"): n for a, n in series.occupancy}
    assert (counts["09:50"], counts["10:00"], counts["10:10"], counts["11:00"]) == (0, 2, 0, 1)
    assert counts["18:00"] == 0
    booths = crowd.booth_owners(expo=expo)
    averages = crowd.booth_average_visits(expo=expo, booths=booths)
    assert averages[dt.date(2019, 8, 26)] == 2.0


def test_chinese_page(sensor, staff_client):
    movements(sensor)
    html = staff_client.get("/zh-hans" + FOOTFALL, {"day": "2019-08-26"}).content.decode()
    assert "客流" in html and "每小时到访" in html


def test_no_movement_yet_is_explained_not_charted(booth_zones, staff_client):
    html = staff_client.get(FOOTFALL).content.decode()
    assert 'data-empty="no-data"' in html
    assert "<svg" not in html


def test_a_booth_without_sensors_or_no_booth_is_explained(expo, organiser_client):
    # Toyota's booth has no counting zone here; the newcomer has no booth at all.
    toyota = organiser_client.get("/portal/test-2019/toyota/footfall/").content.decode()
    assert 'data-empty="no-booth"' in toyota and "S1-001" in toyota
    newcomer = organiser_client.get("/portal/test-2019/newcomer/footfall/").content.decode()
    assert "You have no booth at this edition yet" in newcomer


def test_an_unknown_day_falls_back_to_a_known_one(sensor, staff_client):
    movements(sensor)
    response = staff_client.get(FOOTFALL, {"day": "1999-01-01"})
    assert response.status_code == 200
    assert "not a day of this edition" in response.content.decode()
    assert staff_client.get(FOOTFALL, {"day": "<script>"}).status_code == 200


def test_who_may_see_the_footfall(sensor, other_client, organiser_client, huawei_staff):
    movements(sensor)
    anonymous = Client().get(FOOTFALL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/portal/login/")
    # Toyota's admin: Huawei's portal does not exist for them.
    assert other_client.get(FOOTFALL).status_code == 404
    # An organiser sees any exhibitor's footfall, the same numbers.
    html = organiser_client.get(FOOTFALL).content.decode()
    assert row(html, "2019-08-26")["visits"] == "3"
    # Toyota's own page shows Toyota's booth, not Huawei's.
    own = other_client.get("/portal/test-2019/toyota/footfall/").content.decode()
    assert row(own, "2019-08-26")["visits"] == "1"
    assert signed_in(huawei_staff).post(FOOTFALL).status_code == 405


# --- the charts ------------------------------------------------------------------------------


def test_a_chart_escapes_its_texts_and_thins_crowded_labels():
    from smartexpo.portal import charts

    hours = [charts.Point(f"{h:02d}", h, f"<b>{h}</b>") for h in range(24)]
    svg = str(charts.bar_chart("hours", hours, title="Visits & more"))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "Visits &amp; more" in svg
    assert svg.count('class="bar"') == 24
    # 24 labels would overlap in a 360-unit drawing: every third one is written.
    assert svg.count('class="label"') == 8
    assert charts.nice_ceiling(0) == 1 and charts.nice_ceiling(218) == 250
    assert charts.nice_ceiling(9) == 10 and charts.nice_ceiling(1_200) == 2_000
    empty = str(charts.line_chart("none", [], title="Nobody"))
    assert "<polyline" not in empty and 'data-chart="none"' in empty
