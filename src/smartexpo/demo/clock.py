"""`smartexpo demo clock`: read the instant asked for, and find a demo ticket to try it with.

The clock itself is the edition's (`venue.clock`, set by `venue.services.demo_clock_set`); this
module is what the demo's command line adds: the instant as a person types it, and a ticket of
one of the demo's own visitors that the demo scanner admits at that instant, so that a new user
can see an admission on the scanner page without a QR reader.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.instants import YEARS
from smartexpo.demo.login import DEMO_SCANNER_GATES
from smartexpo.tickets.issuing import ticket_secret
from smartexpo.tickets.models import Ticket, TicketStatus
from smartexpo.venue.models import Expo, Gate

EXAMPLE = "2019-08-27T10:00"


def clock_instant_parse(text: str, *, expo: Expo) -> dt.datetime:
    """The instant `text` names: ISO 8601 with a UTC offset (`2019-08-27T10:00+08:00`), or
    without one the edition's wall-clock time (`2019-08-27T10:00`, `2019-08-27 10:00:30`).
    A refusal says what was expected."""
    example = f"{EXAMPLE} ({expo.timezone}) or {EXAMPLE}+08:00"
    try:
        at = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise SmartExpoError(
            "invalid", f"Could not read {text!r} as a date and time: give it as {example}."
        ) from None
    if at.tzinfo is None:
        # A wall-clock time that occurs twice (a DST fold) is read as its first occurrence.
        at = at.replace(tzinfo=expo.tz)
    if not YEARS[0] <= at.year <= YEARS[1]:
        raise SmartExpoError("invalid", f"The year must be from {YEARS[0]} to {YEARS[1]}.")
    return at


class DemoTicket(NamedTuple):
    serial: int
    type_code: str
    gate: str
    secret: str


def demo_ticket_for(*, expo: Expo, at: dt.datetime) -> DemoTicket | None:
    """A valid ticket of one of the demo's registered visitors (never anybody else's) that the
    demo scanner's entrance admits on `at`'s expo day: valid that day, of a type admitted into
    the zone behind the gate, not inside already. None if there is none (no demo visitors, or
    a day the edition is not held)."""
    gate = Gate.objects.filter(expo=expo, code=DEMO_SCANNER_GATES[0]).select_related("zone").first()
    if gate is None:
        return None
    day = at.astimezone(expo.tz).date()
    ticket = (
        Ticket.objects.filter(
            expo=expo,
            registration__source="demo",
            status=TicketStatus.VALID,
            ticket_days__day=day,
            ticket_days__valid=True,
            ticket_type__zones=gate.zone,
        )
        .exclude(inside_day=day)
        .select_related("ticket_type")
        .order_by("id")
        .first()
    )
    if ticket is None:
        return None
    return DemoTicket(ticket.serial, ticket.ticket_type.code, gate.code, ticket_secret(ticket))
