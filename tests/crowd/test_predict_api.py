"""Predicted crowd alerts in the API and on the live venue page: their own list, never among
the live alerts (and the reverse), in both languages, for organisers only, errors in the
error shape."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.crowd import predict
from smartexpo.crowd.models import CrowdAlert
from smartexpo.crowd.periods import from_us
from tests.checkin.conftest import scanner_client
from tests.conftest import error_of
from tests.crowd.conftest import ALERTS, ev, fold, post
from tests.crowd.test_live_page import make_user, signed_in

pytestmark = pytest.mark.django_db

PREDICTED = "/api/v1/expos/test-2019/venue/alerts/predicted"
PAGE = "/expos/test-2019/live/"
DATA = "/expos/test-2019/live/data.json"


def at(clock: str) -> str:
    return f"2019-08-26T{clock}+08:00"


@pytest.fixture
def rising(all_zones_sensor):
    """Hall S1 (threshold 500): ten people a minute from 10:00 to 10:49, then 100 leave at
    11:30. Predicted from 10:25 (expected 10:55); live alert from 10:49 to 11:30."""
    events = [ev("S1", "enter", at(f"10:{m:02d}:00"), 10) for m in range(50)]
    post(all_zones_sensor, [*events, ev("S1", "exit", at("11:30:00"), 100)])
    fold()


@pytest.fixture
def organiser_session(db):
    return signed_in(make_user("ops", staff=True))


def predicted(organizer, when, **params):
    response = organizer.get(PREDICTED, {"at": when, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_lists_a_predicted_alert_with_its_minutes_to_threshold(rising, organizer):
    body = predicted(organizer, at("10:35:00"))
    assert body["at"] == "2019-08-26T10:35:00+08:00"
    assert (body["day"], body["horizon_minutes"], body["count"]) == ("2019-08-26", 30, 1)
    assert body["items"] == [
        {
            "zone": "S1",
            "name": {"en": "Hall S1", "zh": "S1馆"},
            "basis": "trend",
            "threshold": 500,
            "clear_threshold": 450,
            "capacity": 500,
            "raised_at": "2019-08-26T02:25:00+00:00",
            "expected_at": "2019-08-26T02:55:00+00:00",
            "minutes_to_threshold": 15,
            "forecast_peak": 650,
            "cleared_at": None,
            "ended_by_reset": False,
            "active": True,
        }
    ]
    later = predicted(organizer, at("12:00:00"))["items"][0]
    assert later["cleared_at"] == "2019-08-26T03:31:00+00:00" and later["active"] is False
    assert later["minutes_to_threshold"] is None and later["forecast_peak"] is None
    assert predicted(organizer, at("12:00:00"), active="true")["count"] == 0
    assert predicted(organizer, at("12:00:00"), active="false")["count"] == 1
    assert predicted(organizer, at("12:00:00"), zone="N1")["count"] == 0
    assert predicted(organizer, at("10:24:00"))["items"] == []


def test_predicted_and_live_alerts_never_mix_in_the_api(rising, organizer):
    # At 10:35 the hall is predicted but has no live alert; at 11:00 it has both, each in
    # its own list.
    assert organizer.get(ALERTS, {"at": at("10:35:00")}).json()["items"] == []
    live = organizer.get(ALERTS, {"at": at("11:00:00")}).json()["items"]
    assert [(a["zone"], a["raised_at"]) for a in live] == [("S1", "2019-08-26T02:49:00+00:00")]
    assert "basis" not in live[0] and "expected_at" not in live[0]
    items = predicted(organizer, at("11:00:00"))["items"]
    assert [(a["zone"], a["raised_at"]) for a in items] == [("S1", "2019-08-26T02:25:00+00:00")]
    assert "id" not in items[0] and "reason" not in items[0]
    assert CrowdAlert.objects.count() == 1  # predictions are never stored as live alerts


def test_a_live_alert_alone_is_not_predicted(all_zones_sensor, organizer):
    # All at once: a live alert nothing foresaw; the predicted list stays empty.
    post(all_zones_sensor, [ev("S1", "enter", at("10:00:00"), 500)])
    fold()
    assert organizer.get(ALERTS, {"at": at("10:30:00")}).json()["count"] == 1
    assert predicted(organizer, at("10:30:00"))["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [({"at": "yesterday"}, "at"), ({"zone": "NOPE"}, "zone"), ({"active": "maybe"}, "active")],
)
def test_bad_parameters_are_422_in_the_error_shape(organizer, expo, params, field):
    response = organizer.get(PREDICTED, params)
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert error["code"] == "invalid" and field in error["detail"]["fields"]


def test_an_unknown_edition_is_a_404_in_the_error_shape(organizer, expo):
    response = organizer.get("/api/v1/expos/nope/venue/alerts/predicted")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("exhibitor", 403), ("scanner", 403), ("sensor", 403), ("organizer", 200)],
)
def test_the_same_roles_as_the_live_alert_list(
    role, status, anonymous, exhibitor, organizer, all_zones_sensor, expo, types
):
    client = {
        "anonymous": anonymous,
        "exhibitor": exhibitor,
        "scanner": scanner_client(expo),
        "sensor": all_zones_sensor,
        "organizer": organizer,
    }[role]
    for path in (PREDICTED, ALERTS):
        response = client.get(path, {"at": at("10:00:00")})
        assert response.status_code == status, (path, response.content)
        if status >= 400:
            assert error_of(response)["code"] in {"unauthenticated", "forbidden"}


def test_the_page_shows_predictions_in_their_own_section(rising, organiser_session):
    page = organiser_session.get(PAGE, {"at": "2019-08-26T10:35"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="predicted-title"' in html and "Predicted alerts" in html
    predicted_part = html[html.index('id="predicted"') :]
    live_part = html[html.index('id="alerts-active"') : html.index('id="predicted"')]
    assert "Expected to reach 500 in 15 minutes" in predicted_part
    assert (
        'data-zone="S1"' in predicted_part and "Predicted at 2019-08-26 10:25:00" in predicted_part
    )
    assert "Recent trend only" in predicted_part
    assert 'data-zone="S1"' not in live_part  # no live alert at 10:35
    # On the plan, the hall is flagged as predicted (not as alerting).
    assert 'data-zone="S1" data-level="B" data-alert="false" data-predicted="true"' in html
    assert 'data-zone="N1" data-level="A" data-alert="false" data-predicted="false"' in html


def test_the_page_data_keeps_the_two_lists_apart(rising, organiser_session):
    data = organiser_session.get(DATA, {"at": at("11:00:00")}).json()
    assert [a["zone"] for a in data["alerts"]["active"]] == ["S1"]
    assert "expected_at" not in data["alerts"]["active"][0]
    assert [a["zone"] for a in data["predicted"]["active"]] == ["S1"]
    assert data["predicted"]["active"][0]["minutes_to_threshold"] == 0
    assert "acknowledge_url" not in data["predicted"]["active"][0]
    s1 = next(z for z in data["zones"] if z["zone"] == "S1")
    assert s1["alert"] is True and s1["predicted"] is True
    before = organiser_session.get(DATA, {"at": at("10:35:00")}).json()
    assert before["alerts"]["active_count"] == 0 and before["predicted"]["active_count"] == 1
    after = organiser_session.get(DATA, {"at": at("12:00:00")}).json()
    assert after["predicted"]["active"] == []
    assert [a["cleared_local"] for a in after["predicted"]["recent"]] == ["2019-08-26 11:31:00"]


def test_the_page_is_bilingual(rising, organiser_session):
    english = organiser_session.get(PAGE, {"at": "2019-08-26T10:35"}).content.decode()
    chinese = organiser_session.get("/zh-hans" + PAGE, {"at": "2019-08-26T10:35"})
    html = chinese.content.decode()
    assert chinese.status_code == 200
    assert "Predicted alerts" in english and "预测警报" in html
    assert "预计 15 分钟后达到 500" in html and "仅依据近期趋势" in html
    assert "预测于 2019-08-26 10:25:00" in html
    assert "Expected to reach" not in html and "Predicted" not in html.split("预测警报", 1)[1]
    data = organiser_session.get("/zh-hans" + DATA, {"at": at("10:35:00")}).json()
    assert data["predicted"]["active"][0]["label"] == "S1馆"
    assert data["predicted"]["active"][0]["basis_label"] == "仅依据近期趋势"


def test_only_organisers_see_the_page_and_its_data(rising, client, db):
    assert client.get(PAGE).status_code == 302
    assert error_of(client.get(DATA))["code"] == "unauthenticated"
    visitor = signed_in(make_user("visitor", staff=False))
    assert visitor.get(PAGE).status_code == 403
    assert visitor.get(DATA).status_code == 403


def test_the_live_instant_is_the_edition_clock(rising, organizer, expo):
    # No `at`: the edition's now (real time, long after 2019): an empty count period.
    body = organizer.get(PREDICTED).json()
    assert body["count"] == 0
    assert dt.datetime.fromisoformat(body["at"]).year >= 2026


@pytest.mark.parametrize("instant", ["1971-01-01T00:00:00+14:00", "9998-12-31T23:59:59-14:00"])
def test_instants_at_the_ends_of_the_calendar_are_answered(organizer, expo, instant):
    body = predicted(organizer, instant)
    assert body["count"] == 0 and body["items"] == []


def test_a_prediction_kept_by_the_hysteresis_says_so(expo, organizer, organiser_session):
    # Up to 480 fast (predicted), then flat: the forecast falls below 500 but not to 450, so
    # the predicted alert stays, no longer expecting the threshold within 30 minutes.
    from tests.crowd.test_predict import fold_moves, rising, t

    fold_moves(expo, rising("S1", t("10:00:00"), 12, 40))
    forecast = predict.day_forecast(expo=expo, day=dt.date(2019, 8, 26))
    k = [z.code for z in forecast.halls].index("S1")
    kept = (forecast.alert[k]) & (forecast.first_cross[k] < 0)
    minute = int(forecast.minutes[kept.argmax()])
    assert kept.any()
    instant = from_us(minute * 60_000_000).astimezone(expo.tz)
    [item] = predicted(organizer, instant.isoformat())["items"]
    assert item["active"] is True and item["minutes_to_threshold"] is None
    assert item["forecast_peak"] < 500
    html = organiser_session.get(PAGE, {"at": instant.strftime("%Y-%m-%dT%H:%M")}).content
    part = html.decode()[html.decode().index('id="predicted"') :]
    assert "No longer expected within 30 minutes; kept until the forecast falls to 450" in part
