"""`smartexpo simulate` against the seeded demo: the real check-in log, the real sensor events,
the dry run's Parquet contract, the twin's tickets and devices."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartexpo.checkin.models import Scan, ScanResult
from smartexpo.crowd.models import ReplayClock, SensorEvent
from smartexpo.demo.seed import demo_seed
from smartexpo.demo.simulator import model as m
from smartexpo.demo.simulator.devices import twin_devices_ensure
from smartexpo.demo.simulator.live import live_run
from smartexpo.demo.simulator.showup import pool_booked_by_day, visits_draw
from smartexpo.demo.simulator.stream import SCHEMA, run_prepare
from smartexpo.demo.simulator.tickets import pool_load
from smartexpo.demo.simulator.venue import venue_load
from smartexpo.demo.visitors import demo_visitors_seed
from smartexpo.devices.models import Device
from smartexpo.tickets.issuing import ticket_secret
from smartexpo.tickets.models import DayQuota, Registration, Ticket
from smartexpo.venue.models import Expo
from tests.demo.worlds import demo_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build():
        demo_seed(seed=7)
        expo = Expo.objects.get(slug="sce-2019")
        demo_visitors_seed(expo=expo, count=1_000, seed=7)
        return expo.pk

    with demo_world(django_db_blocker, build) as pk:
        yield pk


@pytest.fixture
def demo(world):
    return Expo.objects.get(pk=world)


def simulate(*args):
    call_command("simulate", "--quiet", *map(str, args))


def admissions_per_local_day(expo) -> dict[dt.date, int]:
    # Into the venue: the forum rooms' doors admit into sessions (`test_simulator_rooms`).
    times = (
        Scan.objects.filter(expo=expo, result=ScanResult.ADMIT, direction="in")
        .exclude(gate_code__startswith="D-")
        .values_list("scanned_at", flat=True)
    )
    return dict(Counter(t.astimezone(expo.tz).date() for t in times))


def test_the_simulators_daily_admissions_match_its_arrival_model_within_one_percent(demo):
    simulate("--visitors", 4_000, "--days", 2, "--speed", 1e9, "--seed", 11)
    venue = venue_load(expo=demo)
    expected = m.expected_admissions(plan=m.visits_plan(venue=venue, visitors=4_000, days=range(2)))
    counted = admissions_per_local_day(demo)
    assert sorted(counted) == list(demo.days[:2])
    for day, planned in zip(demo.days[:2], expected, strict=True):
        assert abs(counted[day] - planned) <= 0.01 * planned, (day, counted[day], planned)
    # Every entrance gate's scan is admitted, but for tickets that also went through a room
    # door, whose effect on the venue's inside/outside state the check-in rules decide.
    at_doors = Scan.objects.filter(gate_code__startswith="D-").values("ticket_id")
    assert Scan.objects.filter(gate_code__startswith="D-").exists()
    assert (
        not Scan.objects.exclude(result=ScanResult.ADMIT)
        .exclude(gate_code__startswith="D-")
        .exclude(ticket_id__in=at_doors)
        .exists()
    )
    assert SensorEvent.objects.filter(expo=demo).count() > 25 * sum(expected)
    assert not ReplayClock.objects.exists()  # the live page follows the real clock again


def dry_run(tmp_path, *args, name="twin.parquet"):
    out = tmp_path / name
    simulate("--dry-run", out, *args)
    return pl.read_parquet(out)


def test_the_dry_run_writes_the_importers_schema_sorted_by_time_and_sends_nothing(demo, tmp_path):
    frame = dry_run(tmp_path, "--visitors", 2_000, "--days", 1)
    assert frame.schema == SCHEMA
    assert frame["at"].is_sorted()
    assert frame["id"].n_unique() == frame.height
    scans, sensors = frame.filter(pl.col("source") == "scan"), frame.filter(source="sensor")
    assert scans.height + sensors.height == frame.height
    at_doors = scans["gate"].str.starts_with("D-")
    assert scans.filter(~at_doors).height == 4_000 and at_doors.any()
    assert (
        scans.select("zone", "kind", "count", "visitor").null_count().row(0) == (scans.height,) * 4
    )
    assert (
        sensors.select("gate", "direction", "secret").null_count().row(0) == (sensors.height,) * 3
    )
    assert set(sensors["kind"]) == {"enter", "exit"} and set(sensors["count"]) == {1}
    assert set(scans["direction"]) == {"in", "out"}
    assert scans["device"].str.starts_with("Digital twin scanner ").all()
    assert sensors["device"].str.starts_with("Digital twin sensor ").all()
    assert sensors["visitor"].str.len_chars().max() <= 64
    assert not Scan.objects.exists() and not SensorEvent.objects.exists()
    # The devices exist, so the file can be imported later.
    # 4 entrance gates, 17 halls, the 4 entrance gates' queues, 12 forum room doors.
    twin = Device.objects.filter(expo=demo, name__startswith="Digital twin ")
    assert twin.count() == 4 + 17 + 4 + 12
    # Each visitor at an entrance gate joins its counted queue on arriving, leaves at the scan.
    queues = sensors.filter(sensors["zone"].str.starts_with("Q-"))
    entrance_in = scans.filter(~at_doors & (scans["direction"] == "in"))
    assert queues.filter(queues["kind"] == "exit").height == entrance_in.height
    assert queues.filter(queues["kind"] == "enter").height == entrance_in.height
    assert queues["device"].str.starts_with("Digital twin sensor queue ").all()


def test_a_dry_run_scan_carries_its_tickets_own_secret(demo, tmp_path):
    frame = dry_run(tmp_path, "--visitors", 1_500, "--days", 1, "--start-day", 2)
    secrets = set(frame.filter(source="scan")["secret"])
    day = demo.days[1].isoformat()
    valid_that_day = [t for t in Ticket.objects.filter(expo=demo) if day in t.days]
    issued = {ticket_secret(t) for t in valid_that_day}
    assert len(secrets) == 1_500 and secrets <= issued


def test_every_exit_in_the_file_follows_its_entry_for_the_same_visitor_and_zone(demo, tmp_path):
    frame = dry_run(tmp_path, "--visitors", 1_500, "--days", 1, "--sensor-miss", 0)
    pairs = (
        frame.filter(source="sensor")
        .with_row_index("row")
        .sort("visitor", "zone", "row")
        .with_columns(nth=pl.int_range(pl.len()).over("visitor", "zone"))
    )
    assert (pairs.filter(pl.col("nth") % 2 == 0)["kind"] == "enter").all()
    assert (pairs.filter(pl.col("nth") % 2 == 1)["kind"] == "exit").all()
    assert pairs.group_by("visitor", "zone").len()["len"].min() % 2 == 0


def test_the_same_seed_writes_the_same_stream_and_another_seed_another(demo, tmp_path):
    first = dry_run(tmp_path, "--visitors", 1_200, "--days", 1, "--seed", 5, name="a.parquet")
    again = dry_run(tmp_path, "--visitors", 1_200, "--days", 1, "--seed", 5, name="b.parquet")
    other = dry_run(tmp_path, "--visitors", 1_200, "--days", 1, "--seed", 6, name="c.parquet")
    assert first.equals(again)
    assert not first.drop("id").equals(other.drop("id"))


def test_missing_tickets_are_registered_as_demo_visitors_and_a_full_quota_caps_the_day(
    demo, capsys
):
    venue = venue_load(expo=demo)
    planned = m.visits_plan(venue=venue, visitors=3_000, days=range(1))
    public_before = pool_load(expo=demo, venue=venue).available(0, 0)
    quota = DayQuota.objects.get(
        ticket_type__expo=demo, ticket_type__code="public-day", day=demo.days[0]
    )
    # Nearly sold out (the size stays: the arrival model splits the visits by it).
    DayQuota.objects.filter(pk=quota.pk).update(sold=quota.size - 500)
    before = Registration.objects.filter(expo=demo).count()
    run = run_prepare(expo=demo, visitors=3_000, days=range(1), seed=3, sensor_miss=0, say=print)
    said = capsys.readouterr().out
    assert "more demo visitors" in said and "quotas are full" in said
    assert run.plan[0, 0] == run.pool.available(0, 0) == public_before + 500 < planned[0, 0]
    assert (run.plan[0, 1:] == planned[0, 1:]).all()  # the passes had room
    added = Registration.objects.filter(expo=demo).count() - before
    assert added > 500
    assert Registration.objects.filter(expo=demo, source="demo").count() == 1_000 + added
    assert run.expected_admissions() == [int(run.plan[0].sum())]


def test_the_twins_devices_are_made_once_and_a_revoked_one_is_replaced(demo):
    from smartexpo.devices.services import device_revoke

    venue = venue_load(expo=demo)
    first = twin_devices_ensure(expo=demo, venue=venue)
    assert twin_devices_ensure(expo=demo, venue=venue) == first
    sensor = first.sensors[0]
    assert sensor.zones == {venue.halls[0].code, *venue.halls[0].booths}
    device_revoke(device=Device.objects.get(pk=first.scanners[0].device_id))
    again = twin_devices_ensure(expo=demo, venue=venue)
    assert again.scanners[0].device_id != first.scanners[0].device_id
    assert again.scanners[0].name == first.scanners[0].name == "Digital twin scanner G-N"
    assert again.scanners[1:] == first.scanners[1:] and again.sensors == first.sensors


def test_the_accelerated_clock_plays_a_day_in_its_span_divided_by_the_speed(demo):
    run = run_prepare(expo=demo, visitors=600, days=range(1), seed=2, sensor_miss=0.0, say=print)
    # The venue alone: the forum sessions are `test_simulator_rooms`'s.
    run = dataclasses.replace(run, rooms=None)
    wall = [0.0]
    clocks = []

    def sleep(seconds):
        wall[0] += seconds

    status = live_run(
        run=run,
        speed=600,
        tick_s=3,  # half-hour ticks: fewer folds, the same clock
        sleep=sleep,
        monotonic=lambda: wall[0],
        on_tick=lambda s: clocks.append(s.clock),
    )
    # From ten minutes before the 09:00 opening to the 18:00 closing: 33,000 s / 600.
    assert wall[0] == pytest.approx(33_000 / 600)
    assert clocks[0].strftime("%H:%M") == "09:20" and clocks[-1].strftime("%H:%M") == "18:00"
    assert status.admitted == 600 and status.inside == 0
    assert status.events == SensorEvent.objects.count()


# A machine that cannot keep ×600: every scan or sensor event sent costs this much wall time
# (on the test's own clock), so that the run plays well below it, as issue 13's did (×75).
COST_S = 0.04
# Batches as small as the cost is large, so that one call takes about as long as a real
# batch of the 160,000-visitor run (a second or two), not minutes.
BATCH = 50
POLL_S = 5.0


def test_the_live_feed_names_the_simulated_instant_through_slow_ticks_and_the_speed_achieved(
    demo, monkeypatch
):
    """Issue 13, defect 6: a run that falls behind takes ticks of half an hour of simulated
    time, each longer than the page's 30 s of freshness; the page must not fall back to the
    real, expo-less day in between, and must show the speed achieved, not the one asked."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from smartexpo.demo.simulator import live as twin

    run = run_prepare(expo=demo, visitors=600, days=range(1, 2), seed=2, sensor_miss=0.0, say=print)
    organiser = Client()
    organiser.force_login(get_user_model().objects.create_user("ops", is_staff=True))
    wall = [0.0]
    # Today is not an expo day: a page that loses the replay clock says "not held today".
    epoch = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: epoch + dt.timedelta(seconds=wall[0]))
    published, polls, ticks = [], [], [(0.0, 0.0)]
    last_poll = [-POLL_S]

    def poll():
        if wall[0] - last_poll[0] < POLL_S:
            return
        last_poll[0] = wall[0]
        answer = organiser.get(f"/expos/{demo.slug}/live/data.json")
        assert answer.status_code == 200
        polls.append((wall[0], published[-1] if published else None, answer.json()["clock"]))

    def costly(real):
        def call(**kwargs):
            answer = real(**kwargs)
            wall[0] += COST_S * len(kwargs["items"])
            poll()  # the page's poll lands in the middle of a tick's work
            return answer

        return call

    def recorded(**kwargs):
        published.append(kwargs)
        return real_set(**kwargs)

    real_set = twin.replay_clock_set
    monkeypatch.setattr(twin, "replay_clock_set", recorded)
    monkeypatch.setattr(twin, "scans_sync", costly(twin.scans_sync))
    monkeypatch.setattr(twin, "events_ingest", costly(twin.events_ingest))
    monkeypatch.setattr(twin, "SCANS_PER_CALL", BATCH)
    monkeypatch.setattr(twin, "EVENTS_PER_CALL", BATCH)

    def on_tick(status):
        ticks.append((wall[0], status.simulated_s))
        poll()

    def sleep(seconds):
        wall[0] += seconds

    status = live_run(run=run, speed=600, on_tick=on_tick, sleep=sleep, monotonic=lambda: wall[0])
    assert status.mean_speed < 0.5 * 600, "the machine of this test cannot keep ×600"
    assert len(polls) > 20 and not ReplayClock.objects.exists()
    for at, clock_set, clock in polls:
        assert (clock["source"], clock["idle"]) == ("replay", False), (at, clock)
        shown = clock_set["at"].astimezone(demo.tz).strftime("%Y-%m-%d %H:%M:%S")
        assert clock["local"] == shown and shown.startswith("2019-08-27"), (at, clock)
        assert clock["label"].startswith(f"Simulated time {shown} (×"), (at, clock)
    # The speed published with each instant is the run's own measure over its last ticks:
    # simulated seconds advanced over the wall seconds they took, the work included.
    for n, kwargs in enumerate(published[1:], start=1):
        (t0, s0), (t1, s1) = ticks[max(0, n - 19)], ticks[n]
        assert kwargs["achieved"] == pytest.approx((s1 - s0) / (t1 - t0)), n
    behind = [c for _at, _set, c in polls if c["speed"] < 0.95 * 600]
    assert behind, "the page shows the speed the run achieves"
    for clock in behind:
        assert clock["asked"] == 600
        speed = f"{clock['speed']:,.0f}" if clock["speed"] >= 10 else f"{clock['speed']:.2g}"
        assert clock["label"].endswith(f" (×{speed}, asked ×600)"), clock


