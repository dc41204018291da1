"""Restricted ticket types, the organiser's and exhibitors' side (`docs/registration-access.md`).

- By invitation: the organiser makes codes, each good for a number of registrations.
- By approval: a visitor's request waits, holding nothing, until an organiser approves it (its
  ticket is issued and its places taken then, under the quota rules of every registration) or
  declines it.
- Exhibitor staff: the organiser grants an exhibitor a number of passes of a type; the exhibitor
  issues them to its staff and may cancel them, which gives the pass back.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError, invalid, not_found
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.tickets import queries
from smartexpo.tickets.catalogue import active_keys, catalogue_for
from smartexpo.tickets.issuing import (
    FullDays,
    Issued,
    duplicate_error,
    held_days,
    sold_out,
    ticket_prepare,
)
from smartexpo.tickets.models import (
    Access,
    Invitation,
    PassGrant,
    Registration,
    RegistrationStatus,
    TicketType,
)
from smartexpo.tickets.services.registration import registration_create
from smartexpo.venue.models import Expo

# Without the letters and digits people misread for one another (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_CODES = 1_000
MAX_USES = 100_000
MAX_PASSES = 100_000


def _restricted_type(expo: Expo, code, access: str, field: str = "ticket_type") -> TicketType:
    tt = TicketType.objects.filter(expo=expo, code=code).first() if isinstance(code, str) else None
    if tt is None:
        raise invalid({field: f"Unknown ticket type {code!r}."})
    if tt.access != access:
        raise invalid({field: f"Ticket type {tt.code} is not {Access(access).label.lower()}."})
    return tt


def _count(value, field: str, low: int, high: int, errors: dict[str, str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[field] = f"A whole number from {low} to {high:,}."
        return low
    return value


# --- invitations -----------------------------------------------------------------------------


def invitation_code() -> str:
    """A new code: 12 characters in groups of 4 (about 60 bits, so codes cannot be guessed)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@transaction.atomic
def invitations_create(
    *, expo: Expo, ticket_type: str, count: int = 1, uses: int = 1, label: str = ""
) -> list[Invitation]:
    """Make `count` invitation codes for a ticket type by invitation, each good for `uses`
    registrations."""
    errors: dict[str, str] = {}
    count = _count(count, "count", 1, MAX_CODES, errors)
    uses = _count(uses, "uses", 1, MAX_USES, errors)
    label = (label or "").strip()
    if len(label) > 200:
        errors["label"] = "At most 200 characters."
    if errors:
        raise invalid(errors)
    tt = _restricted_type(expo, ticket_type, Access.INVITATION)
    now = timezone.now()
    made = [
        Invitation(
            expo=expo,
            ticket_type=tt,
            code=invitation_code(),
            uses_allowed=uses,
            label=label,
            created_at=now,
        )
        for _ in range(count)
    ]
    Invitation.objects.bulk_create(made)
    return made


def invitation_get(*, expo: Expo, code: str) -> Invitation:
    """One of the edition's invitation codes, or `not_found`."""
    found = (
        Invitation.objects.select_related("ticket_type")
        .filter(expo=expo, code=str(code).strip().upper())
        .first()
    )
    if found is None:
        raise not_found("invitation code")
    return found


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Revoke a code: it admits no further registration (those made with it stay)."""
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    invitation.refresh_from_db()
    return invitation


def invitation_list(*, expo: Expo, ticket_type: str | None = None) -> QuerySet[Invitation]:
    """The edition's invitation codes in creation order, of one type if given."""
    qs = Invitation.objects.filter(expo=expo).select_related("ticket_type").order_by("id")
    return qs.filter(ticket_type__code=ticket_type) if ticket_type else qs


# --- requests awaiting approval ----------------------------------------------------------------


def request_approve(*, registration: Registration, by: str) -> Registration:
    """Approve a request: its ticket is issued and its places taken now, under the same rules
    as any registration (`sold_out`, `duplicate`: the request then stays pending, to be
    approved later or declined). Two organisers approving at once issue one ticket."""
    expo = registration.expo
    if registration.status != RegistrationStatus.PENDING:
        raise _not_pending(registration)
    days = [dt.date.fromisoformat(d) for d in registration.requested_days or []]
    tt = next(
        (t for t in catalogue_for(expo).types.values() if t.id == registration.ticket_type_id),
        None,
    )
    if tt is None or not days or any(d not in tt.quota_ids for d in days):
        raise SmartExpoError(
            "request_outdated",
            "A day this request asks for is no longer offered for its ticket type.",
            {"days": registration.requested_days or []},
        )
    quota_ids = [tt.quota_ids[d] for d in days]
    now = timezone.now()
    ticket, _secret = ticket_prepare(expo, active_keys.get(expo.pk), tt.id, days, now)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            approved = Registration.objects.filter(
                pk=registration.pk, status=RegistrationStatus.PENDING
            ).update(
                status=RegistrationStatus.ACTIVE,
                decided_at=now,
                decided_by=by[:150],
                # The outbox sends the ticket now (it sent "request received" before).
                confirmation_sent_at=None,
                confirmation_lease_until=None,
                confirmation_attempts=0,
            )
            if not approved:
                raise _not_pending(registration)
            if not queries.places_take(cursor, quota_ids):
                raise FullDays()
            queries.ticket_insert(
                cursor,
                ticket,
                registration_id=registration.pk,
                days=days,
                id_hash=registration.id_hash,
            )
    except FullDays:
        if held := held_days(expo.pk, registration.id_hash, days):
            raise duplicate_error(held) from None
        raise sold_out(quota_ids) from None
    except IntegrityError:
        raise duplicate_error(held_days(expo.pk, registration.id_hash, days) or days) from None
    registration.refresh_from_db()
    return registration


