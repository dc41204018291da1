"""Room doors: the session a room's gate admits into, and what a scanner needs to know of it.

Only a scan at a room's door comes here (`context.GateInfo.room`): a venue gate's scan never
consults the programme. The door's session is `programme.selectors.session_at_door` on the
latest published release, which `published_programme` confirms with one indexed query (the
release id is the version stamp: a new release is seen by the next scan on every process).
Each release's sessions are kept split by room, so a door looks through its own room's few
sessions, not the whole programme. Reservations are never cached: a seat confirmed a moment
ago admits at the next scan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

from smartexpo.programme.attendance import reserved_serials
from smartexpo.programme.selectors import (
    DOORS_OPEN_BEFORE,
    Published,
    published_programme,
    session_at_door,
)
from smartexpo.venue.models import Expo


@dataclasses.dataclass(frozen=True)
class Door:
    """The session a room's door admits into: `seated` if only a reservation admits."""

    session: int
    seated: bool


class Doors:
    """One release's sessions by room, for `session_at_door` to look through one room's."""

    def __init__(self, published: Published):
        self.published = published
        rooms: dict[str, list] = {}
        for record in published.sessions:
            rooms.setdefault(record["room"], []).append(record)
        self._rooms = {
            room: dataclasses.replace(published, sessions=tuple(records))
            for room, records in rooms.items()
        }

    def at(self, room: str, at: dt.datetime) -> Door | None:
        """The door's session at `at` (running, or starting within `DOORS_OPEN_BEFORE`)."""
        published = self._rooms.get(room)
        if published is None:
            return None
        record = session_at_door(published, room=room, at=at)
        if record is None:
            return None
        return Door(record["id"], record["seats"] is not None)


_lock = threading.Lock()
_doors: dict[int, Doors] = {}


def forget() -> None:
    """Drop the kept doors (tests, whose databases reuse ids, start each with nothing)."""
    with _lock:
        _doors.clear()


def doors(*, expo: Expo) -> Doors:
    """The edition's doors as of its latest release (one indexed query to confirm it)."""
    published = published_programme(expo=expo)
    cached = _doors.get(expo.pk)
    if cached is not None and cached.published is published:
        return cached
    built = Doors(published)
    with _lock:
        _doors[expo.pk] = built
    return built


def door_setup(*, expo: Expo, rooms: set[str]) -> dict:
    """What an offline scanner needs at the doors of `rooms` (the rooms of the gates it
    serves): the published sessions there, in the programme's order, each with whether a
    reservation is needed and, if so, the serials of the tickets that hold one; and how long
    before its start a session's door opens. Nothing of other rooms: the set-up stays small."""
    published = published_programme(expo=expo)
    records = [r for r in published.sessions if r["room"] in rooms]
    serials = reserved_serials(session_ids=[r["id"] for r in records if r["seats"] is not None])
    return {
        "doors_open_before": int(DOORS_OPEN_BEFORE.total_seconds()),
        "sessions": [
            {
                "id": r["id"],
                "room": r["room"],
                "starts_at": r["starts_at"],
                "ends_at": r["ends_at"],
                "title": r["title"],
                "reservation": r["seats"] is not None,
                "reserved": serials.get(r["id"], []),
            }
            for r in records
        ],
        "programme_version": published.version,
    }
