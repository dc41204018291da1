"""The twin's event stream: the model's arrays joined with the real tickets and devices, as
one polars DataFrame per day, sorted by time. The live driver sends it slice by slice; the dry
run writes it to Parquet (`smartexpo venue import` reads that file back).

The schema is a contract (see `SCHEMA`): one row per event, `at` in UTC microseconds; a scan
row has gate, direction and the ticket's secret, a sensor row has zone, kind, count and the
visitor's tag (`ticket:<serial>` when booth visits follow interests, the default, so that the
server can attribute booth visits; `v<n>`, a pseudonym, in `area` mode). Event ids and nonces
are `sim-<seed>-<run>-<n>` (`n` in ten digits, so that ids sort in the order of the events),
`run` a digest of what shapes the stream (edition, visitors, days, sensor misses, booth visits):
a re-run with the same options sends the same ids and changes nothing, another run never
collides with it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import polars as pl

from smartexpo.core.errors import SmartExpoError
from smartexpo.demo.simulator import model as m
from smartexpo.demo.simulator.day import DayArrays, simulate_day
from smartexpo.demo.simulator.devices import TwinDevices, twin_devices_ensure
from smartexpo.demo.simulator.interests import (
    BOOTH_VISITS,
    TICKET_TAG,
    BoothWorld,
    booth_world_load,
    interests_of,
)
from smartexpo.demo.simulator.sessions import RoomPlan, room_plan_load, room_visits
from smartexpo.demo.simulator.showup import Shock, pool_booked_by_day, visits_draw
from smartexpo.demo.simulator.tickets import (
    TicketPool,
    pool_load,
    secrets_for,
    tickets_choose,
    tickets_ensure,
)
from smartexpo.demo.simulator.venue import venue_load
from smartexpo.demo.visitors import demo_visitor_indexes
from smartexpo.venue.models import Expo

# Bumped whenever the model changes what a seed produces, so that ids never repeat.
MODEL_VERSION = 3

SCHEMA = pl.Schema(
    {
        "at": pl.Datetime("us", "UTC"),
        "source": pl.Utf8,
        "device": pl.Utf8,
        "id": pl.Utf8,
        "zone": pl.Utf8,
        "kind": pl.Utf8,
        "count": pl.Int32,
        "visitor": pl.Utf8,
        "gate": pl.Utf8,
        "direction": pl.Utf8,
        "secret": pl.Utf8,
    }
)

ID_DIGITS = 10  # event numbers: 10 billion per run


@dataclasses.dataclass(frozen=True)
class Run:
    """Everything one simulation needs, prepared: the edition, its model, the plan of visits
    per (simulated day, class), the ticket pool and the twin's devices."""

    expo: Expo
    venue: m.Venue
    days: range
    plan: np.ndarray
    seed: int
    sensor_miss: float
    pool: TicketPool
    devices: TwinDevices
    # The forum sessions the twin sends visitors to (None: none published).
    rooms: RoomPlan | None = None
    # "interests": booth visits follow the visitors' hidden interests (`world`, and the demo
    # index of each registration in `indexes`), sensors tag visitors `ticket:<serial>`;
    # "area": by floor area, tags `v<n>` (the twin's first model).
    booth_visits: str = "interests"
    world: BoothWorld | None = None
    indexes: dict[int, int] | None = None
    # "visitors": the plan apportions a number of visits; "show-up": it is the registered
    # tickets that come (`showup`), drawn with these rates' shock.
    mode: str = "visitors"

    def keen(self, day_index: int) -> np.ndarray | None:
        """Pool positions of the tickets whose holders reserved a seat on the day: drawn
        first (`tickets.tickets_choose`)."""
        if self.rooms is None:
            return None
        holders = self.rooms.holders(self.venue.days[day_index])
        return np.flatnonzero(np.isin(self.pool.registrations, holders))

    @property
    def gate_codes(self) -> list[str]:
        """The codes of the gates scans name by index: the entrance gates, then the doors."""
        doors = list(self.rooms.doors) if self.rooms else []
        return [g.code for g in self.venue.gates] + doors

    @property
    def prefix(self) -> str:
        shape = f"{MODEL_VERSION}:{self.expo.slug}:{self.plan.tolist()}:{self.days}:"
        shape += f"{self.sensor_miss!r}"
        if self.booth_visits != "area":  # area keeps the ids its runs always had
            shape += f":{self.booth_visits}"
        if self.mode != "visitors":  # the same plan holds other tickets
            shape += f":{self.mode}"
        return f"sim-{self.seed}-{hashlib.sha256(shape.encode()).hexdigest()[:6]}-"

    def expected_admissions(self) -> list[int]:
        """Admissions per simulated day, as the arrival model plans them."""
        return m.expected_admissions(plan=self.plan)


