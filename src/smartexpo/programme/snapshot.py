"""The published form of a session, and what changed between two releases.

A release stores its sessions as `session_record`s, so that a public reader, the feeds and the
exports all answer from one frozen programme without touching the organisers' working copy.
The record's keys are a contract for those readers (docs/programme.md):

    {"id", "forum", "forum_name": {"en","zh"}, "title": {"en","zh"}, "abstract": {"en","zh"},
     "starts_at", "ends_at" (ISO 8601 with the edition's offset), "day" (local date),
     "room", "room_name": {"en","zh"}, "format", "tags": [codes], "sectors": [codes],
     "speakers": [{"id", "name": {"en","zh"}, "affiliation": {"en","zh"}}], "seats": n|null}
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

# What makes a session "moved" rather than "changed": where and when it takes place.
PLACE_AND_TIME = ("starts_at", "ends_at", "room")


def names(obj, field: str = "name") -> dict[str, str]:
    """{"en", "zh"} of a bilingual field, the English standing in for a missing Chinese."""
    en = getattr(obj, f"{field}_en")
    return {"en": en, "zh": getattr(obj, f"{field}_zh") or en}


def local_iso(instant: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    return instant.astimezone(tz).isoformat()


def session_record(session, tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    """The published record of a session (its forum, room, speakers, tags and sectors
    prefetched by the caller)."""
    links = sorted(session.speaker_links.all(), key=lambda link: (link.position, link.pk))
    return {
        "id": session.pk,
        "forum": session.forum.code,
        "forum_name": names(session.forum),
        "title": names(session, "title"),
        "abstract": {"en": session.abstract_en, "zh": session.abstract_zh or session.abstract_en},
        "starts_at": local_iso(session.starts_at, tz),
        "ends_at": local_iso(session.ends_at, tz),
        "day": session.starts_at.astimezone(tz).date().isoformat(),
        "room": session.room.code,
        "room_name": names(session.room),
        "format": session.format,
        "tags": sorted(t.code for t in session.tags.all()),
        "sectors": sorted(s.code for s in session.sectors.all()),
        "speakers": [
            {
                "id": link.speaker.pk,
                "name": names(link.speaker),
                "affiliation": names(link.speaker, "affiliation"),
            }
            for link in links
        ],
        "seats": session.seats,
    }


def record_order(record: dict[str, Any]) -> tuple:
    return (record["starts_at"], record["room"], record["id"])


def changes_between(before: list[dict], after: list[dict]) -> dict[str, list]:
    """What a new release changes for its public, as pretalx's changelog says it: sessions
    added, cancelled (gone from the programme), moved (another time or room, with where from
    and to) and changed (anything else: a title, a speaker, the seats)."""
    old = {r["id"]: r for r in before}
    new = {r["id"]: r for r in after}
    moved, changed = [], []
    for pk, record in new.items():
        was = old.get(pk)
        if was is None:
            continue
        if any(was[key] != record[key] for key in PLACE_AND_TIME):
            moved.append(
                {
                    "id": pk,
                    "from": {key: was[key] for key in PLACE_AND_TIME},
                    "to": {key: record[key] for key in PLACE_AND_TIME},
                }
            )
        elif was != record:
            changed.append(pk)
    return {
        "added": sorted(pk for pk in new if pk not in old),
        "cancelled": sorted(pk for pk in old if pk not in new),
        "moved": moved,
        "changed": sorted(changed),
    }
