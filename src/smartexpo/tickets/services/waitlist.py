"""The waiting list: a place freed on a sold-out day is offered to the next person in line.

The place stays counted in the quota (`sold`) while it is offered, so nobody else can take it;
the offer is a link, valid for `SMARTEXPO_WAITLIST_OFFER_HOURS`, to register on that day. An
offer that expires passes the place to the next in line, and with nobody left the place
returns to sale.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError, invalid, not_found
from smartexpo.tickets.issuing import Issued, manage_digest, manage_token_for
from smartexpo.tickets.models import Access, DayQuota, TicketType, WaitlistEntry, WaitlistStatus
from smartexpo.tickets.registration_clean import LANGUAGES
from smartexpo.tickets.sales import sale_enforce
from smartexpo.tickets.services.registration import registration_create
from smartexpo.venue.models import Expo

logger = logging.getLogger("smartexpo.mail")
OFFER_PREFIX = "sxw_"


def offer_token(entry: WaitlistEntry) -> str:
    """The secret link token of a waiting-list offer (derived, never stored)."""
    return OFFER_PREFIX + manage_token_for(entry.offer_nonce)[4:]


class DayState(StrEnum):
    """What a waiting list of one ticket type on one day is, for whoever asks."""

    UNKNOWN_TYPE = "unknown_type"  # the edition sells no such type to visitors
    NO_WAITLIST = "no_waitlist"  # a pass for all days, or a type not open to everyone
    NOT_A_DAY = "not_a_day"  # not a date, or a date the type is not valid on
    AVAILABLE = "available"  # places remain: register, no queue
    FULL = "full"  # the only state in which anyone may join


@dataclass(frozen=True)
class WaitlistDay:
    state: DayState
    ticket_type: TicketType | None = None
    day: dt.date | None = None
    available: int = 0


def waitlist_day(*, expo: Expo, ticket_type: str, day) -> WaitlistDay:
    """Whether the waiting list of `ticket_type` on `day` can be joined, and if not, why.

    A read, no write: the page asks it before showing the form, and `waitlist_join` asks it
    again inside its transaction, so that both judge the same way."""
    tt = TicketType.objects.filter(expo=expo, code=ticket_type).first() if ticket_type else None
    if tt is None:
        return WaitlistDay(DayState.UNKNOWN_TYPE)
    if tt.all_days or tt.access != Access.OPEN:
        # A freed place is offered to whoever waits: that would pass by the code, the
        # approval or the exhibitor a restricted type needs.
        return WaitlistDay(DayState.NO_WAITLIST, tt)
    try:
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
    except ValueError:
        return WaitlistDay(DayState.NOT_A_DAY, tt)
    quota = DayQuota.objects.filter(ticket_type=tt, day=day).first()
    if quota is None:
        return WaitlistDay(DayState.NOT_A_DAY, tt, day)
    if quota.sold < quota.size:
        return WaitlistDay(DayState.AVAILABLE, tt, day, quota.size - quota.sold)
    return WaitlistDay(DayState.FULL, tt, day)


def _refusal(found: WaitlistDay, ticket_type: str) -> tuple[str, str] | None:
    """The API's words (field, message) for a waiting list that cannot be joined; the pages
    say it in theirs."""
    if found.state == DayState.UNKNOWN_TYPE:
        return "ticket_type", f"Unknown ticket type {ticket_type!r}."
    if found.state == DayState.NO_WAITLIST:
        if found.ticket_type.all_days:
            return "ticket_type", "Passes for all days have no waiting list."
        return "ticket_type", "Only ticket types open to everyone have a waiting list."
    if found.state == DayState.NOT_A_DAY:
        if found.day is None:
            return "day", "A date (YYYY-MM-DD) is required."
        return "day", "This ticket type is not valid on that day."
    return None


@transaction.atomic
def waitlist_join(
    *, expo: Expo, ticket_type: str, day, name: str, email: str, language: str = "en"
) -> WaitlistEntry:
    """Queue a person for a sold-out day of a day ticket; joining twice is one entry.

    Refusals: `invalid` (422: the type, the day as `waitlist_day` judges them, the name, the
    email, the language), `sales_not_open` / `sales_closed` (outside the type's sales window,
    `tickets.sales`), `not_sold_out` (places remain: `detail.day`, `detail.available`)."""
    errors = {}
    found = waitlist_day(expo=expo, ticket_type=ticket_type, day=day)
    if refusal := _refusal(found, ticket_type):
        errors[refusal[0]] = refusal[1]
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = "A name of 1 to 100 characters is required."
    try:
        validate_email((email or "").strip())
    except Exception:
        errors["email"] = "A valid email address is required."
    if language not in LANGUAGES:
        errors["language"] = f"One of: {', '.join(LANGUAGES)}."
    if errors:
        raise invalid(errors)
    tt, day = found.ticket_type, found.day
    # Waiting for a place that could not be sold any more (or not yet) is no use.
    sale_enforce(expo=expo, ticket_type=tt)
    if found.state == DayState.AVAILABLE:
        raise SmartExpoError(
            "not_sold_out",
            "Places are still available on this day: register directly.",
            {"day": day.isoformat(), "available": found.available},
        )
    existing = WaitlistEntry.objects.filter(
        ticket_type=tt, day=day, email__iexact=email.strip(), status=WaitlistStatus.WAITING
    ).first()
    if existing is not None:
        return existing
    return WaitlistEntry.objects.create(
        expo=expo, ticket_type=tt, day=day, name=name, email=email.strip(), language=language
    )


def waitlist_position(entry: WaitlistEntry) -> int:
    """How many people are waiting ahead of this entry, this one included."""
    return WaitlistEntry.objects.filter(
        ticket_type_id=entry.ticket_type_id,
        day=entry.day,
        status=WaitlistStatus.WAITING,
        id__lte=entry.pk,
    ).count()


def place_freed(*, ticket_type_id: int, day: dt.date, now=None) -> WaitlistEntry | None:
    """A place on `day` has been given up (inside the caller's transaction): offer it to the
    next person waiting, or return it to the quota. Returns the entry offered, if any."""
    now = now or timezone.now()
    for entry in WaitlistEntry.objects.filter(
        ticket_type_id=ticket_type_id, day=day, status=WaitlistStatus.WAITING
    ).order_by("id")[:5]:
        nonce = secrets.token_hex(16)
        entry.offer_nonce = nonce
        offered = WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).update(
            status=WaitlistStatus.OFFERED,
            offered_at=now,
            offer_expires_at=now + timedelta(hours=settings.SMARTEXPO_WAITLIST_OFFER_HOURS),
            offer_nonce=nonce,
            offer_digest=manage_digest(offer_token(entry)),
        )
        if offered:
            return entry
    DayQuota.objects.filter(ticket_type_id=ticket_type_id, day=day, sold__gt=0).update(
        sold=F("sold") - 1
    )
    return None


def offer_get(*, token: str) -> WaitlistEntry:
    """The waiting-list entry a link token belongs to, or a `not_found` error."""
    if not token.startswith(OFFER_PREFIX) or len(token) > 200:
        raise not_found("offer")
    entry = (
        WaitlistEntry.objects.filter(offer_digest=manage_digest(token))
        .select_related("expo", "ticket_type")
        .first()
    )
    if entry is None:
        raise not_found("offer")
    return entry


def offer_accept(
    *,
    token: str,
    name: str | None = None,
    email: str | None = None,
    id_type: str | None = None,
    id_number: str | None = None,
    interests: Sequence[str] | None = None,
) -> Issued:
    """Register the offered person on the held day (their fields judged as
    `registration_create` judges them). The hold is released and taken again in one
    transaction, so the place cannot go to anyone else in between; a refusal (duplicate,
    invalid) rolls everything back and the offer stands. An offer is a place in the public
    sale, so it is accepted only inside the type's sales window (`sales_closed` after it; the
    offer then lapses at its expiry and the place goes back to the quota)."""
    entry = offer_get(token=token)
    now = timezone.now()
    if entry.status != WaitlistStatus.OFFERED or entry.offer_expires_at <= now:
        raise SmartExpoError("offer_expired", "This offer is no longer valid.")
    with transaction.atomic():
        claimed = WaitlistEntry.objects.filter(
            pk=entry.pk, status=WaitlistStatus.OFFERED, offer_expires_at__gt=now
        ).update(status=WaitlistStatus.ACCEPTED)
        if not claimed:
            raise SmartExpoError("offer_expired", "This offer is no longer valid.")
        DayQuota.objects.filter(ticket_type_id=entry.ticket_type_id, day=entry.day).update(
            sold=F("sold") - 1
        )
        issued = registration_create(
            expo=entry.expo,
            source="waitlist",
            ticket_type=entry.ticket_type.code,
            days=[entry.day.isoformat()],
            language=entry.language,
            name=name,
            email=email,
            id_type=id_type,
            id_number=id_number,
            interests=interests,
        )
        WaitlistEntry.objects.filter(pk=entry.pk).update(registration_id=issued.registration.pk)
    return issued


def offers_expire(*, now=None) -> int:
    """Expire unclaimed offers and pass their places on; returns how many expired."""
    now = now or timezone.now()
    expired = 0
    for entry in WaitlistEntry.objects.filter(
        status=WaitlistStatus.OFFERED, offer_expires_at__lte=now
    ).order_by("id")[:200]:
        with transaction.atomic():
            if WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.OFFERED).update(
                status=WaitlistStatus.EXPIRED
            ):
                place_freed(ticket_type_id=entry.ticket_type_id, day=entry.day, now=now)
                expired += 1
    return expired


def offer_message(entry: WaitlistEntry) -> EmailMessage:
    """The email telling a waiting person that a place is held for them."""
    with translation.override(entry.language):
        path = reverse("tickets:offer", args=[entry.expo.slug, offer_token(entry)])
        url = settings.SMARTEXPO_BASE_URL.rstrip("/") + path
        expires = timezone.localtime(entry.offer_expires_at, entry.expo.tz)
        subject = _("A place is free for you at %(expo)s") % {"expo": entry.expo.name}
        body = "\n".join(
            [
                _("Hello %(name)s,") % {"name": entry.name},
                "",
                _("a %(type)s place on %(day)s is held for you until %(expires)s.")
                % {
                    "type": entry.ticket_type.name,
                    "day": entry.day.isoformat(),
                    "expires": expires.strftime("%Y-%m-%d %H:%M"),
                },
                _("Register here to take it: %(url)s") % {"url": url},
            ]
        )
    return EmailMessage(subject=subject, body=body, to=[entry.email])


def offers_notify(*, limit: int = 50) -> int:
    """Send the emails of new offers; returns how many were sent."""
    sent = 0
    for entry in WaitlistEntry.objects.filter(
        status=WaitlistStatus.OFFERED, offer_sent_at__isnull=True
    ).select_related("expo", "ticket_type")[:limit]:
        try:
            offer_message(entry).send()
        except Exception:  # a mail server's refusal must not stop the other emails
            logger.exception("Waiting-list offer email %s failed", entry.pk)
            continue
        WaitlistEntry.objects.filter(pk=entry.pk).update(offer_sent_at=timezone.now())
        sent += 1
    return sent