def run_prepare(
    *,
    expo: Expo,
    visitors: int | None,
    days: range,
    seed: int,
    sensor_miss: float,
    say: Callable[[str], None],
    booth_visits: str = "interests",
    shock: Shock | None = None,
) -> Run:
    """Read the edition, plan the visits, make sure they have tickets, ensure the devices
    (and, for interest-driven booth visits, read who stands at which booth).

    `visitors` None is the show-up mode (`showup`): the visits are the registered tickets that
    come, drawn per (day, class) with the show-up rates and `shock`; nobody is registered."""
    if booth_visits not in BOOTH_VISITS:
        raise ValueError(f"booth_visits must be one of {BOOTH_VISITS}")
    if shock and visitors is not None:
        raise ValueError("A demand shock is a show-up run's (visitors None).")
    venue = venue_load(expo=expo)
    if visitors is None:
        pool = pool_booked_by_day(expo=expo, venue=venue, pool=pool_load(expo=expo, venue=venue))
        plan = visits_draw(venue=venue, pool=pool, days=days, seed=seed, shock=shock)
        if not plan.sum():
            raise SmartExpoError(
                "invalid",
                "Nobody shows up: the edition has no registered tickets on these days "
                "(`smartexpo demo seed` registers the demo's visitors).",
            )
    else:
        plan = m.visits_plan(venue=venue, visitors=visitors, days=days)
        pool, plan = tickets_ensure(
            expo=expo, venue=venue, plan=plan, days=days, seed=seed, say=say
        )
    rooms = room_plan_load(expo=expo, venue=venue)
    if not rooms.sessions:
        rooms = None
    devices = twin_devices_ensure(expo=expo, venue=venue, doors=rooms.doors if rooms else ())
    world = indexes = None
    if booth_visits == "interests":
        world = booth_world_load(expo=expo, venue=venue)
        indexes = {pk: i for i, pk in demo_visitor_indexes(expo).items()}
    return Run(
        expo,
        venue,
        days,
        plan,
        seed,
        sensor_miss,
        pool,
        devices,
        rooms,
        booth_visits=booth_visits,
        world=world,
        indexes=indexes,
        mode="visitors" if visitors is not None else "show-up",
    )


def _nothing() -> None:
    pass


def day_tickets(run: Run, day_index: int, cls: np.ndarray) -> np.ndarray:
    """The pool position of the ticket each of the day's visitors (by class) holds: the one
    draw every view of a simulated day shares (its events, its rooms, its interests)."""
    return tickets_choose(
        pool=run.pool,
        day=day_index,
        cls=cls,
        counts=run.plan[run.days.index(day_index)],
        seed=run.seed,
        first=run.keen(day_index),
    )


def _rooms(run: Run, i: int):
    """The day's sessions as `simulate_day` asks for them: who goes where, by the tickets the
    visitors hold (drawn as `day_frame` draws them)."""
    if run.rooms is None:
        return None
    day_index = run.days[i]
    rooms = run.rooms

    def visits(cls, inside_from, inside_to):
        tickets = day_tickets(run, day_index, cls)
        return room_visits(
            plan=rooms,
            day=run.venue.days[day_index],
            rng=np.random.default_rng([run.seed, 11, day_index]),
            cls=cls,
            registration=run.pool.registrations[tickets],
            inside_from=inside_from,
            inside_to=inside_to,
        )

    return visits


def _prefs(run: Run, i: int):
    """The day's visitors' interests as `simulate_day` asks for them, by the tickets they
    hold (drawn as `day_frame` draws them); None in `area` mode."""
    if run.world is None:
        return None
    day_index = run.days[i]

    def prefs(cls):
        tickets = day_tickets(run, day_index, cls)
        interests = interests_of(run.pool.registrations[tickets], run.indexes or {})
        return run.world.preferences(interests=interests, seed=[run.seed, 13, day_index])

    return prefs


def day_arrays(run: Run, i: int, tick: Callable[[], None] = _nothing) -> DayArrays:
    """The model's arrays of the i-th simulated day (`tick`: see `stream_days`)."""
    return simulate_day(
        venue=run.venue,
        day_index=run.days[i],
        counts=run.plan[i],
        seed=run.seed,
        sensor_miss=run.sensor_miss,
        tick=tick,
        rooms=_rooms(run, i),
        prefs=_prefs(run, i),
    )


def _lookup(values: list[str], column: str) -> pl.Expr:
    """Strings by index (a null index gives null)."""
    return pl.lit(pl.Series(values, dtype=pl.Utf8)).gather(pl.col(column))


