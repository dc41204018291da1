"""The published programme in the frab schedule format, as JSON (`schedule.json`) and XML
(`schedule.xml`): the documents that frab and pretalx export and that conference apps
(Giggity, EventFahrplan, info-beamer…) and recording pipelines read.

The shapes are those of the published schemas, shipped in `exports/frab-schema/` (the JSON
schema and the XSD of the c3voc schedule repository); tests validate every document against
them. Both are built from the latest release and kept per release (and language), so after a
release the first request builds a document and every later one serves its bytes.
docs/programme-feeds.md maps each field to where it comes from.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import xml.etree.ElementTree as ET
from importlib import metadata
from typing import Any

from django.utils.text import slugify

from smartexpo.programme.exports.common import (
    EN,
    ZH,
    Document,
    ReleaseMemo,
    base_url,
    document,
    expo_key,
    feed_url,
    guid,
    pick,
    programme_url,
    release_key,
    session_url,
)
from smartexpo.programme.models import Forum
from smartexpo.programme.selectors import Published, published_programme
from smartexpo.venue.models import Expo, Zone, ZoneKind

SCHEMA = "https://c3voc.de/schedule/schema.json"
_schedules = ReleaseMemo()
_json = ReleaseMemo()
_xml = ReleaseMemo()


@functools.cache
def _generator() -> dict[str, str]:
    try:
        version = metadata.version("smartexpo")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        version = "source"
    return {"name": "SmartExpo", "version": version}


def acronym(expo: Expo) -> str:
    """The edition's slug as frab's acronym: lower-case letters, digits and `_`, at least
    four (the schemas refuse a `-` inside it)."""
    return re.sub(r"[^a-z0-9_]", "_", expo.slug.lower()).ljust(4, "_")


@functools.lru_cache(maxsize=16_384)
def _words(title: str) -> str:
    return slugify(title)[:48].strip("-_") or "session"


def _slug(prefix: str, record: dict[str, Any]) -> str:
    # "<acronym>-<id>-<title words>": unique by the id, and of the shape the XSD asks for.
    words = _words(record["title"]["en"])
    tail = f"{record['id']}-{words}"
    return f"{prefix}-{tail if len(tail) >= 4 else tail + '-session'}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _timeslot(published: Published) -> str:
    """The grid the sessions start and last on (their greatest common divisor in minutes,
    from 5 to 60): apps draw their timetable rows with it."""
    step = 0
    for pk, start in published.starts.items():
        length = int((published.ends[pk] - start).total_seconds() // 60)
        step = math.gcd(step, start.hour * 60 + start.minute, length)
    return _hhmm(min(max(step, 5), 60) if step else 15)


def _other(lang: str) -> str:
    return EN if lang == ZH else ZH


def _also(names: dict[str, str], lang: str) -> str:
    """The other language's text, when it says something the chosen one does not."""
    other = pick(names, _other(lang))
    return other if other and other != pick(names, lang) else ""


def _rooms(expo: Expo, published: Published, lang: str) -> dict[str, str]:
    """Room code → the name the documents use, in the rooms' order on the venue plan (a name
    two rooms share is told apart by the code)."""
    names = {s["room"]: pick(s["room_name"], lang) for s in published.sessions}
    order = dict(
        Zone.objects.filter(expo=expo, kind=ZoneKind.ROOM, code__in=list(names)).values_list(
            "code", "position"
        )
    )
    codes = sorted(names, key=lambda code: (order.get(code, math.inf), code))
    taken = [names[c] for c in codes]
    return {c: names[c] if taken.count(names[c]) == 1 else f"{names[c]} ({c})" for c in codes}


