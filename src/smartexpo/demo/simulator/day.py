"""One simulated expo day: the arrival model, the gate queues and the itineraries together,
as arrays of scans and sensor events in UTC microseconds (not yet sorted by time)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from smartexpo.demo.simulator import model as m
from smartexpo.demo.simulator.itinerary import Itinerary, itinerary

if TYPE_CHECKING:
    from smartexpo.demo.simulator.interests import VisitorPreferences


@dataclasses.dataclass(frozen=True)
class DayArrays:
    """A day's visitors (by index), their gate scans and the sensors' events.

    Scans: `scan_visitor` went through gate `scan_gate` at `scan_at`, in or (`scan_out`) out;
    the entrance gates' scans first (each visitor in, then each out), then the room doors'
    (gate indexes after the venue's entrance gates).
    Events: `event_visitor` entered or (`event_exit`) left zone `event_zone` (an index into
    `Venue.zone_codes`), reported by sensor `event_hall` (a hall's, or after the halls' a
    counted gate queue's: `TwinDevices.sensors`). A visitor joins a counted queue on arriving
    and leaves it when scanned in (`arrived_at`, and the first `visitors` of `scan_at`).
    `missed_zone` lists the zone of every exit the sensors were made to miss."""

    day: dt.date
    day_index: int
    visitor_class: np.ndarray
    arrived_at: np.ndarray
    scan_at: np.ndarray
    scan_visitor: np.ndarray
    scan_gate: np.ndarray
    scan_out: np.ndarray
    event_at: np.ndarray
    event_visitor: np.ndarray
    event_zone: np.ndarray
    event_hall: np.ndarray
    event_exit: np.ndarray
    missed_zone: np.ndarray

    @property
    def visitors(self) -> int:
        return len(self.visitor_class)


def _origin_us(venue: m.Venue, day: dt.date) -> int:
    """UTC microseconds of the day's local midnight, as the opening hour's offset has it (the
    expo's hours never straddle a daylight-saving change, which happens at night)."""
    opening = dt.datetime.combine(day, venue.opens, tzinfo=venue.tz)
    return round(opening.timestamp() * 1_000_000) - round(m.seconds_of(venue.opens) * 1_000_000)


def _departures(rng, close_s: float, earliest: np.ndarray) -> np.ndarray:
    """Exit wishes from the departure curve, redrawn (a few times) for visitors who would
    otherwise leave before their minimum stay, then held within [earliest, last exit]."""
    last = close_s - m.LAST_EXIT_BEFORE_CLOSING_S
    leave = m.sample_curve(rng, m.DEPARTURE_CURVE, close_s, len(earliest), last)
    for _ in range(3):
        early = np.flatnonzero(leave < earliest)
        if not len(early):
            break
        leave[early] = m.sample_curve(rng, m.DEPARTURE_CURVE, close_s, len(early), last)
    return np.minimum(np.maximum(leave, earliest), last)


def _nothing() -> None:
    pass


Rooms = Callable[[np.ndarray, np.ndarray, np.ndarray], m.RoomVisits]
# Given the day's visitor classes, the visitors' interests (`simulator.interests`).
Preferences = Callable[[np.ndarray], "VisitorPreferences"]


def _leave_halls_for_rooms(trip: Itinerary, rooms: m.RoomVisits, n: int) -> Itinerary:
    """The itinerary without the hall visits that overlap a visitor's sessions (from a few
    minutes before the first to a few after the last) nor the booth visits inside them: the
    visitor is at the forum rooms then. Whole visits go, so every entry the sensors report
    still has its exit."""
    if not len(rooms.visitor):
        return trip
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    # From before the first session to after the last (a visitor may attend two).
    np.minimum.at(lo, rooms.visitor, rooms.scan_in - m.ROOM_WALK_S)
    np.maximum.at(hi, rooms.visitor, rooms.scan_out + m.ROOM_WALK_S)
    v = trip.hall_visitor
    drop = (trip.hall_enter < hi[v]) & (trip.hall_exit > lo[v])
    first = np.full(n, np.inf)
    last = np.full(n, -np.inf)
    np.minimum.at(first, v[drop], trip.hall_enter[drop])
    np.maximum.at(last, v[drop], trip.hall_exit[drop])
    b = trip.booth_visitor
    gone = (trip.booth_enter >= first[b]) & (trip.booth_enter <= last[b])
    keep, kept = ~drop, ~gone
    return Itinerary(
        hall_visitor=trip.hall_visitor[keep],
        hall=trip.hall[keep],
        hall_enter=trip.hall_enter[keep],
        hall_exit=trip.hall_exit[keep],
        booth_visitor=trip.booth_visitor[kept],
        booth_hall=trip.booth_hall[kept],
        booth_zone=trip.booth_zone[kept],
        booth_enter=trip.booth_enter[kept],
        booth_exit=trip.booth_exit[kept],
    )


def _queue_parts(venue: m.Venue, gate: np.ndarray, arrive: np.ndarray, scan: np.ndarray):
    """The counted queues' events as `simulate_day` lists its parts: each visitor at a gate
    with a queue zone enters it on arriving and leaves it at the scan (the counters at the
    queue's entry and at the lanes see everyone: no miss is drawn, so the seed's draws and
    every other event stay as they were)."""
    queued = venue.queue_gates
    if not queued:
        return []
    position = np.full(len(venue.gates), -1, dtype=np.int32)
    position[queued] = np.arange(len(queued))
    who = np.flatnonzero(position[gate] >= 0).astype(np.int32)
    first_zone = len(venue.zone_codes) - len(queued)
    zone = (first_zone + position[gate[who]]).astype(np.int32)
    sensor = (len(venue.halls) + position[gate[who]]).astype(np.int16)
    return [(arrive[who], who, zone, sensor, False), (scan[who], who, zone, sensor, True)]


def simulate_day(
    *,
    venue: m.Venue,
    day_index: int,
    counts: np.ndarray,
    seed: int,
    sensor_miss: float,
    tick: Callable[[], None] = _nothing,
    rooms: Rooms | None = None,
    prefs: Preferences | None = None,
) -> DayArrays:
    """Simulate day `day_index` of `venue` with `counts[c]` visitors of class c; the same
    arguments always give the same arrays. `tick` is called between the steps (the live twin
    renews its replay clock there: a big day takes a while on a slow machine). `rooms`, given
    the visitors' classes and when each is inside (from, to: seconds of the day), says who goes
    to a forum session, through which door (an index after the venue's gates) and when.
    `prefs`, given the classes, gives the visitors' interests: halls and booths then follow
    them (`simulator.interests`) rather than floor area."""
    rng = np.random.default_rng([seed, day_index])
    day = venue.days[day_index]
    classes = np.arange(len(venue.classes), dtype=np.int16)
    cls = rng.permutation(np.repeat(classes, np.asarray(counts, dtype=np.int64)))
    n = len(cls)
    open_s, close_s = m.seconds_of(venue.opens), m.seconds_of(venue.closes)
    arrive = m.sample_curve(
        rng, m.ARRIVAL_CURVE, open_s, n, close_s - m.ARRIVALS_END_BEFORE_CLOSING_S
    )
    tick()
    # Nobody is scanned before the lanes open: early comers wait in the queue.
    gate_in, scan_in = m.gates_queue(rng, venue, np.maximum(arrive, open_s), came=arrive)
    tick()
    through = scan_in + m.SERVICE_S
    leave = _departures(rng, close_s, through + m.MIN_STAY_S)
    leave = np.maximum(leave, through + 120)
    room = leave - through
    walk_in, walk_out = m.WALK_IN.sample(rng, n), m.WALK_OUT.sample(rng, n)
    # Walks take at most half of a short visit.
    fit = np.minimum(1.0, 0.5 * room / (walk_in + walk_out))
    walk_in, walk_out = walk_in * fit, walk_out * fit
    tick()
    trip = itinerary(
        rng=rng,
        venue=venue,
        cls=cls,
        start=through + walk_in,
        avail=room - walk_in - walk_out,
        prefs=None if prefs is None else prefs(cls),
    )
    tick()
    visits = (
        m.RoomVisits.none() if rooms is None else rooms(cls, through + walk_in, leave - walk_out)
    )
    trip = _leave_halls_for_rooms(trip, visits, n)
    gate_out, scan_out = m.gates_queue(rng, venue, leave)
    tick()

    hall_kept = rng.random(len(trip.hall)) >= sensor_miss
    booth_kept = rng.random(len(trip.booth_zone)) >= sensor_miss
    hall_zone = trip.hall.astype(np.int32)
    origin = _origin_us(venue, day)

    def us(seconds: np.ndarray) -> np.ndarray:
        return origin + np.rint(seconds * 1_000_000).astype(np.int64)

    # (time, visitor, zone, reporting hall, exit?) of the hall entries, the hall exits the
    # sensors saw, the booth entries and the booth exits they saw.
    hall = (trip.hall_visitor, hall_zone, trip.hall)
    booth = (trip.booth_visitor, trip.booth_zone, trip.booth_hall)
    parts = [
        (trip.hall_enter, *hall, False),
        (trip.hall_exit[hall_kept], *(a[hall_kept] for a in hall), True),
        (trip.booth_enter, *booth, False),
        (trip.booth_exit[booth_kept], *(a[booth_kept] for a in booth), True),
        *_queue_parts(venue, gate_in, arrive, scan_in),
    ]
    visitors = np.arange(n, dtype=np.int32)
    doors = (len(venue.gates) + visits.door).astype(np.int16)
    inside = len(visits.visitor)
    return DayArrays(
        day=day,
        day_index=day_index,
        visitor_class=cls,
        arrived_at=us(arrive),
        scan_at=np.concatenate(
            [us(scan_in), us(scan_out), us(visits.scan_in), us(visits.scan_out)]
        ),
        scan_visitor=np.concatenate([visitors, visitors, visits.visitor, visits.visitor]),
        scan_gate=np.concatenate([gate_in, gate_out, doors, doors]),
        scan_out=np.concatenate(
            [np.repeat(np.array([False, True]), n), np.repeat(np.array([False, True]), inside)]
        ),
        event_at=us(np.concatenate([p[0] for p in parts])),
        event_visitor=np.concatenate([p[1] for p in parts]).astype(np.int32),
        event_zone=np.concatenate([p[2] for p in parts]).astype(np.int32),
        event_hall=np.concatenate([p[3] for p in parts]).astype(np.int16),
        event_exit=np.concatenate([np.full(len(p[0]), p[4]) for p in parts]),
        missed_zone=np.concatenate([hall_zone[~hall_kept], trip.booth_zone[~booth_kept]]),
    )
