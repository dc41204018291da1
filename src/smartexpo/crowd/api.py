"""Venue sensors (API.md: Venue sensors)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema

from smartexpo.checkin.devices import sensor_for_request
from smartexpo.core.api import Error
from smartexpo.core.hot_routes import json_response
from smartexpo.crowd.ingest import MAX_COUNT, MAX_EVENTS, events_body, events_ingest
from smartexpo.venue import selectors as venue_selectors

router = Router(tags=["Venue sensors"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


class EventIn(Schema):
    id: str = Field(..., min_length=1, max_length=64, description="unique per edition")
    zone: str
    kind: str = Field(..., description="enter or exit")
    at: dt.datetime = Field(..., description="event time, with its UTC offset")
    count: int = Field(1, ge=1, le=MAX_COUNT)


class EventsIn(Schema):
    events: list[EventIn] = Field(..., max_length=MAX_EVENTS)


class RejectedEvent(Schema):
    id: str | None
    reason: str = Field(..., description="unknown_zone, zone_not_allowed or invalid")


class EventsOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectedEvent]


@router.post(
    "/expos/{expo}/venue/events",
    response={200: EventsOut, **ERRORS},
    summary="Report people entering and leaving zones (sensor device; at most 10,000 events, "
    "idempotent per event id)",
    openapi_extra={
        "security": [{"BearerToken": []}],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": EventsIn.model_json_schema()}},
        },
    },
)
def post_events(request, expo: str):
    edition = venue_selectors.expo_get_cached(slug=expo)
    sensor = sensor_for_request(request, expo=edition)
    items = events_body(request.body)
    return json_response(200, events_ingest(expo=edition, sensor=sensor, items=items).as_dict())
