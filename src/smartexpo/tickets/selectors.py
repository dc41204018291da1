"""Reads of ticket types, availability, registrations and the offline keys package."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError, invalid, not_found
from smartexpo.tickets import queries
from smartexpo.tickets.issuing import manage_digest, manage_token_for
from smartexpo.tickets.keys import public_keys
from smartexpo.tickets.models import (
    Access,
    DayQuota,
    Registration,
    SigningKey,
    Ticket,
    TicketStatus,
    TicketType,
)
from smartexpo.tickets.sales import SaleState, ticket_type_sale_state
from smartexpo.tickets.services.signing_keys import signing_key_active
from smartexpo.tickets.ticket_secrets import SecretError, verify_secret
from smartexpo.venue.models import SHAREABLE_FIELDS, Expo


def ticket_type_list(*, expo: Expo) -> QuerySet[TicketType]:
    """An edition's ticket types with their daily quotas and zones."""
    return (
        TicketType.objects.filter(expo=expo)
        .prefetch_related(Prefetch("quotas", queryset=DayQuota.objects.order_by("day")), "zones")
        .order_by("id")
    )


def registration_by_manage_token(*, raw: str) -> Registration | None:
    """The registration a manage token belongs to, or None."""
    if not raw or len(raw) > 200:
        return None
    return queries.registration_by_digest(manage_digest(raw))


def manage_token_of(registration: Registration) -> str:
    """A registration's manage token, the key of its page and its tickets' PDFs (derived from
    its nonce, never stored): what its holder was sent, for those who issued it to show."""
    return manage_token_for(registration.manage_nonce)


def registration_get(*, expo: Expo, pk: int) -> Registration:
    """One registration of an edition with its tickets, or a `not_found` error."""
    registration = (
        Registration.objects.filter(expo=expo, pk=pk)
        .select_related("ticket_type")
        .prefetch_related(Prefetch("tickets", queryset=Ticket.objects.order_by("id")))
        .first()
    )
    if registration is None:
        raise not_found("registration")
    return registration


def ticket_get(*, expo: Expo, serial: int) -> Ticket | None:
    """A ticket of an edition by serial (with its registration), or None."""
    return (
        Ticket.objects.filter(expo=expo, serial=serial)
        .select_related("registration", "ticket_type", "expo")
        .first()
    )


# A revocation is stamped when its transaction starts and visible when it commits: a package
# generated in between misses it, so `since` reaches back this far to catch it next time.
SINCE_OVERLAP = dt.timedelta(minutes=1)


def keys_package(*, expo: Expo, since: dt.datetime | None = None) -> dict:
    """Public keys and revoked serials: what an offline scanner needs to decide alone.

    With `since` (the `generated_at` of the scanner's last package), only the serials revoked
    from a minute before that instant on: scanners add them to the list they hold."""
    signing_key_active(expo=expo)  # an edition always publishes at least one key
    generated_at = timezone.now()
    keys = [
        {"kid": k.kid, "alg": "Ed25519", "public_key": k.public_key}
        for k in SigningKey.objects.filter(expo=expo).order_by("kid")
    ]
    revocations = Ticket.objects.filter(
        expo=expo, status=TicketStatus.REVOKED, revoked_at__isnull=False
    )
    if since is not None:
        revocations = revocations.filter(revoked_at__gte=since - SINCE_OVERLAP)
    revoked = list(revocations.order_by("revoked_at", "id").values_list("serial", flat=True))
    return {"keys": keys, "revoked": revoked, "generated_at": generated_at}


def registration_list(
    *, expo: Expo, status: str | None = None, ticket_type: str | None = None
) -> QuerySet[Registration]:
    """The edition's registrations in creation order (`status`, `ticket_type`: filters)."""
    qs = (
        Registration.objects.filter(expo=expo)
        .select_related("ticket_type", "invitation")
        .order_by("id")
    )
    if status:
        qs = qs.filter(status=status)
    if ticket_type:
        qs = qs.filter(ticket_type__code=ticket_type)
    return qs


# --- what the public registration form offers ------------------------------------------------


@dataclass(frozen=True)
class DayOffer:
    """One day of an edition as one ticket type offers it: `available` places, or None when
    the type is not valid that day (not on sale)."""

    day: dt.date
    available: int | None

    @property
    def state(self) -> str:
        """`open`, `full`, or `off` (not on sale for this type)."""
        if self.available is None:
            return "off"
        return "open" if self.available > 0 else "full"


@dataclass(frozen=True)
class TypeOffer:
    """A ticket type as the registration form offers it, with every day of the edition."""

    ticket_type: TicketType
    days: tuple[DayOffer, ...]

    @property
    def code(self) -> str:
        return self.ticket_type.code

    @property
    def all_days(self) -> bool:
        return self.ticket_type.all_days

    @property
    def valid_days(self) -> list[dt.date]:
        """The days the type is valid on: all of them, for a pass."""
        return [d.day for d in self.days if d.available is not None]

    def state(self, day: dt.date) -> str:
        return next((d.state for d in self.days if d.day == day), "off")


def registration_offers(
    *, expo: Expo, at: dt.datetime | None = None
) -> tuple[list[TypeOffer], list[tuple[TicketType, SaleState]]]:
    """The ticket types a visitor may register for on the public form at `at` (now unless
    given), each with the places left on every day of the edition; and those of the public
    types not on sale then, each with why (`tickets.sales`). Staff passes are left out:
    exhibitors issue them."""
    at = at or timezone.now()
    offers, off_sale = [], []
    for tt in ticket_type_list(expo=expo).exclude(access=Access.EXHIBITOR):
        state = ticket_type_sale_state(expo=expo, ticket_type=tt, at=at)
        if not state.on_sale:
            off_sale.append((tt, state))
            continue
        available = {q.day: q.available for q in tt.quotas.all()}
        days = tuple(DayOffer(day, available.get(day)) for day in expo.days)
        offers.append(TypeOffer(tt, days))
    return offers, off_sale


def shared_profile(registration: Registration, *, lead_fields) -> dict[str, str]:
    """What an exhibitor who scanned this registration's ticket may see of the person, by
    field, in `SHAREABLE_FIELDS` order: the fields the visitor shares (`share`) that the
    edition still allows (`lead_fields`, its `Expo.lead_fields`), as stored now. Empty for a
    registration that shares nothing, and for an erased one (its `share` is emptied)."""
    allowed = set(registration.share or ()) & set(lead_fields or ())
    return {name: getattr(registration, name) for name in SHAREABLE_FIELDS if name in allowed}


def ticket_of_secret(*, expo: Expo, secret) -> Ticket:
    """The edition's ticket a scanned secret names, once its signature verifies with one of
    the edition's keys (`invalid` at `secret` otherwise, as a scanner answers "invalid"); a
    revoked ticket is refused (409 `revoked`). Booth staff capturing a lead and participants
    checking in at a business meeting scan with it."""
    try:
        claims = verify_secret(secret, public_keys(expo=expo))
    except SecretError:
        raise invalid({"secret": _("This is not a valid ticket of this edition.")}) from None
    ticket = (
        Ticket.objects.select_related("registration")
        .filter(expo=expo, serial=claims.serial)
        .first()
    )
    if ticket is None:
        raise invalid({"secret": _("This is not a valid ticket of this edition.")})
    if ticket.status == TicketStatus.REVOKED:
        raise SmartExpoError("revoked", _("This ticket was cancelled."))
    return ticket
