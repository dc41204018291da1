"""The entrance hall's big screen at 1920 × 1080, in English with Chinese and in Chinese: a figure
updates in place after new admissions, and a failing JSON keeps the figures, says since when
it is offline, and recovers by itself."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import expect

from smartexpo.reports import screen, screen_views
from smartexpo.venue import services as venue_services
from smartexpo.venue.models import Expo
from tests.checkin.conftest import issue, make_types, result_of, scan, scanner_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CST = zoneinfo.ZoneInfo("Asia/Shanghai")
PAGE = "/expos/test-2019/reports/screen/"
PAGE_ZH = "/zh-hans/expos/test-2019/reports/screen/"

# Every timer the page's scripts have pending, kept by the page itself: a poll loop that leaks
# timers shows here as a growing set.
COUNT_TIMERS = """
window.pendingTimers = new Set();
(function () {
  var set = window.setTimeout, clear = window.clearTimeout;
  window.setTimeout = function (fn, ms) {
    var id = set(function () { window.pendingTimers.delete(id); fn(); }, ms);
    window.pendingTimers.add(id);
    return id;
  };
  window.clearTimeout = function (id) { window.pendingTimers.delete(id); return clear(id); };
})();
"""


@pytest.fixture(autouse=True)
def quick_screen(monkeypatch):
    """Polls every 0.4 s, backs off up to 1.6 s, and keeps an answer 0.3 s: the test waits
    seconds for what a hall's screen does in tens of seconds."""
    monkeypatch.setattr(screen, "CACHE_SECONDS", 0.3)
    monkeypatch.setattr(screen_views, "POLL_MS", 400)
    monkeypatch.setattr(screen_views, "BACKOFF_MAX_MS", 1600)
    screen.forget()
    yield
    screen.forget()


def screen_page(chromium, base: str, address: str):
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.add_init_script(COUNT_TIMERS)
    page.goto(base + address)
    return context, page


def fits_the_screen(page) -> None:
    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= 1920 and size[1] <= 1080, size


def test_the_screen_updates_in_place_and_rides_out_a_failing_json(live_server, chromium, expo):
    make_types(expo)
    scanner = scanner_client(expo)
    tickets = [issue(expo, days=("2019-08-27",))[1] for _ in range(3)]
    venue_services.demo_clock_set(
        expo=Expo.objects.get(pk=expo.pk), at=dt.datetime(2019, 8, 27, 12, tzinfo=CST)
    )
    assert result_of(scan(scanner, tickets[0], at="2019-08-27T10:00:00+08:00"))[0] == "admit"

    polls = {"count": 0, "mode": "up"}

    def answer(route):
        polls["count"] += 1
        if polls["mode"] == "down":
            route.abort()
        elif polls["mode"] == "error":
            route.fulfill(status=503, content_type="application/json", body='{"error": {}}')
        else:
            route.continue_()

    context, page = screen_page(chromium, live_server.url, PAGE)
    try:
        page.route("**/reports/screen/data.json", answer)
        expect(page.locator("#visitors-today")).to_have_text("1")
        expect(page.locator("body")).to_contain_text("Visitors today")
        expect(page.locator("body")).to_contain_text("今日观众")  # both languages at once
        expect(page.locator("#demo")).to_be_visible()
        expect(page.locator("#offline")).to_be_hidden()
        fits_the_screen(page)
        page.evaluate("window.stillTheSamePage = true")
        elements = page.evaluate("document.getElementsByTagName('*').length")

        # Two more visitors come in: the figure changes without a reload.
        for secret in tickets[1:]:
            assert result_of(scan(scanner, secret, at="2019-08-27T11:00:00+08:00"))[0] == "admit"
        expect(page.locator("#visitors-today")).to_have_text("3", timeout=10_000)
        expect(page.locator("#visitors-today")).to_have_attribute("data-value", "3")
        expect(page.locator("#visitors-total")).to_have_text("3")

        # The JSON fails (the server answers 503, then the network drops): the figures stay,
        # the indicator says since when, in the edition's time, and the retries back off.
        polls["mode"] = "error"
        offline = page.locator("#offline")
        expect(offline).to_be_visible(timeout=10_000)
        expect(offline).to_have_attribute("data-state", "offline")
        expect(offline).to_contain_text("Offline since 12:")
        expect(offline).to_contain_text("离线")
        polls["mode"] = "down"
        page.wait_for_function(
            "Number(document.getElementById('offline').dataset.failures) >= 3", timeout=10_000
        )
        expect(page.locator("#visitors-today")).to_have_text("3")
        before = polls["count"]
        page.wait_for_timeout(1500)
        # Backed off: at 0.4 s a poll, 1.5 s would have seen three or four.
        assert polls["count"] - before <= 2, polls

        # Back up: it recovers by itself with what happened meanwhile.
        tickets.append(issue(expo, days=("2019-08-27",))[1])
        assert result_of(scan(scanner, tickets[-1], at="2019-08-27T11:30:00+08:00"))[0] == "admit"
        polls["mode"] = "up"
        expect(offline).to_be_hidden(timeout=10_000)
        expect(offline).to_have_attribute("data-state", "online")
        expect(page.locator("#visitors-today")).to_have_text("4", timeout=10_000)

        # The same page all along, no more elements than it started with, one timer pending.
        assert page.evaluate("window.stillTheSamePage") is True
        assert page.evaluate("document.getElementsByTagName('*').length") == elements
        assert page.evaluate("window.pendingTimers.size") <= 2
    finally:
        context.close()


def test_the_chinese_screen_shows_chinese_only_and_fits_1920_by_1080(live_server, chromium, expo):
    make_types(expo)
    scanner = scanner_client(expo)
    _ticket, secret = issue(expo, days=("2019-08-27",))
    venue_services.demo_clock_set(
        expo=Expo.objects.get(pk=expo.pk), at=dt.datetime(2019, 8, 27, 12, tzinfo=CST)
    )
    assert result_of(scan(scanner, secret, at="2019-08-27T10:00:00+08:00"))[0] == "admit"
    network = {"up": True}

    def answer(route):
        if network["up"]:
            route.continue_()
        else:
            route.abort()

    context, page = screen_page(chromium, live_server.url, PAGE_ZH)
    try:
        page.route("**/reports/screen/data.json", answer)
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
        expect(page.locator("body")).to_contain_text("今日观众")
        expect(page.locator("body")).not_to_contain_text("Visitors today")
        expect(page.locator("#visitors-today")).to_have_text("1")
        # The halls of the test edition: N1 and S1, one in each list, named in Chinese.
        expect(page.locator("#busiest .hall").first).to_contain_text("馆")
        expect(page.locator("#no-sessions")).to_be_visible()
        fits_the_screen(page)
        network["up"] = False
        expect(page.locator("#offline")).to_be_visible(timeout=10_000)
        expect(page.locator("#offline")).to_contain_text("离线")
        expect(page.locator("#offline")).not_to_contain_text("Offline")
        network["up"] = True
        expect(page.locator("#offline")).to_be_hidden(timeout=10_000)
        expect(page.locator("#visitors-today")).to_have_text("1")
    finally:
        context.close()
