"""Devices, gate scans and offline sync (docs/api.md: Organiser set-up, Check-in)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from smartexpo.checkin.doors import door_setup
from smartexpo.checkin.schemas import ScanPayload, SyncIn
from smartexpo.checkin.selectors import SLOT_MINUTES, gate_waits
from smartexpo.checkin.services import scanning, sync
from smartexpo.core.api import Error, Names, PageParams, bearer, paginate, request_body
from smartexpo.core.bodies import batch_checked
from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.core.hot_routes import fast_route
from smartexpo.core.models import Role
from smartexpo.core.responses import json_response
from smartexpo.core.tokens import require_role
from smartexpo.crowd.services import history_refresh
from smartexpo.devices import auth, selectors, services
from smartexpo.devices.models import Device, DeviceKind
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.leads.services import devices as lead_devices
from smartexpo.tickets.models import TicketType
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.clock import demo_clock_out, instant_or_now
from smartexpo.venue.models import Gate, ZoneKind

router = Router(tags=["Check-in"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
# Scans authenticate the device themselves (one query, see devices.auth.scanner_for_request);
# the OpenAPI document still shows the bearer scheme.
DEVICE_SECURITY = {"security": [{"BearerToken": []}]}


class DeviceIn(Schema):
    name: str = Field(..., max_length=120)
    kind: str = Field(..., description="scanner or sensor")
    gates: list[str] | None = Field(None, description="scanner: the gates it serves")
    zones: list[str] | None = Field(None, description="sensor: the zones it reports on")
    exhibitor: int | None = Field(
        None,
        ge=1,
        le=2**53,
        description="scanner: the exhibitor whose leads it captures (docs/leads.md); such a "
        "device serves no gate. An exhibitor's token may create one for itself only.",
    )


class DeviceCreated(Schema):
    id: int
    token: str


class DeviceOut(Schema):
    id: int
    name: str
    kind: str
    gates: list[str]
    zones: list[str]
    created_at: dt.datetime
    last_contact: dt.datetime | None
    revoked: bool
    exhibitor: int | None = Field(..., description="a lead device: the exhibitor it captures for")


class DevicePage(Schema):
    count: int
    items: list[DeviceOut]


class ScanTicket(Schema):
    serial: int
    type: str | None
    holder: str


class ScanOut(Schema):
    result: str
    reason: str | None = None
    detail: dict | None = None
    ticket: ScanTicket | None = None


class SyncResult(ScanOut):
    nonce: str | None


class SyncOut(Schema):
    results: list[SyncResult]


class GateSetup(Schema):
    code: str
    name: Names
    zone: str
    room: bool = Field(
        ..., description="a room's door: it admits into the programme's sessions (`sessions`)"
    )


class SessionSetup(Schema):
    id: int
    room: str
    starts_at: str
    ends_at: str
    title: Names
    reservation: bool = Field(..., description="only a confirmed reservation admits")
    reserved: list[int] = Field(
        ...,
        description="the serials of the tickets whose registration holds a confirmed "
        "reservation (empty when no reservation is needed)",
    )


class TypeSetup(Schema):
    id: int
    code: str
    name: Names
    zones: list[str]
    days: list[str]


class DemoClockOut(Schema):
    now: str = Field(..., description="the edition's instant now, with its UTC offset")
    offset_ms: int = Field(
        ...,
        description="the demo clock minus the real time, in milliseconds: add it to the "
        "device's clock to date scans on the edition's time",
    )


class SetupOut(Schema):
    expo: str
    timezone: str
    days: list[str]
    device: dict
    gates: list[GateSetup]
    ticket_types: list[TypeSetup]
    demo_clock: DemoClockOut | None = Field(
        None, description="the edition's demo clock (a rehearsal or demo); null: the real time"
    )
    sessions: list[SessionSetup] = Field(
        ...,
        description="the published sessions in the rooms whose doors this device serves, in "
        "programme order",
    )
    doors_open_before: int = Field(
        ..., description="seconds before its start that a session's door admits into it"
    )
    programme_version: int = Field(
        ..., description="the published release the sessions are of (0: none published)"
    )


def device_out(device: Device) -> dict:
    return {
        "id": device.pk,
        "name": device.name,
        "kind": device.kind,
        "gates": sorted(g.code for g in device.gates.all()),
        "zones": sorted(z.code for z in device.zones.all()),
        "created_at": device.created_at,
        "last_contact": device.token.last_used_at,
        "revoked": device.revoked_at is not None,
        "exhibitor": binding.exhibitor_id
        if (binding := getattr(device, "lead_binding", None))
        else None,
    }


@router.post(
    "/expos/{expo}/devices",
    auth=bearer,
    response={201: DeviceCreated, **ERRORS},
    summary="Create a scanner (gates) or sensor (zones) device; its token is shown only here",
    description="Organiser. A scanner with `exhibitor` and no gates is that exhibitor's lead "
    "device (docs/leads.md): the organiser or that exhibitor's own token may create it; "
    "another exhibitor's id is a 403.",
)
def create_device(request, expo: str, payload: DeviceIn):
    edition = venue_selectors.expo_get(slug=expo)
    token = request.auth
    if payload.exhibitor is not None or (token is not None and token.role == Role.EXHIBITOR):
        return _create_lead_device(request, edition, payload)
    require_role(token, Role.ORGANIZER, expo=edition)
    device, token = services.device_create(
        expo=edition,
        name=payload.name,
        kind=payload.kind,
        gates=payload.gates,
        zones=payload.zones,
    )
    return Status(201, {"id": device.pk, "token": token})


def _create_lead_device(request, edition, payload: DeviceIn):
    """A lead device: for the exhibitor named, by the organiser or that exhibitor's token (an
    exhibitor's token names itself when it names none)."""
    token = require_role(request.auth, Role.ORGANIZER, Role.EXHIBITOR, expo=edition)
    exhibitor_id = payload.exhibitor
    if token.role == Role.EXHIBITOR:
        own = exhibitor_id in (None, token.exhibitor_id)
        if not own or payload.kind != DeviceKind.SCANNER or payload.gates or payload.zones:
            raise SmartExpoError(
                "forbidden", "An exhibitor's token makes only its own lead devices."
            )
        exhibitor_id = token.exhibitor_id
    if payload.kind != DeviceKind.SCANNER:
        raise invalid({"kind": "A device that captures leads is a scanner."})
    if payload.gates or payload.zones:
        raise invalid({"gates": "A device that captures leads serves no gate."})
    exhibitor = Exhibitor.objects.filter(expo=edition, pk=exhibitor_id).first()
    if exhibitor is None:
        raise invalid({"exhibitor": "No such exhibitor in this edition."})
    device, raw = lead_devices.lead_device_create(
        expo=edition, exhibitor=exhibitor, name=payload.name
    )
    return Status(201, {"id": device.pk, "token": raw})


