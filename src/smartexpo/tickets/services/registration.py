"""Registration: one person, one signed ticket, never past a day's quota.

The hot path is four statements in one transaction: a conditional UPDATE that takes a place on
every requested day at once (its row count says whether all had room), then the inserts of the
registration, its ticket and the ticket's days. The per-person-per-day unique index turns a
duplicate into an IntegrityError, which rolls everything back, quota included; only when a day
is full does the service look for a duplicate, so a duplicate is reported as such even then.
The fields are checked by `tickets.registration_clean` (no query but the catalogue stamp's).
The statements live in `tickets.queries`; the rules of restricted types in `.access`, the bulk
path in `.registration_bulk`, cancellation in `.cancellation` (of `tickets.services`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from smartexpo.core.stamps import READ
from smartexpo.tickets import queries
from smartexpo.tickets.catalogue import active_keys, catalogue_for
from smartexpo.tickets.issuing import (
    FullDays,
    Issued,
    duplicate_error,
    held_days,
    instance,
    manage_digest,
    manage_token_for,
    new_nonce,
    sold_out,
    ticket_prepare,
)
from smartexpo.tickets.models import (
    Access,
    PassGrant,
    Registration,
    RegistrationStatus,
    TicketType,
)
from smartexpo.tickets.registration_clean import registration_clean
from smartexpo.tickets.sales import sale_enforce
from smartexpo.tickets.services.access import (
    UsedUp,
    access_check,
    request_create,
    take_use,
)
from smartexpo.venue.models import Expo

# --- one registration ------------------------------------------------------------------------


def registration_create(
    *,
    expo: Expo,
    ticket_type: str | None = None,
    days: Sequence[str | dt.date] | None = None,
    name: str | None = None,
    email: str | None = None,
    id_type: str | None = None,
    id_number: str | None = None,
    interests: Sequence[str] | None = None,
    language: str | None = None,
    invitation: str | None = None,
    phone: str | None = None,
    company: str | None = None,
    title: str | None = None,
    sectors: Sequence[str] | None = None,
    intents: Sequence[str] | None = None,
    share: Sequence[str] | None = None,
    grant: PassGrant | None = None,
    source: str = "api",
    version: int | object | None = READ,
) -> Issued:
    """Register one person and issue their signed ticket (`version`: the catalogue stamp the
    request read, see `core.stamps`), as the ticket type's access allows: an `invitation` code
    for a type by invitation, an exhibitor's `grant` for a staff pass; a type by approval makes
    a request that waits for an organiser (no ticket, no place taken yet).

    The person's fields are the API's (`tickets.schemas.RegistrationIn`) and are judged by
    `registration_clean`: one left out (None) is refused with the others at fault, not here.
    `language` defaults to English; `source` says where the registration came from. The
    networking profile (`phone`, `company`, `title`, `sectors`, `intents`, and `share`, the
    fields an exhibitor who scans the ticket may see, within the edition's `lead_fields`) is
    optional: left out, it is blank and nothing is shared.

    Refusals: `invalid` (422, every bad field), `duplicate` (the ID already holds a ticket for
    one of the days), `sold_out` (a day is full; `detail.days` names the full days), and those
    of restricted types (`docs/registration-access.md`); outside the type's sales window
    (`tickets.sales`, staff passes excepted) `sales_not_open` (`detail.opens_at`) or
    `sales_closed` (`detail.closed_at`)."""
    catalogue = catalogue_for(expo, version=version)
    clean = registration_clean(
        catalogue,
        ticket_type=ticket_type,
        days=days,
        name=name,
        email=email,
        id_type=id_type,
        id_number=id_number,
        interests=interests,
        language=language,
        phone=phone,
        company=company,
        title=title,
        sectors=sectors,
        intents=intents,
        share=share,
    )
    tt, days = clean.ticket_type, clean.days
    if tt.access != Access.EXHIBITOR:
        # Staff passes are the exhibitors' to issue, whatever the public sale does.
        sale_enforce(expo=expo, ticket_type=tt)
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
        if not queries.places_take(cursor, quota_ids):
            raise FullDays()
        for use in uses:
            take_use(cursor, *use)
        registration_id = queries.registration_insert(
            cursor,
            (
                expo.pk,
                tt.id,
                clean.name,
                clean.email,
                clean.id_type,
                clean.id_hash,
                clean.id_masked,
                queries.json_param(clean.interests),
                clean.language,
                registration.manage_digest,
                nonce,
                source,
                RegistrationStatus.ACTIVE,
                now_db,
                0,
                invitation_id,
                exhibitor_id,
                *queries.profile_params(clean.profile_row()),
            ),
        )
        ticket_id = queries.ticket_insert(
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
