"""The confirmation outbox: each registration's news (its ticket, a request received or
declined) emailed once, by the mailer, whichever process made the registration."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from smartexpo.tickets.documents import confirmation_message
from smartexpo.tickets.models import Registration, RegistrationStatus

logger = logging.getLogger("smartexpo.mail")

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5

# The states whose news a visitor is sent once, by the outbox.
ANNOUNCED = (RegistrationStatus.ACTIVE, RegistrationStatus.PENDING, RegistrationStatus.DECLINED)


def confirmations_send(*, limit: int = 50) -> int:
    """Send pending confirmation emails; returns how many were sent.

    A registration is claimed with a five-minute lease by a conditional UPDATE, so several
    mailers never send the same email twice at once, and an email whose sender died is retried
    when the lease runs out (at most five attempts). A registration whose data was erased is
    never written to: there is nobody to write to any more."""
    now = timezone.now()
    claimable = Q(confirmation_lease_until__isnull=True) | Q(confirmation_lease_until__lt=now)
    pending = (
        Registration.objects.filter(
            claimable,
            confirmation_sent_at__isnull=True,
            status__in=ANNOUNCED,
            erased_at__isnull=True,
            confirmation_attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    sent = 0
    for pk in list(pending):
        claimed = Registration.objects.filter(
            claimable, pk=pk, confirmation_sent_at__isnull=True, erased_at__isnull=True
        ).update(
            confirmation_lease_until=now + LEASE,
            confirmation_attempts=F("confirmation_attempts") + 1,
        )
        if not claimed:
            continue
        registration = Registration.objects.select_related("expo", "ticket_type").get(pk=pk)
        if registration.erased_at is not None:  # erased since it was claimed
            continue
        try:
            confirmation_message(registration).send()
        except Exception:  # a mail server's refusal must not stop the other emails
            logger.exception("Confirmation email for registration %s failed", pk)
            continue
        Registration.objects.filter(pk=pk).update(
            confirmation_sent_at=timezone.now(), confirmation_lease_until=None
        )
        sent += 1
    return sent
