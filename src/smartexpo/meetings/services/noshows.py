"""No-shows (docs/meetings-checkin.md): after a meeting has ended (and a grace for scans sent
late), each side that did not check in gets one more `Participant.no_shows`. The next solve
weighs a participant's requests by it (`meetings.scheduling.weights.request_weight`: from the
second no-show, a request of theirs is worth less).

Who missed a meeting nobody checked in at? We cannot tell, so the rule looks at the session:
- if anyone checked in at any meeting of the session, check-in was in use there, and a meeting
  without a single check-in counts for both sides;
- if nobody checked in anywhere in the session, check-in was not in use (the organiser did not
  deploy it): once the session is over, its meetings are swept counting nobody; until then they
  wait for a later sweep.

Each meeting is counted once: the sweep first marks it (`no_show_recorded_at`, a conditional
UPDATE on it being unset) and counts only if that UPDATE took the row, so two sweepers at once
(a CLI run during another) never count a meeting twice. The mark and the counts commit together.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q

from smartexpo.meetings.models import Meeting, MeetingSession, Participant, RequestStatus
from smartexpo.venue.clock import edition_now
from smartexpo.venue.models import Expo

logger = logging.getLogger("smartexpo.meetings")

# After a meeting's end: the check-in grace (`checkins.GRACE_AFTER`) and the devices' clock
# skew, and then some for a scan synced late.
SWEEP_GRACE = dt.timedelta(minutes=15)


def noshows_record(*, expo: Expo, now: dt.datetime | None = None) -> int:
    """Record the no-shows of the edition's meetings that ended at least SWEEP_GRACE before
    `now` (default: the edition's now) and were not swept yet; return how many no-shows (sides)
    were counted. Safe to run at any time and by several processes at once."""
    now = now or edition_now(expo)
    cutoff = now - SWEEP_GRACE
    due = (
        Meeting.objects.filter(
            session__expo=expo, ends_at__lte=cutoff, no_show_recorded_at__isnull=True
        )
        .order_by("id")
        .values_list(
            "id",
            "session_id",
            "request__status",
            "request__low_id",
            "request__high_id",
            "a_checked_in_at",
            "b_checked_in_at",
        )
    )
    rows = list(due)
    if not rows:
        return 0
    sessions = {r[1] for r in rows}
    in_use = set(
        Meeting.objects.filter(session_id__in=sessions)
        .filter(Q(a_checked_in_at__isnull=False) | Q(b_checked_in_at__isnull=False))
        .values_list("session_id", flat=True)
        .distinct()
    )
    over = set(
        MeetingSession.objects.filter(pk__in=sessions, ends_at__lte=cutoff).values_list(
            "pk", flat=True
        )
    )
    counted = 0
    for pk, session, status, low, high, a_at, b_at in rows:
        missed: list[int] = []
        if status != RequestStatus.ACCEPTED:
            pass  # cancelled after it was placed: nobody was expected
        elif a_at is None and b_at is None:
            if session not in in_use:
                if session not in over:
                    continue  # check-in may yet start in this session: sweep it later
            else:
                missed = [low, high]
        else:
            missed = [p for p, at in ((low, a_at), (high, b_at)) if at is None]
        counted += _sweep(pk, missed, now)
    if counted:
        logger.info("%s: %s no-shows recorded", expo.slug, counted)
    return counted


def _sweep(meeting: int, missed: list[int], now: dt.datetime) -> int:
    """Mark one meeting swept and count its missing sides, once: a sweeper that loses the
    conditional UPDATE to another counts nothing."""
    with transaction.atomic():
        took = Meeting.objects.filter(pk=meeting, no_show_recorded_at__isnull=True).update(
            no_show_recorded_at=now
        )
        if not took or not missed:
            return 0
        Participant.objects.filter(pk__in=missed).update(no_shows=F("no_shows") + 1)
    return len(missed)
