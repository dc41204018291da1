"""Participants: made on first use, and the opt-in (`open`) and personal cap they carry.

An exhibitor is always open to requests; a visitor (a registration) takes part only once it
opts in. A cancelled or erased registration cannot take part (`participant_inactive`).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from smartexpo.core.errors import invalid
from smartexpo.meetings import selectors
from smartexpo.meetings.models import Participant
from smartexpo.venue.models import Expo


def participant_get(*, expo: Expo, ref: dict[str, int]) -> Participant:
    """The participant `ref` names (`{"exhibitor": id}` or `{"registration": id}`), made on
    first use for an approved exhibitor or an active registration of the edition. Refusals:
    `not_found` for anything else of that name; `participant_inactive` (409) to make one of a
    cancelled or erased registration."""
    found, target = selectors.participant_lookup(expo=expo, ref=ref)
    if found is not None:
        return found
    selectors.require_active(target)
    values = {"expo": expo, next(iter(ref)): target}
    try:
        # Two first uses at once: the one-to-one column decides, the other reads the winner.
        with transaction.atomic():
            return Participant.objects.create(open="exhibitor" in ref, **values)
    except IntegrityError:
        return Participant.objects.get(**{next(iter(ref)): target})


@transaction.atomic
def participation_set(
    *, expo: Expo, ref: dict[str, int], open: bool, cap: int | None, cap_given: bool
) -> Participant:
    """Opt in or out (`open`) and, when `cap_given`, set the personal cap (None: none) of
    the participant `ref` names, made on first use. An exhibitor is always open: asking to
    close it is `invalid`. Opting out stops new requests to and from the participant; the
    requests already made stay until they are answered or cancelled."""
    if "exhibitor" in ref and not open:
        raise invalid({"open": _("An exhibitor always takes meeting requests.")})
    participant = participant_get(expo=expo, ref=ref)
    if open and participant.registration_id:
        selectors.require_active(participant.registration)
    fields = {"open": open}
    if cap_given:
        fields["cap"] = cap
    Participant.objects.filter(pk=participant.pk).update(**fields)
    participant.refresh_from_db()
    return participant


def participant_erase(*, participant: Participant) -> int:
    """Delete a participant with its busy intervals, requests and meetings (the cascade);
    the other side of each meeting that was published is told its schedule changed. Returns
    how many rows went."""
    from smartexpo.meetings.services.requests import notify_removed

    for meeting in selectors.participant_meetings(participant=participant):
        other = (
            meeting.request.high
            if meeting.request.low_id == participant.pk
            else meeting.request.low
        )
        notify_removed(session=meeting.session, participants=[other])
    deleted, _kinds = Participant.objects.filter(pk=participant.pk).delete()
    return deleted
