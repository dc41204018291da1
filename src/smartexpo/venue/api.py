"""Public API of editions and their venue: `/expos`, halls, zones, gates (a hall's booths,
with their exhibitors, are `exhibitors.api`'s)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db import transaction
from ninja import Field, Query, Router, Schema

from smartexpo.core.api import Error, Names, Page, PageParams, bearer, paginate
from smartexpo.core.errors import invalid
from smartexpo.core.instants import Instant
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.venue import selectors, services
from smartexpo.venue.models import SHAREABLE_FIELDS, Expo, Gate, Zone

router = Router(tags=["Editions and venue"])


class ExpoItem(Schema):
    slug: str
    name: Names
    starts_on: str
    ends_on: str


class SalesWindowOut(Schema):
    opens_at: dt.datetime | None = Field(description="as set; null: no opening set")
    closes_at: dt.datetime | None = Field(description="as set; null: no closing set")


class ExpoDetail(ExpoItem):
    timezone: str
    days: list[str]
    opens_at: str
    closes_at: str
    sales_opens_at: dt.datetime | None = Field(
        None, description="when registration opens (null: open from the start)"
    )
    sales_closes_at: dt.datetime = Field(
        ...,
        description="when registration closes: the closing set, else the end of the last day",
    )
    sales_window: SalesWindowOut = Field(
        ..., description="the edition's sales window as set (null ends take the defaults)"
    )
    venue: Names
    city: Names
    expected_visitors: int
    venue_area_m2: int
    countries: int
    previous: str | None
    lead_capture: bool = Field(
        True, description="whether exhibitors may scan visitors' tickets as leads"
    )
    lead_fields: list[str] = Field(
        list(SHAREABLE_FIELDS),
        description="what a visitor of the edition may agree to share with an exhibitor who "
        "scans their ticket (a registration's `share` is chosen among these)",
    )


class HallItem(Schema):
    code: str
    name: Names
    area_m2: float
    capacity: int


class ZoneItem(Schema):
    code: str
    kind: str
    hall: str | None = None
    name: Names
    area_m2: float
    capacity: int


class GateItem(Schema):
    code: str
    name: Names
    zone: str
    lanes: int
    queue_zone: str | None = Field(None, description="the zone of kind queue counting its queue")


def expo_item(expo: Expo) -> dict:
    return {
        "slug": expo.slug,
        "name": expo.names,
        "starts_on": expo.starts_on.isoformat(),
        "ends_on": expo.ends_on.isoformat(),
    }


def expo_detail(expo: Expo) -> dict:
    return {
        **expo_item(expo),
        "timezone": expo.timezone,
        "days": [d.isoformat() for d in expo.days],
        "opens_at": expo.opens_at.strftime("%H:%M"),
        "closes_at": expo.closes_at.strftime("%H:%M"),
        "sales_opens_at": expo.sales_open_at,
        "sales_closes_at": expo.sales_closes,
        "sales_window": {"opens_at": expo.sales_open_at, "closes_at": expo.sales_close_at},
        "venue": {"en": expo.venue_en, "zh": expo.venue_zh or expo.venue_en},
        "city": {"en": expo.city_en, "zh": expo.city_zh or expo.city_en},
        "expected_visitors": expo.expected_visitors,
        "venue_area_m2": expo.venue_area_m2,
        "countries": expo.countries,
        "previous": expo.previous.slug if expo.previous_id else None,
        "lead_capture": expo.lead_capture,
        "lead_fields": list(expo.lead_fields or []),
    }


def hall_item(hall: Zone) -> dict:
    return {
        "code": hall.code,
        "name": hall.names,
        "area_m2": float(hall.area_m2),
        "capacity": hall.capacity,
    }


def zone_item(zone: Zone) -> dict:
    item = {
        "code": zone.code,
        "kind": zone.kind,
        "name": zone.names,
        "area_m2": float(zone.area_m2),
        "capacity": zone.capacity,
    }
    if zone.hall_id:
        item["hall"] = zone.hall.code
    return item


def gate_item(gate: Gate) -> dict:
    return {
        "code": gate.code,
        "name": gate.names,
        "zone": gate.zone.code,
        "lanes": gate.lanes,
        "queue_zone": gate.queue_zone.code if gate.queue_zone_id else None,
    }


NOT_FOUND = {404: Error, 422: Error}


@router.get("/expos", response=Page[ExpoItem], summary="Editions")
def list_expos(request, page: Query[PageParams]):
    return paginate(selectors.expo_list(), page, expo_item)


@router.get("/expos/{expo}", response={200: ExpoDetail, 404: Error}, summary="One edition")
def get_expo(request, expo: str):
    return expo_detail(selectors.expo_get(slug=expo))


class ExpoSalesIn(Schema):
    """A partial change: a field left out keeps its value; null clears an end of the sales
    window (the lead settings cannot be null)."""

    sales_opens_at: Instant | None = Field(
        None, description="when registration opens; null: open from the start"
    )
    sales_closes_at: Instant | None = Field(
        None, description="when registration closes; null: at the end of the last day"
    )
    lead_capture: bool | None = Field(
        None, description="whether exhibitors may scan visitors' tickets as leads"
    )
    lead_fields: list[Literal[*SHAREABLE_FIELDS]] | None = Field(
        None,
        max_length=len(SHAREABLE_FIELDS),
        description="the fields a visitor may agree to share, distinct (any order)",
    )


@router.patch(
    "/expos/{expo}",
    auth=bearer,
    response={200: ExpoDetail, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="Set when the edition's registration opens and closes, and its lead capture "
    "(organiser)",
)
def update_expo(request, expo: str, payload: ExpoSalesIn):
    edition = selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    sent = payload.dict(exclude_unset=True)
    for name in ("lead_capture", "lead_fields"):
        if name in sent and sent[name] is None:
            raise invalid({name: "May not be null."})
    if problem := services.lead_fields_problem(sent.get("lead_fields", [])):
        raise invalid({"lead_fields": problem})
    with transaction.atomic():
        changed = services.expo_sales_window_set(
            expo=edition,
            opens_at=sent.get("sales_opens_at", services.KEEP),
            closes_at=sent.get("sales_closes_at", services.KEEP),
        )
        changed = services.expo_lead_settings_set(
            expo=changed,
            lead_capture=sent.get("lead_capture", services.KEEP),
            lead_fields=sent.get("lead_fields", services.KEEP),
        )
    return expo_detail(changed)


@router.get("/expos/{expo}/halls", response={200: Page[HallItem], **NOT_FOUND}, summary="Halls")
def list_halls(request, expo: str, page: Query[PageParams]):
    edition = selectors.expo_get(slug=expo)
    return paginate(selectors.hall_list(expo=edition).order_by("id"), page, hall_item)


@router.get(
    "/expos/{expo}/zones",
    response={200: Page[ZoneItem], **NOT_FOUND},
    summary="Zones",
    exclude_none=True,
)
def list_zones(request, expo: str, page: Query[PageParams]):
    edition = selectors.expo_get(slug=expo)
    return paginate(selectors.zone_list(expo=edition).order_by("id"), page, zone_item)


@router.get("/expos/{expo}/gates", response={200: Page[GateItem], **NOT_FOUND}, summary="Gates")
def list_gates(request, expo: str, page: Query[PageParams]):
    edition = selectors.expo_get(slug=expo)
    return paginate(selectors.gate_list(expo=edition), page, gate_item)