def _event(
    expo: Expo, published: Published, record: dict, room: str, lang: str, prefix: str
) -> dict:
    pk = record["id"]
    start, end = published.starts[pk], published.ends[pk]
    return {
        "guid": guid(expo.slug, "session", pk),
        "id": pk,
        "date": record["starts_at"],
        "start": start.strftime("%H:%M"),
        "end": record["ends_at"],
        "duration": _hhmm(int((end - start).total_seconds() // 60)),
        "room": room,
        "slug": _slug(prefix, record),
        "url": session_url(expo.slug, pk, lang),
        "title": pick(record["title"], lang),
        "subtitle": _also(record["title"], lang),
        "track": pick(record["forum_name"], lang),
        "type": record["format"],
        # The programme does not record the language a session is held in.
        "language": None,
        "abstract": pick(record["abstract"], lang),
        "description": _also(record["abstract"], lang),
        "persons": [
            {
                "id": p["id"],
                "guid": guid(expo.slug, "speaker", p["id"]),
                "public_name": pick(p["name"], lang),
            }
            for p in record["speakers"]
        ],
        "links": [],
        "attachments": [],
    }


def _days(expo: Expo, published: Published, rooms: dict[str, str], lang: str) -> list[dict]:
    tz, prefix = expo.tz, acronym(expo)
    dates = sorted({d.isoformat() for d in expo.days} | set(published.days))
    by_day: dict[str, dict[str, list]] = {d: {} for d in dates}
    for record in published.sessions:
        by_day[record["day"]].setdefault(record["room"], []).append(record)
    days = []
    for index, day in enumerate(dates, start=1):
        date = dt.date.fromisoformat(day)
        begins = dt.datetime.combine(date, expo.opens_at, tzinfo=tz)
        ends = dt.datetime.combine(date, expo.closes_at, tzinfo=tz)
        for records in by_day[day].values():
            begins = min([begins, *(published.starts[r["id"]] for r in records)])
            ends = max([ends, *(published.ends[r["id"]] for r in records)])
        days.append(
            {
                "index": index,
                "date": day,
                "day_start": begins.isoformat(),
                "day_end": ends.isoformat(),
                "rooms": {
                    rooms[code]: [
                        _event(expo, published, r, rooms[code], lang, prefix)
                        for r in by_day[day][code]
                    ]
                    for code in rooms
                    if code in by_day[day]
                },
            }
        )
    return days


def _tracks(expo: Expo, published: Published, lang: str) -> list[dict[str, str]]:
    """The forums with a published session, in the forums' order (main forum first)."""
    names = {s["forum"]: pick(s["forum_name"], lang) for s in published.sessions}
    order = dict(
        Forum.objects.filter(expo=expo, code__in=list(names)).values_list("code", "position")
    )
    tracks = []
    for code in sorted(names, key=lambda code: (order.get(code, math.inf), code)):
        track = {"name": names[code]}
        slug = slugify(code).strip("-_")
        if re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", slug):  # what both schemas accept
            track["slug"] = slug
        tracks.append(track)
    return tracks


def schedule(expo: Expo, published: Published, lang: str) -> dict[str, Any]:
    """The frab schedule of a release, as the JSON document holds it (kept per release: the
    JSON and the XML document are both written from it)."""
    return _schedules.get(
        (expo_key(expo), lang), release_key(published), lambda: _schedule(expo, published, lang)
    )


def _schedule(expo: Expo, published: Published, lang: str) -> dict[str, Any]:
    rooms = _rooms(expo, published, lang)
    days = _days(expo, published, rooms, lang)
    conference = {
        "acronym": acronym(expo),
        "title": pick({"en": expo.name_en, "zh": expo.name_zh or expo.name_en}, lang),
        "start": days[0]["date"],
        "end": days[-1]["date"],
        "daysCount": len(days),
        "timeslot_duration": _timeslot(published),
        "time_zone_name": expo.timezone,
        "url": programme_url(expo.slug, lang),
        "tracks": _tracks(expo, published, lang),
        "rooms": [{"name": name, "guid": guid(expo.slug, "room", c)} for c, name in rooms.items()],
        "days": days,
    }
    return {
        "$schema": SCHEMA,
        "generator": _generator(),
        "schedule": {
            "version": str(published.version),
            "base_url": base_url() + "/",
            "conference": conference,
        },
    }


def schedule_json(*, expo: Expo, lang: str = EN) -> Document:
    """`schedule.json` of the latest release (an empty programme before the first)."""
    published = published_programme(expo=expo)

    def build() -> Document:
        body = json.dumps(schedule(expo, published, lang), ensure_ascii=False)
        return document(body.encode("utf-8"), published.published_at)

    return _json.get((expo_key(expo), lang), release_key(published), build)


def _sub(parent: ET.Element, tag: str, value: Any = None, **attrs: Any) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if value is not None:
        element.text = str(value)
    return element


def schedule_xml(*, expo: Expo, lang: str = EN) -> Document:
    """`schedule.xml` of the latest release: the JSON document's content in the XML form
    (conference `days` for `daysCount`, persons and links as elements)."""
    published = published_programme(expo=expo)

    def build() -> Document:
        data = schedule(expo, published, lang)
        conference = data["schedule"]["conference"]
        root = ET.Element("schedule")
        _sub(root, "generator", **_generator())
        _sub(root, "url", feed_url("schedule-xml", expo=expo.slug))
        _sub(root, "version", data["schedule"]["version"])
        head = _sub(root, "conference")
        for key in ("title", "acronym", "start", "end"):
            _sub(head, key, conference[key])
        _sub(head, "days", conference["daysCount"])
        _sub(head, "timeslot_duration", conference["timeslot_duration"])
        _sub(head, "base_url", data["schedule"]["base_url"])
        _sub(head, "url", conference["url"])
        _sub(head, "time_zone_name", conference["time_zone_name"])
        for track in conference["tracks"]:
            _sub(head, "track", **track)
        room_guids = {r["name"]: r["guid"] for r in conference["rooms"]}
        for day in conference["days"]:
            node = _sub(
                root,
                "day",
                index=day["index"],
                date=day["date"],
                start=day["day_start"],
                end=day["day_end"],
            )
            for room, events in day["rooms"].items():
                _xml_room(_sub(node, "room", name=room, guid=room_guids[room]), events)
        ET.indent(root)
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return document(body, published.published_at)

    return _xml.get((expo_key(expo), lang), release_key(published), build)


PLAIN = ("room", "title", "subtitle", "type", "date", "start", "duration", "abstract", "slug")


def _xml_room(room: ET.Element, events: list[dict]) -> None:
    for event in events:
        node = _sub(room, "event", guid=event["guid"], id=event["id"])
        for key in PLAIN:
            if key != "subtitle" or event[key]:
                _sub(node, key, event[key])
        _sub(node, "track", event["track"])
        persons = _sub(node, "persons")
        for p in event["persons"]:
            _sub(persons, "person", p["public_name"], id=p["id"], guid=p["guid"])
        if event["description"]:
            _sub(node, "description", event["description"])
        _sub(node, "links")
        _sub(node, "attachments")
        _sub(node, "url", event["url"])
