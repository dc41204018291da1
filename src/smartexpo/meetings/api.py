"""The business meetings API (docs/meetings.md; docs/api.md, "Business meetings"): sessions
(an organiser defines them, anyone reads them), requests and their answers, availability, the
opt-in, and suggested partners.

A participant acts with its own credential: an exhibitor's API token, or a registration's
manage token; an organiser's token names the participants (`auth`). Scheduling a session and
its meetings' list are `schedule_api`."""

from __future__ import annotations

from ninja import Query, Router
from ninja.responses import Status

from smartexpo.core.api import Error, PageParams, bearer, page_bounds, paginate
from smartexpo.core.errors import invalid
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.meetings import selectors
from smartexpo.meetings.auth import actor_for, subject_ref
from smartexpo.meetings.models import MeetingRequest, MeetingSession, Participant
from smartexpo.meetings.schemas import (
    AvailabilityIn,
    AvailabilityOut,
    ParticipantOut,
    ParticipationIn,
    RefParams,
    RequestFilters,
    RequestIn,
    RequestOut,
    RequestPage,
    SessionIn,
    SessionOut,
    SessionPage,
    SessionPatch,
    SuggestionPage,
    SuggestionParams,
)
from smartexpo.meetings.services.availability import availability_set
from smartexpo.meetings.services.participants import participation_set
from smartexpo.meetings.services.requests import request_create, request_transition
from smartexpo.meetings.services.sessions import session_create, session_update
from smartexpo.tickets.auth import token_or_manage
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Expo

