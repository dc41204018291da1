"""The published programme as the public pages show it: each session's record in one language,
the day grid's geometry, "now" and "next".

A release never changes once published, so a session's display row is made once per release
and language and kept per process (`rows`): a page then only filters, asks the live seats in
one query and renders. Nothing here reads the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language

from smartexpo.programme import blocks
from smartexpo.programme.models import SessionFormat
from smartexpo.programme.selectors import Published

# The grid's rows: one per five minutes, so a session's block is as tall as it lasts.
SLOT = dt.timedelta(minutes=5)
_lock = threading.Lock()
# (the Published's id, the language) → (that Published, its rows): the Published is held, so
# its id cannot be reused by another while the entry lives.
_rows: dict[tuple[int, str], tuple[Published, dict[int, dict[str, Any]]]] = {}


def lang_key() -> str:
    return "zh" if (get_language() or "en").startswith("zh") else "en"


def rows(published: Published, expo_slug: str) -> dict[int, dict[str, Any]]:
    """Every published session as a display row in the active language, by id (made once per
    parsed release and language). Rows are shared between requests: read them, never change them."""
    lang = lang_key()
    key = (id(published), get_language() or "en")
    found = _rows.get(key)
    if found is not None and found[0] is published:
        return found[1]
    session_url = reverse("programme:session", args=[expo_slug, 0])[: -len("0/")]
    speaker_url = reverse("programme:speakers", args=[expo_slug])
    formats_ = {value: str(label) for value, label in SessionFormat.choices}
    made = {}
    for record in published.sessions:
        pk = record["id"]
        start, end = published.starts[pk], published.ends[pk]
        made[pk] = {
            "id": pk,
            "title": record["title"][lang],
            "abstract": record["abstract"][lang],
            "forum": record["forum"],
            "forum_name": record["forum_name"][lang],
            "room": record["room"],
            "room_name": record["room_name"][lang],
            "format": record["format"],
            "format_label": formats_.get(record["format"], record["format"]),
            "day": record["day"],
            "start": start,
            "end": end,
            "time": f"{start:%H:%M}–{end:%H:%M}",
            "tags": record["tags"],
            "sectors": record["sectors"],
            "speakers": [
                {
                    "id": p["id"],
                    "name": p["name"][lang],
                    "affiliation": p["affiliation"][lang],
                    "url": f"{speaker_url}{p['id']}/",
                }
                for p in record["speakers"]
            ],
            "seats": record["seats"],
            "url": f"{session_url}{pk}/",
        }
        made[pk]["parts"] = blocks.static_parts(made[pk])
    with _lock:
        # Only the latest release of each edition is asked for; older ones may go.
        if len(_rows) > 64:
            _rows.clear()
        _rows[key] = (published, made)
    return made


_memo: dict[tuple[int, str, str], tuple[Published, Any]] = {}


def memo(published: Published, name: str, build: Callable[[], Any]) -> Any:
    """`build()`, made once per parsed release and language: what a page derives from the
    release alone (its filters' choices, its changes) need not be derived on every request."""
    key = (id(published), get_language() or "en", name)
    found = _memo.get(key)
    if found is not None and found[0] is published:
        return found[1]
    value = build()
    with _lock:
        if len(_memo) > 256:
            _memo.clear()
        _memo[key] = (published, value)
    return value


def forget() -> None:
    """Drop what is kept (tests, whose databases reuse ids, start each with nothing)."""
    with _lock:
        _rows.clear()
        _memo.clear()


def day_label(day: str) -> str:
    """ "Monday, August 26" / "8月26日 星期一" in the active language."""
    date = dt.date.fromisoformat(day)
    weekday = formats.date_format(date, "l")
    if lang_key() == "zh":
        return f"{date.month}月{date.day}日 {weekday}"
    return f"{weekday}, {formats.date_format(date, 'MONTH_DAY_FORMAT')}"


def _natural(code: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code))


@dataclasses.dataclass
class Grid:
    """A day's sessions placed by room (columns) and time (rows of `SLOT`)."""

    rooms: list[dict[str, str]]
    hours: list[dict[str, Any]]
    rows: int
    placed: dict[int, str]  # session id → its inline `grid-area`


def day_grid(day_rows: list[dict[str, Any]], order: dict[str, int] | None = None) -> Grid:
    """Where each of a day's sessions sits: column 1 holds the hours, row 1 the rooms (in the
    venue's `order` of its rooms, else by code)."""
    if not day_rows:
        return Grid([], [], 0, {})
    order = order or {}
    rooms = sorted(
        {(r["room"], r["room_name"]) for r in day_rows},
        key=lambda r: (order.get(r[0], 1 << 30), _natural(r[0])),
    )
    column = {code: i + 2 for i, (code, _name) in enumerate(rooms)}
    first = min(r["start"] for r in day_rows).replace(minute=0, second=0, microsecond=0)
    last = max(r["end"] for r in day_rows)
    slots = -(-(last - first) // SLOT)
    placed = {}
    for r in day_rows:
        top = (r["start"] - first) // SLOT + 2
        bottom = max(-(-(r["end"] - first) // SLOT) + 2, top + 1)
        placed[r["id"]] = f"{top} / {column[r['room']]} / {bottom} / {column[r['room']] + 1}"
    hours = []
    at = first
    while at < last:
        top = (at - first) // SLOT + 2
        bottom = min(top + 12, slots + 2)
        hours.append({"label": f"{at:%H:%M}", "area": f"{top} / 1 / {bottom} / 2"})
        at += dt.timedelta(hours=1)
    return Grid(
        rooms=[
            {"code": code, "name": name, "area": f"1 / {i + 2} / 2 / {i + 3}"}
            for i, (code, name) in enumerate(rooms)
        ],
        hours=hours,
        rows=slots,
        placed=placed,
    )


def now_and_next(day_rows: list[dict[str, Any]], now: dt.datetime) -> dict[int, str]:
    """ "now" for each session running at `now`; "next" for the first session after `now` in
    each room (only on the day `now` falls on: the caller passes that day's rows)."""
    marks: dict[int, str] = {}
    upcoming: dict[str, dict[str, Any]] = {}
    for r in day_rows:
        if r["start"] <= now < r["end"]:
            marks[r["id"]] = "now"
        elif now < r["start"]:
            best = upcoming.get(r["room"])
            if best is None or r["start"] < best["start"]:
                upcoming[r["room"]] = r
    for r in upcoming.values():
        marks[r["id"]] = "next"
    return marks
