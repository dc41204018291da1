"""The scanner page on an edition's demo clock: the browser's own clock says today (no
`page.clock` here), and the 2019 tickets are admitted only once the edition has a demo clock on
one of their days; the page says "demo clock" all along, and offline it decides by it too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from smartexpo.checkin.models import Scan
from smartexpo.venue.models import Expo
from smartexpo.venue.services import demo_clock_clear, demo_clock_set
from tests.browser.test_scanner import issue, scan_code, scanner_token
from tests.checkin.conftest import make_types

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TUESDAY = dt.datetime.fromisoformat("2019-08-27T10:00:00+08:00")


@pytest.fixture
def types(expo):
    return make_types(expo)


def test_the_scanner_admits_a_2019_ticket_under_the_demo_clock_and_refuses_it_without(
    live_server, page, expo, types
):
    _a, secret_a = issue(expo, "Li Wei")
    ticket_b, secret_b = issue(expo, "Zhang Xiaoming")
    _c, secret_c = issue(expo, "Chen Jing")
    page.goto(f"{live_server.url}/expos/{expo.slug}/scanner/")
    page.get_by_label("Device token").fill(scanner_token(expo))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("radio", name="G1 North gate").check()
    banner = page.locator("#demo-clock")
    verdict = page.locator("#verdict")

    # The real time: a ticket for August 2019 is not valid today.
    expect(banner).to_be_hidden()
    scan_code(page, secret_a)
    expect(verdict).to_have_attribute("data-reason", "wrong_day")
    expect(page.locator("#verdict-reason")).to_have_text("Not valid today")
    expect(page.locator("#verdict-meta")).not_to_contain_text("Demo clock")
    expect(verdict).to_be_hidden(timeout=5_000)

    # The organiser sets the demo clock; the tablet's next set-up (here: "Update") has it.
    demo_clock_set(expo=Expo.objects.get(pk=expo.pk), at=TUESDAY)
    page.get_by_role("button", name="Update").click()
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(
        re.compile(r"^Demo clock 2019-08-27 10:0\d:\d\d \(Asia/Shanghai\): not the real time\.")
    )
    scan_code(page, secret_b)
    expect(verdict).to_have_attribute("data-result", "admit")
    expect(page.locator("#verdict-holder")).to_have_text("Z*** X***")
    expect(page.locator("#verdict-meta .badge.demo")).to_have_text(
        re.compile(r"^Demo clock 2019-08-27 10:0\d:\d\d$")
    )
    admitted = Scan.objects.get(serial=ticket_b.serial)
    assert admitted.result == "admit"
    assert abs(admitted.scanned_at - TUESDAY) < dt.timedelta(minutes=1)
    expect(verdict).to_be_hidden(timeout=5_000)

    # Offline, the tablet decides by the demo clock too.
    page.context.set_offline(True)
    expect(page.locator("#net")).to_have_attribute("data-online", "false")
    scan_code(page, secret_c)
    expect(verdict).to_have_attribute("data-result", "admit")
    expect(page.locator("#verdict-meta")).to_contain_text("Decided offline")
    page.context.set_offline(False)
    expect(page.locator("#queue")).to_have_attribute("data-count", "0", timeout=15_000)

    # Cleared: on a demo clock the tablet reads its set-up at every tick (5 s), so it is back
    # on the real time within seconds, without anybody pressing "Update".
    demo_clock_clear(expo=Expo.objects.get(pk=expo.pk))
    expect(banner).to_be_hidden(timeout=12_000)
    page.get_by_role("radio", name="Out").check()
    scan_code(page, secret_b)
    expect(verdict).to_have_attribute("data-reason", "not_inside")


def test_the_page_shows_the_demo_clock_before_sign_in_in_both_languages(live_server, page, expo):
    demo_clock_set(expo=Expo.objects.get(pk=expo.pk), at=TUESDAY)
    page.goto(f"{live_server.url}/expos/{expo.slug}/scanner/")
    expect(page.locator("#demo-clock")).to_contain_text("Demo clock 2019-08-27 10:0")
    page.goto(f"{live_server.url}/zh-hans/expos/{expo.slug}/scanner/")
    expect(page.locator("#demo-clock")).to_contain_text(
        re.compile(r"^演示时钟 2019-08-27 10:0\d:\d\d（Asia/Shanghai）：并非真实时间。")
    )