router = Router(tags=["Business meetings"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
READS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
PUBLIC = {404: Error, 422: Error}
M = "/expos/{expo}/meetings"
NULLABLE = ("zone", "cap_visitor", "cap_exhibitor")


def _edition(expo: str) -> Expo:
    return venue_selectors.expo_get(slug=expo)


# --- sessions ----------------------------------------------------------------------------------


def session_out(session: MeetingSession) -> dict:
    return {
        "id": session.pk,
        "code": session.code,
        "name": {"en": session.name_en, "zh": session.name_zh},
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "slot_minutes": session.slot_minutes,
        "slots": session.slot_count,
        "tables": session.tables,
        "zone": session.zone.code if session.zone_id else None,
        "booth_meetings": session.booth_meetings,
        "cap_visitor": session.cap_visitor,
        "cap_exhibitor": session.cap_exhibitor,
        "published_at": session.published_at,
    }


def _organizer(request, expo: str) -> Expo:
    edition = _edition(expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    return edition


@router.post(
    M + "/sessions",
    auth=bearer,
    response={201: SessionOut, **ERRORS},
    summary="Define a meeting session: its times, slot length, tables in a zone (organiser)",
    description="`booth_meetings`: meetings may also take place at the exhibitor's booth (no "
    "table; one per booth and slot); `cap_visitor`, `cap_exhibitor`: at most so many meetings "
    "per participant of that kind. 409 `session_exists`: the code is taken in this edition.",
)
def create_session(request, expo: str, payload: SessionIn):
    edition = _organizer(request, expo)
    values = payload.dict(exclude={"name"})
    name = payload.name.dict() if payload.name else {"en": "", "zh": ""}
    session = session_create(expo=edition, name_en=name["en"], name_zh=name["zh"], **values)
    return Status(201, session_out(session))


@router.get(
    M + "/sessions",
    response={200: SessionPage, **PUBLIC},
    summary="The edition's meeting sessions, in the order they start (public)",
)
def list_sessions(request, expo: str, page: Query[PageParams]):
    return paginate(selectors.session_list(expo=_edition(expo)), page, session_out)


@router.get(
    M + "/sessions/{code}",
    response={200: SessionOut, **PUBLIC},
    summary="One meeting session (public)",
)
def get_session(request, expo: str, code: str):
    return session_out(selectors.session_get(expo=_edition(expo), code=code))


@router.patch(
    M + "/sessions/{code}",
    auth=bearer,
    response={200: SessionOut, **ERRORS},
    summary="Change a meeting session's fields given (organiser)",
    description="Once its meetings are scheduled, its times and slot length are fixed (409 "
    "`session_published`); tables in use and booth meetings placed cannot be removed (409 "
    "`session_in_use`).",
)
def patch_session(request, expo: str, code: str, payload: SessionPatch):
    edition = _organizer(request, expo)
    session = selectors.session_get(expo=edition, code=code)
    changes = payload.dict(exclude_unset=True)
    # Only the zone and the caps may be cleared; null for any other field is no value.
    cleared = [f for f, v in changes.items() if v is None and f not in NULLABLE]
    if cleared:
        raise invalid(dict.fromkeys(cleared, "May not be null."))
    name = changes.pop("name", None)
    if name is not None:
        changes.update(name_en=name["en"], name_zh=name["zh"])
    return session_out(session_update(session=session, changes=changes))


# --- requests ----------------------------------------------------------------------------------


def request_out(found: MeetingRequest, expo: Expo) -> dict:
    return {
        "id": found.pk,
        "status": found.status,
        "from": found.requester.ref,
        "to": found.recipient.ref,
        "priority": found.priority,
        "message": found.message,
        "created_at": found.created_at,
        "decided_at": found.decided_at,
        "parties": {
            "from": selectors.party(found.requester, expo=expo),
            "to": selectors.party(found.recipient, expo=expo),
        },
    }


@router.post(
    M + "/requests",
    auth=token_or_manage,
    response={201: RequestOut, **ERRORS},
    by_alias=True,
    summary="Request a meeting (the requester's exhibitor token or manage token; an "
    "organiser names both sides)",
    description='`to` (and `from`): `{"exhibitor": id}` or `{"registration": id}`. '
    "Refusals: 422 `invalid` for a request to oneself; 404 for a participant the edition does "
    "not have; 409 `not_open` (`detail.side`: a visitor who has not opted in), "
    "`participant_inactive` (a cancelled or erased registration), `pair_declined`, "
    "`duplicate_request` (the pair's live request in `detail.request`).",
)
def create_request(request, expo: str, payload: RequestIn):
    edition = _edition(expo)
    actor = actor_for(request.auth, expo=edition)
    asking = subject_ref(actor, payload.from_.as_ref() if payload.from_ else None, field="from")
    made = request_create(
        expo=edition,
        requester=asking,
        recipient=payload.to.as_ref(),
        priority=payload.priority,
        message=payload.message,
    )
    return Status(201, request_out(made, edition))


def _acting(request, edition: Expo, ref: dict | None) -> Participant | None:
    """The participant a read is about: the organiser's choice (None: all), or oneself."""
    actor = actor_for(request.auth, expo=edition)
    if actor.organizer and ref is None:
        return None
    return selectors.participant_find(expo=edition, ref=subject_ref(actor, ref))


@router.get(
    M + "/requests",
    auth=token_or_manage,
    response={200: RequestPage, **READS},
    by_alias=True,
    summary="Meeting requests: a participant's sent and received (its token), or any "
    "(organiser; `?exhibitor=` or `?registration=` for one participant's)",
    description="Paginated, oldest first; `?status=` and `?direction=sent|received`.",
)
def list_requests(request, expo: str, filters: Query[RequestFilters]):
    edition = _edition(expo)
    participant = _acting(request, edition, filters.as_ref())
    found = selectors.request_list(
        expo=edition,
        participant=participant,
        status=filters.status,
        direction=filters.direction if participant is not None else None,
    )
    return paginate(found, filters, lambda r: request_out(r, edition))


def _side(request, edition: Expo) -> Participant | None:
    """The acting participant (None: an organiser), as it stands (nothing made)."""
    actor = actor_for(request.auth, expo=edition)
    return None if actor.organizer else selectors.participant_find(expo=edition, ref=actor.ref)


@router.get(
    M + "/requests/{request_id}",
    auth=token_or_manage,
    response={200: RequestOut, **READS},
    by_alias=True,
    summary="One meeting request (either side's token, or an organiser)",
)
def get_request(request, expo: str, request_id: int):
    edition = _edition(expo)
    found = selectors.request_get(expo=edition, pk=request_id, participant=_side(request, edition))
    return request_out(found, edition)


def _transition(request, expo: str, request_id: int, action: str) -> dict:
    edition = _edition(expo)
    by = _side(request, edition)
    found = selectors.request_get(expo=edition, pk=request_id, participant=by)
    current, _changed = request_transition(request=found, action=action, by=by)
    return request_out(current, edition)


TRANSITION = (
    "200 the request with its new status; the same again, 200 with the same. 409 named after "
    "the status that forbids it (`request_declined`, `request_cancelled`, `request_accepted`)."
)


@router.post(
    M + "/requests/{request_id}/accept",
    auth=token_or_manage,
    response={200: RequestOut, **ERRORS},
    by_alias=True,
    summary="Accept a pending meeting request (its recipient, or an organiser)",
    description=TRANSITION + " 409 `participant_inactive`: a side's registration is cancelled.",
)
def accept_request(request, expo: str, request_id: int):
    return _transition(request, expo, request_id, "accept")


@router.post(
    M + "/requests/{request_id}/decline",
    auth=token_or_manage,
    response={200: RequestOut, **ERRORS},
    by_alias=True,
    summary="Decline a pending meeting request (its recipient, or an organiser)",
    description=TRANSITION + " The pair can never be requested again, nor is it suggested or "
    "recommended to either side.",
)
def decline_request(request, expo: str, request_id: int):
    return _transition(request, expo, request_id, "decline")


@router.post(
    M + "/requests/{request_id}/cancel",
    auth=token_or_manage,
    response={200: RequestOut, **ERRORS},
    by_alias=True,
    summary="Cancel a pending or accepted meeting request (its requester, or an organiser)",
    description=TRANSITION + " A scheduled meeting of it is removed; the pair may ask again.",
)
def cancel_request(request, expo: str, request_id: int):
    return _transition(request, expo, request_id, "cancel")


# --- availability --------------------------------------------------------------------------------


def availability_out(participant: Participant, expo: Expo) -> dict:
    return {
        "participant": participant.ref,
        "busy": [
            {"from": b.starts_at, "to": b.ends_at}
            for b in selectors.busy_marked(participant=participant)
        ],
        "programme": selectors.busy_programme(participant=participant, expo=expo),
    }


@router.put(
    M + "/availability",
    auth=token_or_manage,
    response={200: AvailabilityOut, **ERRORS},
    by_alias=True,
    summary="Replace a participant's busy intervals (organiser for anyone; a participant's "
    "own token for itself)",
    description='`busy`: `[{"from", "to"}]`, instants with their offset, each `from` '
    "before its `to`, at most 100; an empty list clears them. Reserved forum sessions are "
    "busy anyway (`programme` in the answer).",
)
def put_availability(request, expo: str, payload: AvailabilityIn):
    edition = _edition(expo)
    actor = actor_for(request.auth, expo=edition)
    ref = subject_ref(actor, payload.participant.as_ref() if payload.participant else None)
    busy = [(i.from_, i.to) for i in payload.busy]
    participant, _busy = availability_set(expo=edition, ref=ref, busy=busy)
    return availability_out(participant, edition)


@router.get(
    M + "/availability",
    auth=token_or_manage,
    response={200: AvailabilityOut, **READS},
    by_alias=True,
    summary="A participant's busy intervals and reserved forum sessions (organiser naming "
    "it with `?exhibitor=` or `?registration=`; a participant's own token)",
)
def get_availability(request, expo: str, params: Query[RefParams]):
    edition = _edition(expo)
    actor = actor_for(request.auth, expo=edition)
    participant = selectors.participant_find(expo=edition, ref=subject_ref(actor, params.as_ref()))
    return availability_out(participant, edition)


# --- participation -------------------------------------------------------------------------------


def participant_out(participant: Participant) -> dict:
    return {
        "participant": participant.ref,
        "kind": selectors.kind_of(participant),
        "open": participant.open,
        "cap": participant.cap,
        "no_shows": participant.no_shows,
        "since": participant.created_at if participant.pk else None,
    }


@router.put(
    M + "/participation",
    auth=token_or_manage,
    response={200: ParticipantOut, **ERRORS},
    summary="Opt in to business meetings or out, and set a personal cap (a participant's own "
    "token; an organiser names the participant)",
    description="`open`: a visitor takes and makes requests only when open (an exhibitor "
    "always is; `open: false` for one is `invalid`). `cap`: at most so many meetings; null "
    "clears it, left out keeps it. 409 `participant_inactive` for a cancelled registration.",
)
def put_participation(request, expo: str, payload: ParticipationIn):
    edition = _edition(expo)
    actor = actor_for(request.auth, expo=edition)
    ref = subject_ref(actor, payload.participant.as_ref() if payload.participant else None)
    participant = participation_set(
        expo=edition,
        ref=ref,
        open=payload.open,
        cap=payload.cap,
        cap_given="cap" in payload.model_fields_set,
    )
    return participant_out(participant)


@router.get(
    M + "/participation",
    auth=token_or_manage,
    response={200: ParticipantOut, **READS},
    summary="A participant's opt-in, cap and no-shows (its own token; an organiser names it)",
)
def get_participation(request, expo: str, params: Query[RefParams]):
    edition = _edition(expo)
    actor = actor_for(request.auth, expo=edition)
    return participant_out(
        selectors.participant_find(expo=edition, ref=subject_ref(actor, params.as_ref()))
    )


# --- suggestions ---------------------------------------------------------------------------------


@router.get(
    M + "/suggestions",
    auth=token_or_manage,
    response={200: SuggestionPage, **READS},
    summary="Partners worth a meeting request, best first by the pair's reciprocal score "
    "(a participant's own token; an organiser names it)",
    description="To a visitor: exhibitors recommended to it; to an exhibitor: visitors worth "
    "meeting who opted in (with only what they share). Never a pair with a pending, accepted "
    "or declined request. Paged with `limit` (default 20) and `offset`. 409 `no_model` until "
    "the organiser has built the edition's recommender.",
)
def list_suggestions(request, expo: str, params: Query[SuggestionParams]):
    edition = _edition(expo)
    actor = actor_for(request.auth, expo=edition)
    participant = selectors.participant_find(expo=edition, ref=subject_ref(actor, params.as_ref()))
    items = selectors.suggestions(expo=edition, participant=participant)
    start, stop = page_bounds(params, len(items))
    return {"count": len(items), "items": items[start:stop]}
