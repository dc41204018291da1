"""An edition on a demo clock: scans sent without their time are dated by it, online and in a
sync; a device's own time stays the device's; the set-up hands the clock to scanners."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.checkin.models import Scan
from smartexpo.venue import clock, services
from smartexpo.venue.models import Expo
from tests.checkin.conftest import SYNC, issue, result_of, scan

pytestmark = pytest.mark.django_db

SETUP = "/api/v1/expos/test-2019/checkin/setup"
TUESDAY = dt.datetime.fromisoformat("2019-08-27T10:00:00+08:00")


def set_clock(expo, at=TUESDAY):
    services.demo_clock_set(expo=Expo.objects.get(pk=expo.pk), at=at)


def test_a_scan_without_its_time_is_admitted_on_the_demo_clocks_day_and_refused_without_it(
    scanner, expo, ticket
):
    _ticket, secret = ticket  # a day pass for 26 and 27 August 2019
    assert result_of(scan(scanner, secret, at=None)) == ("reject", "wrong_day")
    set_clock(expo)
    # The cached edition follows at once: its row moved the catalogue stamp.
    assert result_of(scan(scanner, secret, at=None)) == ("admit", None)
    logged = Scan.objects.filter(expo=expo).order_by("-id").first()
    assert abs(logged.scanned_at - TUESDAY) < dt.timedelta(seconds=30)
    # Received on the real clock: the log says when the server heard of it.
    assert logged.received_at.year >= 2026
    assert result_of(scan(scanner, secret, at=None)) == ("reject", "already_inside")
    services.demo_clock_clear(expo=Expo.objects.get(pk=expo.pk))
    assert result_of(scan(scanner, secret, at=None, direction="out")) == ("reject", "not_inside")


def test_the_time_a_device_sends_stays_the_devices(scanner, expo, ticket):
    _ticket, secret = ticket
    set_clock(expo)
    # The device says 29 August, a day the pass is not valid on: its time is the one read.
    at = "2019-08-29T10:00:00+08:00"
    assert result_of(scan(scanner, secret, at=at)) == ("reject", "wrong_day")


def test_a_synced_scan_without_its_time_is_dated_by_the_demo_clock(scanner, expo, types):
    _t1, secret = issue(expo, days=("2019-08-27",))
    _t2, device_dated = issue(expo, days=("2019-08-27",))
    item = {"secret": secret, "gate": "G1", "direction": "in", "nonce": "sync-1"}
    dated = {**item, "secret": device_dated, "nonce": "sync-2"}
    dated["scanned_at"] = "2019-08-26T10:00:00+08:00"
    set_clock(expo)
    answer = scanner.post(SYNC, {"scans": [item, dated]})
    assert answer.status_code == 200, answer.content
    first, second = answer.json()["results"]
    assert first == {"nonce": "sync-1", "result": "admit"}
    # The device's own time (26 August) is kept: an admission it made that day conflicts.
    assert second["reason"] == "conflict" and second["detail"] == {"reason": "wrong_day"}
    times = dict(Scan.objects.filter(expo=expo).values_list("nonce", "scanned_at"))
    assert times["sync-1"].astimezone(expo.tz).date() == dt.date(2019, 8, 27)
    assert times["sync-2"].astimezone(expo.tz).isoformat() == "2019-08-26T10:00:00+08:00"


def test_without_a_demo_clock_a_synced_scan_without_its_time_happens_today(scanner, expo, types):
    _ticket, secret = issue(expo, days=("2019-08-27",))
    item = {"secret": secret, "gate": "G1", "direction": "in", "nonce": "sync-3"}
    (result,) = scanner.post(SYNC, {"scans": [item]}).json()["results"]
    assert result["detail"] == {"reason": "wrong_day"}


def test_the_set_up_gives_scanners_the_demo_clock(scanner, expo):
    assert scanner.get(SETUP).json()["demo_clock"] is None
    set_clock(expo)
    given = scanner.get(SETUP).json()["demo_clock"]
    now = dt.datetime.fromisoformat(given["now"])
    assert abs(now - TUESDAY) < dt.timedelta(seconds=30)
    assert given["now"].endswith("+08:00")
    real = dt.datetime.now(dt.UTC)
    assert abs(real + dt.timedelta(milliseconds=given["offset_ms"]) - TUESDAY) < dt.timedelta(
        seconds=30
    )


def test_the_edition_clock_runs_on_at_the_real_pace_from_the_instant_set(expo):
    real = dt.datetime(2026, 12, 6, 18, 0, tzinfo=dt.UTC)
    edition = services.demo_clock_set(expo=expo, at=TUESDAY, now=real)
    assert clock.edition_now(edition, now=real) == TUESDAY
    later = real + dt.timedelta(minutes=90, seconds=5)
    assert clock.edition_now(edition, now=later) == TUESDAY + dt.timedelta(minutes=90, seconds=5)
    stored = Expo.objects.get(pk=expo.pk)
    assert clock.edition_now(stored, now=later) == TUESDAY + dt.timedelta(minutes=90, seconds=5)
    assert services.demo_clock_clear(expo=stored) is True
    assert clock.edition_now(stored, now=later) == later
    assert services.demo_clock_clear(expo=stored) is False


def test_a_demo_clock_is_refused_while_the_edition_is_really_held(expo):
    during = dt.datetime(2019, 8, 27, 3, 0, tzinfo=dt.UTC)  # 11:00 in Chongqing
    with pytest.raises(services.SmartExpoError) as refused:
        services.demo_clock_set(expo=expo, at=TUESDAY, now=during)
    assert refused.value.code == "edition_running"
    with pytest.raises(services.SmartExpoError):
        services.demo_clock_set(expo=expo, at=TUESDAY.replace(tzinfo=None))
    assert Expo.objects.get(pk=expo.pk).clock_offset is None


def test_the_edition_admin_page_shows_the_demo_clock_and_how_to_clear_it(expo, admin_client):
    url = f"/admin/venue/expo/{expo.pk}/change/"
    off = admin_client.get(url).content.decode()
    assert "Off: the edition runs on the real time." in off
    assert "smartexpo demo clock 2019-08-27T10:00 --expo test-2019" in off
    set_clock(expo)
    on = admin_client.get(url).content.decode()
    assert "On: the edition&#x27;s time reads 2019-08-27 10:0" in on
    assert "smartexpo demo clock --off --expo test-2019" in on
    # Read-only: saving the edition's form keeps the clock.
    assert 'name="clock_offset"' not in on
