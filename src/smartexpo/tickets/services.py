"""Ticket types, registration and cancellation: the writes that must never oversell.

A registration is five statements in one transaction: the duplicate check, one conditional
UPDATE that takes a place on every requested day at once (its row count says whether all days
had room), and the inserts of the registration, its ticket and the ticket's days. Nothing is
locked for longer than that transaction, and no global lock serialises an edition's sales.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.exhibitors.models import Tag
from smartexpo.tickets import identity
from smartexpo.tickets.keys import private_key, signing_key_active
from smartexpo.tickets.models import (
    DayQuota,
    Registration,
    RegistrationStatus,
    Ticket,
    TicketDay,
    TicketStatus,
    TicketType,
)
from smartexpo.tickets.ticket_secrets import TicketClaims, sign_secret
from smartexpo.venue.models import Expo, Zone, ZoneKind, code_validator

MAX_QUOTA = 10_000_000
MANAGE_PREFIX = "sxm_"
LANGUAGES = ("en", "zh-hans")


def manage_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


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
) -> TicketType:
    """Create a ticket type valid on `days`, each with `quota_per_day` places.

    Without `zones` the type admits to every zone of kind venue and hall (API.md).
    """
    errors: dict[str, str] = {}
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
        position=TicketType.objects.filter(expo=expo).count(),
    )
    DayQuota.objects.bulk_create(
        [DayQuota(ticket_type=ticket_type, day=d, size=quota_per_day) for d in parsed]
    )
    ticket_type.zones.set(zone_objs)
    return ticket_type


def _new_serial() -> int:
    # Random rather than sequential: serials then say nothing about how many tickets exist.
    return secrets.randbelow(2**53 - 2) + 1


def registration_validate(
    *,
    expo: Expo,
    ticket_type: str,
    days,
    name: str,
    email: str,
    id_type: str | None = None,
    id_number: str | None = None,
    interests=None,
    language: str | None = None,
) -> dict:
    """Check every field at once and return the cleaned values, or raise `invalid` listing all."""
    errors: dict[str, str] = {}
    tt = TicketType.objects.filter(expo=expo, code=ticket_type).first()
    if tt is None:
        errors["ticket_type"] = f"Unknown ticket type {ticket_type!r}."
    parsed = _parse_days(days, "days", errors)
    if tt is not None and "days" not in errors:
        valid_days = set(DayQuota.objects.filter(ticket_type=tt).values_list("day", flat=True))
        outside = [d.isoformat() for d in parsed if d not in valid_days]
        if outside:
            errors["days"] = f"This ticket type is not valid on {', '.join(outside)}."
        elif tt.all_days and set(parsed) != valid_days:
            errors["days"] = "This pass covers all its days; list every one of them."
    name = (name or "").strip()
    if not name:
        errors["name"] = "A name is required."
    elif len(name) > 100:
        errors["name"] = "At most 100 characters."
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "A valid email address is required."
    id_hash = id_masked = ""
    if id_number not in (None, ""):
        try:
            id_type, canonical = identity.normalise_id(id_type, id_number)
            id_hash = identity.id_hash(id_type, canonical, key=identity.id_hash_key())
            id_masked = identity.mask_id(canonical, id_type=id_type)
        except identity.IdNumberError as exc:
            errors[exc.field] = exc.message
    elif id_type not in (None, "", *identity.ID_TYPES):
        errors["id_type"] = f"Unknown ID type; use one of: {', '.join(identity.ID_TYPES)}."
    else:
        id_type = ""
    interests = list(dict.fromkeys(interests or []))
    if len(interests) > 20:
        errors["interests"] = "At most 20 interests."
    elif interests:
        known = set(Tag.objects.filter(code__in=interests).values_list("code", flat=True))
        unknown = [i for i in interests if i not in known]
        if unknown:
            errors["interests"] = f"Unknown interests: {', '.join(map(str, unknown))}."
    language = language or "en"
    if language not in LANGUAGES:
        errors["language"] = f"One of: {', '.join(LANGUAGES)}."
    if errors:
        raise invalid(errors)
    return {
        "ticket_type": tt,
        "days": parsed,
        "name": name,
        "email": email,
        "id_type": id_type or "",
        "id_hash": id_hash,
        "id_masked": id_masked,
        "interests": interests,
        "language": language,
    }


def registration_create(*, expo: Expo, **fields) -> tuple[Registration, str, list[Ticket]]:
    """Register one person and issue their signed ticket; returns (registration, manage token,
    tickets). Refusals: `invalid` (422), `duplicate` (the person already holds a ticket for one of
    the days; checked before capacity, so it never consumes any), `sold_out` (a day is full)."""
    clean = registration_validate(expo=expo, **fields)
    key = signing_key_active(expo=expo)
    tt, days, id_hash = clean["ticket_type"], clean["days"], clean["id_hash"]
    raw_manage = MANAGE_PREFIX + secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            if id_hash and (
                held := list(
                    TicketDay.objects.filter(
                        expo=expo, id_hash=id_hash, day__in=days, valid=True
                    ).values_list("day", flat=True)
                )
            ):
                raise _duplicate(held)
            taken = DayQuota.objects.filter(
                ticket_type=tt, day__in=days, sold__lt=F("size")
            ).update(sold=F("sold") + 1)
            if taken != len(days):
                full = DayQuota.objects.filter(
                    ticket_type=tt, day__in=days, sold__gte=F("size")
                ).values_list("day", flat=True)
                raise SmartExpoError(
                    "sold_out",
                    "No places left on some of these days.",
                    {"days": sorted(d.isoformat() for d in full)},
                )
            registration = Registration.objects.create(
                expo=expo,
                ticket_type=tt,
                name=clean["name"],
                email=clean["email"],
                id_type=clean["id_type"],
                id_hash=id_hash,
                id_masked=clean["id_masked"],
                interests=clean["interests"],
                language=clean["language"],
                manage_digest=manage_digest(raw_manage),
            )
            ticket = Ticket.objects.create(
                expo=expo,
                registration=registration,
                ticket_type=tt,
                serial=_new_serial(),
                kid=key.kid,
                days=[d.isoformat() for d in days],
            )
            TicketDay.objects.bulk_create(
                [TicketDay(expo=expo, ticket=ticket, day=d, id_hash=id_hash) for d in days]
            )
    except IntegrityError:
        # Only the per-person-per-day index can fail here: the same person registering twice at
        # the same instant. The transaction rolled back, quota included.
        held = list(
            TicketDay.objects.filter(
                expo=expo, id_hash=id_hash, day__in=days, valid=True
            ).values_list("day", flat=True)
        )
        raise _duplicate(held or days) from None
    return registration, raw_manage, [ticket]


def _duplicate(days) -> SmartExpoError:
    return SmartExpoError(
        "duplicate",
        "This ID number already holds a ticket for one of these days.",
        {"days": sorted(d.isoformat() for d in days)},
    )


def registration_cancel(*, registration: Registration) -> Registration:
    """Cancel a registration: its tickets are revoked and their places return to the quotas, in
    one transaction, so a revoked serial is listed from the moment the cancellation commits.
    Cancelling twice changes nothing the second time."""
    now = timezone.now()
    with transaction.atomic():
        changed = Registration.objects.filter(
            pk=registration.pk, status=RegistrationStatus.ACTIVE
        ).update(status=RegistrationStatus.CANCELLED, cancelled_at=now)
        if changed:
            tickets = list(
                Ticket.objects.filter(registration=registration, status=TicketStatus.VALID)
            )
            Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
                status=TicketStatus.REVOKED, revoked_at=now
            )
            TicketDay.objects.filter(ticket__in=tickets).update(valid=False)
            for ticket in tickets:
                DayQuota.objects.filter(
                    ticket_type_id=ticket.ticket_type_id, day__in=ticket.days, sold__gt=0
                ).update(sold=F("sold") - 1)
    registration.refresh_from_db()
    return registration


def ticket_secret(ticket: Ticket) -> str:
    """The ticket's signed secret, re-derived (Ed25519 signatures are deterministic)."""
    claims = TicketClaims(
        serial=ticket.serial,
        type_id=ticket.ticket_type_id,
        days=tuple(dt.date.fromisoformat(d) for d in ticket.days),
    )
    return sign_secret(
        claims, kid=ticket.kid, private_key=private_key(expo_id=ticket.expo_id, kid=ticket.kid)
    )
