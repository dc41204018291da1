"""The live twin: the stream sent to the real check-in and ingest services on an accelerated
clock, so that the live venue page moves as the simulated expo does.

Simulated time runs `speed` times as fast as the wall clock from a little before each day's
opening to its closing, then jumps to the next opening (nights are skipped). Every tick sends
what happened since the last one: scans through `scans_sync` (as the twin's scanners would
sync), sensor events through `events_ingest`, then folds the movements into the occupancy
history and sets the replay clock to the simulated instant. When the machine cannot keep up,
ticks follow each other without pause, and the speed achieved is what the progress bar, the
report and the replay clock (so the live page) show.

The live page follows a replay clock renewed within `crowd.live.REPLAY_FRESH` and otherwise
takes the run for stopped. A tick of a run that falls behind can take longer than that (half
an hour of a busy day for 160,000 visitors is tens of thousands of scans and sensor events),
so the clock is renewed between the batches of a tick's work, not only at its end; and while a
day's stream is generated (between the model's steps, `stream.stream_days`), which for a big
day on a slow machine takes as long.

The edition's demo clock (`venue.clock`), if it has one, goes on dating what the gates scan in
real time; the live page shows the replay clock while the run renews it, and the demo clock
again once the run has stopped (`crowd.live.live_clock`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from smartexpo.checkin.models import ScanResult
from smartexpo.checkin.schemas import MAX_BATCH as SCANS_PER_CALL
from smartexpo.checkin.schemas import ScanPayload
from smartexpo.checkin.services.sync import scans_sync
from smartexpo.core.bodies import items_checked
from smartexpo.crowd.ingest import events_ingest
from smartexpo.crowd.schemas import MAX_EVENTS as EVENTS_PER_CALL
from smartexpo.crowd.schemas import EventIn
from smartexpo.crowd.services import (
    pending_fold,
    replay_clock_clear,
    replay_clock_renew,
    replay_clock_set,
)
from smartexpo.demo.simulator.stream import Run, stream_days

# Each day starts this long before opening, so the page shows the empty venue, then the rush.
LEAD_S = 10 * 60
TICK_S = 0.5
# A tick never covers more simulated time than this, whatever the speed, so that the live page
# still moves in steps of at most half an hour when the machine falls behind.
MAX_TICK_SPAN_S = 30 * 60
ISO = "%Y-%m-%dT%H:%M:%S%.6f%:z"
# Wall seconds between renewals of the replay clock during a tick's work: well inside the
# page's 30 s, and few enough writes of one row not to slow the run.
RENEW_S = 2.0


@dataclasses.dataclass
class LiveStatus:
    """What the twin has done so far, for the progress bar and the final report."""

    clock: dt.datetime | None = None
    day: int = 0
    days: int = 0
    admitted: int = 0
    inside: int = 0
    scans: int = 0
    events: int = 0
    rejected: int = 0
    conflicts: int = 0
    room_admitted: int = 0  # admissions at forum room doors
    simulated_s: float = 0.0
    wall_s: float = 0.0
    speed: float = 0.0
    admitted_per_day: dict[dt.date, int] = dataclasses.field(default_factory=dict)

    @property
    def mean_speed(self) -> float:
        return self.simulated_s / self.wall_s if self.wall_s else 0.0


def _send_scans(
    run: Run, part: pl.DataFrame, status: LiveStatus, day: dt.date, renew: Callable[[], None]
) -> None:
    by_name = {s.name: s for s in (*run.devices.scanners, *run.devices.doors)}
    doors = {s.name for s in run.devices.doors}
    rows = part.select(
        "device",
        "secret",
        "gate",
        "direction",
        pl.col("id").alias("nonce"),
        pl.col("at").dt.convert_time_zone(run.venue.tz.key).dt.strftime(ISO).alias("scanned_at"),
    )
    # Batches go scanner by scanner; all of a tick's entries before its exits, so that a
    # visitor who leaves by another gate within the same tick is never "not inside".
    for direction in ("in", "out"):
        of = rows.filter(direction=direction)
        for (name,), group in of.partition_by("device", as_dict=True, maintain_order=True).items():
            items = group.drop("device").to_dicts()
            for start in range(0, len(items), SCANS_PER_CALL):
                batch = items[start : start + SCANS_PER_CALL]
                checked = items_checked(ScanPayload, batch)
                answers = scans_sync(expo=run.expo, scanner=by_name[name], items=checked)
                _count(status, day, direction, answers, at_door=name in doors)
                renew()


def _count(
    status: LiveStatus, day: dt.date, direction: str, answers: list[dict], *, at_door: bool
) -> None:
    admitted = sum(1 for a in answers if a["result"] == ScanResult.ADMIT)
    status.scans += len(answers)
    status.conflicts += len(answers) - admitted
    if at_door:
        # Into a forum room and out again, not into the venue.
        status.room_admitted += admitted if direction == "in" else 0
    elif direction == "in":
        status.admitted += admitted
        status.inside += admitted
        status.admitted_per_day[day] = status.admitted_per_day.get(day, 0) + admitted
    else:
        status.inside -= admitted


def _send_events(
    run: Run, part: pl.DataFrame, status: LiveStatus, renew: Callable[[], None]
) -> None:
    by_name = {s.name: s for s in run.devices.sensors}
    rows = part.select(
        "device",
        "id",
        "zone",
        "kind",
        pl.col("at").dt.strftime(ISO),
        "count",
        "visitor",
    )
    for (name,), group in rows.partition_by("device", as_dict=True, maintain_order=True).items():
        items = group.drop("device").to_dicts()
        for start in range(0, len(items), EVENTS_PER_CALL):
            batch = items[start : start + EVENTS_PER_CALL]
            checked = items_checked(EventIn, batch)
            result = events_ingest(expo=run.expo, sensor=by_name[name], items=checked)
            status.events += len(batch)
            status.rejected += len(result.rejected)
            renew()


def _send(
    run: Run, part: pl.DataFrame, status: LiveStatus, day: dt.date, renew: Callable[[], None]
) -> None:
    if part.height == 0:
        return
    scan = part["source"] == "scan"
    # People pass the gates before the hall sensors see them: scans go first.
    _send_scans(run, part.filter(scan), status, day, renew)
    _send_events(run, part.filter(~scan), status, renew)


class _Clock:
    """The replay clock as the twin publishes it: set to an instant once everything before
    it is in, and renewed (same instant) at most every `RENEW_S` while work goes on, so that
    the page never takes a slow step for a stopped run."""

    def __init__(self, expo, speed: float, monotonic):
        self.expo, self.speed, self.monotonic = expo, speed, monotonic
        self.written: float | None = None  # wall time of the last write

    def set(self, at: dt.datetime, achieved: float | None) -> None:
        replay_clock_set(expo=self.expo, at=at, speed=self.speed, achieved=achieved)
        self.written = self.monotonic()

    def renew(self) -> None:
        if self.written is None:
            return
        now = self.monotonic()
        if now - self.written >= RENEW_S:
            replay_clock_renew(expo=self.expo)
            self.written = now


class _Pace:
    """The accelerated clock: how much simulated time the next tick covers, and the wait that
    keeps `speed`. A tick that took longer than `tick_s` makes the next one cover more (up to
    `MAX_TICK_SPAN_S`), so the fixed cost of a tick (the fold) is spread when behind."""

    def __init__(self, speed: float, tick_s: float, sleep, monotonic):
        self.speed, self.tick_s, self.sleep, self.monotonic = speed, tick_s, sleep, monotonic
        self.began = self.last = monotonic()
        self.recent: list[tuple[float, float]] = []  # (wall, simulated seconds) of last ticks
        self.simulated = 0.0
        self.busy = 0.0  # wall seconds the last tick's work took

    def span_us(self) -> int:
        wall = max(self.tick_s, self.busy)
        return int(min(wall * self.speed, MAX_TICK_SPAN_S) * 1_000_000)

    def done(self, step_us: int) -> None:
        """Wait until the wall clock has caught up with `step_us` more of simulated time."""
        seconds = step_us / 1_000_000
        self.simulated += seconds
        due = self.last + seconds / self.speed
        now = self.monotonic()
        self.busy = now - self.last
        if now < due:
            self.sleep(due - now)
            now = due
        self.last = now
        self.recent = [*self.recent[-19:], (now, self.simulated)]

    def day_start(self) -> None:
        """A new day starts from the wall clock now (the night is skipped); the speed is
        measured from here, so the first tick of the day has a baseline too."""
        self.last = self.monotonic()
        self.recent = [(self.last, self.simulated)]

    def effective(self) -> float | None:
        """Simulated seconds over wall seconds across the last ticks, the work of each
        included; None before any wall time has passed (nothing measured yet)."""
        (t0, s0), (t1, s1) = self.recent[0], self.recent[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else None


def live_run(
    *,
    run: Run,
    speed: float,
    on_tick: Callable[[LiveStatus], None] | None = None,
    tick_s: float = TICK_S,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> LiveStatus:
    """Play the run's stream into the system at `speed` × real time; return what was done.

    The replay clock is published from the start (the first day's lead-in, before its stream
    is generated), carries the speed achieved so far, and is cleared at the end, also when
    interrupted (Ctrl-C)."""
    status = LiveStatus(days=len(run.days))
    tz = run.venue.tz
    pace = _Pace(speed, tick_s, sleep, monotonic)
    clock = _Clock(run.expo, speed, monotonic)
    try:
        first = run.venue.days[run.days[0]]
        lead_in = dt.datetime.combine(first, run.venue.opens, tzinfo=tz)
        # Nothing happens before the lead-in: the page shows the empty venue at its instant
        # while the day's stream is generated, not the real (expo-less) day.
        clock.set(lead_in - dt.timedelta(seconds=LEAD_S), None)
        # The day's stream is generated between ticks, with the clock renewed as it goes.
        for number, (arrays, frame) in enumerate(stream_days(run, clock.renew), start=1):
            status.day, status.inside = number, 0
            opening = dt.datetime.combine(arrays.day, run.venue.opens, tzinfo=tz)
            closing = dt.datetime.combine(arrays.day, run.venue.closes, tzinfo=tz)
            at_us = frame["at"].dt.epoch("us").to_numpy()
            sim = int((opening.timestamp() - LEAD_S) * 1_000_000)
            end = max(int(closing.timestamp() * 1_000_000), int(at_us[-1]) if len(at_us) else 0)
            sent = 0
            pace.day_start()
            while sim < end:
                step = max(1, min(pace.span_us(), end - sim))
                sim += step
                upto = int(np.searchsorted(at_us, sim, side="right"))
                _send(run, frame.slice(sent, upto - sent), status, arrays.day, clock.renew)
                sent = upto
                pending_fold(expo=run.expo)
                instant = dt.datetime.fromtimestamp(sim / 1_000_000, tz=dt.UTC)
                # After the wait, so that the speed published is measured over this tick too
                # (and the instant is shown when the pace says it is due).
                pace.done(step)
                achieved = pace.effective()
                clock.set(instant, achieved)
                status.clock = instant.astimezone(tz)
                status.simulated_s = pace.simulated
                status.wall_s = pace.last - pace.began
                status.speed = achieved if achieved is not None else speed
                if on_tick:
                    on_tick(status)
    finally:
        replay_clock_clear(expo=run.expo)
    return status
