"""An organiser watches the dashboard in both languages while a visitor is admitted at a gate:
the day's admissions go up in place, without a reload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from smartexpo.reports import dashboard_cache
from tests.checkin.conftest import issue, make_types, scan, scanner_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "dashboard-test-password"
TEN = dt.datetime(2019, 8, 26, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def sign_in(page, username):
    """The admin's own login form, where the page sends anyone not signed in."""
    expect(page.locator("#id_username")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator('input[type="submit"]').click()


def test_the_days_admissions_go_up_in_place_after_an_admission(live_server, page, expo, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0  # every poll sees the latest scans
    dashboard_cache.forget()
    expo.clock_offset = TEN - timezone.now()
    expo.save()
    make_types(expo)
    scanner = scanner_client(expo)
    get_user_model().objects.create_user("ops", password=PASSWORD, is_staff=True)

    page.goto(f"{live_server.url}/zh-hans/expos/{expo.slug}/reports/dashboard/")
    sign_in(page, "ops")
    expect(page.get_by_role("heading", name="主办方仪表板")).to_be_visible()
    expect(page.get_by_role("heading", name="今日入场")).to_be_visible()

    page.goto(f"{live_server.url}/expos/{expo.slug}/reports/dashboard/")
    expect(page.get_by_role("heading", name="Organiser's dashboard")).to_be_visible()
    total = page.locator('[data-figure="admissions-total"]')
    expect(total).to_have_text("0")
    expect(page.locator("#dash-clock")).to_contain_text("Demo clock 2019-08-26 10:0")

    # Nothing below reloads the page: a marker set now must still be there at the end.
    page.evaluate("window.stillTheSamePage = true")
    _ticket, secret = issue(expo)
    assert scan(scanner, secret, at="2019-08-26T09:55:00+08:00").status_code == 200

    expect(total).to_have_text("1", timeout=20_000)
    expect(page.locator("#dash-status")).to_have_attribute("data-state", "ok")
    assert page.evaluate("window.stillTheSamePage") is True
