"""The sensor-event rules, once: which events are refused, for what reason, in what order.

`REASONS` is the one list of refusal reasons, in the order they are checked: the first one an
event breaks is its reason. Two paths decide sensor events:

- the API (`crowd.ingest.events_ingest`) calls `event_refusal` event by event;
- the bulk import of a recorded stream (`crowd.bulk`) compiles the same rules into one polars
  expression, its problem codes being the positions in `REASONS` (1 for the first).

`invalid` is the documented schema, `crowd.schemas.EventIn` (the API's OpenAPI document shows
it): `event_refusal` asks the schema itself, and `tests/crowd/test_event_rules.py` holds the
bulk path's columns to it, and both paths' answers (accepted, duplicates, refusals by reason)
to each other, for random streams of events.

Duplicates are no refusal: an id stored before, or carried by an event accepted earlier, makes
an event a duplicate whatever its body — each path applies that after these rules.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Mapping
from typing import Any

from pydantic import ValidationError

from smartexpo.core.bodies import InvalidItem
from smartexpo.crowd.schemas import EventIn

INVALID = "invalid"  # breaks the schema (`EventIn`), or a stream's row names no sensor
UNKNOWN_ZONE = "unknown_zone"  # its zone is no zone of the edition
ZONE_NOT_ALLOWED = "zone_not_allowed"  # a zone of the edition the sensor is not bound to
REASONS = (INVALID, UNKNOWN_ZONE, ZONE_NOT_ALLOWED)


def event_refusal(
    event: EventIn | InvalidItem | Mapping[str, Any],
    zones: Container[str],
    sensor_zones: Collection[str] | None,
) -> str | None:
    """The reason the event is refused (the first of `REASONS` it breaks), or None to accept.

    `event`: an `EventIn` (valid: the API validated it with its body), an `InvalidItem` (the
    schema refused it), or the event's fields as a sensor sends them (a field it leaves out
    absent), which the schema validates here. `zones`: the edition's zone codes;
    `sensor_zones`: those the reporting sensor is bound to, or None when the device is no
    sensor of the edition (which only a recorded stream can say: the API authenticates the
    device before reading a body)."""
    if isinstance(event, InvalidItem) or sensor_zones is None:
        return INVALID
    if isinstance(event, EventIn):
        checked = event  # validated with its body: not again, on the API's hot route
    else:
        try:
            checked = EventIn.model_validate(event)
        except ValidationError:
            return INVALID
    if checked.zone not in zones:
        return UNKNOWN_ZONE
    if checked.zone not in sensor_zones:
        return ZONE_NOT_ALLOWED
    return None
