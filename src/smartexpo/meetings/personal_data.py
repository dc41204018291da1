"""The business meetings' part of a person's data (`docs/personal-data.md`): their participant
row (the opt-in, cap, no-shows), busy intervals, the meeting requests they sent or received
(the other side named by its ref only) and their scheduled meetings. Erasure deletes the
participant, and with it all of these (`services.participants.participant_erase`)."""

from __future__ import annotations

from typing import Any

from smartexpo.meetings import selectors
from smartexpo.meetings.models import MeetingRequest, Participant
from smartexpo.meetings.services.participants import participant_erase
from smartexpo.tickets.models import Registration


def _participant(registration: Registration) -> Participant | None:
    return Participant.objects.filter(registration=registration).first()


def registration_meetings_data(*, registration: Registration) -> dict[str, Any]:
    """Everything the meetings keep about the registration (a selector)."""
    participant = _participant(registration)
    if participant is None:
        return {"participant": None, "busy": [], "requests": [], "meetings": []}
    requests = (
        MeetingRequest.objects.filter(requester=participant)
        | MeetingRequest.objects.filter(recipient=participant)
    ).select_related("requester", "recipient")
    meetings = selectors.participant_meetings(participant=participant)
    return {
        "participant": {
            "open": participant.open,
            "cap": participant.cap,
            "no_shows": participant.no_shows,
            "created_at": participant.created_at,
        },
        "busy": [
            {"from": b.starts_at, "to": b.ends_at}
            for b in selectors.busy_marked(participant=participant)
        ],
        "requests": [
            {
                "id": r.pk,
                "direction": "sent" if r.requester_id == participant.pk else "received",
                "other": (r.recipient if r.requester_id == participant.pk else r.requester).ref,
                "priority": r.priority,
                "message": r.message,
                "status": r.status,
                "created_at": r.created_at,
                "decided_at": r.decided_at,
            }
            for r in requests.order_by("id")
        ],
        "meetings": [
            {
                "request": m.request_id,
                "session": m.session.code,
                "starts_at": m.starts_at,
                "ends_at": m.ends_at,
                "table": m.table,
                "booth": m.booth.code if m.booth_id else None,
                "checked_in_at": (
                    m.a_checked_in_at if m.request.low_id == participant.pk else m.b_checked_in_at
                ),
            }
            for m in meetings
        ],
    }


def registration_meetings_erase(*, registration: Registration) -> int:
    """Delete the registration's participant with its busy intervals, requests and meetings
    (the other side of a published meeting is told its schedule changed); how many rows."""
    participant = _participant(registration)
    return participant_erase(participant=participant) if participant is not None else 0
