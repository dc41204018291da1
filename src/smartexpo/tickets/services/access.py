"""Who may register for a ticket type, checked while registering (`docs/registration-access.md`).

Open types admit anyone. A type by invitation takes one use of a valid code; an exhibitor's
staff pass takes one of the passes granted to it; both are taken like places, by a conditional
UPDATE in the registration's own transaction, so a code or a grant is never overused and a
refused registration gives its use back. A type by approval makes a request that holds nothing
until an organiser approves it (`tickets.services.restricted`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.tickets import queries
from smartexpo.tickets.catalogue import TypeInfo
from smartexpo.tickets.issuing import (
    Issued,
    duplicate_error,
    held_days,
    manage_digest,
    manage_token_for,
    new_nonce,
)
from smartexpo.tickets.models import (
    Access,
    Invitation,
    PassGrant,
    Registration,
    RegistrationStatus,
)
from smartexpo.venue.models import Expo

if TYPE_CHECKING:
    from smartexpo.tickets.registration_clean import Clean

# --- restricted ticket types -----------------------------------------------------------------


class UsedUp(Exception):
    def __init__(self, error: SmartExpoError):
        self.error = error


# What a restricted registration consumes beside its places, taken as places are: one
# conditional UPDATE whose row count says whether there was one left.
_USES = {
    "invitation": (
        queries.invitation_use_take,
        ("invitation_used_up", "This invitation code has been used as often as it allows."),
    ),
    "grant": (
        queries.grant_pass_take,
        ("passes_used_up", "Every staff pass granted to this exhibitor has been issued."),
    ),
}


def take_use(cursor, kind: str, pk: int) -> None:
    """Take one use of the invitation code or staff-pass grant `pk` (`kind`) in the caller's
    transaction, or raise `UsedUp` with the refusal when none is left."""
    take, (code, message) = _USES[kind]
    if not take(cursor, pk):
        raise UsedUp(SmartExpoError(code, message))


def access_check(
    expo: Expo, tt: TypeInfo, invitation, grant
) -> tuple[list | None, int | None, int | None]:
    """(what the registration consumes beside places — None for a request to approve —, the
    invitation's id, the exhibitor's id), or the refusal of the type's access rule."""
    if grant is not None:
        if grant.ticket_type_id != tt.id:
            raise invalid({"ticket_type": "No staff passes of this type were granted."})
        return [("grant", grant.pk)], None, grant.exhibitor_id
    if tt.access == Access.OPEN:
        return [], None, None
    if tt.access == Access.APPROVAL:
        return None, None, None
    if tt.access == Access.EXHIBITOR:
        raise SmartExpoError(
            "exhibitor_pass_only",
            "This pass is issued by exhibitors to their staff, not by registration.",
        )
    if not invitation:
        raise SmartExpoError(
            "invitation_required", "This ticket type needs an invitation code.", {}
        )
    found = (
        Invitation.objects.filter(expo=expo, code=str(invitation).strip().upper())
        .values_list("id", "ticket_type_id", "revoked_at")
        .first()
    )
    if found is None or found[1] != tt.id or found[2] is not None:
        raise SmartExpoError(
            "invitation_invalid",
            "This invitation code is not valid for this ticket type.",
            {"fields": {"invitation": "Not a valid code for this ticket type."}},
        )
    return [("invitation", found[0])], found[0], None


def request_create(expo: Expo, clean: Clean, source: str) -> Issued:
    """A request for a type by approval: kept with the days it asks for, holding nothing yet.
    A person who already holds one of these days is refused now, as registration would."""
    if held := held_days(expo.pk, clean.id_hash, clean.days):
        raise duplicate_error(held)
    nonce = new_nonce()
    manage = manage_token_for(nonce)
    registration = Registration.objects.create(
        expo=expo,
        ticket_type_id=clean.ticket_type.id,
        **clean.person(),
        manage_digest=manage_digest(manage),
        manage_nonce=nonce,
        source=source,
        status=RegistrationStatus.PENDING,
        requested_days=[d.isoformat() for d in clean.days],
    )
    return Issued(registration, manage, [], [])


def use_give_back(*, registration: Registration) -> None:
    """Give back the invitation use or staff pass a cancelled registration took (inside the
    cancellation's transaction)."""
    if registration.invitation_id is not None:
        Invitation.objects.filter(pk=registration.invitation_id, uses__gt=0).update(
            uses=F("uses") - 1
        )
    if registration.exhibitor_id is not None:
        PassGrant.objects.filter(
            exhibitor_id=registration.exhibitor_id,
            ticket_type_id=registration.ticket_type_id,
            used__gt=0,
        ).update(used=F("used") - 1)
