"""The schedule emails' outbox: `MeetingNotice` rows queued by a solve, sent once by the mailer
(`core.outboxes`; the tickets mailer calls every registered sender)."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from smartexpo.meetings.documents import notice_message
from smartexpo.meetings.models import MeetingNotice, NoticeKind, Participant
from smartexpo.tickets.models import RegistrationStatus

logger = logging.getLogger("smartexpo.mail")

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5

# A registration that was erased or cancelled has nobody to write to any more.
_NOBODY = Q(participant__registration__erased_at__isnull=False) | Q(
    participant__registration__status=RegistrationStatus.CANCELLED
)


def notices_send(*, limit: int = 50) -> int:
    """Send pending schedule emails, one per person; returns how many were sent.

    The email shows the person's schedule as it is when it is sent, so it answers every notice
    of theirs queued so far: a person's unsent notices are claimed together, with a five-minute
    lease and one more attempt each, by one conditional UPDATE (as the ticket confirmations
    are, but per person: two mailers must not split one person's notices and both write).
    A sender that died is retried once the lease runs out, at most five attempts. Erased and
    cancelled registrations are never written to."""
    now = timezone.now()
    claimable = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    waiting = (
        MeetingNotice.objects.filter(claimable, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .exclude(_NOBODY)
        .order_by("id")
        .values_list("participant_id", flat=True)[: limit * 4]
    )
    people = list(dict.fromkeys(waiting))[:limit]
    sent = 0
    for participant_id in people:
        # The lease's end, made unique to this claim (a random microsecond offset), tells
        # which of the person's rows this UPDATE took: Django's UPDATE returns only a count.
        stamp = now + LEASE + timedelta(microseconds=secrets.randbelow(1_000_000))
        mine = MeetingNotice.objects.filter(
            claimable, participant_id=participant_id, sent_at__isnull=True
        ).filter(attempts__lt=MAX_ATTEMPTS)
        if not mine.update(lease_until=stamp, attempts=F("attempts") + 1):
            continue
        claimed = MeetingNotice.objects.filter(
            participant_id=participant_id, lease_until=stamp, sent_at__isnull=True
        )
        kinds = set(claimed.values_list("kind", flat=True))
        kind = NoticeKind.CHANGED if NoticeKind.CHANGED in kinds else NoticeKind.PUBLISHED
        participant = (
            Participant.objects.select_related("expo", "exhibitor", "registration")
            .filter(pk=participant_id)
            .first()
        )
        try:
            message = notice_message(participant, kind=kind) if participant else None
            if message is None:  # erased since it was listed, or an exhibitor without a team
                logger.info("Meeting notices of participant %s: nobody to write to", participant_id)
                continue
            message.send()
        except Exception:  # a mail server's refusal must not stop the other emails
            logger.exception("Meeting notices of participant %s failed", participant_id)
            continue
        claimed.update(sent_at=timezone.now(), lease_until=None)
        sent += 1
    return sent
