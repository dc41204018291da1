"""The organisers' week grid of one forum room: the edition's days as columns, the time of day
down the side, each session of the working copy a block placed by its start and end (the
admin's `programme/session/grid.html` lays it out as a CSS grid, no script).

Rows are `SLOT` minutes; the grid spans the expo's opening hours with an hour either side,
stretched to whatever session falls outside them (an early breakfast talk stays visible, with
its warning)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from smartexpo.programme.models import Session
from smartexpo.programme.warnings import programme_warnings
from smartexpo.venue.models import Expo, Zone, ZoneKind

SLOT = 5  # minutes a grid row stands for
MARGIN = dt.timedelta(hours=1)


@dataclasses.dataclass
class Block:
    session: Session
    column: int  # 1-based index of the day
    row_start: int  # 1-based grid row lines
    row_end: int
    start: dt.datetime  # local
    end: dt.datetime
    warnings: list[str]
    lane: int = 0  # among sessions of the room that overlap it (a double booking), its place


@dataclasses.dataclass
class Hour:
    label: str
    row: int
    time: dt.time


@dataclasses.dataclass
class WeekGrid:
    expo: Expo
    room: Zone
    days: list[dt.date]
    first: dt.time  # the time at row 1
    rows: int
    hours: list[Hour]
    blocks: list[Block]
    outside: list[Session]  # sessions of the room on no day of the edition
    warnings: list[tuple[int, str]]  # (a session, the text) of each warning in the room, once


def rooms_of(expo: Expo):
    """The edition's forum rooms, in the venue's order."""
    return Zone.objects.filter(expo=expo, kind=ZoneKind.ROOM).order_by("position", "code")


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _floor_hour(minutes: int) -> int:
    return max(minutes // 60 * 60, 0)


def _ceil_hour(minutes: int) -> int:
    return min(-(-minutes // 60) * 60, 24 * 60)


def week_grid(*, expo: Expo, room: Zone) -> WeekGrid:
    """The room's sessions of the working copy (cancelled ones too, to be shown struck
    through), placed on the edition's days, with the warnings that name each."""
    tz = expo.tz
    days = list(expo.days)
    sessions = list(
        Session.objects.filter(expo=expo, room=room)
        .select_related("forum", "room")
        .prefetch_related("speaker_links__speaker")
        .order_by("starts_at", "id")
    )
    warned: dict[int, list[str]] = defaultdict(list)
    in_room = {s.pk for s in sessions}
    room_warnings = []
    for warning in programme_warnings(expo=expo):
        for pk in warning.sessions:
            warned[pk].append(warning.message)
        here = [pk for pk in warning.sessions if pk in in_room]
        if here:
            room_warnings.append((here[0], warning.message))
    start_min = _floor_hour(_minutes(expo.opens_at) - MARGIN.seconds // 60)
    end_min = _ceil_hour(_minutes(expo.closes_at) + MARGIN.seconds // 60)
    placed, outside = [], []
    for s in sessions:
        start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        if start.date() not in days:
            outside.append(s)
            continue
        end_of_day = _minutes(end.time()) if end.date() == start.date() else 24 * 60
        start_min = min(start_min, _floor_hour(_minutes(start.time())))
        end_min = max(end_min, _ceil_hour(end_of_day))
        placed.append((s, start, end, end_of_day))
    blocks = []
    for s, start, end, end_of_day in placed:
        first_row = (_minutes(start.time()) - start_min) // SLOT + 1
        last_row = max(-(-(end_of_day - start_min) // SLOT) + 1, first_row + 1)
        blocks.append(
            Block(
                session=s,
                column=days.index(start.date()) + 1,
                row_start=first_row,
                row_end=last_row,
                start=start,
                end=end,
                warnings=warned.get(s.pk, []),
            )
        )
    _assign_lanes(blocks)
    hours = [
        Hour(f"{m // 60:02d}:00", (m - start_min) // SLOT + 1, dt.time(m // 60))
        for m in range(start_min, end_min, 60)
    ]
    return WeekGrid(
        expo=expo,
        room=room,
        days=days,
        first=dt.time(start_min // 60),
        rows=(end_min - start_min) // SLOT,
        hours=hours,
        blocks=blocks,
        outside=outside,
        warnings=room_warnings,
    )


def _assign_lanes(blocks: list[Block]) -> None:
    """Overlapping blocks of a day (two sessions in the room at once) each get a lane, so that
    both stay visible side by side rather than one hiding the other."""
    by_day: dict[int, list[Block]] = defaultdict(list)
    for b in blocks:
        by_day[b.column].append(b)
    for day_blocks in by_day.values():
        lane_ends: list[int] = []
        for b in sorted(day_blocks, key=lambda b: (b.row_start, b.session.pk)):
            for lane, ends in enumerate(lane_ends):
                if ends <= b.row_start:
                    b.lane, lane_ends[lane] = lane, b.row_end
                    break
            else:
                b.lane = len(lane_ends)
                lane_ends.append(b.row_end)
