"""The visitor behind the programme pages' buttons: the registration their browser remembers,
and what the buttons do.

Opening one's agenda by the manage link (`agenda.agenda`) remembers that registration for the
edition in the browser's session: its id, never the manage token, which would outlive a
"forget". The programme and session pages then show "Star", "Reserve a seat" and the rest, as
POST forms to the page itself; a refusal is shown at the session it concerns, on the page drawn
again, never as an error page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from smartexpo.core.errors import SmartExpoError
from smartexpo.programme import pages
from smartexpo.programme.models import ReservationStatus
from smartexpo.programme.selectors import Published, waitlist_position
from smartexpo.programme.services.reservations import (
    favourite_add,
    favourite_remove,
    reservation_cancel,
    reservation_make,
)
from smartexpo.tickets.models import Registration
from smartexpo.venue.models import Expo

SESSION_KEY = "programme.registrations"
SESSION_ACTIONS = ("star", "unstar", "reserve", "waitlist", "cancel")

REFUSALS = {
    "no_ticket_for_day": gettext_lazy(
        "None of your tickets is valid on %(day)s: a seat needs a ticket for the session's day."
    ),
    "agenda_conflict": gettext_lazy(
        "This session overlaps %(titles)s in your agenda. Reserve anyway if you mean to switch "
        "between them."
    ),
    "session_full": gettext_lazy(
        "Every seat is taken. Join the waiting list: a seat given up goes to the first in line."
    ),
    "reservation_not_needed": gettext_lazy(
        "This session needs no reservation: anyone with a ticket for the day may attend."
    ),
    "not_found": gettext_lazy("This session is no longer in the published programme."),
}


def remember(request: HttpRequest, expo: Expo, registration: Registration) -> None:
    known = dict(request.session.get(SESSION_KEY, {}))
    if known.get(str(expo.pk)) != registration.pk:
        known[str(expo.pk)] = registration.pk
        request.session[SESSION_KEY] = known


def forget(request: HttpRequest, expo: Expo) -> None:
    known = dict(request.session.get(SESSION_KEY, {}))
    if known.pop(str(expo.pk), None) is not None:
        request.session[SESSION_KEY] = known


def remembered(request: HttpRequest, expo: Expo) -> Registration | None:
    """The registration this browser opened the agenda of, for this edition (None without
    one, or once it is gone). Only a browser that carries a session cookie asks the database."""
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return None
    pk = request.session.get(SESSION_KEY, {}).get(str(expo.pk))
    if pk is None:
        return None
    registration = pages.registration_for_pages(expo=expo, pk=pk)
    if registration is None:
        forget(request, expo)
    return registration


def refusal(exc: SmartExpoError, published: Published, rows: dict[int, dict]) -> str:
    message = REFUSALS.get(exc.code)
    if message is None:
        return _("This could not be done (%(code)s). Please try again.") % {"code": exc.code}
    titles = [f"“{rows[pk]['title']}”" for pk in exc.detail.get("sessions", []) if pk in rows]
    return str(message) % {"day": exc.detail.get("day", ""), "titles": ", ".join(titles)}


def perform(
    request: HttpRequest,
    expo: Expo,
    registration: Registration | None,
    session_id: int | None,
    *,
    published: Published,
    rows: dict[int, dict],
    back: str,
) -> HttpResponse | dict[str, Any]:
    """Do what a programme page's button asks. A redirect back to the page (`back`) with a
    message when done; a refusal as {"session", "action", "code", "message"} for the page to
    show at that session."""
    action = request.POST.get("action", "")
    if action == "forget":
        forget(request, expo)
        messages.success(request, _("This browser no longer remembers your registration."))
        return redirect(back.split("#")[0])
    if action not in SESSION_ACTIONS or session_id is None:
        messages.error(request, _("That button is not one of this page's. Please try again."))
        return redirect(back)
    if registration is None:
        messages.error(
            request,
            _(
                "Open your agenda from the link on your tickets page first: this browser does "
                "not know your registration."
            ),
        )
        return redirect(back)
    try:
        done = _session_action(registration, session_id, action, request.POST.get("force") == "1")
    except SmartExpoError as exc:
        return {
            "session": session_id,
            "action": action,
            "code": exc.code,
            "message": refusal(exc, published, rows),
        }
    messages.success(request, done)
    return redirect(f"{back}#s-{session_id}")


def _session_action(registration: Registration, session_id: int, action: str, force: bool) -> str:
    if action == "star":
        favourite_add(registration=registration, session_id=session_id)
        return _("Starred: the session is in your agenda.")
    if action == "unstar":
        favourite_remove(registration=registration, session_id=session_id)
        return _("The star is removed from your agenda.")
    if action == "cancel":
        return cancelled_message(registration, session_id)
    reservation, new = reservation_make(
        registration=registration,
        session_id=session_id,
        force=force,
        waitlist=action == "waitlist",
    )
    if reservation.status == ReservationStatus.CONFIRMED:
        if new:
            return _("Your seat is reserved. It is in your agenda.")
        return _("You already have a seat at this session.")
    position = waitlist_position(session_id=session_id, reservation_id=reservation.pk)
    return ngettext(
        "You are on the waiting list, first in line.",
        "You are on the waiting list, number %(position)s in line.",
        position,
    ) % {"position": position}


def cancelled_message(registration: Registration, session_id: int) -> str:
    """Cancel the registration's reservation at a session and say what became of it."""
    held = pages.visitor_marks(registration=registration).get(session_id, {}).get("status")
    if not reservation_cancel(registration=registration, session_id=session_id):
        return _("You had no reservation at this session.")
    if held == ReservationStatus.WAITLISTED:
        return _("You left the waiting list.")
    return _("Your reservation is cancelled; the seat goes to the next person waiting.")
