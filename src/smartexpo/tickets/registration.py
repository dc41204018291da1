"""Registration: one person, one signed ticket, never past a day's quota.

The hot path is four statements in one transaction: a conditional UPDATE that takes a place on
every requested day at once (its row count says whether all had room), then the inserts of the
registration, its ticket and the ticket's days. The per-person-per-day unique index turns a
duplicate into an IntegrityError, which rolls everything back, quota included; only when a day
is full does the service look for a duplicate, so a duplicate is reported as such even then.
Validation needs no query but the catalogue stamp's (`tickets.catalogue`). The statements live
in `tickets.issuing`, the rules of restricted types in `tickets.access`, the bulk path in
`tickets.registration_bulk`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.core.stamps import READ
from smartexpo.tickets import identity
from smartexpo.tickets.access import (
    UsedUp,
    access_check,
    request_create,
    take_use,
    use_give_back,
)
from smartexpo.tickets.catalogue import Catalogue, TypeInfo, active_keys, catalogue_for
from smartexpo.tickets.issuing import (
    REGISTRATION_COLUMNS,
    FullDays,
    Issued,
    duplicate_error,
    held_days,
    insert_sql,
    instance,
    json_param,
    manage_digest,
    manage_token_for,
    new_nonce,
    sold_out,
    take_places,
    ticket_insert,
    ticket_prepare,
)
from smartexpo.tickets.models import (
    PassGrant,
    Registration,
    RegistrationStatus,
    Ticket,
    TicketDay,
    TicketStatus,
    TicketType,
)
from smartexpo.venue.models import Expo

LANGUAGES = ("en", "zh-hans")
MAX_INTERESTS = 20


# --- validation ------------------------------------------------------------------------------


@dataclass
class Clean:
    ticket_type: TypeInfo
    days: list[dt.date]
    name: str
    email: str
    id_type: str
    id_hash: str
    id_masked: str
    interests: list[str]
    language: str

    def person(self) -> dict:
        """The registration's fields about the person, as a registration row stores them."""
        return {
            "name": self.name,
            "email": self.email,
            "id_type": self.id_type,
            "id_hash": self.id_hash,
            "id_masked": self.id_masked,
            "interests": self.interests,
            "language": self.language,
        }


def _parse_days(values, errors: dict[str, str]) -> list[dt.date]:
    if not isinstance(values, list | tuple) or not values:
        errors["days"] = "At least one day is required."
        return []
    days = []
    for value in values:
        try:
            days.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
        except ValueError:
            errors["days"] = f"{value!r} is not a date (YYYY-MM-DD)."
            return []
    if len(set(days)) != len(days):
        errors["days"] = "A day is listed twice."
    return sorted(set(days))


def registration_clean(
    catalogue: Catalogue,
    *,
    ticket_type=None,
    days=None,
    name=None,
    email=None,
    id_type=None,
    id_number=None,
    interests=None,
    language=None,
    hash_key: bytes | None = None,
    today: dt.date | None = None,
) -> Clean:
    """Check every field against the catalogue; return clean values or raise `invalid` listing
    every field at fault. Makes no database query."""
    errors: dict[str, str] = {}
    tt = catalogue.types.get(ticket_type) if isinstance(ticket_type, str) else None
    if tt is None:
        errors["ticket_type"] = f"Unknown ticket type {ticket_type!r}."
    parsed = _parse_days(days, errors)
    if tt is not None and "days" not in errors:
        outside = [d.isoformat() for d in parsed if d not in tt.quota_ids]
        if outside:
            errors["days"] = f"This ticket type is not valid on {', '.join(outside)}."
        elif tt.all_days and set(parsed) != tt.days:
            errors["days"] = "This pass covers all its days; list every one of them."
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = "A name is required."
    elif len(name) > 100:
        errors["name"] = "At most 100 characters."
    email = email.strip() if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "A valid email address is required."
    id_hash = id_masked = ""
    if id_number not in (None, ""):
        try:
            id_type, canonical = identity.normalise_id(id_type, id_number, today=today)
            id_hash = identity.id_hash(id_type, canonical, key=hash_key or identity.id_hash_key())
            id_masked = identity.mask_id(canonical, id_type=id_type)
        except identity.IdNumberError as exc:
            errors[exc.field] = exc.message
    elif id_type not in (None, "", *identity.ID_TYPES):
        errors["id_type"] = f"Unknown ID type; use one of: {', '.join(identity.ID_TYPES)}."
    else:
        id_type = ""
    interests = list(dict.fromkeys(interests or []))
    if len(interests) > MAX_INTERESTS:
        errors["interests"] = f"At most {MAX_INTERESTS} interests."
    elif unknown := [i for i in interests if i not in catalogue.tags]:
        errors["interests"] = f"Unknown interests: {', '.join(map(str, unknown))}."
    language = language or "en"
    if language not in LANGUAGES:
        errors["language"] = f"One of: {', '.join(LANGUAGES)}."
    if errors:
        raise invalid(errors)
    return Clean(tt, parsed, name, email, id_type or "", id_hash, id_masked, interests, language)