def test_bad_options_are_refused_with_a_clear_message(demo):
    for args, message in [
        (["--visitors", "0"], "--visitors"),
        (["--visitors", "5000000"], "--visitors"),
        (["--speed", "0"], "--speed"),
        (["--speed", "-600"], "--speed"),
        (["--speed", "nan"], "--speed"),
        (["--days", "5"], "--days"),
        (["--days", "0"], "--days"),
        (["--start-day", "4", "--days", "2"], "--days"),
        (["--start-day", "0"], "--start-day"),
        (["--sensor-miss", "1.5"], "--sensor-miss"),
        (["--expo", "nope"], "No edition 'nope'"),
        (["--dry-run", "/nonexistent/dir/x.parquet"], "--dry-run"),
        (["--show-up", "--visitors", "100"], "alternatives"),
        (["--shock", "1=1.3"], "needs --show-up"),
        (["--visitors", "100", "--shock", "1=1.3"], "needs --show-up"),
        (["--show-up", "--shock", "5=1.3"], "from 1 to 4"),
        (["--show-up", "--shock", "0=1.3"], "from 1 to 4"),
        (["--show-up", "--shock", "1.3"], "DAY=FACTOR"),
        (["--show-up", "--shock", "x=1.3"], "DAY=FACTOR"),
        (["--show-up", "--shock", "1=much"], "DAY=FACTOR"),
        (["--show-up", "--shock", "1=0"], "above 0"),
        (["--show-up", "--shock", "1=nan"], "above 0"),
        (["--show-up", "--shock", "1=50"], "at most 10"),
        (["--show-up", "--shock", "2=1.2", "--shock", "2=1.3"], "twice"),
    ]:
        with pytest.raises(CommandError, match=message):
            simulate(*args)
    assert not Scan.objects.exists() and not Device.objects.exists()


