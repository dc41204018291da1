"""The digital twin's model of an expo day, in arrays: who comes and when, how the gate lanes
queue them, which halls and booths they walk through, and when they leave.

Nothing here touches the database: `venue.py` reads an edition into a `Venue`, `stream.py`
turns a day's arrays into events. The parameters below are the model, stated as data; times
are seconds since the day's local midnight until `DayArrays` turns them into UTC microseconds.

A gate lane is a server with a fixed service time (3600 / 660 s), and each gate is a FIFO
queue in front of its lanes. With identical servers and fixed service, visitor i (in arrival
order) takes the lane that visitor i − lanes left, so its start is the Lindley recursion
`start_i = max(ready_i, start_{i−lanes} + service)`, which is a running maximum per lane:
one `np.maximum.accumulate` over a (rows × lanes) matrix serves a whole gate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

from smartexpo.planning.queue_sim import fifo_starts

# People one gate lane scans per hour; each lane also has an exit reader at the same pace.
LANE_RATE_PER_HOUR = 660
SERVICE_S = 3600 / LANE_RATE_PER_HOUR
# A pass is valid every day, but its holder comes on about one day in four: the 60,000 passes
# of the demo add 15,000 visits a day to the day tickets, 700,000 visits over the four days.
PASS_SHOW_UP = 0.25

# When visitors reach the gates: the share of a day's arrivals in each half hour, by the half
# hour's start in minutes from the daily opening (09:00 in the demo). Early comers queue until
# the lanes open; the big peak is the first ninety minutes, a smaller one follows lunch, and
# nobody arrives in the last ninety minutes.
ARRIVAL_CURVE: tuple[tuple[int, float], ...] = (
    (-60, 2.0),
    (-30, 6.0),
    (0, 15.0),
    (30, 16.0),
    (60, 12.5),
    (90, 9.0),
    (120, 6.5),
    (150, 4.5),
    (180, 3.5),
    (210, 3.5),
    (240, 5.0),
    (270, 5.0),
    (300, 3.5),
    (330, 2.5),
    (360, 2.0),
    (390, 1.5),
    (420, 1.0),
)
ARRIVALS_END_BEFORE_CLOSING_S = 90 * 60

# When visitors want to be at the exit gates: shares per half hour, by its start in minutes
# before the daily closing. Most leave in the late afternoon, but spread enough that the exit
# readers (as many as the entry lanes) never hold anybody past closing at the demo's scale.
DEPARTURE_CURVE: tuple[tuple[int, float], ...] = (
    (-420, 2.5),
    (-390, 3.0),
    (-360, 3.5),
    (-330, 4.0),
    (-300, 5.0),
    (-270, 6.0),
    (-240, 7.0),
    (-210, 8.0),
    (-180, 8.5),
    (-150, 9.0),
    (-120, 9.0),
    (-90, 8.5),
    (-60, 7.5),
    (-30, 4.0),
)
# The last exit wishes fall this long before closing, so the queue and the walk fit.
LAST_EXIT_BEFORE_CLOSING_S = 10 * 60
MIN_STAY_S = 60 * 60


@dataclasses.dataclass(frozen=True)
class Dwell:
    """A lognormal duration: its median in seconds and the sigma of its logarithm."""

    median_s: float
    sigma: float

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.lognormal(np.log(self.median_s), self.sigma, size)


WALK_IN = Dwell(6 * 60, 0.4)  # from the gate through the entrance hall to the first hall
WALK_OUT = Dwell(6 * 60, 0.4)  # from the last hall to the exit gate
TRANSIT = Dwell(4 * 60, 0.5)  # hall to hall along the concourse
# Hall visits share the time between the walks; this spreads them (a relative weight).
HALL_SHARE = Dwell(1.0, 0.5)
BOOTH_DWELL = Dwell(4 * 60, 0.6)
MIN_BOOTH_S = 30.0
# Halls visited: Poisson with this mean per hour inside (5.5 on average: most stay 3–5 hours).
HALLS_PER_HOUR = 1.4
MIN_HALL_SLOT_S = 10 * 60
# Booths visited per hall visit: Poisson with this mean, at most one per MIN_BOOTH_SLOT_S.
BOOTHS_PER_HALL_VISIT = 1.8
MIN_BOOTH_SLOT_S = 4 * 60
# At most this share of a hall visit is spent inside booths; the rest is walking the aisles.
BOOTH_TIME_SHARE = 0.6
# Transits take at most this share of the time between the walks.
TRANSIT_TIME_SHARE = 0.3
# From a hall to a forum room's door, and back: hall visits this close to a session are left.
ROOM_WALK_S = 5 * 60


@dataclasses.dataclass(frozen=True)
class Gate:
    """An entrance gate into the venue and its scanning lanes, and the zone its queue is
    counted in (None: not counted)."""

    code: str
    lanes: int
    queue: str | None = None


@dataclasses.dataclass(frozen=True)
class Hall:
    """A hall with its attractiveness and its booths (zone codes) with theirs."""

    code: str
    weight: float
    booths: tuple[str, ...] = ()
    booth_weights: tuple[float, ...] = ()


@dataclasses.dataclass(frozen=True)
class VisitorClass:
    """Visitors holding one ticket type: whether it is a pass and which halls it admits to."""

    code: str
    all_days: bool
    halls: frozenset[str]


@dataclasses.dataclass(frozen=True)
class Venue:
    """What the model needs of an edition. `weights[d][c]`: relative visits of class c on day
    d (a day ticket's quota, a pass's quota × PASS_SHOW_UP)."""

    tz: ZoneInfo
    days: tuple[dt.date, ...]
    opens: dt.time
    closes: dt.time
    gates: tuple[Gate, ...]
    halls: tuple[Hall, ...]
    classes: tuple[VisitorClass, ...]
    weights: tuple[tuple[float, ...], ...]

    @property
    def zone_codes(self) -> list[str]:
        """Every zone the sensors report on: the halls, then each hall's booths in order, then
        the gates' queue zones (`queue_gates` order)."""
        halls = [h.code for h in self.halls] + [b for h in self.halls for b in h.booths]
        return halls + [self.gates[g].queue for g in self.queue_gates]

    @property
    def queue_gates(self) -> list[int]:
        """The indexes of the gates whose queue is counted, in gate order."""
        return [g for g, gate in enumerate(self.gates) if gate.queue]