@router.get(
    "/expos/{expo}/devices",
    auth=bearer,
    response={200: DevicePage, **ERRORS},
    summary="The edition's devices with their gates or zones and last contact (organiser; "
    "paginated)",
)
def list_devices(request, expo: str, page: Query[PageParams]):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    devices = selectors.device_list(expo=edition).select_related("lead_binding")
    return paginate(devices, page, device_out)


@router.delete(
    "/expos/{expo}/devices/{device_id}",
    auth=bearer,
    response={204: None, **ERRORS},
    summary="Revoke a device: its token is refused (401) from then on",
)
def delete_device(request, expo: str, device_id: int):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    services.device_revoke(device=selectors.device_get(expo=edition, pk=device_id))
    return Status(204, None)


@router.get(
    "/expos/{expo}/checkin/setup",
    response={200: SetupOut, **ERRORS},
    summary="What a scanner needs to decide offline: time zone, days, its gates, types' zones, "
    "and its room doors' sessions with their reservations",
    openapi_extra=DEVICE_SECURITY,
)
def checkin_setup(request, expo: str):
    edition = venue_selectors.expo_get(slug=expo)
    scanner = auth.scanner_for_request(request, expo=edition)
    gates = list(
        Gate.objects.filter(expo=edition, code__in=scanner.gates)
        .select_related("zone")
        .order_by("code")
    )
    types = TicketType.objects.filter(expo=edition).prefetch_related("zones", "quotas")
    rooms = {g.zone.code for g in gates if g.zone.kind == ZoneKind.ROOM}
    return {
        "expo": edition.slug,
        "timezone": edition.timezone,
        "days": [d.isoformat() for d in edition.days],
        "device": {"id": scanner.device_id, "name": scanner.name},
        "gates": [
            {
                "code": g.code,
                "name": g.names,
                "zone": g.zone.code,
                "room": g.zone.kind == ZoneKind.ROOM,
            }
            for g in gates
        ],
        "ticket_types": [
            {
                "id": t.pk,
                "code": t.code,
                "name": t.names,
                "zones": sorted(z.code for z in t.zones.all()),
                "days": [q.day.isoformat() for q in t.quotas.all()],
            }
            for t in types.order_by("id")
        ],
        "demo_clock": demo_clock_out(edition),
        **door_setup(expo=edition, rooms=rooms),
    }


