"""The planning API: the attendance forecast of an edition (organisers; docs/api.md)."""

from __future__ import annotations

from ninja import Field, Router, Schema

from smartexpo.core.api import Error, bearer
from smartexpo.core.models import Role
from smartexpo.core.responses import json_response
from smartexpo.core.tokens import require_role
from smartexpo.planning.forecast import AttendanceForecast, attendance_forecast
from smartexpo.planning.forecast_models import Interval
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.clock import instant_or_now

router = Router(tags=["planning"])

ERRORS = {401: Error, 403: Error, 404: Error, 422: Error}
ORGANIZER = {"security": [{"BearerToken": []}]}


class IntervalOut(Schema):
    mid: float = Field(..., description="the forecast (for arrivals: the expected count)")
    low: float = Field(..., description="the 80 % interval's lower end (10th percentile)")
    high: float = Field(..., description="its upper end (90th percentile)")


class DayOut(Schema):
    day: str
    registered: int = Field(..., description="tickets valid that day booked by `as_of`")
    registered_final: IntervalOut = Field(..., description="those expected by the day")
    admissions: IntervalOut
    state: str = Field(
        ..., description="forecast; nowcast (under way at `as_of`); counted (over: as scanned)"
    )
    admitted_so_far: int | None = Field(None, description="for the day under way")


class ShowUpOut(Schema):
    ticket_type: str
    kind: str = Field(..., description="first, middle or last day")
    rate: IntervalOut
    basis: str = Field(..., description="previous (learned) or default")


class PeriodOut(Schema):
    start: str
    arrivals: IntervalOut


class GateOut(Schema):
    gate: str
    periods: list[PeriodOut]


class ForecastOut(Schema):
    expo: str
    as_of: str
    previous: str | None = Field(None, description="the edition it learned from")
    notes: list[str] = Field(..., description="every default the forecast fell back to")
    days: list[DayOut]
    show_up: list[ShowUpOut]
    gates: list[GateOut]


def _interval(value: Interval) -> dict:
    return {"mid": round(value.mid, 1), "low": round(value.low, 1), "high": round(value.high, 1)}


def forecast_out(forecast: AttendanceForecast) -> dict:
    """The forecast as the API answers it (instants in the edition's local time)."""
    tz = forecast.expo.tz
    return {
        "expo": forecast.expo.slug,
        "as_of": forecast.as_of.astimezone(tz).isoformat(),
        "previous": forecast.previous.slug if forecast.previous else None,
        "notes": forecast.notes,
        "days": [
            {
                "day": d.day.isoformat(),
                "registered": d.registered,
                "registered_final": _interval(d.registered_final),
                "admissions": _interval(d.admissions),
                "state": d.state,
                "admitted_so_far": d.admitted_so_far,
            }
            for d in forecast.days
        ],
        "show_up": [
            {
                "ticket_type": s.ticket_type,
                "kind": s.kind,
                "rate": {"mid": round(s.rate.mid, 4), "low": round(s.rate.low, 4)}
                | {"high": round(s.rate.high, 4)},
                "basis": s.basis,
            }
            for s in forecast.show_up
        ],
        "gates": [
            {
                "gate": gate,
                "periods": [
                    {"start": start.astimezone(tz).isoformat(), "arrivals": _interval(value)}
                    for start, value in zip(forecast.period_starts, values, strict=True)
                ],
            }
            for gate, values in forecast.arrivals.items()
        ],
    }


@router.get(
    "/expos/{expo}/planning/forecast",
    auth=bearer,
    response={200: ForecastOut, **ERRORS},
    summary="The attendance forecast as of an instant: admissions per day and arrivals per "
    "entrance gate and 15 minutes, with 80 % intervals (organiser)",
    openapi_extra=ORGANIZER,
)
def get_forecast(request, expo: str, as_of: str | None = None):
    edition = venue_selectors.expo_get_cached(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    instant = instant_or_now(as_of, "as_of", expo=edition)
    return json_response(200, forecast_out(attendance_forecast(expo=edition, as_of=instant)))