def day_frame(
    run: Run, arrays: DayArrays, first_n: int, tick: Callable[[], None] = _nothing
) -> pl.DataFrame:
    """One day's events in the stream's schema, sorted by time (a scan before a sensor event
    at the same microsecond); ids are numbered from `first_n` (`tick`: see `stream_days`)."""
    tickets = day_tickets(run, arrays.day_index, arrays.visitor_class)
    tick()
    held, secrets = secrets_for(expo=run.expo, pool=run.pool, positions=tickets, tick=tick)
    sensors = len(run.devices.sensors)
    # Indexes first (cheap to sort), strings after: the two sides fill each other's columns
    # with nulls, and a null index looks up a null string.
    scans = pl.DataFrame(
        {
            "at": arrays.scan_at,
            "device": sensors + arrays.scan_gate.astype(np.uint32),
            "gate": arrays.scan_gate.astype(np.uint32),
            "direction": arrays.scan_out.astype(np.uint32),
            "secret": np.searchsorted(held, tickets[arrays.scan_visitor]).astype(np.uint32),
        }
    )
    holders = tickets[arrays.event_visitor]
    if run.booth_visits == "interests":
        # The badge is the ticket: the server attributes booth visits by the serial.
        holders = np.asarray(run.pool.serials, dtype=np.int64)[holders]
    events = pl.DataFrame(
        {
            "at": arrays.event_at,
            "device": arrays.event_hall.astype(np.uint32),
            "zone": arrays.event_zone.astype(np.uint32),
            "kind": arrays.event_exit.astype(np.uint32),
            "visitor": holders,
        }
    )
    tick()
    ints = pl.concat([scans, events], how="diagonal")
    # NumPy's stable sort of the times beats sorting the frame (measured: 0.7 s against 2 s
    # for a day of the 700,000-visitor run); the gather of the columns is then parallel.
    ints = ints[np.argsort(ints["at"].to_numpy(), kind="stable")]
    tick()
    scan = pl.col("gate").is_not_null()
    tag = TICKET_TAG if run.booth_visits == "interests" else "v"
    frame = ints.select(
        pl.col("at").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        pl.when(scan).then(pl.lit("scan")).otherwise(pl.lit("sensor")).alias("source"),
        _lookup(run.devices.names, "device").alias("device"),
        (
            pl.lit(run.prefix)
            # Zero-padded, so that ids sort as the events do: the importer then stores them
            # in the order of their unique index, without sorting 20 million strings.
            + (pl.int_range(pl.len(), dtype=pl.Int64) + first_n).cast(pl.Utf8).str.zfill(ID_DIGITS)
        ).alias("id"),
        _lookup(run.venue.zone_codes, "zone").alias("zone"),
        _lookup(["enter", "exit"], "kind").alias("kind"),
        pl.when(scan).then(None).otherwise(pl.lit(1)).cast(pl.Int32).alias("count"),
        (pl.lit(tag) + pl.col("visitor").cast(pl.Utf8)).alias("visitor"),
        _lookup(run.gate_codes, "gate").alias("gate"),
        _lookup(["in", "out"], "direction").alias("direction"),
        _lookup(secrets, "secret").alias("secret"),
    )
    return frame.match_to_schema(SCHEMA)


def entrance_scans_frame(run: Run, arrays: DayArrays, first_n: int) -> pl.DataFrame:
    """One day's scans at the entrance gates only (in and out), in the stream's schema and
    sorted by time, ids numbered from `first_n`: the admissions, without the sensor events and
    the forum doors' scans (a past edition's history, `demo.history`, keeps no more). The
    tickets are drawn as `day_frame` draws them."""
    tickets = day_tickets(run, arrays.day_index, arrays.visitor_class)
    entrance = np.flatnonzero(arrays.scan_gate < len(run.venue.gates))
    entrance = entrance[np.argsort(arrays.scan_at[entrance], kind="stable")]
    holders = tickets[arrays.scan_visitor[entrance]]
    held, secrets = secrets_for(expo=run.expo, pool=run.pool, positions=holders)
    gate = arrays.scan_gate[entrance].astype(np.uint32)
    scanners = [s.name for s in run.devices.scanners]
    frame = pl.DataFrame(
        {
            "at": arrays.scan_at[entrance],
            "gate": gate,
            "direction": arrays.scan_out[entrance].astype(np.uint32),
            "secret": np.searchsorted(held, holders).astype(np.uint32),
        }
    ).select(
        pl.col("at").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        pl.lit("scan").alias("source"),
        _lookup(scanners, "gate").alias("device"),
        (
            pl.lit(run.prefix)
            + (pl.int_range(pl.len(), dtype=pl.Int64) + first_n).cast(pl.Utf8).str.zfill(ID_DIGITS)
        ).alias("id"),
        _lookup(run.gate_codes, "gate").alias("gate"),
        _lookup(["in", "out"], "direction").alias("direction"),
        _lookup(secrets, "secret").alias("secret"),
    )
    return frame.match_to_schema(SCHEMA, missing_columns="insert")


def stream_days(
    run: Run, tick: Callable[[], None] = _nothing
) -> Iterator[tuple[DayArrays, pl.DataFrame]]:
    """Each simulated day's arrays and events, in order; ids run on across the days.

    `tick` is called often while a day is generated, between its steps (the live twin renews
    its replay clock there, so that the live page does not take a long generation for a
    stopped run)."""
    first_n = 0
    for i in range(len(run.days)):
        arrays = day_arrays(run, i, tick)
        frame = day_frame(run, arrays, first_n, tick)
        first_n += frame.height
        yield arrays, frame


def stream_write(
    *, run: Run, path: Path, progress: Callable[[DayArrays, pl.DataFrame], None] | None = None
) -> pl.DataFrame:
    """Write the whole stream to one Parquet file; return it."""
    frames = []
    for arrays, frame in stream_days(run):
        frames.append(frame)
        if progress:
            progress(arrays, frame)
    whole = pl.concat(frames, rechunk=False) if frames else SCHEMA.to_frame()
    whole.write_parquet(path)
    return whole
