"""Reads of the published programme: the latest release, its sessions filtered, live seats.

Every public reader (the API, the pages, the feeds, the exports, the room doors) asks
`published_programme`, which keeps the parsed latest release per process and confirms on each
call, with one indexed query, that no newer release exists: a cache that never changes an
answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterable
from typing import Any

from smartexpo.programme.models import (
    Favourite,
    Forum,
    Release,
    Reservation,
    ReservationStatus,
    Session,
    SessionSeats,
    Speaker,
)
from smartexpo.programme.snapshot import changes_between, record_order, session_record
from smartexpo.programme.warnings import ProgrammeWarning, programme_warnings
from smartexpo.venue.models import Expo

# A room door lets people in this long before a session starts (`session_at_door`).
DOORS_OPEN_BEFORE = dt.timedelta(minutes=30)


@dataclasses.dataclass(frozen=True)
class Published:
    """An edition's latest release, parsed once (version 0 and no sessions: never published)."""

    release_id: int | None
    version: int
    published_at: dt.datetime | None
    sessions: tuple[dict[str, Any], ...]
    changes: dict[str, Any]
    by_id: dict[int, dict[str, Any]]
    # Parsed instants, for the readers that compare times (the door, conflicts, "now").
    starts: dict[int, dt.datetime]
    ends: dict[int, dt.datetime]

    @property
    def days(self) -> list[str]:
        return sorted({s["day"] for s in self.sessions})

    def overlapping(self, pk: int, others: Iterable[int]) -> list[int]:
        """Of `others`, the published sessions whose time overlaps session `pk`'s."""
        start, end = self.starts[pk], self.ends[pk]
        return sorted(
            o
            for o in others
            if o != pk and o in self.by_id and self.starts[o] < end and start < self.ends[o]
        )


_lock = threading.Lock()
_cache: dict[int, Published] = {}


def _parse(release: Release | None) -> Published:
    if release is None:
        return Published(None, 0, None, (), {}, {}, {}, {})
    sessions = tuple(release.sessions)
    return Published(
        release_id=release.pk,
        version=release.version,
        published_at=release.published_at,
        sessions=sessions,
        changes=release.changes,
        by_id={s["id"]: s for s in sessions},
        starts={s["id"]: dt.datetime.fromisoformat(s["starts_at"]) for s in sessions},
        ends={s["id"]: dt.datetime.fromisoformat(s["ends_at"]) for s in sessions},
    )


def published_programme(*, expo: Expo) -> Published:
    """The latest release of the edition's programme (an empty one before the first)."""
    # The release is known by its id and the instant it was published: an id alone may name
    # another release after a deletion (SQLite reuses the highest id; tests start over).
    latest = next(
        iter(
            Release.objects.filter(expo=expo)
            .order_by("-version")
            .values_list("pk", "published_at")[:1]
        ),
        (None, None),
    )
    cached = _cache.get(expo.pk)
    if cached is not None and (cached.release_id, cached.published_at) == latest:
        return cached
    release = Release.objects.filter(pk=latest[0]).first() if latest[0] else None
    published = _parse(release)
    with _lock:
        _cache[expo.pk] = published
    return published


def forget_published() -> None:
    """Drop every parsed release (a test's database starts over and reuses the ids)."""
    with _lock:
        _cache.clear()


def release_list(*, expo: Expo):
    """The edition's releases, newest first."""
    return Release.objects.filter(expo=expo).order_by("-version")


def sessions_filtered(
    published: Published,
    *,
    day: str | None = None,
    forum: str | None = None,
    room: str | None = None,
    q: str | None = None,
    tag: str | None = None,
    sector: str | None = None,
    speaker: int | None = None,
) -> list[dict[str, Any]]:
    """The published sessions that match every filter given (`q`: words in the title,
    abstract, forum or speakers' names, in either language, case-insensitive)."""
    words = (q or "").lower().split()
    found = []
    for s in published.sessions:
        if day and s["day"] != day:
            continue
        if forum and s["forum"] != forum:
            continue
        if room and s["room"] != room:
            continue
        if tag and tag not in s["tags"]:
            continue
        if sector and sector not in s["sectors"]:
            continue
        if speaker is not None and not any(p["id"] == speaker for p in s["speakers"]):
            continue
        if words and not all(w in _haystack(s) for w in words):
            continue
        found.append(s)
    return found


def _haystack(s: dict[str, Any]) -> str:
    parts = [*s["title"].values(), *s["abstract"].values(), *s["forum_name"].values()]
    for p in s["speakers"]:
        parts += [*p["name"].values(), *p["affiliation"].values()]
    return " ".join(parts).lower()


