"""The leads API's bodies and answers (docs/api.md, "Exhibitor leads")."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import StrictInt

from smartexpo.core.api import Names
from smartexpo.core.instants import Instant
from smartexpo.leads.models import MAX_RATING
from smartexpo.leads.services.capture import MAX_NOTE, MAX_TAG, MAX_TAGS

VISITOR = (
    "what the exhibitor may see of the visitor now: the fields of the visitor's `share` "
    "that the edition lets visitors share (`name`, `email`, `phone`, `company`, `title`), "
    "those with a value; empty without consent and after a withdrawal"
)


class LeadIn(Schema):
    secret: str = Field(
        ..., max_length=200, description="the ticket's secret, as its QR code holds it"
    )
    note: str | None = Field(None, max_length=MAX_NOTE)
    rating: StrictInt | None = Field(None, ge=0, le=MAX_RATING)
    tags: list[str] | None = Field(None, max_length=MAX_TAGS)
    captured_at: Instant | None = Field(
        None,
        description="when a booth page scanned it offline (default: now); not in the future",
    )


class LeadPatch(Schema):
    note: str | None = Field(None, max_length=MAX_NOTE)
    rating: StrictInt | None = Field(None, ge=0, le=MAX_RATING)
    tags: list[str] | None = Field(
        None, max_length=MAX_TAGS, description=f"each at most {MAX_TAG} characters"
    )


class DeviceRef(Schema):
    id: int
    name: str


class LeadOut(Schema):
    id: int
    serial: int
    holder: str | None = Field(
        ..., description="the visitor's masked name (`L* W**`, `张**`); null after a withdrawal"
    )
    visitor: dict[str, str] = Field(..., description=VISITOR)
    note: str
    rating: int | None
    tags: list[str]
    captured_at: dt.datetime
    updated_at: dt.datetime
    device: DeviceRef | None = Field(..., description="the lead device that captured it first")
    withdrawn: bool = Field(..., description="the visitor withdrew their details from you")


class LeadPage(Schema):
    count: int
    items: list[LeadOut]


class KeyOut(Schema):
    kid: int
    alg: str
    public_key: str


class ExhibitorRef(Schema):
    id: int
    name: str
    names: Names


class LeadSetupOut(Schema):
    expo: str
    timezone: str
    lead_capture: bool = Field(..., description="false: the edition refuses leads (409)")
    exhibitor: ExhibitorRef
    device: DeviceRef | None = Field(..., description="null: the exhibitor's own token")
    keys: list[KeyOut] = Field(..., description="as `GET …/checkin/keys`: verify secrets offline")
    revoked: list[int] = Field(..., description="serials of revoked tickets: no lead")
    generated_at: dt.datetime
    demo_clock: dict | None = Field(
        None,
        description="the edition's demo clock (`now`, `offset_ms`), null on the real time: "
        "add `offset_ms` to the device's clock to date offline captures",
    )


class LeadDeviceOut(Schema):
    id: int
    name: str
    exhibitor: int
    created_at: dt.datetime
    last_contact: dt.datetime | None
    revoked: bool


class LeadDevicePage(Schema):
    count: int
    items: list[LeadDeviceOut]


class VisitorLeadOut(Schema):
    id: int
    exhibitor: ExhibitorRef
    captured_at: dt.datetime
    withdrawn: bool
    sees: list[str] = Field(
        ..., description="the fields of yours this exhibitor may see now (none once withdrawn)"
    )


class VisitorLeadPage(Schema):
    count: int
    items: list[VisitorLeadOut]