def test_the_live_run_sends_the_files_events_and_running_it_again_changes_nothing(demo, tmp_path):
    frame = dry_run(tmp_path, "--visitors", 400, "--days", 1, "--seed", 9)
    simulate("--visitors", 400, "--days", 1, "--speed", 1e9, "--seed", 9)
    stored = set(SensorEvent.objects.values_list("event_id", flat=True))
    assert stored == set(frame.filter(source="sensor")["id"])
    nonces = set(Scan.objects.values_list("nonce", flat=True))
    assert nonces == set(frame.filter(source="scan")["id"])
    simulate("--visitors", 400, "--days", 1, "--speed", 1e9, "--seed", 9)
    assert SensorEvent.objects.count() == len(stored) and Scan.objects.count() == len(nonces)


def test_sigterm_stops_a_live_run_as_ctrl_c_does(demo, monkeypatch, capsys):
    import os
    import signal

    from smartexpo.demo.simulator import live

    real = live.live_run

    def terminated_at_first_tick(**kwargs):
        ticks = []

        def on_tick(status):
            kwargs["on_tick"](status)
            ticks.append(status)
            if len(ticks) == 1:
                os.kill(os.getpid(), signal.SIGTERM)

        return real(**{**kwargs, "on_tick": on_tick, "tick_s": 3})

    monkeypatch.setattr(live, "live_run", terminated_at_first_tick)
    # Should the command not take SIGTERM over, this one keeps the test process alive.
    unhandled = []

    def fallback(*_args):
        unhandled.append(1)

    original = signal.signal(signal.SIGTERM, fallback)
    try:
        simulate("--visitors", 300, "--days", 1, "--speed", 100_000)
        after = signal.getsignal(signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, original)
    out = capsys.readouterr().out
    assert not unhandled
    assert "Stopped at 2019-08-26" in out and "the replay clock is cleared" in out
    assert not ReplayClock.objects.exists()
    assert 0 < Scan.objects.count() < 600  # part of the day was sent
    assert after is fallback  # the command put back the handler it found


