"""What sensors send: the schemas that both validate the events and document them.

The events operation validates its body with these pydantic models itself (`core.bodies`, so
that a bad event is refused alone and the rest of the batch is stored), and its OpenAPI
document shows the same models, so it states exactly the limits the server applies. They are
plain pydantic models, not ninja's `Schema`, whose validator for ORM objects would read a
JSON value that is not an object as an object with no fields, at six times the cost.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictInt

from smartexpo.core.instants import Instant

MAX_EVENTS = 10_000
MAX_COUNT = 100_000
MAX_ID = 64


class EventIn(BaseModel):
    """One sensor event."""

    id: str = Field(..., min_length=1, max_length=MAX_ID, description="unique per edition")
    zone: str = Field(..., description="a zone code; one the sensor is not bound to is refused")
    kind: Literal["enter", "exit"]
    at: Instant = Field(..., description="event time, with its UTC offset")
    count: StrictInt = Field(1, ge=1, le=MAX_COUNT)
    visitor: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_ID,
        description="optional pseudonymous visitor tag: counted in the zone's distinct "
        "visitors, hashed, never stored",
    )


class EventsIn(BaseModel):
    events: list[EventIn] = Field(..., max_length=MAX_EVENTS)