def seats_available(*, session_ids: Iterable[int]) -> dict[int, int | None]:
    """Seats left at each session (None: no reservation needed), never below 0."""
    rows = SessionSeats.objects.filter(session_id__in=list(session_ids)).values_list(
        "session_id", "seats", "confirmed"
    )
    return {
        pk: None if seats is None else max(seats - confirmed, 0) for pk, seats, confirmed in rows
    }


def session_at_door(published: Published, *, room: str, at: dt.datetime) -> dict[str, Any] | None:
    """The published session a room's door admits into at `at`: the one running then, or else
    the next one to start within `DOORS_OPEN_BEFORE`."""
    running, upcoming = None, None
    for s in published.sessions:
        if s["room"] != room:
            continue
        start, end = published.starts[s["id"]], published.ends[s["id"]]
        if start <= at < end:
            running = s
            break
        if at < start <= at + DOORS_OPEN_BEFORE and (
            upcoming is None or start < published.starts[upcoming["id"]]
        ):
            upcoming = s
    return running or upcoming


def speakers_published(published: Published) -> dict[int, list[int]]:
    """Each speaker of the published programme, with the ids of their published sessions."""
    found: dict[int, list[int]] = {}
    for s in published.sessions:
        for p in s["speakers"]:
            found.setdefault(p["id"], []).append(s["id"])
    return found


def speaker_get(*, expo: Expo, pk: int) -> Speaker | None:
    return Speaker.objects.filter(expo=expo, pk=pk).first()


def speakers_by_id(*, expo: Expo, ids: Iterable[int]) -> dict[int, Speaker]:
    """The edition's speakers among `ids`, by id (their photos left unread)."""
    found = Speaker.objects.filter(expo=expo, pk__in=list(ids)).defer("photo")
    return {s.pk: s for s in found}


def forum_list(*, expo: Expo):
    """The edition's forums, in the order they were created."""
    return Forum.objects.filter(expo=expo).select_related("sector").order_by("id")


def session_working(*, expo: Expo, pk: int) -> Session | None:
    """A session of the organisers' working copy, with what its answer shows, or None."""
    return (
        Session.objects.filter(expo=expo, pk=pk)
        .select_related("forum", "room")
        .prefetch_related("speaker_links__speaker", "tags", "sectors")
        .first()
    )


def agenda_of(*, registration) -> dict[str, Any]:
    """A registration's agenda: its reservations (with the waiting-list position of each one
    waitlisted) and its starred sessions, as `GET /agenda` answers it."""
    reservations = list(
        Reservation.objects.filter(registration=registration)
        .order_by("id")
        .values_list("session_id", "status", "id")
    )
    out = []
    for session_id, status, pk in reservations:
        item: dict[str, Any] = {"session": session_id, "status": status}
        if status == ReservationStatus.WAITLISTED:
            item["position"] = waitlist_position(session_id=session_id, reservation_id=pk)
        out.append(item)
    favourites = list(
        Favourite.objects.filter(registration=registration)
        .order_by("id")
        .values_list("session_id", flat=True)
    )
    return {"reservations": out, "favourites": favourites}


def waitlist_position(*, session_id: int, reservation_id: int) -> int:
    """1 for the next in line at the session, 2 for the one after…"""
    return Reservation.objects.filter(
        session_id=session_id, status=ReservationStatus.WAITLISTED, id__lte=reservation_id
    ).count()


# --- the organisers' working copy -------------------------------------------------------------


def working_sessions(expo: Expo):
    """The sessions the next release publishes, with what their records need."""
    return (
        Session.objects.filter(expo=expo, cancelled=False)
        .select_related("forum", "room")
        .prefetch_related("speaker_links__speaker", "tags", "sectors")
    )


def working_records(expo: Expo) -> list[dict[str, Any]]:
    """The session records the next release would publish, in programme order: the one
    function `programme_publish` and its preview both build them with."""
    return sorted((session_record(s, expo.tz) for s in working_sessions(expo)), key=record_order)


@dataclasses.dataclass(frozen=True)
class Preview:
    """What publishing the working copy now would do: the release it would follow (None: the
    first), the records it would publish, its changes and the warnings open."""

    previous: Release | None
    records: list[dict[str, Any]]
    changes: dict[str, list]
    warnings: list[ProgrammeWarning]

    @property
    def version(self) -> int:
        return (self.previous.version if self.previous else 0) + 1

    @property
    def unchanged(self) -> bool:
        return not any(self.changes.values())


def programme_preview(*, expo: Expo) -> Preview:
    """The release `programme_publish` would make of the working copy now, unsaved."""
    previous = release_list(expo=expo).first()
    records = working_records(expo)
    return Preview(
        previous=previous,
        records=records,
        changes=changes_between(previous.sessions if previous else [], records),
        warnings=programme_warnings(expo=expo),
    )
