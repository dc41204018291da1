"""Reads of the public programme pages beyond the published release: a visitor's own
reservations and stars, waiting lists, speakers' photos, the names of sectors and tags, the
sessions a release dropped."""

from __future__ import annotations

import threading
from typing import Any

from smartexpo.exhibitors.models import Sector, Tag
from smartexpo.programme.models import (
    Favourite,
    Release,
    Reservation,
    ReservationStatus,
    Session,
    Speaker,
)
from smartexpo.programme.selectors import Published
from smartexpo.tickets.models import Registration
from smartexpo.venue.models import Expo, Zone, ZoneKind

_lock = threading.Lock()
_dropped: dict[int, tuple[Published, dict[int, dict[str, Any]]]] = {}


def registration_for_pages(*, expo: Expo, pk: int) -> Registration | None:
    """The registration a visitor's browser remembers for the edition, if it still exists."""
    return Registration.objects.filter(expo=expo, pk=pk).first()


def visitor_marks(*, registration: Registration) -> dict[int, dict[str, Any]]:
    """Per session id, what the registration holds there: {"status"?, "starred"?} (two
    queries, whatever the number of sessions)."""
    marks: dict[int, dict[str, Any]] = {}
    for session_id, status in Reservation.objects.filter(registration=registration).values_list(
        "session_id", "status"
    ):
        marks.setdefault(session_id, {})["status"] = status
    for session_id in Favourite.objects.filter(registration=registration).values_list(
        "session_id", flat=True
    ):
        marks.setdefault(session_id, {})["starred"] = True
    return marks


def room_order(*, expo: Expo) -> dict[str, int]:
    """The position of each of the edition's forum rooms, the order the venue lists them in."""
    return dict(Zone.objects.filter(expo=expo, kind=ZoneKind.ROOM).values_list("code", "position"))


def waitlist_length(*, session_id: int) -> int:
    return Reservation.objects.filter(
        session_id=session_id, status=ReservationStatus.WAITLISTED
    ).count()


def label_names(*, sectors: set[str], tags: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The names, in the active language, of the sectors and tags among these codes, in their
    display order."""
    sector_names = {s.code: s.name for s in Sector.objects.filter(code__in=sectors)}
    tag_names = {t.code: t.name for t in Tag.objects.filter(code__in=tags)}
    return sector_names, tag_names


def speaker_photos(*, expo: Expo, ids) -> dict[int, str]:
    """The photo digest of each of these speakers who has a photo."""
    return dict(
        Speaker.objects.filter(expo=expo, pk__in=list(ids))
        .exclude(photo_digest="")
        .values_list("pk", "photo_digest")
    )


def speaker_photo(*, expo: Expo, pk: int, digest: str) -> tuple[bytes, str] | None:
    """A speaker's photo and its content type, if `digest` is the one it has now."""
    row = (
        Speaker.objects.filter(expo=expo, pk=pk, photo_digest=digest)
        .exclude(photo_digest="")
        .values_list("photo", "photo_type")
        .first()
    )
    if row is None or row[0] is None:
        return None
    return bytes(row[0]), row[1] or "image/jpeg"


def release_dropped(*, expo: Expo, published: Published) -> dict[int, dict[str, Any]]:
    """The records, as the release before published them, of the sessions the latest release
    cancelled (its changes list only their ids). Asked once per parsed release."""
    gone = set((published.changes or {}).get("cancelled", []))
    if not gone:
        return {}
    kept = _dropped.get(id(published))
    if kept is not None and kept[0] is published:
        return kept[1]
    before = (
        Release.objects.filter(expo=expo, version__lt=published.version)
        .order_by("-version")
        .first()
    )
    found = {r["id"]: r for r in (before.sessions if before else []) if r["id"] in gone}
    with _lock:
        if len(_dropped) > 64:
            _dropped.clear()
        _dropped[id(published)] = (published, found)
    return found


def forget() -> None:
    """Drop what is kept (tests, whose databases reuse ids, start each with nothing)."""
    with _lock:
        _dropped.clear()


def sessions_unpublished(*, expo: Expo, ids) -> dict[int, dict[str, str]]:
    """Titles of sessions a visitor holds that the published programme no longer has."""
    return {
        pk: {"en": en, "zh": zh or en}
        for pk, en, zh in Session.objects.filter(expo=expo, pk__in=list(ids)).values_list(
            "pk", "title_en", "title_zh"
        )
    }
