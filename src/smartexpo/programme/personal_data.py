"""The programme's part of a person's data (`docs/personal-data.md`): their reservations and
waiting-list places, starred sessions, room-door attendance and whether an agenda feed
address exists (its secret is a credential and is withheld, as the manage token is)."""

from __future__ import annotations

from typing import Any

from smartexpo.programme.models import AgendaFeed, Attendance, Favourite, Reservation
from smartexpo.tickets.models import Registration


def _title(session) -> dict[str, str]:
    return {"en": session.title_en, "zh": session.title_zh or session.title_en}


def registration_programme_data(*, registration: Registration) -> dict[str, Any]:
    """Everything the programme stores about the registration (a selector)."""
    reservations = (
        Reservation.objects.filter(registration=registration)
        .select_related("session")
        .order_by("id")
    )
    favourites = (
        Favourite.objects.filter(registration=registration).select_related("session").order_by("id")
    )
    attendance = (
        Attendance.objects.filter(registration=registration)
        .select_related("session", "ticket")
        .order_by("checked_in_at", "id")
    )
    return {
        "reservations": [
            {
                "session": r.session_id,
                "title": _title(r.session),
                "status": r.status,
                "forced": r.forced,
                "created_at": r.created_at,
                "confirmed_at": r.confirmed_at,
            }
            for r in reservations
        ],
        "favourites": [
            {"session": f.session_id, "title": _title(f.session), "created_at": f.created_at}
            for f in favourites
        ],
        "attendance": [
            {
                "session": a.session_id,
                "title": _title(a.session),
                "ticket": a.ticket.serial,
                "checked_in_at": a.checked_in_at,
            }
            for a in attendance
        ],
        "agenda_feed": AgendaFeed.objects.filter(registration=registration).exists(),
    }
