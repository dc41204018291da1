"""Venue sensors and venue intelligence (docs/api.md: Venue sensors): events in; occupancy, its
history, alerts and footfall out."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from smartexpo.core.api import Error, Names, PageParams, bearer, paginate, request_body
from smartexpo.core.bodies import batch_checked
from smartexpo.core.errors import invalid
from smartexpo.core.hot_routes import fast_route
from smartexpo.core.models import Role
from smartexpo.core.responses import json_response
from smartexpo.core.stamps import READ, stamp_read
from smartexpo.core.tokens import require_role, token_resolve
from smartexpo.crowd import predict, selectors, services
from smartexpo.crowd.ingest import events_ingest
from smartexpo.crowd.periods import period_of
from smartexpo.crowd.schemas import EventsIn
from smartexpo.devices.auth import bearer_of, sensor_for_request
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.clock import edition_now, instant_or_now
from smartexpo.venue.models import ZoneKind

router = Router(tags=["Venue sensors"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


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
        "requestBody": request_body(EventsIn),
    },
)
def post_events(request, expo: str):
    edition = venue_selectors.expo_get_cached(slug=expo)
    sensor = sensor_for_request(request, expo=edition)
    events = batch_checked(EventsIn, request.body)
    return json_response(200, events_ingest(expo=edition, sensor=sensor, items=events).as_dict())


# --- occupancy, history, alerts, footfall (organizer) ------------------------------------


class ZoneOccupancy(Schema):
    zone: str
    kind: str
    hall: str | None
    name: Names
    count: int
    capacity: int
    area_m2: float
    density: float = Field(..., description="people per m², unrounded")
    level: str = Field(..., description="walkway level of service, A to F")
    alert: bool


class OccupancyOut(Schema):
    at: dt.datetime
    zones: list[ZoneOccupancy]


class HistoryPointOut(Schema):
    at: dt.datetime
    count: int
    density: float
    level: str
    alert: bool


class HistoryOut(Schema):
    zone: str
    name: Names
    capacity: int
    area_m2: float
    step: int = Field(..., description="seconds between points")
    points: list[HistoryPointOut]


class AlertOut(Schema):
    id: int
    zone: str
    name: Names
    reason: str = Field(..., description="capacity or density")
    raised_at: dt.datetime
    cleared_at: dt.datetime | None = Field(
        ...,
        description="when it cleared (or the nightly reset ended it), if that is not after `at`",
    )
    ended_by_reset: bool
    active: bool
    peak_count: int
    capacity: int
    acknowledged_at: dt.datetime | None
    acknowledged_by: str


class AlertPage(Schema):
    at: dt.datetime
    count: int
    items: list[AlertOut]


class FootfallOut(Schema):
    zone: str
    kind: str
    hall: str | None
    name: Names
    booth: str | None
    exhibitor: dict | None
    day: dt.date
    visits: int = Field(..., description="entries")
    exits: int
    unique_visitors: int | None = Field(
        ..., description="distinct visitors among tagged entries (estimated; null if untagged)"
    )
    mean_dwell_seconds: float | None
    peak: int
    closing_count: int = Field(..., description="count at closing time, dropped by the reset")


class FootfallPage(Schema):
    day: dt.date
    count: int
    items: list[FootfallOut]


def _organizer(request, expo: str, version=READ):
    """(edition, the organiser's token) of a request, or the API's refusal."""
    edition = venue_selectors.expo_get_cached(slug=expo, version=version)
    token = require_role(_token(request), Role.ORGANIZER, expo=edition)
    return edition, token


def _token(request):
    """The request's token: resolved by the operation's `auth` where it has one (so that a
    request without a token is a 401 before its parameters are read), else here (the
    occupancy's hot route, which runs without the operation)."""
    found = getattr(request, "auth", None)
    return found if found is not None else token_resolve(raw=bearer_of(request) or "")


# Read by `_at` (empty: now); documented as the instants they must be.
INSTANT_PARAM = {
    "description": "ISO 8601 with its UTC offset (default: now, on the edition's clock)",
    "example": "2019-08-26T10:00:00+08:00",
}
AT = Query(None, **INSTANT_PARAM)


ORGANIZER = {"security": [{"BearerToken": []}]}


@router.get(
    "/expos/{expo}/venue/occupancy",
    response={200: OccupancyOut, **ERRORS},
    summary="Every zone's count, density, level and alert at an instant (organiser; default now)",
    openapi_extra=ORGANIZER,
)
@fast_route  # production answers it as a hot route (core.hot_routes): control rooms poll it
def get_occupancy(request: HttpRequest, expo: str, at: str | None = AT) -> HttpResponse:
    # `at` is declared for the OpenAPI document; it is read from the query string below, as
    # the hot route, which calls this view without ninja, leaves it at its default.
    version = stamp_read()  # one read for every cache the answer consults (core.stamps)
    edition, _token = _organizer(request, expo, version)
    instant = instant_or_now(request.GET.get("at"), expo=edition)
    services.history_refresh(expo=edition)
    body = selectors.occupancy(expo=edition, at=instant, version=version).json()
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get(
    "/expos/{expo}/venue/occupancy/history",
    auth=bearer,
    response={200: HistoryOut, **ERRORS},
    summary="One zone's occupancy as a time series (organiser): from, to, step in seconds",
    openapi_extra=ORGANIZER,
)
def get_history(
    request,
    expo: str,
    zone: str,
    step: int = 300,
    from_: str | None = Query(None, alias="from", **INSTANT_PARAM),
    to: str | None = Query(None, **INSTANT_PARAM),
):
    edition, _token = _organizer(request, expo)
    day = dt.timedelta(days=1)
    if from_ and not to:
        # A day from `from`, or up to now if that is sooner (but never before `from`).
        start = instant_or_now(from_, "from", expo=edition)
        end = min(max(edition_now(edition), start), start + day)
    else:
        end = instant_or_now(to, "to", expo=edition)
        start = instant_or_now(from_, "from", expo=edition) if from_ else end - day
    info = selectors.zone_for_code(expo=edition, code=zone)
    selectors.history_window(start, end, step)
    services.history_refresh(expo=edition)
    points = selectors.occupancy_history(
        expo=edition, zone=info, start=start, end=end, step_seconds=step
    )
    return json_response(
        200,
        {
            "zone": info.code,
            "name": {"en": info.name_en, "zh": info.name_zh},
            "capacity": info.capacity,
            "area_m2": float(info.area_m2),
            "step": step,
            "points": [
                {
                    "at": p.at.isoformat(),
                    "count": p.count,
                    "density": info.density(p.count),
                    "level": info.level(p.count),
                    "alert": p.alert,
                }
                for p in points
            ],
        },
    )


def alert_out(alert, at: dt.datetime) -> dict:
    zone = alert.zone
    return {
        "id": alert.pk,
        "zone": zone.code,
        "name": zone.names,
        "reason": alert.reason,
        "raised_at": alert.raised_at.isoformat(),
        "cleared_at": alert.ends_at.isoformat() if alert.ends_at <= at else None,
        "ended_by_reset": alert.ended_by_reset and alert.ends_at <= at,
        "active": selectors.alert_is_active(alert, at),
        "peak_count": alert.peak_count,
        "capacity": zone.capacity,
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "acknowledged_by": alert.acknowledged_by,
    }


def _alerts_scope(request, expo: str, *, at: str | None, zone: str | None):
    """The edition and instant of an alerts list (live or predicted), its zone filter checked
    (an unknown zone is a 422) and the occupancy history brought up to date."""
    edition, _token = _organizer(request, expo)
    instant = instant_or_now(at, expo=edition)
    if zone:
        selectors.zone_for_code(expo=edition, code=zone)
    services.history_refresh(expo=edition)
    return edition, instant


@router.get(
    "/expos/{expo}/venue/alerts",
    auth=bearer,
    response={200: AlertPage, **ERRORS},
    summary="Crowd alerts raised up to an instant (organiser; `active`, `zone` filters; paginated)",
    openapi_extra=ORGANIZER,
)
def get_alerts(
    request,
    expo: str,
    page: Query[PageParams],
    at: str | None = AT,
    active: bool | None = None,
    zone: str | None = None,
):
    edition, instant = _alerts_scope(request, expo, at=at, zone=zone)
    alerts = selectors.alert_list(expo=edition, at=instant, active=active, zone=zone)
    body = paginate(alerts, page, lambda a: alert_out(a, instant))
    return json_response(200, {"at": instant.isoformat(), **body})


class PredictedAlertOut(Schema):
    zone: str
    name: Names
    basis: str = Field(
        ...,
        description="the day pattern used: edition (its earlier days), previous (the previous "
        "edition's days) or trend (none: the recent trend alone)",
    )
    threshold: int = Field(..., description="the count that raises the hall's live alert")
    clear_threshold: int = Field(..., description="the count at which an alert clears")
    capacity: int
    raised_at: dt.datetime
    expected_at: dt.datetime = Field(
        ..., description="the instant the prediction expected the threshold when it was raised"
    )
    minutes_to_threshold: int | None = Field(
        ...,
        description="minutes from `at` to the threshold by the latest prediction (0: reached); "
        "null once ended, or if no longer expected within 30 minutes",
    )
    forecast_peak: int | None = Field(
        ..., description="the highest count the latest prediction expects within 30 minutes"
    )
    cleared_at: dt.datetime | None
    ended_by_reset: bool
    active: bool


class PredictedAlertPage(Schema):
    at: dt.datetime
    day: dt.date = Field(..., description="the count period of `at`")
    horizon_minutes: int
    count: int
    items: list[PredictedAlertOut]


def predicted_out(alert: predict.PredictedAlert) -> dict:
    zone = alert.zone
    return {
        "zone": zone.code,
        "name": {"en": zone.name_en, "zh": zone.name_zh},
        "basis": alert.basis,
        "threshold": zone.raise_at,
        "clear_threshold": zone.clear_at,
        "capacity": zone.capacity,
        "raised_at": alert.raised_at.isoformat(),
        "expected_at": alert.expected_at.isoformat(),
        "minutes_to_threshold": alert.minutes_to_threshold,
        "forecast_peak": alert.forecast_peak,
        "cleared_at": alert.cleared_at.isoformat() if alert.cleared_at else None,
        "ended_by_reset": alert.ended_by_reset,
        "active": alert.active,
    }


@router.get(
    "/expos/{expo}/venue/alerts/predicted",
    auth=bearer,
    response={200: PredictedAlertPage, **ERRORS},
    summary="Predicted crowd alerts of the day up to an instant: halls expected to reach their "
    "alert threshold within 30 minutes (organiser; `active`, `zone` filters; paginated)",
    openapi_extra=ORGANIZER,
)
def get_predicted_alerts(
    request,
    expo: str,
    page: Query[PageParams],
    at: str | None = AT,
    active: bool | None = None,
    zone: str | None = None,
):
    edition, instant = _alerts_scope(request, expo, at=at, zone=zone)
    alerts = [
        a
        for a in predict.predicted_at(expo=edition, at=instant)
        if (active is None or a.active == active) and (not zone or a.zone.code == zone)
    ]
    body = paginate(alerts, page, predicted_out)
    day = period_of(instant, tz=edition.tz, closes_at=edition.closes_at)
    return json_response(
        200,
        {
            "at": instant.isoformat(),
            "day": day.isoformat(),
            "horizon_minutes": predict.HORIZON_MINUTES,
            **body,
        },
    )


@router.post(
    "/expos/{expo}/venue/alerts/{alert_id}/acknowledge",
    auth=bearer,
    response={200: AlertOut, **ERRORS},
    summary="Acknowledge a crowd alert (organiser); the first acknowledgement is kept",
    openapi_extra=ORGANIZER,
)
def acknowledge_alert(request, expo: str, alert_id: int):
    edition, token = _organizer(request, expo)
    alert = services.alert_acknowledge(expo=edition, alert_id=alert_id, by=token.name)
    return json_response(200, alert_out(alert, timezone.now()))


@router.get(
    "/expos/{expo}/venue/footfall",
    auth=bearer,
    response={200: FootfallPage, **ERRORS},
    summary="Visits, distinct visitors, mean dwell, peak and drift per zone for one day "
    "(organiser: every zone; exhibitor: its own booths; paginated)",
    openapi_extra=ORGANIZER,
)
def get_footfall(
    request,
    expo: str,
    page: Query[PageParams],
    day: dt.date | None = None,
    kind: str | None = None,
):
    edition = venue_selectors.expo_get_cached(slug=expo)
    token = require_role(_token(request), Role.ORGANIZER, Role.EXHIBITOR, expo=edition)
    kinds = [k for k in (kind or "").split(",") if k] or None
    if kinds and (unknown := [k for k in kinds if k not in ZoneKind.values]):
        raise invalid({"kind": f"Unknown zone kinds: {', '.join(unknown)}."})
    day = day or selectors.period_today(expo=edition)
    services.history_refresh(expo=edition)
    booths = selectors.booth_owners(expo=edition)
    # An exhibitor sees only the zones of its own booths.
    own = (
        selectors.booth_zones_of(booths=booths, exhibitor_id=token.exhibitor_id)
        if token.role == Role.EXHIBITOR
        else None
    )
    items = selectors.footfall(expo=edition, day=day, kinds=kinds, zone_ids=own)
    body = paginate(items, page, lambda f: footfall_out(f, booths.get(f.zone.id)))
    return json_response(200, {"day": day.isoformat(), **body})


def footfall_out(item, booth: dict | None) -> dict:
    zone = item.zone
    return {
        "zone": zone.code,
        "kind": zone.kind,
        "hall": zone.hall,
        "name": {"en": zone.name_en, "zh": zone.name_zh},
        "booth": booth["code"] if booth else None,
        "exhibitor": booth["exhibitor"] if booth else None,
        "day": item.day.isoformat(),
        "visits": item.visits,
        "exits": item.exits,
        "unique_visitors": item.unique_visitors,
        "mean_dwell_seconds": item.mean_dwell_seconds,
        "peak": item.peak,
        "closing_count": item.closing_count,
    }
