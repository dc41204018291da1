"""An organiser watches the live venue page while hall S1 fills: the predicted alert appears in
its own card, with the minutes to the threshold, before any live alert, without a reload."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from smartexpo.devices.services import device_create
from tests.browser.test_live_venue import PASSWORD, post_events, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_predicted_alert_appears_apart_from_the_live_ones(live_server, page, expo):
    get_user_model().objects.create_user("ops", password=PASSWORD, is_staff=True)
    _sensor, token = device_create(expo=expo, name="Hall S1 doors", kind="sensor", zones=["S1"])
    page.goto(f"{live_server.url}/expos/{expo.slug}/live/?at=2019-08-26T10:35")
    sign_in(page, "ops")
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")
    predicted = page.locator("#predicted-active")
    expect(predicted).to_have_text("No hall is expected to reach its threshold soon.")
    page.evaluate("window.stillTheSamePage = true")

    # Ten people a minute into S1 from 10:00: at 10:35, 350 in and 500 expected at 10:50.
    events = [
        {
            "id": f"s1-{m}",
            "zone": "S1",
            "kind": "enter",
            "at": f"2019-08-26T10:{m:02d}:00+08:00",
            "count": 10,
        }
        for m in range(35)
    ]
    assert post_events(live_server.url, expo, token, events)["accepted"] == 35

    item = predicted.locator('li[data-zone="S1"]')
    expect(item.locator(".live-predicted-eta")).to_have_text(
        "Expected to reach 500 in 15 minutes", timeout=10_000
    )
    expect(item.locator(".live-predicted-tag")).to_have_text("Predicted")
    expect(item).to_contain_text("Predicted at 2019-08-26 10:25:00")
    expect(page.locator("#predicted-count")).to_have_text("1")
    expect(page.locator('.live-hall[data-zone="S1"]')).to_have_attribute("data-predicted", "true")
    expect(page.locator('.live-hall[data-zone="S1"]')).to_have_attribute("data-alert", "false")
    # The live alerts stay as they are: nobody is over the threshold yet.
    expect(page.locator("#alerts-active")).to_have_text("No active alerts.")
    expect(page.locator("#alert-count")).to_have_text("0")
    assert page.evaluate("window.stillTheSamePage") is True
