"""Who acts on the meetings API: an organiser, or a participant through its own credential.

A participant acts with its exhibitor's API token (role exhibitor) or with its registration's
manage token (`tickets.auth.token_or_manage`); an organiser names participants explicitly.
Everything here only reads: the participant row of the acting side is made on first use by
`services.participants.participant_get`, inside the service that needs it.
"""

from __future__ import annotations

import dataclasses

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.models import ApiToken, Role
from smartexpo.meetings.models import Participant
from smartexpo.tickets.models import Registration
from smartexpo.venue.models import Expo

OTHER_EDITION = "This token belongs to another edition."
ONLY_ITSELF = "A participant's token acts for itself only."


@dataclasses.dataclass(frozen=True)
class Actor:
    """The side a request acts as: an organiser (`ref` None), or a participant by its ref."""

    organizer: bool
    ref: dict[str, int] | None = None


def actor_for(auth: ApiToken | Registration | None, *, expo: Expo) -> Actor:
    """The actor of a request's credential in this edition. Refusals: 401 without one; 403 for
    a device token, or a token or manage token of another edition."""
    if auth is None:
        raise SmartExpoError("unauthenticated", "A valid bearer token is required.")
    if isinstance(auth, Registration):
        if auth.expo_id != expo.pk:
            raise SmartExpoError("forbidden", OTHER_EDITION)
        return Actor(organizer=False, ref={"registration": auth.pk})
    if auth.expo_id is not None and auth.expo_id != expo.pk:
        raise SmartExpoError("forbidden", OTHER_EDITION)
    if auth.role == Role.ORGANIZER:
        return Actor(organizer=True)
    if auth.role == Role.EXHIBITOR and auth.exhibitor_id is not None:
        return Actor(organizer=False, ref={"exhibitor": auth.exhibitor_id})
    raise SmartExpoError(
        "forbidden", "Only an organiser, an exhibitor's token or a manage token may do this."
    )


def subject_ref(actor: Actor, ref: dict[str, int] | None, *, field: str = "participant") -> dict:
    """The participant a request is about: the one an organiser names (required), or the
    acting participant itself (naming another one is refused, before anything is looked up, so
    that the answer says nothing of whether it exists)."""
    if actor.organizer:
        if ref is None:
            raise SmartExpoError(
                "invalid",
                "The request is not valid.",
                {"fields": {field: "An organiser names the participant."}},
            )
        return ref
    if ref is not None and ref != actor.ref:
        raise SmartExpoError("forbidden", ONLY_ITSELF)
    return actor.ref


def participant_for(auth: ApiToken | Registration | None, *, expo: Expo) -> Participant:
    """The participant acting with a request's credential (made on first use): an exhibitor
    token's exhibitor, a manage token's registration. An organiser is refused (`forbidden`):
    organiser endpoints name participants explicitly."""
    from smartexpo.meetings.services.participants import participant_get

    actor = actor_for(auth, expo=expo)
    if actor.organizer:
        raise SmartExpoError("forbidden", "An organiser names the participant explicitly.")
    return participant_get(expo=expo, ref=actor.ref)
