"""Sensor events in batches: every valid event stored once, every other one named with a reason.

A batch of up to 10,000 events arrives checked against the documented schema
(`crowd.schemas.EventIn`, by `core.bodies.batch_checked`: an event that breaks it is refused
alone, `invalid`), then each valid event against the edition (`unknown_zone`) and the sensor
(`zone_not_allowed`): the rules of `crowd.event_rules`, which `crowd.bulk` compiles into polars
columns for bulk imports. The valid events are written with multi-row `INSERT … ON CONFLICT DO
NOTHING RETURNING` statements, which hand back exactly the events that were new — so the
answer's counts stay exact when two sensors resend the same events at the same moment, on SQLite
and PostgreSQL alike, without reading the ids first, and only new events become movements of the
occupancy history (queued in the same transaction, `crowd.services.movements_enqueue`). Events
may arrive late and out of order: they are stored with their own event time.

An event may carry a pseudonymous `visitor` tag (1–64 characters, an extension of docs/api.md): it
is hashed for the unique-visitor sketch (`crowd.visitors`) and never stored — except a badge read
at a booth: an `enter` at a booth zone tagged `ticket:<serial>` is also a `BoothVisit` of that
ticket (docs/recommendations.md), written by one more batched insert only when a batch has some.
"""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.utils import timezone

from smartexpo.core.bodies import InvalidItem
from smartexpo.core.db import chunks, driver_cursor
from smartexpo.crowd import queries
from smartexpo.crowd.event_rules import event_refusal
from smartexpo.crowd.models import EventKind, SensorEvent
from smartexpo.crowd.periods import to_us
from smartexpo.crowd.schemas import EventIn
from smartexpo.crowd.services import Movement, movements_enqueue
from smartexpo.crowd.visitors import visitor_hash
from smartexpo.crowd.zones import zone_table
from smartexpo.devices.auth import Sensor
from smartexpo.venue.models import Expo, ZoneKind


@dataclasses.dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int
    rejected: list[dict]

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


BADGE_PREFIX = "ticket:"


def _zone_ids(expo: Expo) -> tuple[dict[str, int], set[int]]:
    """Zone code → id for the edition, and the ids of its booth zones (the readers' zone
    table: a zone made a moment ago, by any process, is in it, see `core.stamps`)."""
    zones = zone_table(expo_id=expo.pk).zones
    return {z.code: z.id for z in zones}, {z.id for z in zones if z.kind == ZoneKind.BOOTH}


def badge_serial(visitor: str | None) -> int | None:
    """The ticket serial of a badge read's visitor tag (`ticket:<serial>`), else None."""
    if not visitor or not visitor.startswith(BADGE_PREFIX):
        return None
    digits = visitor[len(BADGE_PREFIX) :]
    if not digits.isdigit() or len(digits) > 18:  # past a BigInteger: no serial
        return None
    return int(digits)


def events_ingest(
    *, expo: Expo, sensor: Sensor, items: list[EventIn | InvalidItem]
) -> IngestResult:
    """Store a batch of sensor events (docs/api.md: Venue sensors), checked against the
    documented schema (`core.bodies`: `batch_checked` reads them from a request,
    `items_checked` from Python values).

    An event whose id was stored before, or was accepted earlier in the batch, is a duplicate
    whatever its body; an invalid one is listed in `rejected` with its reason and the rest of
    the batch is stored all the same."""
    zones, booths = _zone_ids(expo)
    rejected: list[dict] = []
    # Ids of refused events that are well formed: one stored before makes its event a repeat.
    named: set[str] = set()
    rows: list[tuple] = []
    movements: dict[str, tuple] = {}
    seen: set[str] = set()
    repeats = 0
    badges: dict[str, tuple] = {}  # event id → a badge read at a booth (serial, zone, time)
    received = to_us(timezone.now())
    for item in items:
        reason = event_refusal(item, zones, sensor.zones)
        if isinstance(item, InvalidItem):
            event_id = item.text("id")
            if event_id is None or "id" in item.fields:
                # No usable id: nothing it could be a duplicate of.
                rejected.append({"id": event_id, "reason": reason})
                continue
        else:
            event_id = item.id
        if reason and event_id in seen:
            repeats += 1  # a repeat of one accepted above: whatever its body
            continue
        if reason:
            rejected.append({"id": event_id, "reason": reason})
            named.add(event_id)
            continue
        if event_id in seen:
            repeats += 1
            continue
        seen.add(event_id)
        at = to_us(item.at)
        zone_id = zones[item.zone]
        rows.append(
            (expo.pk, event_id, sensor.device_id, zone_id, item.kind, item.count, at, received)
        )
        delta = item.count if item.kind == EventKind.ENTER else -item.count
        movements[event_id] = (zone_id, at, delta, item.visitor)
        if zone_id in booths and delta > 0 and item.visitor:
            serial = badge_serial(item.visitor)
            if serial is not None:
                badges[event_id] = (serial, zone_id, item.at)
    # A refused body under an id stored before is a repeat too, not a refusal.
    earlier = stored_ids(expo, named)
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
        if badges:
            _booth_visits(expo, [badges[e] for e in stored if e in badges])
    return IngestResult(len(stored), repeats + len(rows) - len(stored), rejected)


def _booth_visits(expo: Expo, reads: list[tuple]) -> None:
    """Record the new events' badge reads at booths as booth visits (local day of the
    edition)."""
    if not reads:
        return
    tz = expo.tz
    queries.booth_visits_insert(
        [(expo.pk, serial, zone_id, at.astimezone(tz).date(), at) for serial, zone_id, at in reads]
    )


def stored_ids(expo: Expo, ids) -> set[str]:
    """Which of these event ids the edition has stored."""
    found: set[str] = set()
    for chunk in chunks(sorted(ids)):
        found.update(
            SensorEvent.objects.filter(expo=expo, event_id__in=chunk).values_list(
                "event_id", flat=True
            )
        )
    return found
