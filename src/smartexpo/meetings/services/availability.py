"""Availability: the intervals a participant takes no meeting in, replaced as a whole.

The reserved forum sessions are busy too, without being marked: they are read from the
programme when needed (`selectors.busy_programme`), never copied here."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from smartexpo.core.errors import invalid
from smartexpo.meetings.models import Busy, Participant
from smartexpo.meetings.services.participants import participant_get
from smartexpo.venue.models import Expo

BUSY_MAX = 100


@transaction.atomic
def availability_set(
    *, expo: Expo, ref: dict[str, int], busy: list[tuple[dt.datetime, dt.datetime]]
) -> tuple[Participant, list[Busy]]:
    """Replace the busy intervals of the participant `ref` names (made on first use) by
    `busy`, (from, to) pairs of aware instants, from before to, at most `BUSY_MAX`: (the
    participant, its intervals in time order). Two replacements at once leave one list or the
    other, never a mix (the participant's row is locked)."""
    if len(busy) > BUSY_MAX:
        raise invalid({"busy": _("At most %(n)d intervals.") % {"n": BUSY_MAX}})
    for n, (start, end) in enumerate(busy):
        if start.tzinfo is None or end.tzinfo is None:
            raise invalid({f"busy.{n}": _("Times need their UTC offset.")})
        if end <= start:
            raise invalid({f"busy.{n}.to": _("The end must be after the start.")})
    participant = participant_get(expo=expo, ref=ref)
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    Busy.objects.filter(participant=participant).delete()
    Busy.objects.bulk_create(
        Busy(participant=participant, starts_at=start, ends_at=end) for start, end in sorted(busy)
    )
    return participant, list(participant.busy.order_by("starts_at", "id"))
