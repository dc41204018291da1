"""What ticketing stores about one person, as they may ask to see it (`docs/personal-data.md`).

The registration with its restricted-type facts, its tickets, the waiting-list entries of the
same person in the edition, and the idempotency records that hold the answer given to them.
Credentials are listed as stored, never repeated: the ID number's keyed hash, the manage token
and ticket secrets inside a stored answer. The check-in log of the tickets is the check-in
app's to tell (`checkin.selectors.ticket_checkins`); `privacy` puts both together.
"""

from __future__ import annotations

from django.db.models import Q

from smartexpo.tickets.models import IdempotencyRecord, Registration, Ticket, WaitlistEntry

# What an export shows in place of a credential it found in a stored answer.
WITHHELD = "[stored; not repeated here]"
CREDENTIALS = ("manage_token", "secret")


def registration_idempotency_records(*, registration: Registration):
    """The stored answers to `Idempotency-Key` requests that registered this person: they
    hold the registration as answered (name, email, manage token, tickets)."""
    return IdempotencyRecord.objects.filter(
        expo_id=registration.expo_id, status_code__in=(201, 202), response__id=registration.pk
    ).order_by("id")


def registration_waitlist_entries(*, registration: Registration, email: str | None = None):
    """The edition's waiting-list entries of this person: those its registration came from,
    and those joined with its email (`email`: the address to match, the registration's own by
    default; an erased registration has none)."""
    email = registration.email if email is None else email
    linked = Q(registration_id=registration.pk)
    if email:
        linked |= Q(email__iexact=email)
    return WaitlistEntry.objects.filter(linked, expo_id=registration.expo_id).order_by("id")


def _withheld(value):
    """A stored answer with its credentials replaced by `WITHHELD`, all else as stored."""
    if isinstance(value, dict):
        return {k: WITHHELD if k in CREDENTIALS and v else _withheld(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_withheld(v) for v in value]
    return value


def registration_personal_data(*, registration: Registration) -> dict:
    """Everything ticketing stores about the registration's person, as JSON values (instants
    as datetimes, for the JSON encoder of the answer to write).

    Keys: `registration`, `tickets` (each with its days, status and times; where it is inside
    is the check-in app's to add), `waiting_list`, `idempotency_records`."""
    r = (
        Registration.objects.select_related("expo", "ticket_type", "invitation", "exhibitor")
        .filter(pk=registration.pk)
        .get()
    )
    tickets = Ticket.objects.filter(registration=r).order_by("id")
    return {
        "registration": {
            "id": r.pk,
            "edition": r.expo.slug,
            "status": r.status,
            "ticket_type": {"code": r.ticket_type.code, "name": r.ticket_type.names},
            "name": r.name,
            "email": r.email,
            "id_type": r.id_type,
            "id_number_masked": r.id_masked,
            # The keyed hash of the ID number (on the registration and on each of its days)
            # is said to exist, not given: it is of no use to its person, and anyone holding
            # it and the server's key could confirm a guessed number.
            "id_number_hash_stored": bool(r.id_hash),
            "interests": list(r.interests or []),
            # The networking profile, and `share`: what the person agreed to give an
            # exhibitor who scans their ticket.
            "phone": r.phone,
            "company": r.company,
            "title": r.title,
            "sectors": list(r.sectors or []),
            "intents": list(r.intents or []),
            "share": list(r.share or []),
            "language": r.language,
            "source": r.source,
            "created_at": r.created_at,
            "cancelled_at": r.cancelled_at,
            "confirmation_sent_at": r.confirmation_sent_at,
            "erased_at": r.erased_at,
            "invitation_code": r.invitation.code if r.invitation else None,
            "staff_of_exhibitor": (
                {"id": r.exhibitor.pk, "name": r.exhibitor.names} if r.exhibitor else None
            ),
            "requested_days": r.requested_days,
            "decided_at": r.decided_at,
            "decided_by": r.decided_by or None,
        },
        "tickets": [
            {
                "id": t.pk,
                "serial": t.serial,
                "days": list(t.days),
                "status": t.status,
                "created_at": t.created_at,
                "revoked_at": t.revoked_at,
                "inside_on": t.inside_day.isoformat() if t.inside_day else None,
            }
            for t in tickets
        ],
        "waiting_list": [
            {
                "id": e.pk,
                "ticket_type": e.ticket_type.code,
                "day": e.day.isoformat(),
                "name": e.name,
                "email": e.email,
                "language": e.language,
                "status": e.status,
                "joined_at": e.created_at,
                "offered_at": e.offered_at,
                "offer_expires_at": e.offer_expires_at,
                "registration": e.registration_id,
            }
            for e in registration_waitlist_entries(registration=r).select_related("ticket_type")
        ],
        "idempotency_records": [
            {
                "key": record.key,
                "created_at": record.created_at,
                "status_code": record.status_code,
                "answer": _withheld(record.response),
            }
            for record in registration_idempotency_records(registration=r)
        ],
    }
