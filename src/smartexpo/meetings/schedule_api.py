"""The scheduling API of business meetings (docs/api.md, "Business meetings";
docs/meeting-scheduling.md): solving a session (organiser) and a session's meetings (the
organiser sees all; a participant, by its exhibitor token or its registration's manage token,
sees its own)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from smartexpo.core.api import Error, PageParams, bearer, paginate
from smartexpo.core.errors import not_found
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.meetings.auth import actor_for
from smartexpo.meetings.models import Meeting, MeetingSession, Participant
from smartexpo.meetings.services.solving import TIME_LIMIT_MAX, session_solve
from smartexpo.tickets.auth import token_or_manage
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Expo

router = Router(tags=["Business meetings"])

ERRORS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
READS = {401: Error, 403: Error, 404: Error, 422: Error}


class SolveParams(Schema):
    dry_run: bool = Field(False, description="Solve and report, but write nothing")
    time_limit: float = Field(
        60.0, ge=1, le=TIME_LIMIT_MAX, description="Seconds the optimiser may search (1–600)"
    )


class SolveOut(Schema):
    status: str = Field(description="`optimal` or `feasible` (the best found in the time limit)")
    scheduled: int
    objective: int
    bound: int
    seconds: float
    gap: float = Field(description="(bound − objective) / bound; 0 when optimal")
    moved: int = Field(description="Previously published meetings moved or dropped")
    method: str
    greedy_objective: int | None = None
    weight: int
    greedy_weight: int | None = None
    requests: int
    idle_gaps: int
    dry_run: bool


class BoothOut(Schema):
    id: int
    code: str


class MeetingOut(Schema):
    request: int
    a: dict[str, int] = Field(description='`{"exhibitor": id}` or `{"registration": id}`')
    b: dict[str, int]
    starts_at: dt.datetime
    ends_at: dt.datetime
    table: int | None = Field(description="The table number; null at a booth")
    booth: BoothOut | None = None
    zone: str | None = Field(None, description="Code of the zone the meeting takes place in")
    slot: int
    version: int
    a_checked_in: bool
    b_checked_in: bool


class MeetingPage(Schema):
    count: int
    items: list[MeetingOut]


def _session(edition: Expo, code: str) -> MeetingSession:
    session = MeetingSession.objects.filter(expo=edition, code=code).select_related("zone").first()
    if session is None:
        raise not_found("meeting session")
    return session


def _reader(auth, edition: Expo) -> Participant | bool | None:
    """True for an organiser; else the participant the credential acts for, None before its
    first use (it has no meetings yet: reading creates nothing)."""
    actor = actor_for(auth, expo=edition)
    if actor.organizer:
        return True
    ((kind, pk),) = actor.ref.items()
    return Participant.objects.filter(expo=edition, **{f"{kind}_id": pk}).first()


def meeting_out(m: Meeting) -> dict:
    r, session = m.request, m.session
    zone = None
    if m.booth_id is not None:
        zone = m.booth.hall.code if m.booth.hall_id else None
    elif session.zone_id is not None:
        zone = session.zone.code
    return {
        "request": m.request_id,
        "a": r.low.ref,
        "b": r.high.ref,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "table": m.table,
        "booth": {"id": m.booth_id, "code": m.booth.code} if m.booth_id else None,
        "zone": zone,
        "slot": m.slot,
        "version": m.version,
        "a_checked_in": m.a_checked_in_at is not None,
        "b_checked_in": m.b_checked_in_at is not None,
    }


@router.post(
    "/expos/{expo}/meetings/sessions/{code}/solve",
    auth=bearer,
    response={200: SolveOut, **ERRORS},
    summary="Schedule a meeting session's accepted requests with the optimiser (organiser)",
    description="Places every accepted request not already scheduled in another session in a "
    "slot, at a table or at the exhibitor's booth, maximising the total priority (`must` "
    "outweighs any number of `want`; ties to the reciprocal score), with fewer idle gaps and, "
    "on a re-solve, as few published meetings moved as possible (docs/meeting-scheduling.md). "
    "Writes the meetings and queues the participants' notices, unless `dry_run`. "
    "`status`: `optimal`, or `feasible` when the time limit stopped the proof (`gap` says how "
    "far the bound is). Nothing to schedule: 200 with `scheduled` 0 and status `optimal` (the "
    "empty schedule is optimal). 409 `solve_running`: this session is being solved already.",
)
def solve_session(request, expo: str, code: str, params: Query[SolveParams]):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    session = _session(edition, code)
    return session_solve(session=session, time_limit=params.time_limit, dry_run=params.dry_run)


@router.get(
    "/expos/{expo}/meetings/sessions/{code}/meetings",
    auth=token_or_manage,
    response={200: MeetingPage, **READS},
    summary="A session's meetings: all (organiser) or the participant's own",
    description="By slot and table. The organiser sees every meeting; an exhibitor's token or "
    "a registration's manage token sees the meetings of its own participant (none before it "
    "takes part). `a`/`b`: the request's participants in id order; `table` null at a booth.",
)
def list_meetings(request, expo: str, code: str, page: Query[PageParams]):
    edition = venue_selectors.expo_get(slug=expo)
    reader = _reader(request.auth, edition)
    session = _session(edition, code)
    qs = Meeting.objects.filter(session=session).select_related(
        "request__low", "request__high", "session__zone", "booth__hall"
    )
    if reader is not True:
        if reader is None:
            qs = qs.none()
        else:
            qs = qs.filter(Q(request__low=reader) | Q(request__high=reader))
    return paginate(qs.order_by("starts_at", "table", "id"), page, meeting_out)
