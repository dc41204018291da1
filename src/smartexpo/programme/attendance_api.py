"""The programme's attendance for organisers (docs/api.md: Programme, attendance at the door).

Its own router, beside the programme's: what the room doors counted (`programme.attendance`).
"""

from __future__ import annotations

from ninja import Field, Router, Schema

from smartexpo.core.api import Error, bearer
from smartexpo.core.errors import not_found
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.programme.api import MAX_ID
from smartexpo.programme.attendance import attendance_counts
from smartexpo.venue import selectors as venue_selectors

router = Router(tags=["Programme"])

ERRORS = {401: Error, 403: Error, 404: Error}


class AttendanceOut(Schema):
    session: int
    reserved: int = Field(..., description="confirmed reservations now")
    checked_in: int = Field(
        ..., description="tickets admitted at the room's door into the session, each once"
    )
    no_shows: int | None = Field(
        ...,
        description="confirmed reservations none of whose tickets was admitted; null until "
        "the session has ended",
    )
    ended: bool = Field(..., description="the session's end is past on the edition's clock")


@router.get(
    "/expos/{expo}/sessions/{id}/attendance",
    auth=bearer,
    response={200: AttendanceOut, **ERRORS},
    summary="A session's attendance at the room door: reserved, checked in, no-shows (organiser)",
    description="Organiser. Counts for a session of the working programme: confirmed "
    "reservations now, tickets admitted at its room's door (each ticket once, re-entries "
    "included), and no-shows (confirmed reservations none of whose tickets was admitted), "
    "which stay null until the session has ended on the edition's clock. 404 for a session "
    "of another edition or none.",
)
def session_attendance(request, expo: str, id: int):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    if not 1 <= id < MAX_ID:  # past the database's integers: no session of any edition
        raise not_found("session")
    counts = attendance_counts(expo=edition, session_ids=[id])
    if id not in counts:
        raise not_found("session")
    return counts[id].as_dict()
