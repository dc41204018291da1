"""Ticket types: the days they are valid on, a quota per day, the zones they admit to, and
their own sales window (`tickets.sales` combines it with the edition's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from smartexpo.core.errors import SmartExpoError, invalid, not_found
from smartexpo.tickets.models import (
    Access,
    DayQuota,
    TicketType,
)
from smartexpo.venue.models import Expo, Zone, ZoneKind, code_validator
from smartexpo.venue.services import KEEP, sales_window_change, sales_window_problems

MAX_QUOTA = 10_000_000


def _parse_days(values, field: str, errors: dict[str, str]) -> list[dt.date]:
    days: list[dt.date] = []
    if not isinstance(values, list | tuple) or not values:
        errors[field] = "At least one day is required."
        return days
    for value in values:
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            errors[field] = f"{value!r} is not a date (YYYY-MM-DD)."
            return []
        days.append(day)
    if len(set(days)) != len(days):
        errors[field] = "A day is listed twice."
    return sorted(set(days))


@transaction.atomic
def ticket_type_create(
    *,
    expo: Expo,
    code: str,
    name_en: str,
    name_zh: str = "",
    days: Iterable,
    quota_per_day: int,
    zones: Iterable[str] | None = None,
    all_days: bool = False,
    access: str = Access.OPEN,
    sales_opens_at: dt.datetime | None = None,
    sales_closes_at: dt.datetime | None = None,
) -> TicketType:
    """Create a ticket type valid on `days`, each with `quota_per_day` places.

    Without `zones` the type admits to every zone of kind venue and hall (docs/api.md). `access`:
    who may register (`docs/registration-access.md`); open to everyone unless said otherwise.
    `sales_opens_at` / `sales_closes_at`: the type's own sales window (aware datetimes, the
    closing after the opening; None: its edition's end on that side, `tickets.sales`).
    """
    errors = sales_window_problems(opens_at=sales_opens_at, closes_at=sales_closes_at)
    if access not in Access.values:
        errors["access"] = f"One of: {', '.join(Access.values)}."
    try:
        code_validator(code or "")
    except ValidationError:
        errors["code"] = "Letters, digits, '.', '_' and '-', at most 32."
    if not (name_en or "").strip():
        errors["name.en"] = "An English name is required."
    parsed = _parse_days(list(days), "days", errors)
    outside = [d.isoformat() for d in parsed if d not in expo.days]
    if outside:
        errors["days"] = f"Not a day of this edition: {', '.join(outside)}."
    if isinstance(quota_per_day, bool) or not isinstance(quota_per_day, int):
        errors["quota_per_day"] = "A whole number is required."
    elif not 0 <= quota_per_day <= MAX_QUOTA:
        errors["quota_per_day"] = f"From 0 to {MAX_QUOTA:,}."
    zone_objs: list[Zone] = []
    if zones is None:
        zone_objs = list(Zone.objects.filter(expo=expo, kind__in=[ZoneKind.VENUE, ZoneKind.HALL]))
    else:
        codes = list(dict.fromkeys(zones))
        zone_objs = list(Zone.objects.filter(expo=expo, code__in=codes))
        missing = sorted(set(codes) - {z.code for z in zone_objs})
        if missing:
            errors["zones"] = f"Unknown zones: {', '.join(missing)}."
    if errors:
        raise invalid(errors)
    if TicketType.objects.filter(expo=expo, code=code).exists():
        raise SmartExpoError(
            "ticket_type_exists", f"Ticket type {code} already exists.", {"code": code}
        )
    ticket_type = TicketType.objects.create(
        expo=expo,
        code=code,
        name_en=name_en.strip(),
        name_zh=(name_zh or "").strip(),
        all_days=all_days,
        access=access,
        sales_open_at=sales_opens_at,
        sales_close_at=sales_closes_at,
        position=TicketType.objects.filter(expo=expo).count(),
    )
    DayQuota.objects.bulk_create(
        [DayQuota(ticket_type=ticket_type, day=d, size=quota_per_day) for d in parsed]
    )
    ticket_type.zones.set(zone_objs)
    return ticket_type


@transaction.atomic
def ticket_type_sales_window_set(
    *, expo: Expo, code: str, opens_at=KEEP, closes_at=KEEP
) -> TicketType:
    """Set when registration for the edition's ticket type `code` opens (`opens_at`) and
    closes (`closes_at`): an aware datetime, None to clear that end (the edition's then
    applies), or `KEEP` (the default) to leave it. Checked with the stored end it keeps, read
    under lock. Refusals: `not_found` (no such type), `invalid` (422) at `sales_opens_at` /
    `sales_closes_at`."""
    ticket_type = TicketType.objects.select_for_update().filter(expo=expo, code=code).first()
    if ticket_type is None:
        raise not_found("ticket type")
    sales_window_change(ticket_type, opens_at=opens_at, closes_at=closes_at)
    return ticket_type
