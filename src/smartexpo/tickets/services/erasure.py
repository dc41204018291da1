"""Erasure of a person's data on request (`docs/personal-data.md`).

What identifies the person goes; what the expo counted stays. The registration row is kept,
anonymised, with its tickets' rows, so that quotas (`sold` = tickets holding places), the
check-in log, occupancy and footfall read the same before and after.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from smartexpo.core.audit import audit_record
from smartexpo.core.models import AuditAction
from smartexpo.tickets.models import (
    Registration,
    RegistrationStatus,
    Ticket,
    TicketDay,
    TicketStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from smartexpo.tickets.personal_data import (
    registration_idempotency_records,
    registration_waitlist_entries,
)
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.tickets.services.waitlist import place_freed


@dataclass
class Erased:
    registration: Registration
    erased_now: bool  # False: it had been erased before, and nothing changed


def _unusable_digest() -> str:
    """A manage digest no token has: the column must stay unique, so a random one (a digest
    of 32 random bytes, as likely to be some token's digest as a guessed SHA-256 pre-image)."""
    return hashlib.sha256(secrets.token_bytes(32)).hexdigest()


def registration_erase(*, registration: Registration, actor: str, via: str) -> Erased:
    """Erase the person's data, in one transaction: an active registration is first cancelled
    as `registration_cancel` does (tickets revoked, places to the waiting list or the quota,
    an invitation use or staff pass given back; a pending request withdrawn); then the name,
    email, ID type, ID hash (also on its ticket days), masked ID number, interests and the
    networking profile (phone, company, title, sectors, intents, and `share`) are removed,
    the manage token stops working, waiting-list entries of the person are anonymised (a
    waiting or offered one leaves the list, an offered place passing on), and
    stored idempotent answers to the person are deleted. `actor` and `via` (api, page, admin)
    go to the audit log.

    Erasing an erased registration changes nothing and logs nothing (`erased_now` False)."""
    now = timezone.now()
    with transaction.atomic():
        # The claim: whoever sets `erased_at` erases; a concurrent second erasure waits on the
        # row and then finds it set.
        claimed = Registration.objects.filter(pk=registration.pk, erased_at__isnull=True).update(
            erased_at=now
        )
        if not claimed:
            registration.refresh_from_db()
            return Erased(registration, erased_now=False)
        current = Registration.objects.get(pk=registration.pk)
        was = current.status
        email = current.email
        # An active registration's valid tickets are the ones its cancellation revokes.
        revoked = list(
            Ticket.objects.filter(registration=current, status=TicketStatus.VALID)
            .order_by("id")
            .values_list("serial", flat=True)
            if was == RegistrationStatus.ACTIVE
            else []
        )
        registration_cancel(registration=current)
        TicketDay.objects.filter(ticket__registration=current).update(id_hash="")
        Registration.objects.filter(pk=current.pk).update(
            name="",
            email="",
            id_type="",
            id_hash="",
            id_masked="",
            interests=[],
            # The networking profile, and the consent that went with it.
            phone="",
            company="",
            title="",
            sectors=[],
            intents=[],
            share=[],
            manage_digest=_unusable_digest(),
            # The token is derived from the nonce: without it, not even the server can make
            # the link again (the mailer included).
            manage_nonce="",
        )
        waiting = _waitlist_leave(current, email, now)
        answers, _by_model = registration_idempotency_records(registration=current).delete()
        audit_record(
            actor=actor,
            action=AuditAction.PERSONAL_DATA_ERASE,
            target=f"registration {current.pk}",
            expo=current.expo,
            detail={
                "via": via,
                "status_before": was,
                "tickets_revoked": revoked,
                "waiting_list_entries": waiting,
                "idempotency_records_deleted": answers,
            },
        )
    registration.refresh_from_db()
    return Erased(registration, erased_now=True)


def _waitlist_leave(registration: Registration, email: str, now) -> int:
    """Anonymise the person's waiting-list entries; those still waiting or offered a place
    leave the list (nobody could be told of a place any more), an offered place passing to the
    next in line. Returns how many entries there were."""
    entries = list(registration_waitlist_entries(registration=registration, email=email))
    for entry in entries:
        if entry.status in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
            left = WaitlistEntry.objects.filter(pk=entry.pk, status=entry.status).update(
                status=WaitlistStatus.WITHDRAWN
            )
            if left and entry.status == WaitlistStatus.OFFERED:
                place_freed(ticket_type_id=entry.ticket_type_id, day=entry.day, now=now)
    # The offer link dies with its digest; the nonce would let the server make it again.
    WaitlistEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
        name="", email="", offer_digest="", offer_nonce=""
    )
    return len(entries)
