"""The twin's visitors at forum sessions: who walks through a room's door, when, and out again.

The published programme decides where sessions are; the room doors (gates into zones of kind
room) are where the twin scans. A visitor goes to sessions only while inside the venue (at the
latest a few minutes after the start, and until after the end), never to two close together:

- a session that needs a reservation admits only registrations holding a confirmed one, so
  the twin sends exactly those of its visitors (most of them: some are no-shows);
- a session without seats draws a share of the visitors present whose ticket type admits to
  the room, up to nearly the room's capacity.

Visitors are scanned in within the session's first minutes (a door admits into the session
running at the scan, `programme.selectors.session_at_door`) and out in its last ones. Breaks
draw nobody. Between two sessions of one visitor, the visitor stays by the forum rooms.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from smartexpo.demo.simulator import model as m
from smartexpo.demo.simulator.model import RoomVisits
from smartexpo.programme.models import Reservation, ReservationStatus
from smartexpo.programme.selectors import published_programme
from smartexpo.tickets.models import TicketType
from smartexpo.venue.models import Expo, Gate, ZoneKind

# Of those holding a confirmed reservation and inside at the time, the share who come.
SHOW_UP = 0.85
# Of the visitors present whose ticket admits to the room, the share an open session draws.
OPEN_SESSION_SHARE = 0.03
# An open session fills at most this share of its room.
OPEN_FILL = 0.9
# Scanned in within this many seconds of the start, out within this many before the end.
IN_SPREAD_S = 240.0
OUT_SPREAD_S = 180.0
# A visitor goes to a session when inside by this long after it starts (a late-comer is let
# in), and still inside this long after it ends; never to two sessions closer than that.
LATE_S = 10 * 60.0
MARGIN_S = 10 * 60.0
# A second session of the day only this close to the first: in between, the visitor stays by
# the forum rooms rather than in the halls.
NEAR_S = 90 * 60.0


@dataclasses.dataclass(frozen=True)
class RoomSession:
    id: int
    door: int  # index into `RoomPlan.doors`
    day: dt.date
    start_s: float  # seconds of the local day
    end_s: float
    capacity: int
    reserved: np.ndarray  # registration ids holding a confirmed reservation (empty: no seats)
    needs_reservation: bool


@dataclasses.dataclass(frozen=True)
class RoomPlan:
    """The doors (gate codes, one per room) and the published sessions behind them;
    `allowed[c, d]`: whether visitor class c's ticket type admits to door d's room."""

    doors: tuple[str, ...]
    sessions: tuple[RoomSession, ...]
    allowed: np.ndarray

    def of_day(self, day: dt.date) -> list[RoomSession]:
        return [s for s in self.sessions if s.day == day]

    def holders(self, day: dt.date) -> np.ndarray:
        """The registrations holding a confirmed seat at a session of the day."""
        found = [s.reserved for s in self.of_day(day) if len(s.reserved)]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)


def _seconds(iso: str, tz) -> float:
    local = dt.datetime.fromisoformat(iso).astimezone(tz)
    return local.hour * 3600 + local.minute * 60 + local.second


def room_plan_load(*, expo: Expo, venue: m.Venue) -> RoomPlan:
    """The doors, the published sessions behind them with their confirmed reservations, and
    which visitor classes each room admits."""
    doors = {}
    capacity = {}
    for gate in (
        Gate.objects.filter(expo=expo, zone__kind=ZoneKind.ROOM)
        .select_related("zone")
        .order_by("id")
    ):
        # One door per room is enough for the twin: the first.
        doors.setdefault(gate.zone.code, gate.code)
        capacity[gate.zone.code] = gate.zone.capacity
    rooms = list(doors)
    zones = {
        t.code: {z.code for z in t.zones.all()}
        for t in TicketType.objects.filter(expo=expo).prefetch_related("zones")
    }
    allowed = np.array(
        [[room in zones.get(c.code, set()) for room in rooms] for c in venue.classes], dtype=bool
    ).reshape(len(venue.classes), len(rooms))
    published = published_programme(expo=expo)
    seated = [s["id"] for s in published.sessions if s["seats"] is not None]
    holders: dict[int, list[int]] = {}
    for session_id, registration_id in Reservation.objects.filter(
        session_id__in=seated, status=ReservationStatus.CONFIRMED
    ).values_list("session_id", "registration_id"):
        holders.setdefault(session_id, []).append(registration_id)
    sessions = tuple(
        RoomSession(
            id=s["id"],
            door=rooms.index(s["room"]),
            day=dt.date.fromisoformat(s["day"]),
            start_s=_seconds(s["starts_at"], venue.tz),
            end_s=_seconds(s["ends_at"], venue.tz),
            capacity=capacity[s["room"]],
            reserved=np.array(sorted(holders.get(s["id"], ())), dtype=np.int64),
            needs_reservation=s["seats"] is not None,
        )
        for s in published.sessions
        if s["room"] in doors and s["format"] != "break"
    )
    return RoomPlan(tuple(doors[r] for r in rooms), sessions, allowed)


def room_visits(
    *,
    plan: RoomPlan,
    day: dt.date,
    rng: np.random.Generator,
    cls: np.ndarray,
    registration: np.ndarray,
    inside_from: np.ndarray,
    inside_to: np.ndarray,
) -> RoomVisits:
    """Who of the day's visitors (class `cls`, holding a ticket of `registration`, inside the
    venue from `inside_from` to `inside_to`) goes to which session. Sessions that need a
    reservation are served first, then the open ones, each in order of start."""
    sessions = sorted(plan.of_day(day), key=lambda s: (not s.needs_reservation, s.start_s, s.door))
    # The span each visitor already spends at sessions (empty: +inf, -inf).
    busy_from = np.full(len(cls), np.inf)
    busy_to = np.full(len(cls), -np.inf)
    rows: list[tuple[np.ndarray, RoomSession]] = []
    for s in sessions:
        before = (s.end_s + MARGIN_S <= busy_from) & (busy_from - s.end_s <= NEAR_S)
        after = (s.start_s - MARGIN_S >= busy_to) & (s.start_s - busy_to <= NEAR_S)
        free = (
            (np.isinf(busy_from) | before | after)
            & (inside_from <= s.start_s + LATE_S)
            & (inside_to >= s.end_s + MARGIN_S)
            & plan.allowed[cls, s.door]
        )
        if s.needs_reservation:
            if not len(s.reserved):
                continue
            chosen = np.flatnonzero(free & np.isin(registration, s.reserved))
            chosen = chosen[rng.random(len(chosen)) < SHOW_UP]
        else:
            candidates = np.flatnonzero(free)
            chosen = candidates[rng.random(len(candidates)) < OPEN_SESSION_SHARE]
            most = int(s.capacity * OPEN_FILL)
            if len(chosen) > most:
                chosen = rng.choice(chosen, size=most, replace=False)
        busy_from[chosen] = np.minimum(busy_from[chosen], s.start_s)
        busy_to[chosen] = np.maximum(busy_to[chosen], s.end_s)
        rows.append((chosen, s))
    if not rows:
        return RoomVisits.none()
    visitor = np.concatenate([c for c, _s in rows]).astype(np.int32)
    door = np.concatenate([np.full(len(c), s.door) for c, s in rows]).astype(np.int16)
    start = np.concatenate([np.full(len(c), s.start_s) for c, s in rows])
    end = np.concatenate([np.full(len(c), s.end_s) for c, s in rows])
    # A late-comer is scanned in on arrival at the door, still within the session's first part.
    ready = np.maximum(start, inside_from[visitor])
    return RoomVisits(
        visitor=visitor,
        door=door,
        scan_in=ready + rng.random(len(visitor)) * IN_SPREAD_S,
        scan_out=end - rng.random(len(visitor)) * OUT_SPREAD_S,
    )
