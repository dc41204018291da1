"""Sensor events in batches: every valid event stored once, every other one named with a reason.

A batch of up to 10,000 events is checked event by event (id, zone, kind, time, count); the
valid ones are written with one `INSERT … ON CONFLICT DO NOTHING` run over the batch, whose row
count says how many were new — so the answer's counts stay exact when two sensors resend the
same events at the same moment, on SQLite and PostgreSQL alike, without reading the ids first.
Events may arrive late and out of order: they are stored with their own event time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from smartexpo.checkin.devices import Sensor
from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.crowd.models import EventKind, SensorEvent
from smartexpo.venue.models import Expo, Zone

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
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise SmartExpoError("malformed", "The request body is not valid JSON.") from None
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list):
        raise invalid({"events": "A list of events is required."})
    if len(events) > MAX_EVENTS:
        raise invalid({"events": f"At most {MAX_EVENTS} events per request."})
    return events


def _instant(value) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            return None
    if parsed is None or parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    return parsed


def _problem(item: Any, zones: dict[str, Zone], sensor: Sensor) -> str | None:
    """Why an event is refused (`invalid`, `unknown_zone`, `zone_not_allowed`), or None."""
    kind, count = item.get("kind"), item.get("count", 1)
    if kind not in EventKind.values or _instant(item.get("at")) is None:
        return "invalid"
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
        return "invalid"
    zone = item.get("zone")
    if not isinstance(zone, str) or zone not in zones:
        return "unknown_zone"
    if zone not in sensor.zones:
        return "zone_not_allowed"
    return None


def events_ingest(*, expo: Expo, sensor: Sensor, items: list[Any]) -> IngestResult:
    """Store a batch of sensor events (API.md: Venue sensors).

    An event whose id was stored before, or appears earlier in the batch, is a duplicate
    whatever its body; an invalid one is listed in `rejected` with its reason and the rest of
    the batch is stored all the same."""
    zones = {z.code: z for z in Zone.objects.filter(expo=expo).only("id", "code")}
    rejected: list[dict] = []
    rows: list[tuple] = []
    seen: set[str] = set()
    in_batch_duplicates = 0
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    received = adapt(now)
    for item in items:
        event_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(event_id, str) or not 1 <= len(event_id) <= MAX_ID:
            rejected.append(
                {"id": event_id if isinstance(event_id, str) else None, "reason": "invalid"}
            )
            continue
        reason = _problem(item, zones, sensor)
        if reason:
            rejected.append({"id": event_id, "reason": reason})
            continue
        if event_id in seen:
            in_batch_duplicates += 1
            continue
        seen.add(event_id)
        rows.append(
            (
                expo.pk,
                event_id,
                sensor.device_id,
                zones[item["zone"]].pk,
                item["kind"],
                item.get("count", 1),
                adapt(_instant(item["at"])),
                received,
            )
        )
    stored = _insert(rows)
    return IngestResult(stored, in_batch_duplicates + len(rows) - stored, rejected)


def _insert(rows: list[tuple]) -> int:
    """Insert the rows whose event id is new; return how many were."""
    if not rows:
        return 0
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(SensorEvent._meta.db_table)} "  # noqa: S608 - names are ours
        "(expo_id, event_id, device_id, zone_id, kind, count, at, received_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (expo_id, event_id) DO NOTHING"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        return cursor.rowcount
