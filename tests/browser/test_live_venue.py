"""An organiser watches the live venue page while the sensors of hall N1 report a crowd."""

from __future__ import annotations

import json
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from smartexpo.crowd.models import CrowdAlert
from smartexpo.devices.services import device_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "live-venue-test-password"
LEVEL_A = "#3fae49"
LEVEL_E = "#c62828"


def post_events(base_url, expo, token, events):
    request = urllib.request.Request(
        f"{base_url}/api/v1/expos/{expo.slug}/venue/events",
        data=json.dumps({"events": events}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def sign_in(page, username):
    """The admin's own login form, where the page sends anyone not signed in."""
    expect(page.locator("#id_username")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator('input[type="submit"]').click()


def test_a_hall_turns_from_level_a_to_a_warning_colour_after_a_batch_of_events(
    live_server, page, expo
):
    get_user_model().objects.create_user("ops", password=PASSWORD, is_staff=True)
    _sensor, token = device_create(expo=expo, name="Hall N1 doors", kind="sensor", zones=["N1"])

    # An instant inside the first expo day, as the picker sends it (the edition's time).
    page.goto(f"{live_server.url}/expos/{expo.slug}/live/?at=2019-08-26T10:00")
    sign_in(page, "ops")
    expect(page.get_by_role("heading", name="Live venue")).to_be_visible()
    expect(page.locator("#clock")).to_have_text("Chosen instant 2019-08-26 10:00:00")
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")

    hall = page.locator('.live-hall[data-zone="N1"]')
    area = hall.locator("rect")
    expect(hall).to_have_attribute("data-level", "A")
    expect(area).to_have_attribute("fill", LEVEL_A)
    expect(hall.locator(".live-hall-count")).to_have_text("0 / 500")
    expect(page.locator("#alerts-active")).to_have_text("No active alerts.")
    # The chart is drawn by the plotly.js the app serves.
    expect(page.locator("#chart .main-svg").first).to_be_visible()

    # Nothing below reloads the page: a marker set now must still be there at the end.
    page.evaluate("window.stillTheSamePage = true")
    batch = [
        {
            "id": f"door-{n}",
            "zone": "N1",
            "kind": "enter",
            "at": "2019-08-26T09:50:00+08:00",
            "count": 100,
        }
        for n in range(12)
    ]
    assert post_events(live_server.url, expo, token, batch)["accepted"] == 12

    # 1,200 people on 1,000 m²: 1.2 p/m², level E, and over the safe capacity of 500.
    expect(hall).to_have_attribute("data-level", "E", timeout=10_000)
    expect(area).to_have_attribute("fill", LEVEL_E)
    expect(area).to_have_css("fill", "rgb(198, 40, 40)")
    expect(hall).to_have_attribute("data-alert", "true")
    expect(hall.locator(".live-hall-count")).to_have_text("1,200 / 500")
    expect(hall.locator(".live-hall-density")).to_have_text("1.20 p/m² · E")
    expect(page.locator('#zones tr[data-zone="N1"] [data-field="level"]')).to_have_text("E")
    alert = page.locator('#alerts-active .live-alert[data-zone="N1"]')
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("safe capacity reached")
    expect(alert).to_contain_text("Raised 2019-08-26 09:50:00")
    expect(page.locator("#alert-count")).to_have_text("1")
    # The other hall stays calm.
    expect(page.locator('.live-hall[data-zone="S1"]')).to_have_attribute("data-level", "A")
    assert page.evaluate("window.stillTheSamePage") is True

    # The organiser acknowledges the alert from the page.
    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert).to_contain_text("Acknowledged by ops at")
    assert CrowdAlert.objects.get().acknowledged_by == "ops"

    # The network goes: the page says so and keeps what it showed; it comes back by itself.
    page.context.set_offline(True)
    expect(page.locator("#status")).to_have_text("Connection lost, retrying…", timeout=15_000)
    expect(hall).to_have_attribute("data-level", "E")
    page.context.set_offline(False)
    expect(page.locator("#status")).to_have_attribute("data-state", "ok", timeout=15_000)
    assert page.evaluate("window.stillTheSamePage") is True


def test_the_page_in_chinese_follows_the_simulators_clock(live_server, page, expo):
    import datetime as dt

    from smartexpo.crowd.services import replay_clock_set

    get_user_model().objects.create_user("ops", password=PASSWORD, is_staff=True)
    replay_clock_set(
        expo=expo, at=dt.datetime.fromisoformat("2019-08-27T11:30:00+08:00"), speed=600
    )
    page.goto(f"{live_server.url}/zh-hans/expos/{expo.slug}/live/")
    sign_in(page, "ops")
    expect(page.get_by_role("heading", name="实时场馆")).to_be_visible()
    expect(page.locator("#clock")).to_have_text("模拟时间 2019-08-27 11:30:00（×600）")
    replay_clock_set(
        expo=expo, at=dt.datetime.fromisoformat("2019-08-27T11:40:00+08:00"), speed=600
    )
    expect(page.locator("#clock")).to_have_text("模拟时间 2019-08-27 11:40:00（×600）")
    expect(page.locator("#status")).to_contain_text("更新于")


def test_the_header_shows_the_speed_a_simulation_achieves_in_english_and_chinese(
    live_server, page, expo
):
    import datetime as dt

    from smartexpo.crowd.services import replay_clock_renew, replay_clock_set

    get_user_model().objects.create_user("ops", password=PASSWORD, is_staff=True)
    ten = dt.datetime.fromisoformat("2019-08-27T10:00:00+08:00")
    replay_clock_set(expo=expo, at=ten, speed=600, achieved=75.3)
    page.goto(f"{live_server.url}/expos/{expo.slug}/live/")
    sign_in(page, "ops")
    expect(page.locator("#clock")).to_have_text(
        "Simulated time 2019-08-27 10:00:00 (×75, asked ×600)"
    )
    expect(page.locator("#idle-note")).to_be_hidden()
    # The run renews its clock while a slow tick's work goes on: the header stays, polls on.
    replay_clock_renew(expo=expo)
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")
    replay_clock_set(expo=expo, at=ten + dt.timedelta(minutes=30), speed=600, achieved=80)
    expect(page.locator("#clock")).to_have_text(
        "Simulated time 2019-08-27 10:30:00 (×80, asked ×600)"
    )
    expect(page.locator("#live")).to_have_attribute("data-source", "replay")

    page.goto(f"{live_server.url}/zh-hans/expos/{expo.slug}/live/")
    expect(page.locator("#clock")).to_have_text("模拟时间 2019-08-27 10:30:00（×80，设定 ×600）")
    replay_clock_set(expo=expo, at=ten + dt.timedelta(hours=1), speed=600, achieved=74.6)
    expect(page.locator("#clock")).to_have_text("模拟时间 2019-08-27 11:00:00（×75，设定 ×600）")
    expect(page.locator("#idle-note")).to_be_hidden()
