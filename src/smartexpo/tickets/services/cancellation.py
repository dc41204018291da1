"""Cancelling a registration: its tickets revoked, its places to the waiting list or to sale."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from smartexpo.tickets.models import (
    Registration,
    RegistrationStatus,
    Ticket,
    TicketDay,
    TicketStatus,
)
from smartexpo.tickets.services.access import (
    use_give_back,
)
from smartexpo.tickets.services.waitlist import place_freed
from smartexpo.tickets.signals import registration_cancelled


def registration_cancel(*, registration: Registration) -> Registration:
    """Cancel a registration: its tickets are revoked and their places go to the next person on
    the waiting list or back to the quotas, in one transaction, so a revoked serial is listed
    from the moment the cancellation commits; the invitation use or staff pass it took is given
    back. A request awaiting approval is withdrawn. Cancelling twice changes nothing the second
    time."""
    now = timezone.now()
    with transaction.atomic():
        changed = Registration.objects.filter(
            pk=registration.pk, status=RegistrationStatus.ACTIVE
        ).update(status=RegistrationStatus.CANCELLED, cancelled_at=now)
        if changed:
            tickets = list(
                Ticket.objects.filter(registration=registration, status=TicketStatus.VALID)
            )
            Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
                status=TicketStatus.REVOKED, revoked_at=now
            )
            TicketDay.objects.filter(ticket__in=tickets).update(valid=False)
            for ticket in tickets:
                for day in ticket.days:
                    # The next person waiting for that day gets it; else it returns to sale.
                    place_freed(
                        ticket_type_id=ticket.ticket_type_id, day=dt.date.fromisoformat(day)
                    )
            use_give_back(registration=registration)
            registration_cancelled.send(sender=Registration, registration=registration)
        else:
            Registration.objects.filter(
                pk=registration.pk, status=RegistrationStatus.PENDING
            ).update(status=RegistrationStatus.CANCELLED, cancelled_at=now)
    registration.refresh_from_db()
    return registration