def request_decline(*, registration: Registration, by: str) -> Registration:
    """Decline a request: it never holds a ticket; the visitor is told by email."""
    declined = Registration.objects.filter(
        pk=registration.pk, status=RegistrationStatus.PENDING
    ).update(
        status=RegistrationStatus.DECLINED,
        decided_at=timezone.now(),
        decided_by=by[:150],
        confirmation_sent_at=None,
        confirmation_lease_until=None,
        confirmation_attempts=0,
    )
    if not declined:
        raise _not_pending(registration)
    registration.refresh_from_db()
    return registration


def _not_pending(registration: Registration) -> SmartExpoError:
    registration.refresh_from_db(fields=["status"])
    return SmartExpoError(
        "not_pending",
        "This registration is not a request awaiting approval.",
        {"status": registration.status},
    )


# --- exhibitor staff passes ----------------------------------------------------------------------


def pass_grant_set(*, exhibitor: Exhibitor, ticket_type: str, passes: int) -> PassGrant:
    """Grant an exhibitor `passes` staff passes of a type issued by exhibitors (never fewer
    than it has issued: `passes_below_issued`)."""
    errors: dict[str, str] = {}
    passes = _count(passes, "passes", 0, MAX_PASSES, errors)
    if errors:
        raise invalid(errors)
    tt = _restricted_type(exhibitor.expo, ticket_type, Access.EXHIBITOR)
    with transaction.atomic():
        grant, _created = PassGrant.objects.get_or_create(
            exhibitor=exhibitor, ticket_type=tt, defaults={"passes": passes}
        )
        # Conditional, as a pass being issued at this moment may take one more.
        if not PassGrant.objects.filter(pk=grant.pk, used__lte=passes).update(passes=passes):
            grant.refresh_from_db()
            raise SmartExpoError(
                "passes_below_issued",
                f"This exhibitor has already issued {grant.used} passes of this type.",
                {"issued": grant.used},
            )
    grant.refresh_from_db()
    return grant


def pass_grants(*, exhibitor: Exhibitor) -> QuerySet[PassGrant]:
    """An exhibitor's grants, with their ticket types."""
    return (
        PassGrant.objects.filter(exhibitor=exhibitor).select_related("ticket_type").order_by("id")
    )


def staff_pass_issue(
    *,
    exhibitor: Exhibitor,
    ticket_type: str | None = None,
    days: Sequence[str | dt.date] | None = None,
    name: str | None = None,
    email: str | None = None,
    id_type: str | None = None,
    id_number: str | None = None,
    interests: Sequence[str] | None = None,
    language: str | None = None,
    phone: str | None = None,
    company: str | None = None,
    title: str | None = None,
    sectors: Sequence[str] | None = None,
    intents: Sequence[str] | None = None,
    share: Sequence[str] | None = None,
) -> Issued:
    """Issue a staff pass to one of the exhibitor's people, within its grant: a registration
    like any other (real name, quota, the person's fields judged as `registration_create`
    judges them), bound to the exhibitor. `ticket_type` may be left out when the exhibitor has
    one grant; `days` too, for every day of the pass. The person's networking profile
    (phone, company, title, sectors, intents, share) is `registration_create`'s."""
    grants = list(pass_grants(exhibitor=exhibitor))
    chosen = [g for g in grants if ticket_type in (None, g.ticket_type.code)]
    if not chosen:
        raise SmartExpoError(
            "no_pass_grant",
            "No staff passes of this type were granted to this exhibitor.",
            {"granted": [g.ticket_type.code for g in grants]},
        )
    if len(chosen) > 1:
        raise invalid({"ticket_type": "Several types are granted: name one."})
    grant = chosen[0]
    if days is None:  # a staff pass is good on every day of its type by default
        days = [q.day.isoformat() for q in grant.ticket_type.quotas.order_by("day")]
    return registration_create(
        expo=exhibitor.expo,
        source="exhibitor",
        grant=grant,
        ticket_type=grant.ticket_type.code,
        days=days,
        name=name,
        email=email,
        id_type=id_type,
        id_number=id_number,
        interests=interests,
        language=language,
        phone=phone,
        company=company,
        title=title,
        sectors=sectors,
        intents=intents,
        share=share,
    )


def staff_passes(*, exhibitor: Exhibitor) -> QuerySet[Registration]:
    """The staff passes an exhibitor has issued, in creation order."""
    return (
        Registration.objects.filter(exhibitor=exhibitor)
        .select_related("ticket_type")
        .prefetch_related("tickets")
        .order_by("id")
    )


def staff_pass_get(*, exhibitor: Exhibitor, pk) -> Registration:
    """One of the exhibitor's staff passes, or `not_found` (another's pass does not exist for
    it)."""
    try:
        return Registration.objects.select_related("expo", "ticket_type").get(
            exhibitor=exhibitor, pk=int(pk)
        )
    except (Registration.DoesNotExist, ValueError, TypeError):
        raise not_found("staff pass") from None


def staff_pass_resend(*, registration: Registration) -> bool:
    """Email a staff pass's ticket to its holder again: the confirmation outbox sends it once
    more (`confirmations.confirmations_send`). Only an active pass whose email has gone out is
    queued again, so asking twice before the mailer runs sends one email, not two; False when
    nothing was queued (cancelled, erased, or its email still waiting)."""
    return bool(
        Registration.objects.filter(
            pk=registration.pk,
            exhibitor__isnull=False,
            status=RegistrationStatus.ACTIVE,
            erased_at__isnull=True,
            confirmation_sent_at__isnull=False,
        ).update(confirmation_sent_at=None, confirmation_lease_until=None, confirmation_attempts=0)
    )
