"""The live twin's replay clock stays fresh while a day's stream is generated, and how it and an
edition's demo clock share the live venue page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from smartexpo.crowd.models import ReplayClock
from smartexpo.demo.seed import demo_seed
from smartexpo.demo.simulator import model as m
from smartexpo.demo.simulator.live import live_run
from smartexpo.demo.simulator.stream import run_prepare
from smartexpo.demo.visitors import demo_visitors_seed
from smartexpo.venue.models import Expo
from smartexpo.venue.services import demo_clock_set
from tests.demo.worlds import demo_world

pytestmark = pytest.mark.django_db

# A slow machine: each of the model's gate-queue steps (two per day) takes this long.
STEP_S = 20.0


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build():
        demo_seed(seed=7)
        expo = Expo.objects.get(slug="sce-2019")
        demo_visitors_seed(expo=expo, count=600, seed=7)
        return expo.pk

    with demo_world(django_db_blocker, build) as pk:
        yield pk


@pytest.fixture
def demo(world):
    return Expo.objects.get(pk=world)


@pytest.fixture
def organiser():
    client = Client()
    client.force_login(get_user_model().objects.create_user("ops", is_staff=True))
    return client


def test_the_replay_clock_is_renewed_while_a_days_stream_is_generated(demo, organiser, monkeypatch):
    """Issue 13: generating a big day's stream on a slow machine takes longer than the page's
    30 s of freshness; the page must not fall back to the real, expo-less day meanwhile."""
    run = run_prepare(expo=demo, visitors=300, days=range(1), seed=2, sensor_miss=0.0, say=print)
    wall = [0.0]
    epoch = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: epoch + dt.timedelta(seconds=wall[0]))
    polls = []
    real_queue = m.gates_queue

    def slow_queue(*args, **kwargs):
        answer = real_queue(*args, **kwargs)
        wall[0] += STEP_S
        clock = organiser.get(f"/expos/{demo.slug}/live/data.json").json()["clock"]
        polls.append((wall[0], clock))
        return answer

    monkeypatch.setattr(m, "gates_queue", slow_queue)

    def sleep(seconds):
        wall[0] += seconds

    live_run(run=run, speed=600, tick_s=3, sleep=sleep, monotonic=lambda: wall[0])
    # Both queues of the day ran before its first tick: 40 s of generation, polled twice.
    assert [at for at, _clock in polls] == [STEP_S, 2 * STEP_S]
    for at, clock in polls:
        assert (clock["source"], clock["local"]) == ("replay", "2019-08-26 08:50:00"), (at, clock)
    assert not ReplayClock.objects.exists()


def test_the_demo_clock_is_back_on_the_page_once_a_simulation_ends(demo, organiser):
    demo_clock_set(expo=demo, at=dt.datetime.fromisoformat("2019-08-27T10:00:00+08:00"))
    run = run_prepare(expo=demo, visitors=300, days=range(1), seed=2, sensor_miss=0.0, say=print)
    seen = []

    def on_tick(status):
        if not seen:
            seen.append(organiser.get(f"/expos/{demo.slug}/live/data.json").json()["clock"])

    wall = [0.0]
    live_run(
        run=run,
        speed=600,
        tick_s=3,
        on_tick=on_tick,
        sleep=lambda s: wall.__setitem__(0, wall[0] + s),
        monotonic=lambda: wall[0],
    )
    # While the twin plays, the page shows what it plays (its day is the first, 26 August) ...
    assert seen[0]["source"] == "replay" and seen[0]["local"].startswith("2019-08-26 09:")
    # ... and afterwards the demo clock again, which has run on at the real pace meanwhile.
    after = organiser.get(f"/expos/{demo.slug}/live/data.json").json()["clock"]
    assert after["source"] == "demo" and after["local"].startswith("2019-08-27 10:0")
    assert after["label"].startswith("Demo clock 2019-08-27 10:0")
