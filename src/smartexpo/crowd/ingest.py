"""Sensor events in batches: every valid event stored once, every other one named with a reason.

A batch of up to 10,000 events is checked event by event (id, zone, kind, time, count); the
valid ones are written with multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING` statements,
which hand back exactly the events that were new — so the answer's counts stay exact when two
sensors resend the same events at the same moment, on SQLite and PostgreSQL alike, without
reading the ids first, and only new events become movements of the occupancy history (queued
in the same transaction, `crowd.services.movements_enqueue`). Events may arrive late and out of
order: they are stored with their own event time.

An event may carry a pseudonymous `visitor` tag (1–64 characters, an extension of docs/api.md): it
is hashed for the unique-visitor sketch (`crowd.visitors`) and never stored.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import transaction
from django.utils import timezone

from smartexpo.core.bodies import json_body
from smartexpo.core.db import driver_cursor
from smartexpo.core.errors import invalid
from smartexpo.core.instants import parse_instant
from smartexpo.crowd import queries
from smartexpo.crowd.models import EventKind, SensorEvent
from smartexpo.crowd.periods import to_us
from smartexpo.crowd.services import Movement, movements_enqueue
from smartexpo.crowd.visitors import visitor_hash
from smartexpo.crowd.zones import zone_table
from smartexpo.devices.auth import Sensor
from smartexpo.venue.models import Expo

MAX_EVENTS = 10_000
MAX_COUNT = 100_000
MAX_ID = 64


@dataclasses.dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int
    rejected: list[dict]

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


def events_body(raw: bytes) -> list[Any]:
    """The `events` list of a request; 400 for bad JSON, 422 for a bad shape or size."""
    body = json_body(raw)
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list):
        raise invalid({"events": "A list of events is required."})
    if len(events) > MAX_EVENTS:
        raise invalid({"events": f"At most {MAX_EVENTS} events per request."})
    return events


KINDS = frozenset(EventKind.values)


def event_invalid(item: dict) -> bool:
    """Whether an event (an object with a well-formed id) breaks the documented schema
    (`crowd.api.EventIn`). Written out by hand, because a batch has up to 10,000 events and
    this is three times as fast as the model; a property test holds the two equal."""
    kind, count, zone = item.get("kind"), item.get("count", 1), item.get("zone")
    # `kind` is checked to be a string first: a JSON object or array is unhashable.
    if not isinstance(kind, str) or kind not in KINDS or not isinstance(zone, str):
        return True
    if parse_instant(item.get("at")) is None:
        return True
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
        return True
    visitor = item.get("visitor")
    return visitor is not None and (not isinstance(visitor, str) or not 1 <= len(visitor) <= MAX_ID)


def _problem(item: dict, zones: dict[str, int], sensor: Sensor) -> str | None:
    """Why an event is refused (`invalid`, `unknown_zone`, `zone_not_allowed`), or None."""
    if event_invalid(item):
        return "invalid"
    if item["zone"] not in zones:
        return "unknown_zone"
    if item["zone"] not in sensor.zones:
        return "zone_not_allowed"
    return None


def _zone_ids(expo: Expo) -> dict[str, int]:
    """Zone code → id for the edition (the readers' zone table: a zone made a moment ago, by
    any process, is in it, see `core.stamps`)."""
    return {z.code: z.id for z in zone_table(expo_id=expo.pk).zones}


def events_ingest(*, expo: Expo, sensor: Sensor, items: list[Any]) -> IngestResult:
    """Store a batch of sensor events (docs/api.md: Venue sensors).

    An event whose id was stored before, or was accepted earlier in the batch, is a duplicate
    whatever its body; an invalid one is listed in `rejected` with its reason and the rest of
    the batch is stored all the same."""
    zones = _zone_ids(expo)
    rejected: list[dict] = []
    rows: list[tuple] = []
    movements: dict[str, tuple] = {}
    seen: set[str] = set()
    repeats = 0
    received = to_us(timezone.now())
    for item in items:
        event_id = item.get("id") if isinstance(item, dict) else None
        if not _well_formed(event_id):
            rejected.append(
                {"id": event_id if isinstance(event_id, str) else None, "reason": "invalid"}
            )
            continue
        reason = _problem(item, zones, sensor)
        if reason and event_id in seen:
            repeats += 1  # a repeat of one accepted above: whatever its body
            continue
        if reason:
            rejected.append({"id": event_id, "reason": reason})
            continue
        if event_id in seen:
            repeats += 1
            continue
        seen.add(event_id)
        at = parse_instant(item["at"])
        count = item.get("count", 1)
        rows.append(
            (
                expo.pk,
                event_id,
                sensor.device_id,
                zones[item["zone"]],
                item["kind"],
                count,
                to_us(at),
                received,
            )
        )
        movements[event_id] = (
            zones[item["zone"]],
            to_us(at),
            count if item["kind"] == EventKind.ENTER else -count,
            item.get("visitor"),
        )
    # A refused body under an id stored before is a repeat too, not a refusal.
    earlier = stored_ids(expo, {r["id"] for r in rejected if _well_formed(r["id"])})
    if earlier:
        repeats += sum(r["id"] in earlier for r in rejected)
        rejected = [r for r in rejected if r["id"] not in earlier]
    with transaction.atomic():
        stored = queries.sensor_events_insert_returning(rows)
        queued = []
        for event_id in stored:
            zone_id, at_us, delta, visitor = movements[event_id]
            tag = visitor_hash(visitor) if visitor and delta > 0 else None
            queued.append(Movement(expo.pk, zone_id, at_us, delta, tag))
        with driver_cursor() as raw:
            movements_enqueue(cursor=raw, movements=queued)
    return IngestResult(len(stored), repeats + len(rows) - len(stored), rejected)


def _well_formed(event_id) -> bool:
    return isinstance(event_id, str) and 1 <= len(event_id) <= MAX_ID


STORED_CHUNK = 500  # ids per lookup: well under any driver's limit on parameters


def stored_ids(expo: Expo, ids) -> set[str]:
    """Which of these event ids the edition has stored."""
    ids = sorted(ids)
    found: set[str] = set()
    for start in range(0, len(ids), STORED_CHUNK):
        chunk = ids[start : start + STORED_CHUNK]
        found.update(
            SensorEvent.objects.filter(expo=expo, event_id__in=chunk).values_list(
                "event_id", flat=True
            )
        )
    return found
