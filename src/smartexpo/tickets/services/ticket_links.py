"""Find my ticket: a visitor who lost their confirmation email asks, by email address or ID
number, for the links to their tickets, and is sent them by email.

What the asker sees never depends on what was found, so the page tells nobody whether an
address or an ID number is registered: the email is the only answer, and it goes to the address
the registration was made with, never to one typed in. It is sent by the mailer from an outbox
(`TicketLinksRequest`), so a match does not even make the request slower by an email's sending.

Two limits (`core.ratelimit`), each per minute and per hour: asks per client address, refused
openly (the refusal says nothing about any registration), and emails per recipient address,
kept silently, so that nobody can fill a visitor's inbox by asking for them again and again.

An address is looked up by the index on (edition, lower-cased email) of migration 0007: an
edition's registrations are never scanned for it.
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from smartexpo.core.errors import invalid
from smartexpo.core.ratelimit import HOUR_SECONDS, rate_limit_check, rate_limit_enforce
from smartexpo.tickets.documents import ticket_links_message
from smartexpo.tickets.identity import ID_TYPES, IdNumberError, id_hash, id_hash_key, normalise_id
from smartexpo.tickets.models import Registration, RegistrationStatus, TicketLinksRequest
from smartexpo.tickets.registration_clean import LANGUAGES
from smartexpo.venue.models import Expo

logger = logging.getLogger("smartexpo.mail")

# The registrations whose page is worth a visit: a ticket, or a request still being decided.
# A cancelled or declined one was announced as such, and its page holds nothing to use.
LINKED = (RegistrationStatus.ACTIVE, RegistrationStatus.PENDING)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5


def _address_key(address: str) -> str:
    # The counters' table is not a place for email addresses: a keyed digest stands in for one.
    key = id_hash_key()
    return hmac.digest(key, b"ticket-links-to:" + address.encode(), "sha256").hex()[:32]


def _matching(query: str) -> Q:
    """The registrations an email address or an ID number (of any type it can be read as)
    names; `invalid` at `query` when it is neither."""
    text = query.strip() if isinstance(query, str) else ""
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            pass
        else:
            # Both sides lower-cased by the database, as the index was (`email_lower`).
            return Q(email_lower=Lower(Value(text)))
    # An ID number is compared by its keyed hash, as registration stores it; the number itself
    # goes no further than this function.
    hashes = []
    for id_type in ID_TYPES:
        try:
            kind, number = normalise_id(id_type, text)
        except IdNumberError:
            continue
        hashes.append(id_hash(kind, number, key=id_hash_key()))
    if not hashes:
        raise invalid({"query": "An email address or an ID number is required."})
    return Q(id_hash__in=hashes)


def ticket_links_request(*, expo: Expo, query: str, client: str, language: str = "en") -> None:
    """Queue the email of the links to the tickets that `query` (an email address or an ID
    number) finds in the edition: one email per address the registrations were made with,
    listing each one's page and its tickets' PDFs. Returns nothing whether or not anything was
    found, and that is the point: the caller cannot tell.

    `client` is the asker's address, limited to `SMARTEXPO_RATE_LIMIT_TICKET_LINKS` asks a
    minute and `SMARTEXPO_RATE_LIMIT_TICKET_LINKS_HOURLY` an hour; each recipient gets at most
    `SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS` emails a minute and
    `SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS_HOURLY` an hour, the others are dropped
    without a word. `language`: the email's.

    Refusals: `invalid` (422, `detail.fields.query`: neither an email address nor an ID number
    of a valid shape), `rate_limited` (429, `detail.retry_after`)."""
    matching = _matching(query)
    if language not in LANGUAGES:
        language = "en"
    message = "Too many requests from this address; try again later."
    rate_limit_enforce(
        scope="ticket-links",
        client=client,
        limit=settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS,
        message=message,
    )
    rate_limit_enforce(
        scope="ticket-links-hour",
        client=client,
        limit=settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS_HOURLY,
        message=message,
        window_seconds=HOUR_SECONDS,
    )
    found = (
        Registration.objects.alias(email_lower=Lower("email"))
        .filter(matching, expo=expo, status__in=LINKED, erased_at__isnull=True)
        .order_by("id")
        .values_list("id", "email")
    )
    by_address: dict[str, list[int]] = {}
    for pk, email in found:
        by_address.setdefault(email.strip().lower(), []).append(pk)
    with transaction.atomic():
        for address, ids in by_address.items():
            if _recipient_allowed(_address_key(address)):
                TicketLinksRequest.objects.create(expo=expo, registrations=ids, language=language)


def _recipient_allowed(key: str) -> bool:
    # An email dropped by the minute's limit does not count against the hour's.
    return (
        rate_limit_check(
            scope="ticket-links-to",
            client=key,
            limit=settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS,
        ).allowed
        and rate_limit_check(
            scope="ticket-links-to-hour",
            client=key,
            limit=settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS_HOURLY,
            window_seconds=HOUR_SECONDS,
        ).allowed
    )


def ticket_links_send(*, limit: int = 50) -> int:
    """Send the pending emails of ticket links; returns how many were sent.

    Claimed with a five-minute lease by a conditional UPDATE, as confirmations are
    (`confirmations_send`): several mailers never send one twice at once, and one whose sender
    died is retried when the lease runs out (at most five attempts). The registrations are read
    now: one erased or cancelled since the ask is left out, and with none left nothing is sent."""
    now = timezone.now()
    claimable = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    pending = (
        TicketLinksRequest.objects.filter(
            claimable, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    sent = 0
    for pk in list(pending):
        claimed = TicketLinksRequest.objects.filter(claimable, pk=pk, sent_at__isnull=True).update(
            lease_until=now + LEASE, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        ask = TicketLinksRequest.objects.select_related("expo").get(pk=pk)
        registrations = list(
            Registration.objects.filter(
                pk__in=ask.registrations, status__in=LINKED, erased_at__isnull=True
            )
            .select_related("expo", "ticket_type")
            .prefetch_related("tickets")
            .order_by("id")
        )
        if registrations:
            try:
                ticket_links_message(registrations, language=ask.language).send()
            except Exception:  # a mail server's refusal must not stop the other emails
                logger.exception("Ticket links email %s failed", pk)
                continue
            sent += 1
        TicketLinksRequest.objects.filter(pk=pk).update(sent_at=timezone.now(), lease_until=None)
    return sent