@dataclasses.dataclass(frozen=True)
class RoomVisits:
    """One row per visitor at a session: the visitor, the door, in and out (seconds)."""

    visitor: np.ndarray
    door: np.ndarray
    scan_in: np.ndarray
    scan_out: np.ndarray

    @classmethod
    def none(cls) -> RoomVisits:
        empty = np.zeros(0)
        return cls(empty.astype(np.int32), empty.astype(np.int16), empty, empty)


def visits_plan(*, venue: Venue, visitors: int, days: range) -> np.ndarray:
    """The arrival model's visits per (day, class) for `visitors` visits over `days` (indexes
    into `venue.days`): the weights apportioned by largest remainders, so the counts are
    exact integers that add up to `visitors`."""
    weights = np.array([venue.weights[d] for d in days], dtype=np.float64)
    total = weights.sum()
    if total <= 0:
        return np.zeros(weights.shape, dtype=np.int64)
    quota = weights / total * visitors
    plan = np.floor(quota).astype(np.int64)
    remainder = (quota - plan).ravel()
    short = visitors - int(plan.sum())
    # Ties broken by cell order (stable), so the plan is the same on every machine.
    for cell in np.argsort(-remainder, kind="stable")[:short]:
        plan.flat[cell] += 1
    return plan


def expected_admissions(*, plan: np.ndarray) -> list[int]:
    """Admissions per simulated day that the arrival model promises: one per visit."""
    return [int(n) for n in plan.sum(axis=1)]


def seconds_of(value: dt.time) -> float:
    """Seconds since midnight of a time of day."""
    return value.hour * 3600 + value.minute * 60 + value.second


def sample_curve(rng, curve, origin_s: float, size: int, end_s: float) -> np.ndarray:
    """Times drawn from a half-hour histogram whose slots start at origin + minutes."""
    starts = np.array([origin_s + m * 60 for m, _w in curve], dtype=np.float64)
    ends = np.minimum(starts + 1800, end_s)
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    weights = np.array([w for _m, w in curve], dtype=np.float64)[keep]
    slot = rng.choice(len(starts), size=size, p=weights / weights.sum())
    return starts[slot] + rng.random(size) * (ends[slot] - starts[slot])


def lane_queue(ready: np.ndarray, lanes: int, service_s: float = SERVICE_S) -> np.ndarray:
    """Service start times of a FIFO queue in front of `lanes` identical lanes (see the
    module's docstring): each lane starts somebody at most once per `service_s`. The gate-lane
    plan checks its lanes with the same queue (`planning.queue_sim`), so it is written once."""
    return fifo_starts(ready, lanes, service_s)


def gates_queue(
    rng, venue: Venue, ready: np.ndarray, came: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(gate index, scan time) per visitor: gates chosen in proportion to their lanes. Those
    ready at the same instant (early comers, all ready at the opening) are served in the order
    they `came`, as a line forms: first in, first out, which the gates' measured waits assume."""
    lanes = np.array([g.lanes for g in venue.gates], dtype=np.float64)
    gate = rng.choice(len(lanes), size=len(ready), p=lanes / lanes.sum()).astype(np.int16)
    at = np.empty(len(ready), dtype=np.float64)
    for g, spec in enumerate(venue.gates):
        mine = np.flatnonzero(gate == g)
        if came is not None:
            mine = mine[np.lexsort((came[mine], ready[mine]))]
        at[mine] = lane_queue(ready[mine], spec.lanes)
    return gate, at


def segment_starts(counts: np.ndarray) -> np.ndarray:
    """Where each of consecutive segments of these lengths starts."""
    return np.cumsum(counts) - counts


def within(values: np.ndarray, segment: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Inclusive running sums of `values` within consecutive segments (`segment` sorted)."""
    if len(values) == 0:
        return values.astype(np.float64)
    total = np.cumsum(values)
    starts = segment_starts(counts)
    base = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0.0)
    return total - base[segment]
