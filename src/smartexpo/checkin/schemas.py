"""What scanners send: the schemas that both validate the check-in requests and document them.

The scan and sync operations validate their bodies with these pydantic models themselves
(`core.bodies`; they are hot routes, `core.hot_routes`), and their OpenAPI document shows the
same models, so it states exactly the limits the server applies: a client, or a fuzzer, can
tell a bug from a refusal.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from smartexpo.core.instants import Instant

MAX_GATE_CHARS = 32
MAX_NONCE_CHARS = 64
MAX_BATCH = 5_000


# One scan as a scanner sends it: the body of an online scan, an item of a sync batch. (A
# comment, not a docstring: a model's docstring is its description in the OpenAPI document.)
class ScanPayload(BaseModel):
    # The name the OpenAPI document has always given this schema.
    model_config = ConfigDict(title="ScanIn")

    secret: str = Field(
        ...,
        description="the ticket's secret as its QR code carries it; any other text is a scan "
        "answered `reject` / `invalid`",
    )
    gate: str = Field(..., min_length=1, max_length=MAX_GATE_CHARS)
    direction: Literal["in", "out"]
    nonce: str = Field(
        ..., min_length=1, max_length=MAX_NONCE_CHARS, description="unique per device"
    )
    scanned_at: Instant | None = Field(
        None,
        description="the device's time of the scan (default: now, on the edition's clock); "
        "the day rule uses it",
    )


class SyncIn(BaseModel):
    scans: list[ScanPayload] = Field(
        ...,
        max_length=MAX_BATCH,
        description="offline admissions in the order they happened; an item that breaks the "
        "item schema is answered `invalid` with its fields, and the others are recorded",
    )