@router.post(
    "/expos/{expo}/checkin/scans",
    response={200: ScanOut, **ERRORS},
    summary="Scan a ticket at a gate: admit or reject with the reason (scanner device)",
    openapi_extra={
        **DEVICE_SECURITY,
        "requestBody": request_body(ScanPayload),
    },
)
@fast_route  # production answers it as a hot route (core.hot_routes)
def post_scan(request: HttpRequest, expo: str) -> HttpResponse:
    # No docstring: an operation's docstring is its description in the OpenAPI document.
    # One read of the catalogue stamp, with the device's token, serves every cache the scan
    # consults (core.stamps).
    edition, scanner, version = auth.scanner_and_edition(request, slug=expo)
    answer = scanning.scan_post(request, expo=edition, scanner=scanner, version=version)
    return json_response(200, answer)


@router.post(
    "/expos/{expo}/checkin/sync",
    response={200: SyncOut, **ERRORS},
    summary="Sync offline admissions (at most 5,000); conflicts are kept and answered",
    openapi_extra={
        **DEVICE_SECURITY,
        "requestBody": request_body(SyncIn),
    },
)
@fast_route  # production answers it as a hot route (core.hot_routes)
def post_sync(request: HttpRequest, expo: str) -> HttpResponse:
    edition, scanner, _version = auth.scanner_and_edition(request, slug=expo)
    items = batch_checked(SyncIn, request.body)
    results = sync.scans_sync(expo=edition, scanner=scanner, items=items)
    return json_response(200, {"results": results})


class WaitSlotOut(Schema):
    slot: str = Field(..., description="the quarter hour's start, local time HH:MM")
    waiting: float | None = Field(..., description="mean number in the queue")
    left: int | None = Field(..., description="people who left the queue for the lanes")
    wait_minutes: float | None = Field(
        ..., description="mean wait of those who left, first in first out (null: none)"
    )
    queue_end: int | None = Field(..., description="people in the queue at the slot's end")


class GateWaitsOut(Schema):
    gate: str
    name: Names
    queue_zone: str | None = Field(..., description="the zone counting its queue, if any")
    measured: bool = Field(..., description="false: no queue zone, every figure is null")
    mean_wait_minutes: float | None = Field(
        ..., description="the day's person-time in the queue ÷ people out (Little's law)"
    )
    worst: WaitSlotOut | None = Field(..., description="the slot of the longest mean wait")
    slots: list[WaitSlotOut]


class WaitsOut(Schema):
    day: dt.date
    at: dt.datetime
    slot_minutes: int
    slots: list[str]
    gates: list[GateWaitsOut]


@router.get(
    "/expos/{expo}/gates/waits",
    auth=bearer,
    response={200: WaitsOut, **ERRORS},
    summary="Each gate's queue per 15 minutes of a day, measured by its queue zone's sensors: "
    "mean number waiting, people out, their mean wait, queue at the end (organiser)",
)
def get_gate_waits(request, expo: str, day: dt.date | None = None, at: str | None = None):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    instant = instant_or_now(at, expo=edition)
    day = day or instant.astimezone(edition.tz).date()
    history_refresh(expo=edition)
    table = gate_waits(expo=edition, day=day, at=instant)
    return json_response(200, waits_out(table, instant))


def waits_out(table, at: dt.datetime) -> dict:
    """The API's answer for a `checkin.selectors.WaitsTable` read up to `at`."""

    def slot_out(s):
        if s is None:
            return None
        return {
            "slot": f"{s.start:%H:%M}",
            "waiting": s.waiting,
            "left": s.left,
            "wait_minutes": s.wait_minutes,
            "queue_end": s.queue_end,
        }

    return {
        "day": table.day.isoformat(),
        "at": at.isoformat(),
        "slot_minutes": SLOT_MINUTES,
        "slots": [f"{t:%H:%M}" for t in table.slots],
        "gates": [
            {
                "gate": g.gate.code,
                "name": {"en": g.gate.name_en, "zh": g.gate.name_zh},
                "queue_zone": g.gate.queue_zone.code if g.measured else None,
                "measured": g.measured,
                "mean_wait_minutes": g.mean_wait_minutes,
                "worst": slot_out(g.worst),
                "slots": [slot_out(s) for s in g.slots],
            }
            for g in table.gates
        ],
    }
