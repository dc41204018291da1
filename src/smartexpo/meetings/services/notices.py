"""The schedule emails' outbox: `MeetingNotice` rows queued by a solve, sent once by the mailer
(`core.outboxes`; the tickets mailer calls every registered sender)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from smartexpo.meetings.documents import notice_message
from smartexpo.meetings.models import MeetingNotice, NoticeKind, Participant

logger = logging.getLogger("smartexpo.mail")

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5

# A registration that was erased or cancelled has nobody to write to any more.
_NOBODY = Q(participant__registration__erased_at__isnull=False) | Q(
    participant__registration__status="cancelled"
)


def notices_send(*, limit: int = 50) -> int:
    """Send pending schedule emails; returns how many were sent.

    Each notice is claimed with a five-minute lease by a conditional UPDATE (as the ticket
    confirmations are), so two mailers never send it twice at once and a sender that died is
    retried when the lease runs out, at most five attempts. The email shows the participant's
    schedule as it is now, so it also answers their other notices queued before it: those are
    marked sent with it. Erased and cancelled registrations are never written to."""
    now = timezone.now()
    claimable = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    pending = (
        MeetingNotice.objects.filter(claimable, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .exclude(_NOBODY)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    sent = 0
    for pk in list(pending):
        claimed = MeetingNotice.objects.filter(claimable, pk=pk, sent_at__isnull=True).update(
            lease_until=now + LEASE, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        notice = MeetingNotice.objects.select_related("participant").get(pk=pk)
        participant = (
            Participant.objects.select_related("expo", "exhibitor", "registration")
            .filter(pk=notice.participant_id)
            .first()
        )
        # The email reads the schedule after this: it answers every notice of the person
        # already queued (a solve commits its meetings with its notices), so they go with it.
        others = list(
            MeetingNotice.objects.filter(
                claimable, participant_id=notice.participant_id, sent_at__isnull=True
            )
            .exclude(pk=pk)
            .values_list("id", "kind")
        )
        changed = notice.kind == NoticeKind.CHANGED or any(
            k == NoticeKind.CHANGED for _pk, k in others
        )
        kind = NoticeKind.CHANGED if changed else NoticeKind.PUBLISHED
        try:
            message = notice_message(participant, kind=kind) if participant else None
            if message is None:
                logger.info("Meeting notice %s: nobody to write to", pk)
                continue
            message.send()
        except Exception:  # a mail server's refusal must not stop the other emails
            logger.exception("Meeting notice %s failed", pk)
            continue
        done = timezone.now()
        MeetingNotice.objects.filter(pk=pk).update(sent_at=done, lease_until=None)
        MeetingNotice.objects.filter(
            claimable, pk__in=[o for o, _k in others], sent_at__isnull=True
        ).update(sent_at=done, lease_until=None)
        sent += 1
    return sent