def entrance_admissions_per_day(frame: pl.DataFrame, expo) -> dict[dt.date, int]:
    scans = frame.filter(source="scan", direction="in").filter(
        ~pl.col("gate").str.starts_with("D-")
    )
    return dict(Counter(t.astimezone(expo.tz).date() for t in scans["at"]))


def test_show_up_mode_draws_from_the_registered_tickets_and_registers_nobody(demo, tmp_path):
    before = Registration.objects.count()
    frame = dry_run(tmp_path, "--show-up", "--days", 2, "--seed", 4)
    assert Registration.objects.count() == before
    venue = venue_load(expo=demo)
    pool = pool_booked_by_day(expo=demo, venue=venue, pool=pool_load(expo=demo, venue=venue))
    plan = visits_draw(venue=venue, pool=pool, days=range(2), seed=4)
    counted = entrance_admissions_per_day(frame, demo)
    assert [counted[d] for d in demo.days[:2]] == plan.sum(axis=1).tolist()
    # About the rates of the tickets there are (1,000 visitors: ~230 public tickets a day).
    assert 0.4 * pool.available(0, 0) < plan[0, 0] < 0.9 * pool.available(0, 0)
    # Every visitor holds a ticket booked before their day's opening.
    from smartexpo.demo.booking import opening_of

    issued = {ticket_secret(t): t for t in Ticket.objects.filter(expo=demo)}
    for at, secret in frame.filter(source="scan").select("at", "secret").iter_rows():
        day = at.astimezone(demo.tz).date()
        assert issued[secret].created_at < opening_of(demo, day)
    again = dry_run(tmp_path, "--show-up", "--days", 2, "--seed", 4, name="again.parquet")
    assert again.equals(frame)
    shocked = dry_run(
        tmp_path, "--show-up", "--days", 2, "--seed", 4, "--shock", "2=1.5", name="shock.parquet"
    )
    more = entrance_admissions_per_day(shocked, demo)
    assert more[demo.days[0]] == counted[demo.days[0]]
    assert more[demo.days[1]] > 1.25 * counted[demo.days[1]]
    assert not set(shocked["id"]) & set(frame["id"])


def test_the_seeded_visitors_are_booked_on_the_curve(demo):
    from smartexpo.demo.booking import RAMP_DAYS, opening_of

    first = opening_of(demo, demo.days[0])
    last = opening_of(demo, demo.days[-1])
    booked = list(
        Registration.objects.filter(expo=demo, source="demo").values_list("created_at", flat=True)
    )
    assert len(booked) == 1_000
    assert all(first - dt.timedelta(days=RAMP_DAYS) <= at < last for at in booked)
    tickets = Ticket.objects.filter(expo=demo, registration__source="demo")
    assert all(
        t.created_at == t.registration.created_at for t in tickets.select_related("registration")
    )
    ahead = [(first - at).days for at in booked if at < first]
    assert len(set(ahead)) > 60  # spread over the ramp, not one instant
    assert sum(d < 21 for d in ahead) > len(ahead) / 2  # most in the last three weeks
