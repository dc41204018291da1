"""The live venue page: organisers only, in both languages, and data that follows the sensors."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from importlib import metadata

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from smartexpo.crowd import live, services
from smartexpo.crowd.models import CrowdAlert, ReplayClock
from smartexpo.devices.services import device_create
from tests.conftest import ApiClient, error_of

pytestmark = pytest.mark.django_db

PAGE = "/expos/test-2019/live/"
DATA = "/expos/test-2019/live/data.json"
CHART = "/expos/test-2019/live/chart.json"
EVENTS = "/api/v1/expos/test-2019/venue/events"
TEN = "2019-08-26T10:00:00+08:00"
_ids = itertools.count(1)

LEVEL_A = "#3fae49"
LEVEL_E = "#c62828"


def make_user(username, *, staff):
    return get_user_model().objects.create_user(username, password="pw-for-tests", is_staff=staff)


def signed_in(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


@pytest.fixture
def organiser(db):
    return signed_in(make_user("ops", staff=True))


@pytest.fixture
def sensor(expo):
    _device, token = device_create(
        expo=expo, name="Hall doors", kind="sensor", zones=["V", "N1", "S1", "N1-B"]
    )
    return ApiClient(token)


def post_movement(sensor, zone, count, at, kind="enter"):
    event = {"id": f"e{next(_ids)}", "zone": zone, "kind": kind, "at": at, "count": count}
    answer = sensor.post(EVENTS, {"events": [event]})
    assert answer.json()["accepted"] == 1, answer.json()


def data_at(client, at=TEN, url=DATA):
    response = client.get(url, {"at": at} if at else None)
    assert response.status_code == 200, response.content
    return response.json()


def zone_in(data, code):
    return next(z for z in data["zones"] if z["zone"] == code)


def config_of(html: str) -> dict:
    match = re.search(
        r'<script id="live-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the page passes its configuration and strings in a json_script block"
    return json.loads(match.group(1))


def hall_group(html: str, code: str) -> str:
    match = re.search(rf'<g class="live-hall" data-zone="{code}".*?</g>', html, re.S)
    assert match, f"hall {code} is drawn on the plan"
    return match.group(0)


# --- who may see it -----------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_admin_login(expo):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/expos/test-2019/live/"


def test_a_signed_in_user_who_is_not_staff_is_refused(expo):
    client = signed_in(make_user("visitor", staff=False))
    page = client.get(PAGE)
    assert page.status_code == 403
    assert "Organisers only" in page.content.decode()
    for url in (DATA, CHART):
        refused = client.get(url)
        assert refused.status_code == 403
        assert error_of(refused)["code"] == "forbidden"


def test_the_json_answers_an_anonymous_script_with_401_not_a_login_page(expo):
    for url in (DATA, CHART):
        response = Client().get(url)
        assert response.status_code == 401
        assert error_of(response)["code"] == "unauthenticated"


def test_an_unknown_edition_is_not_found(organiser, expo):
    assert organiser.get("/expos/nope/live/").status_code == 404
    missing = organiser.get("/expos/nope/live/data.json")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"


# --- the page -----------------------------------------------------------------------------


def test_an_organiser_sees_every_hall_on_the_plan_in_english(organiser, expo):
    response = organiser.get(PAGE, {"at": "2019-08-26T10:00"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in ("Live venue", "Site plan", "Alerts", "Occupancy over the day", "Free flow"):
        assert text in html
    # A wall-clock time from the picker is read in the edition's time zone.
    assert "Chosen instant 2019-08-26 10:00:00" in html
    assert "Times in Asia/Shanghai (UTC+08:00)" in html
    for code in ("N1", "S1"):
        group = hall_group(html, code)
        assert 'data-level="A"' in group and f'fill="{LEVEL_A}"' in group
        assert "0 / 500" in group and "0.00 p/m² · A" in group
    config = config_of(html)
    assert config["lang"] == "en"
    assert config["at"] == "2019-08-26T10:00:00+08:00"
    assert config["urls"] == {"data": DATA, "chart": CHART}
    assert config["pollMs"] <= 3000
    assert config["strings"]["connection_lost"] == "Connection lost, retrying…"
    assert config["strings"]["reasons"]["capacity"] == "safe capacity reached"
    # The chart library comes from the app itself, by the installed plotly's version.
    version = metadata.version("plotly")
    assert f'<script src="/vendor/plotly-{version}.min.js" defer></script>' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_the_page_in_chinese(organiser, expo):
    response = organiser.get("/zh-hans" + PAGE, {"at": TEN})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    for text in (
        "实时场馆",
        "场馆总平面图",
        "全天人数变化",
        "自由通行",
        "指定时刻 2019-08-26 10:00:00",
    ):
        assert text in html
    assert "N1馆" in html  # the zone's Chinese name
    config = config_of(html)
    assert config["lang"] == "zh"
    assert config["urls"]["data"] == "/zh-hans" + DATA
    assert config["strings"]["connection_lost"] == "连接中断，正在重试…"
    assert config["strings"]["reasons"]["capacity"] == "已达安全容量"


def test_on_a_day_without_the_expo_the_page_says_so_and_offers_the_latest_movements(
    organiser, expo, sensor
):
    post_movement(sensor, "N1", 40, "2019-08-27T15:20:30+08:00")
    html = organiser.get(PAGE).content.decode()
    note = re.search(r'<div id="idle-note"[^>]*>(.*?)</div>', html, re.S)
    assert note and "hidden" not in note.group(0).split(">")[0]
    assert "The edition is not running today (it runs from 2019-08-26 to 2019-08-29)" in html
    assert "Show the latest recorded movements" in html
    assert "2019-08-27 15:20:59" in note.group(1)
    data = data_at(organiser, at=None)
    assert data["clock"]["source"] == "now" and data["clock"]["idle"] is True
    latest = organiser.get(data["clock"]["latest"]["url"])
    assert "Chosen instant 2019-08-27 15:20:59" in latest.content.decode()
    assert zone_in(data_at(organiser, latest.context["data"]["at"]), "N1")["count"] == 40


def test_movements_at_closing_time_are_offered_at_closing_time_not_after_the_reset(
    organiser, expo, sensor
):
    post_movement(sensor, "N1", 12, "2019-08-28T18:00:00+08:00")
    latest = data_at(organiser, at=None)["clock"]["latest"]
    assert latest["local"] == "2019-08-28 18:00:00"
    shown = organiser.get(latest["url"]).context["data"]
    assert zone_in(shown, "N1")["count"] == 12


@pytest.mark.parametrize("at", ["yesterday", "9999-12-31T23:59"])
def test_an_unreadable_instant_on_the_page_is_explained_not_a_crash(organiser, expo, at):
    response = organiser.get(PAGE, {"at": at})
    assert response.status_code == 400
    assert "That instant could not be read" in response.content.decode()


def test_the_edition_admin_page_links_to_the_live_page(organiser, expo):
    admin = signed_in(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    html = admin.get(f"/admin/venue/expo/{expo.pk}/change/").content.decode()
    assert 'href="/expos/test-2019/live/"' in html


# --- data.json ----------------------------------------------------------------------------


def test_data_follows_a_batch_of_events_with_counts_levels_colours_and_alerts(
    organiser, expo, sensor
):
    before = data_at(organiser)
    assert zone_in(before, "N1")["count"] == 0
    assert zone_in(before, "N1")["colour"] == LEVEL_A
    assert before["alerts"] == {"active_count": 0, "active": [], "recent": []}

    post_movement(sensor, "N1", 1200, "2019-08-26T09:30:00+08:00")
    post_movement(sensor, "S1", 100, "2019-08-26T09:40:00+08:00")
    post_movement(sensor, "N1-B", 9, "2019-08-26T09:45:00+08:00")
    data = data_at(organiser)

    assert data["at"] == TEN
    assert data["clock"]["source"] == "chosen" and data["clock"]["local"] == "2019-08-26 10:00:00"
    n1, s1 = zone_in(data, "N1"), zone_in(data, "S1")
    assert (n1["count"], n1["capacity"], n1["density"], n1["level"]) == (1200, 500, 1.2, "E")
    assert (n1["colour"], n1["ink"], n1["alert"]) == (LEVEL_E, "#ffffff", True)
    assert (s1["count"], s1["level"], s1["colour"], s1["alert"]) == (100, "A", LEVEL_A, False)
    assert n1["label"] == "Hall N1" and n1["kind_label"] == "Hall"
    # Booth zones are listed only among the busiest booths.
    assert "N1-B" not in {z["zone"] for z in data["zones"]}
    assert data["booths"]["count"] == 1
    [booth] = data["booths"]["busiest"]
    assert (booth["zone"], booth["hall"], booth["count"], booth["level"]) == ("N1-B", "N1", 9, "A")
    assert {h["zone"] for h in data["plan"]["halls"]} == {"N1", "S1"}
    assert data["plan"]["halls"][0] == {
        "zone": "N1",
        "x": 0.0,
        "y": 0.0,
        "width": 50.0,
        "depth": 20.0,
    }

    assert data["alerts"]["active_count"] == 1
    [alert] = data["alerts"]["active"]
    assert (alert["zone"], alert["label"], alert["reason"]) == ("N1", "Hall N1", "capacity")
    assert alert["reason_label"] == "safe capacity reached"
    assert alert["raised_local"] == "2019-08-26 09:30:00"
    assert (alert["peak_count"], alert["active"], alert["acknowledged_at"]) == (1200, True, None)
    assert alert["acknowledge_url"] == f"/expos/test-2019/live/alerts/{alert['id']}/acknowledge/"


def test_an_ended_alert_moves_to_the_recent_list(organiser, expo, sensor):
    post_movement(sensor, "N1", 1200, "2019-08-26T09:30:00+08:00")
    post_movement(sensor, "N1", 1200, "2019-08-26T11:15:00+08:00", kind="exit")
    data = data_at(organiser, "2019-08-26T12:00:00+08:00")
    assert zone_in(data, "N1")["count"] == 0
    assert data["alerts"]["active_count"] == 0
    [ended] = data["alerts"]["recent"]
    assert (ended["active"], ended["cleared_local"]) == (False, "2019-08-26 11:15:00")


def test_the_replay_clock_is_followed_while_fresh_and_ignored_once_stale(organiser, expo, sensor):
    post_movement(sensor, "N1", 300, "2019-08-26T09:30:00+08:00")
    services.replay_clock_set(expo=expo, at=dt.datetime.fromisoformat(TEN), speed=600)
    data = data_at(organiser, at=None)
    assert data["clock"]["source"] == "replay"
    assert data["clock"]["label"] == "Simulated time 2019-08-26 10:00:00 (×600)"
    assert data["clock"]["idle"] is False
    assert zone_in(data, "N1")["count"] == 300
    assert "Simulated time 2019-08-26 10:00:00 (×600)" in organiser.get(PAGE).content.decode()

    ReplayClock.objects.update(updated_at=timezone.now() - dt.timedelta(seconds=31))
    stale = data_at(organiser, at=None)
    assert stale["clock"]["source"] == "now" and stale["clock"]["label"].startswith("Now ")
    assert zone_in(stale, "N1")["count"] == 0
    # An instant the organiser chose wins over a running simulation.
    services.replay_clock_set(expo=expo, at=dt.datetime.fromisoformat(TEN), speed=600)
    chosen = data_at(organiser, "2019-08-26T09:00:00+08:00")
    assert chosen["clock"]["source"] == "chosen" and zone_in(chosen, "N1")["count"] == 0


def test_a_simulation_behind_its_speed_shows_the_speed_achieved_beside_the_one_asked(
    organiser, expo
):
    at = dt.datetime.fromisoformat(TEN)
    services.replay_clock_set(expo=expo, at=at, speed=600, achieved=75.4)
    clock = data_at(organiser, at=None)["clock"]
    assert (clock["source"], clock["speed"], clock["asked"]) == ("replay", 75.4, 600)
    assert clock["label"] == "Simulated time 2019-08-26 10:00:00 (×75, asked ×600)"
    assert (
        "Simulated time 2019-08-26 10:00:00 (×75, asked ×600)"
        in organiser.get(PAGE).content.decode()
    )
    chinese = data_at(organiser, at=None, url="/zh-hans" + DATA)["clock"]
    assert chinese["label"] == "模拟时间 2019-08-26 10:00:00（×75，设定 ×600）"
    # A run that keeps its speed (within its measure's wobble) shows the speed alone.
    services.replay_clock_set(expo=expo, at=at, speed=600, achieved=598.2)
    assert data_at(organiser, at=None)["clock"]["label"] == (
        "Simulated time 2019-08-26 10:00:00 (×598)"
    )
    services.replay_clock_set(expo=expo, at=at, speed=2, achieved=0.5)
    assert data_at(organiser, at=None)["clock"]["label"] == (
        "Simulated time 2019-08-26 10:00:00 (×0.5, asked ×2)"
    )


def test_renewing_the_replay_clock_keeps_its_instant_and_keeps_it_fresh(organiser, expo):
    services.replay_clock_set(expo=expo, at=dt.datetime.fromisoformat(TEN), speed=600)
    ReplayClock.objects.update(updated_at=timezone.now() - dt.timedelta(seconds=31))
    assert data_at(organiser, at=None)["clock"]["source"] == "now"
    assert services.replay_clock_renew(expo=expo) is True
    clock = data_at(organiser, at=None)["clock"]
    assert (clock["source"], clock["local"]) == ("replay", "2019-08-26 10:00:00")
    services.replay_clock_clear(expo=expo)
    assert services.replay_clock_renew(expo=expo) is False


@pytest.mark.parametrize(
    "at",
    [
        "2019-08-26T10:00:00",
        "2019-08-26T10:00",
        "yesterday",
        "2019-13-01T00:00:00+08:00",
        "9999-12-31T23:59:00+08:00",
        "0001-01-01T00:00:00+08:00",
    ],
)
def test_an_instant_without_its_offset_or_unreadable_is_a_422_naming_the_field(organiser, expo, at):
    for url in (DATA, CHART):
        response = organiser.get(url, {"at": at})
        assert response.status_code == 422
        error = error_of(response)
        assert error["code"] == "invalid"
        assert "offset" in error["detail"]["fields"]["at"]


def test_an_offset_whose_plus_became_a_space_in_the_query_string_is_read(organiser, expo):
    response = organiser.get(DATA + "?at=2019-08-26T10:00:00+08:00")
    assert response.status_code == 200
    assert response.json()["at"] == TEN


# --- acknowledging ------------------------------------------------------------------------


def raise_alert(sensor):
    post_movement(sensor, "N1", 600, "2019-08-26T09:30:00+08:00")
    services.pending_fold(expo=CrowdAlert._meta.apps.get_model("venue", "Expo").objects.get())
    return CrowdAlert.objects.get()


def acknowledge_url(alert):
    return f"/expos/test-2019/live/alerts/{alert.pk}/acknowledge/"


def test_acknowledging_keeps_the_first_organisers_name_and_time(organiser, expo, sensor):
    alert = raise_alert(sensor)
    first = organiser.post(acknowledge_url(alert), headers={"Accept": "application/json"})
    assert first.status_code == 200
    body = first.json()
    assert (body["id"], body["acknowledged_by"]) == (alert.pk, "ops")
    assert body["acknowledged_local"]
    again = signed_in(make_user("ops2", staff=True)).post(
        acknowledge_url(alert), headers={"Accept": "application/json"}
    )
    assert again.status_code == 200
    assert again.json()["acknowledged_by"] == "ops"
    assert again.json()["acknowledged_at"] == body["acknowledged_at"]
    alert.refresh_from_db()
    assert alert.acknowledged_by == "ops"
    shown = data_at(organiser)["alerts"]["active"][0]
    assert shown["acknowledged_by"] == "ops"


def test_acknowledging_without_javascript_returns_to_the_page(organiser, expo, sensor):
    alert = raise_alert(sensor)
    back = f"{PAGE}?at=2019-08-26T10%3A00"
    response = organiser.post(acknowledge_url(alert), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    elsewhere = organiser.post(acknowledge_url(alert), {"next": "https://example.com/"})
    assert elsewhere["Location"] == PAGE
    assert "Acknowledged by ops at" in organiser.get(back).content.decode()


def test_acknowledging_an_unknown_alert_or_by_a_non_organiser_is_refused(expo, sensor):
    alert = raise_alert(sensor)
    json_headers = {"Accept": "application/json"}
    staff = signed_in(make_user("ops", staff=True))
    missing = staff.post("/expos/test-2019/live/alerts/999999/acknowledge/", headers=json_headers)
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"
    visitor = signed_in(make_user("visitor", staff=False))
    assert visitor.post(acknowledge_url(alert), headers=json_headers).status_code == 403
    assert Client().post(acknowledge_url(alert), headers=json_headers).status_code == 401
    assert staff.get(acknowledge_url(alert)).status_code == 405
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_acknowledging_needs_the_csrf_token(expo, sensor):
    alert = raise_alert(sensor)
    client = signed_in(make_user("ops", staff=True), enforce_csrf_checks=True)
    headers = {"Accept": "application/json"}
    assert client.post(acknowledge_url(alert), headers=headers).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    token = config_of(client.get(PAGE).content.decode())["csrf"]
    accepted = client.post(acknowledge_url(alert), headers={**headers, "X-CSRFToken": token})
    assert accepted.status_code == 200
    assert accepted.json()["acknowledged_by"] == "ops"


# --- chart.json ---------------------------------------------------------------------------


def test_the_chart_has_a_line_per_hall_every_five_minutes_from_opening_to_the_instant(
    organiser, expo, sensor
):
    post_movement(sensor, "N1", 250, "2019-08-26T09:30:00+08:00")
    chart = data_at(organiser, "2019-08-26T10:02:00+08:00", url=CHART)
    assert chart["day"] == "2019-08-26" and chart["step"] == 300
    times = chart["times"]
    assert times[0] == "2019-08-26 09:00:00"
    assert times[-2:] == ["2019-08-26 10:00:00", "2019-08-26 10:02:00"]
    assert len(times) == 14
    lines = {s["zone"]: s for s in chart["series"]}
    assert set(lines) == {"N1", "S1"}
    assert lines["N1"]["label"] == "Hall N1"
    assert lines["N1"]["counts"] == [0] * 6 + [250] * 8
    assert lines["S1"]["counts"] == [0] * 14


def test_before_opening_the_chart_is_the_instant_alone(organiser, expo):
    chart = data_at(organiser, "2019-08-26T07:00:00+08:00", url=CHART)
    assert chart["times"] == ["2019-08-26 07:00:00"]


# --- the chart library --------------------------------------------------------------------


def test_the_chart_library_is_served_from_the_installed_wheel_with_a_long_cache():
    version = metadata.version("plotly")
    url = f"/vendor/plotly-{version}.min.js"
    plain = Client().get(url)
    assert plain.status_code == 200
    assert plain["Content-Type"].startswith("text/javascript")
    assert "immutable" in plain["Cache-Control"] and "max-age=31536000" in plain["Cache-Control"]
    assert b"plotly.js" in plain.content[:400]
    zipped = Client().get(url, headers={"Accept-Encoding": "gzip, br"})
    assert zipped["Content-Encoding"] == "gzip"
    assert len(zipped.content) < len(plain.content) / 2
    again = Client().get(url, headers={"If-None-Match": plain["ETag"]})
    assert again.status_code == 304
    assert Client().get("/vendor/plotly-0.0.1.min.js").status_code == 404


# --- the shapes and colours ---------------------------------------------------------------


def test_levels_run_from_green_to_dark_red_with_their_density_bounds():
    levels = live.level_list()
    assert [lv.letter for lv in levels] == list("ABCDEF")
    assert levels[0].colour == LEVEL_A and levels[4].colour == LEVEL_E
    assert [lv.upper for lv in levels] == [0.31, 0.43, 0.72, 1.08, 2.17, None]
    assert levels[5].lower == 2.17 and levels[0].lower is None


def test_the_plan_draws_placed_halls_to_scale_with_text_inside_them(expo):
    plan = live.live_plan(expo=expo)
    assert plan.view_box == "-4 -4 118.0 28.0"
    n1, s1 = plan.shapes
    assert (n1.zone, n1.x, n1.width, s1.x) == ("N1", 0.0, 50.0, 60.0)
    for hall in plan.shapes:
        assert hall.y < hall.code_y < hall.count_y < hall.density_y < hall.y + hall.depth
        assert hall.x < hall.flag_x < hall.x + hall.width
