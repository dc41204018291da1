"""A person's data through the API: the export and the erasure (`docs/personal-data.md`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema

from smartexpo.core.api import Error, Names
from smartexpo.core.audit import VISITOR, actor_token
from smartexpo.privacy import services
from smartexpo.tickets.auth import registration_for, token_or_manage
from smartexpo.tickets.models import Registration

router = Router(tags=["Personal data"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class ExportTicketType(Schema):
    code: str
    name: Names


class ExportExhibitor(Schema):
    id: int
    name: Names


class ExportRegistration(Schema):
    id: int
    edition: str
    status: str
    ticket_type: ExportTicketType
    name: str
    email: str
    id_type: str
    id_number_masked: str = Field(..., description="the only form of the ID number stored")
    id_number_hash_stored: bool = Field(
        ...,
        description="whether a keyed hash of the ID number is stored (to refuse a second "
        "ticket for a day); the hash itself is not given",
    )
    interests: list[str] = Field(..., description="technology tag codes")
    phone: str
    company: str
    title: str = Field(..., description="job title")
    sectors: list[str] = Field(..., description="sector codes")
    intents: list[str]
    share: list[str] = Field(
        ..., description="the fields an exhibitor who scans the ticket may see (the consent)"
    )
    language: str
    source: str
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    confirmation_sent_at: dt.datetime | None
    erased_at: dt.datetime | None
    invitation_code: str | None = Field(..., description="the invitation code it was made with")
    staff_of_exhibitor: ExportExhibitor | None = Field(
        ..., description="the exhibitor whose staff pass it is"
    )
    requested_days: list[str] | None = Field(..., description="the days a request asked for")
    decided_at: dt.datetime | None = Field(..., description="when a request was decided")
    decided_by: str | None


class ExportInside(Schema):
    day: str
    since: dt.datetime | None
    gate: str | None
    zone: str | None


class ExportTicket(Schema):
    serial: int
    days: list[str]
    status: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    inside: ExportInside | None = Field(..., description="where it is inside the venue now")


class ExportCheckin(Schema):
    ticket_serial: int | None
    scanned_at: dt.datetime
    gate: str
    zone: str | None
    direction: str
    result: str
    reason: str | None
    broken_rule: str | None
    source: str
    device: str


class ExportWaitlistEntry(Schema):
    id: int
    ticket_type: str
    day: str
    name: str
    email: str
    language: str
    status: str
    joined_at: dt.datetime
    offered_at: dt.datetime | None
    offer_expires_at: dt.datetime | None
    registration: int | None


class ExportIdempotencyRecord(Schema):
    key: str
    created_at: dt.datetime
    status_code: int
    answer: dict[str, Any] = Field(
        ..., description="the answer as stored, its manage token and ticket secrets withheld"
    )


class ExportSessionRef(Schema):
    session: int
    title: Names


class ExportReservation(ExportSessionRef):
    status: str = Field(..., description="confirmed, or waitlisted")
    forced: bool = Field(..., description="made despite an overlap in the agenda")
    created_at: dt.datetime
    confirmed_at: dt.datetime | None


class ExportFavourite(ExportSessionRef):
    created_at: dt.datetime


class ExportAttendance(ExportSessionRef):
    ticket: int
    checked_in_at: dt.datetime


class ExportProgramme(Schema):
    reservations: list[ExportReservation]
    favourites: list[ExportFavourite]
    attendance: list[ExportAttendance]
    agenda_feed: bool = Field(
        ..., description="whether an agenda feed address exists (its secret is withheld)"
    )


class ExportDismissal(Schema):
    exhibitor: int
    exhibitor_name: Names
    by: str = Field(..., description="who said “No thanks”: visitor, or exhibitor")
    created_at: dt.datetime


class ExportBoothVisit(Schema):
    ticket: int
    zone: str
    day: str
    at: dt.datetime = Field(..., description="the first badge read of the day at that booth")


class ExportRecommendations(Schema):
    dismissals: list[ExportDismissal]
    booth_visits: list[ExportBoothVisit]


class ExportLead(Schema):
    exhibitor: ExportExhibitor
    serial: int
    captured_at: dt.datetime
    withdrawn_at: dt.datetime | None
    exhibitor_sees: list[str] = Field(
        ..., description="the fields of the person that exhibitor may see now (docs/leads.md)"
    )


class ExportParticipant(Schema):
    open: bool = Field(..., description="opted in to business meetings")
    cap: int | None
    no_shows: int
    created_at: dt.datetime


class ExportInterval(Schema):
    from_: dt.datetime = Field(..., alias="from")
    to: dt.datetime


class ExportMeetingRequest(Schema):
    id: int
    direction: str = Field(..., description="sent, or received")
    other: dict[str, int] = Field(
        ...,
        description='the other side, by its ref only: {"exhibitor": id} or {"registration": id}',
    )
    priority: str
    message: str
    status: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ExportMeeting(Schema):
    request: int
    session: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    table: int | None
    booth: str | None
    checked_in_at: dt.datetime | None


class ExportMeetings(Schema):
    participant: ExportParticipant | None = Field(
        ..., description="null: never took part in business meetings"
    )
    busy: list[ExportInterval]
    requests: list[ExportMeetingRequest]
    meetings: list[ExportMeeting]


class PersonalDataOut(Schema):
    format: str
    generated_at: dt.datetime
    registration: ExportRegistration
    tickets: list[ExportTicket]
    checkins: list[ExportCheckin]
    waiting_list: list[ExportWaitlistEntry]
    idempotency_records: list[ExportIdempotencyRecord]
    programme: ExportProgramme
    recommendations: ExportRecommendations
    leads: list[ExportLead] = Field(..., description="the exhibitors that captured the person")
    meetings: ExportMeetings = Field(..., description="business meetings (docs/meetings.md)")


class ErasedOut(Schema):
    id: int
    status: str
    erased_at: dt.datetime


def _actor(auth) -> str:
    return VISITOR if isinstance(auth, Registration) else actor_token(auth)


@router.get(
    "/expos/{expo}/registrations/{registration_id}/personal-data",
    auth=token_or_manage,
    response={200: PersonalDataOut, **ERRORS},
    by_alias=True,
    summary="Everything stored about the registration's person (its manage_token, or an "
    "organiser); logged in the audit log",
)
def get_personal_data(request, expo: str, registration_id: int):
    registration = registration_for(request.auth, expo=expo, pk=registration_id)
    return services.personal_data_export(
        registration=registration, actor=_actor(request.auth), via="api"
    )


@router.post(
    "/expos/{expo}/registrations/{registration_id}/erase",
    auth=token_or_manage,
    response={200: ErasedOut, **ERRORS},
    summary="Erase the person's data: an active registration is cancelled, name, email and ID "
    "are removed, the manage token stops working; counts and admissions stay (its "
    "manage_token, or an organiser; again: 200, nothing more)",
)
def erase_personal_data(request, expo: str, registration_id: int):
    registration = registration_for(request.auth, expo=expo, pk=registration_id)
    erased = services.personal_data_erase(
        registration=registration, actor=_actor(request.auth), via="api"
    ).registration
    return {"id": erased.pk, "status": erased.status, "erased_at": erased.erased_at}
