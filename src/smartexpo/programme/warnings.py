"""Warnings about the organisers' working programme (as Indico's timetable warns).

A warning never blocks a save: `session_create` and `session_update` answer the session with
its warnings, the admin's week grid shows them, and publishing with warnings open needs the
publisher's explicit confirmation (`programme_publish(confirm=True)`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from smartexpo.programme.models import Session, SessionSeats
from smartexpo.venue.models import Expo

CODES = (
    "speaker_double_booked",
    "room_double_booked",
    "outside_opening_hours",
    "seats_above_capacity",
    "reservations_above_seats",
)


@dataclasses.dataclass(frozen=True)
class ProgrammeWarning:
    code: str
    message: str
    sessions: tuple[int, ...]
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "sessions": list(self.sessions),
            "detail": self.detail,
        }


def _working(expo: Expo):
    return (
        Session.objects.filter(expo=expo, cancelled=False)
        .select_related("room", "forum")
        .prefetch_related("speaker_links__speaker")
        .order_by("starts_at", "id")
    )


def _overlaps(a: Session, b: Session) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def programme_warnings(
    *, expo: Expo, sessions: list[Session] | None = None
) -> list[ProgrammeWarning]:
    """Every warning of the edition's working programme (cancelled sessions left out)."""
    sessions = list(_working(expo)) if sessions is None else sessions
    found: list[ProgrammeWarning] = []
    by_room: dict[int, list[Session]] = defaultdict(list)
    by_speaker: dict[int, list[Session]] = defaultdict(list)
    speaker_names = {}
    for s in sessions:
        by_room[s.room_id].append(s)
        for link in s.speaker_links.all():
            by_speaker[link.speaker_id].append(s)
            speaker_names[link.speaker_id] = link.speaker.name
    for group in by_room.values():
        for a, b in _pairs_overlapping(group):
            found.append(
                ProgrammeWarning(
                    "room_double_booked",
                    _("%(a)s and %(b)s are in %(room)s at the same time.")
                    % {"a": a.title, "b": b.title, "room": a.room.name},
                    (a.pk, b.pk),
                    {"room": a.room.code},
                )
            )
    for speaker_id, group in by_speaker.items():
        for a, b in _pairs_overlapping(group):
            found.append(
                ProgrammeWarning(
                    "speaker_double_booked",
                    _("%(speaker)s speaks at %(a)s and %(b)s at the same time.")
                    % {"speaker": speaker_names[speaker_id], "a": a.title, "b": b.title},
                    (a.pk, b.pk),
                    {"speaker": speaker_id},
                )
            )
    tz = expo.tz
    days = set(expo.days)
    for s in sessions:
        start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        if (
            start.date() not in days
            or end.date() != start.date()
            or start.time() < expo.opens_at
            or end.time() > expo.closes_at
        ):
            found.append(
                ProgrammeWarning(
                    "outside_opening_hours",
                    _("%(title)s is outside the expo's opening hours (%(opens)s–%(closes)s).")
                    % {
                        "title": s.title,
                        "opens": expo.opens_at.strftime("%H:%M"),
                        "closes": expo.closes_at.strftime("%H:%M"),
                    },
                    (s.pk,),
                )
            )
        if s.seat_quota is not None and s.seat_quota > s.room.capacity:
            found.append(
                ProgrammeWarning(
                    "seats_above_capacity",
                    _("%(title)s has %(seats)s seats; %(room)s holds %(capacity)s.")
                    % {
                        "title": s.title,
                        "seats": s.seat_quota,
                        "room": s.room.name,
                        "capacity": s.room.capacity,
                    },
                    (s.pk,),
                    {"seats": s.seat_quota, "capacity": s.room.capacity},
                )
            )
    confirmed = dict(
        SessionSeats.objects.filter(
            session__in=[s.pk for s in sessions], confirmed__gt=0
        ).values_list("session_id", "confirmed")
    )
    for s in sessions:
        taken = confirmed.get(s.pk, 0)
        seats = s.seats
        if taken and (seats is None or taken > seats):
            found.append(
                ProgrammeWarning(
                    "reservations_above_seats",
                    _(
                        "%(title)s has %(taken)s confirmed reservations, more than its "
                        "%(seats)s seats."
                    )
                    % {"title": s.title, "taken": taken, "seats": seats or 0},
                    (s.pk,),
                    {"confirmed": taken, "seats": seats},
                )
            )
    return found


def _pairs_overlapping(group: list[Session]) -> list[tuple[Session, Session]]:
    group = sorted(group, key=lambda s: (s.starts_at, s.pk))
    pairs = []
    for i, a in enumerate(group):
        for b in group[i + 1 :]:
            if b.starts_at >= a.ends_at:
                break
            pairs.append((a, b))
    return pairs


def session_warnings(*, session: Session) -> list[ProgrammeWarning]:
    """The warnings that concern one session (those naming it among the edition's)."""
    if session.cancelled:
        return []
    window = (session.starts_at - dt.timedelta(days=1), session.ends_at + dt.timedelta(days=1))
    nearby = list(_working(session.expo).filter(starts_at__lt=window[1], ends_at__gt=window[0]))
    return [
        w
        for w in programme_warnings(expo=session.expo, sessions=nearby)
        if session.pk in w.sessions
    ]
