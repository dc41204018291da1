"""The live venue page on an edition's demo clock: shown as such, after a running simulation's
replay clock and an organiser's chosen instant; the occupancy API's default instant follows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from smartexpo.crowd import live, services
from smartexpo.crowd.models import ReplayClock
from smartexpo.venue import services as venue_services
from smartexpo.venue.models import Expo
from tests.crowd.test_live_page import (
    DATA,
    PAGE,
    TEN,
    data_at,
    organiser,  # noqa: F401 - a fixture
    post_movement,
    sensor,  # noqa: F401 - a fixture
    zone_in,
)

pytestmark = pytest.mark.django_db

TUESDAY = dt.datetime.fromisoformat("2019-08-27T10:00:00+08:00")


def set_clock(expo, at=TUESDAY) -> Expo:
    return venue_services.demo_clock_set(expo=Expo.objects.get(pk=expo.pk), at=at)


def test_the_page_follows_the_demo_clock_and_says_it_is_not_the_real_time(
    organiser,  # noqa: F811
    expo,
    sensor,  # noqa: F811
):
    post_movement(sensor, "N1", 120, "2019-08-27T09:30:00+08:00")
    set_clock(expo)
    clock = data_at(organiser, at=None)["clock"]
    assert clock["source"] == "demo"
    assert clock["local"].startswith("2019-08-27 10:0")
    assert clock["label"] == f"Demo clock {clock['local']} (not the real time)"
    # The demo clock's day is an expo day: the halls are not shown empty.
    assert (clock["running_today"], clock["idle"]) == (True, False)
    assert zone_in(data_at(organiser, at=None), "N1")["count"] == 120
    html = organiser.get(PAGE).content.decode()
    assert 'data-source="demo"' in html and "Demo clock 2019-08-27 10:0" in html
    chinese = data_at(organiser, at=None, url="/zh-hans" + DATA)["clock"]
    assert chinese["label"] == f"演示时钟 {chinese['local']}（非真实时间）"


def test_a_demo_clock_on_a_day_without_the_expo_shows_the_empty_halls_as_such(
    organiser,  # noqa: F811
    expo,
):
    set_clock(expo, at=dt.datetime.fromisoformat("2019-09-02T10:00:00+08:00"))
    clock = data_at(organiser, at=None)["clock"]
    assert (clock["source"], clock["idle"]) == ("demo", True)


def test_a_running_simulation_comes_before_the_demo_clock_and_hands_back_to_it(
    organiser,  # noqa: F811
    expo,
):
    set_clock(expo)
    services.replay_clock_set(expo=expo, at=dt.datetime.fromisoformat(TEN), speed=600)
    replay = data_at(organiser, at=None)["clock"]
    assert (replay["source"], replay["local"]) == ("replay", "2019-08-26 10:00:00")
    # Stale: the run has stopped renewing it; the page is back on the demo clock.
    ReplayClock.objects.update(updated_at=timezone.now() - dt.timedelta(seconds=31))
    assert data_at(organiser, at=None)["clock"]["source"] == "demo"
    # An instant the organiser chose comes before both.
    services.replay_clock_set(expo=expo, at=dt.datetime.fromisoformat(TEN), speed=600)
    assert data_at(organiser)["clock"]["source"] == "chosen"


def test_the_replay_clocks_freshness_is_counted_in_real_seconds_not_on_the_demo_clock(expo):
    real = timezone.now()
    edition = venue_services.demo_clock_set(expo=expo, at=TUESDAY, now=real)
    services.replay_clock_set(expo=expo, at=dt.datetime.fromisoformat(TEN), speed=600)
    # Years apart from the replay clock's renewal on the demo clock, seconds apart in reality.
    assert live.live_clock(expo=edition, now=real).source == "replay"
    later = real + live.REPLAY_FRESH + dt.timedelta(seconds=1)
    shown = live.live_clock(expo=edition, now=later)
    assert shown.source == "demo"
    assert shown.at == TUESDAY + live.REPLAY_FRESH + dt.timedelta(seconds=1)


def test_the_occupancy_apis_default_instant_is_the_edition_clock(expo, organizer, sensor):  # noqa: F811
    post_movement(sensor, "N1", 40, "2019-08-27T09:30:00+08:00")
    url = "/api/v1/expos/test-2019/venue/occupancy"
    assert organizer.get(url).json()["at"].startswith(str(timezone.now().year))
    set_clock(expo)
    answer = organizer.get(url).json()
    assert answer["at"].startswith("2019-08-27T")
    assert next(z for z in answer["zones"] if z["zone"] == "N1")["count"] == 40