def registration_problems(*, expo: Expo, version=READ, **fields) -> dict[str, str]:
    """What `registration_clean` finds wrong with these fields, by field (empty if nothing)."""
    fields.pop("invitation", None)  # judged with the ticket type's access, later
    try:
        registration_clean(catalogue_for(expo, version=version), **fields)
    except SmartExpoError as exc:
        return exc.detail.get("fields", {})
    return {}


# --- one registration ------------------------------------------------------------------------


def registration_create(
    *,
    expo: Expo,
    source: str = "api",
    version=READ,
    invitation: str | None = None,
    grant: PassGrant | None = None,
    **fields,
) -> Issued:
    """Register one person and issue their signed ticket (`version`: the catalogue stamp the
    request read, see `core.stamps`), as the ticket type's access allows: an `invitation` code
    for a type by invitation, an exhibitor's `grant` for a staff pass; a type by approval makes
    a request that waits for an organiser (no ticket, no place taken yet).

    Refusals: `invalid` (422, every bad field), `duplicate` (the ID already holds a ticket for
    one of the days), `sold_out` (a day is full; `detail.days` names the full days), and those
    of restricted types (`docs/registration-access.md`)."""
    catalogue = catalogue_for(expo, version=version)
    clean = registration_clean(catalogue, **fields)
    tt, days = clean.ticket_type, clean.days
    uses, invitation_id, exhibitor_id = access_check(expo, tt, invitation, grant)
    if uses is None:
        return request_create(expo, clean, source)
    key = active_keys.get(expo.pk, version=version)
    quota_ids = [tt.quota_ids[d] for d in days]
    nonce = new_nonce()
    manage = manage_token_for(nonce)
    now = timezone.now()
    ticket, secret = ticket_prepare(expo, key, tt.id, days, now)
    registration = instance(
        Registration,
        expo=expo,
        expo_id=expo.pk,
        ticket_type_id=tt.id,
        **clean.person(),
        manage_digest=manage_digest(manage),
        manage_nonce=nonce,
        source=source,
        created_at=now,
        invitation_id=invitation_id,
        exhibitor_id=exhibitor_id,
    )
    ticket.registration = registration
    now_db = connection.ops.adapt_datetimefield_value(now)

    def write(cursor) -> tuple[int, int]:
        take_places(cursor, quota_ids)
        for use in uses:
            take_use(cursor, *use)
        cursor.execute(
            insert_sql(Registration, REGISTRATION_COLUMNS),
            (
                expo.pk,
                tt.id,
                clean.name,
                clean.email,
                clean.id_type,
                clean.id_hash,
                clean.id_masked,
                json_param(clean.interests),
                clean.language,
                registration.manage_digest,
                nonce,
                source,
                RegistrationStatus.ACTIVE,
                now_db,
                0,
                invitation_id,
                exhibitor_id,
            ),
        )
        # fetchall: a RETURNING statement left unfinished would block a savepoint's release.
        registration_id = cursor.fetchall()[0][0]
        ticket_id = ticket_insert(
            cursor, ticket, registration_id=registration_id, days=days, id_hash=clean.id_hash
        )
        return registration_id, ticket_id

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            registration.pk, ticket.pk = write(cursor)
        ticket.registration_id = registration.pk
    except FullDays:
        if held := held_days(expo.pk, clean.id_hash, days):
            raise duplicate_error(held) from None
        raise sold_out(quota_ids) from None
    except UsedUp as exc:
        raise exc.error from None
    except IntegrityError:
        # The per-person-per-day index: this ID holds one of these days (perhaps since an
        # instant ago). Everything, quota included, was rolled back.
        raise duplicate_error(held_days(expo.pk, clean.id_hash, days) or days) from None
    # The answer is built from memory: the type is known, no query needed to name it.
    registration.ticket_type = ticket.ticket_type = TicketType(id=tt.id, code=tt.code, expo=expo)
    return Issued(registration, manage, [ticket], [secret])


# --- cancellation and secrets ----------------------------------------------------------------


def registration_cancel(*, registration: Registration) -> Registration:
    """Cancel a registration: its tickets are revoked and their places go to the next person on
    the waiting list or back to the quotas, in one transaction, so a revoked serial is listed
    from the moment the cancellation commits; the invitation use or staff pass it took is given
    back. A request awaiting approval is withdrawn. Cancelling twice changes nothing the second
    time."""
    from smartexpo.tickets.waitlist import place_freed

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
                for day in ticket.days:
                    # The next person waiting for that day gets it; else it returns to sale.
                    place_freed(
                        ticket_type_id=ticket.ticket_type_id, day=dt.date.fromisoformat(day)
                    )
            use_give_back(registration=registration)
        else:
            Registration.objects.filter(
                pk=registration.pk, status=RegistrationStatus.PENDING
            ).update(status=RegistrationStatus.CANCELLED, cancelled_at=now)
    registration.refresh_from_db()
    return registration
