"""Check-in at business meetings (docs/meetings-checkin.md): a side of the meeting or a table
scanner scans a ticket; the organiser creates the table scanners of a session.

Its own router (tag "Business meetings"), registered in `smartexpo.urls` beside the others."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema
from ninja.responses import Status

from smartexpo.core.api import Error, bearer
from smartexpo.core.instants import Instant
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.meetings.models import TABLES_MAX, Meeting
from smartexpo.meetings.services import checkins
from smartexpo.tickets.auth import token_or_manage
from smartexpo.venue import selectors as venue_selectors

router = Router(tags=["Business meetings"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class CheckinIn(Schema):
    secret: str = Field(..., max_length=200, description="the scanned ticket's secret (QR code)")
    at: Instant | None = Field(
        None, description="when it was scanned (default: now); not in the future"
    )


class CheckinOut(Schema):
    request: int = Field(..., description="the meeting's request id")
    session: str = Field(..., description="the meeting session's code")
    a: dict[str, int] = Field(..., description='{"exhibitor": id} or {"registration": id}')
    b: dict[str, int] = Field(..., description='{"exhibitor": id} or {"registration": id}')
    starts_at: dt.datetime
    ends_at: dt.datetime
    table: int | None = Field(..., description="the table number; null at a booth")
    booth: str | None = Field(..., description="the exhibitor's booth code for a booth meeting")
    a_checked_in: bool
    b_checked_in: bool
    a_checked_in_at: dt.datetime | None
    b_checked_in_at: dt.datetime | None


class MeetingDeviceIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    table: int | None = Field(
        None,
        ge=1,
        le=TABLES_MAX,
        description="the table it stands at (it checks in only that table's meetings); "
        "none: any meeting of the session (a desk at the area's entrance)",
    )


class MeetingDeviceCreated(Schema):
    id: int = Field(..., description="the device's id (revoke: DELETE /expos/{expo}/devices/{id})")
    token: str = Field(..., description="the device's token, shown only here")
    session: str
    table: int | None


def checkin_out(meeting: Meeting) -> dict:
    request = meeting.request
    return {
        "request": request.pk,
        "session": meeting.session.code,
        "a": _ref(request.low),
        "b": _ref(request.high),
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "table": meeting.table,
        "booth": meeting.booth.code if meeting.booth_id else None,
        "a_checked_in": meeting.a_checked_in_at is not None,
        "b_checked_in": meeting.b_checked_in_at is not None,
        "a_checked_in_at": meeting.a_checked_in_at,
        "b_checked_in_at": meeting.b_checked_in_at,
    }


def _ref(participant) -> dict[str, int]:
    return participant.ref


@router.post(
    "/expos/{expo}/meetings/checkin",
    auth=token_or_manage,
    response={200: CheckinOut, **ERRORS},
    summary="Check in at a business meeting by scanning a ticket",
    description="A side of the meeting scanning the other side's ticket (an exhibitor's token "
    "or its lead device; a visitor's manage token) checks in both sides of their meeting on "
    "now; a table scanner checks in the side whose ticket it scans (an exhibitor: a staff pass "
    "of it). 'On now': running at `at`, or starting within 10 minutes, or ended within 5. "
    "Repeats answer the same. 422 `invalid`: a secret that does not verify; 409 `revoked`: a "
    "cancelled ticket; 403 `forbidden`: a side's own ticket (or its staff pass); 409 "
    "`no_meeting_now`: no meeting of these two (of this participant at "
    "this scanner's session or table) is on now.",
)
def meeting_checkin(request, expo: str, payload: CheckinIn):
    edition = venue_selectors.expo_get(slug=expo)
    scanner = checkins.meeting_scanner_for(request.auth, expo=edition)
    meeting = checkins.meeting_checkin(
        expo=edition, scanner=scanner, secret=payload.secret, at=payload.at
    )
    return checkin_out(meeting)


@router.post(
    "/expos/{expo}/meetings/sessions/{code}/devices",
    auth=bearer,
    response={201: MeetingDeviceCreated, **ERRORS},
    summary="Create a table scanner of a meeting session; its token is shown only here",
    description="Organiser. The device serves no gate and checks in the meetings of this "
    "session (of its table, when given). It is listed and revoked with the other devices "
    "(`GET`/`DELETE /expos/{expo}/devices`).",
)
def meeting_device_create(request, expo: str, code: str, payload: MeetingDeviceIn):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    binding, raw = checkins.meeting_device_create(
        expo=edition, session_code=code, name=payload.name, table=payload.table
    )
    return Status(
        201, {"id": binding.device_id, "token": raw, "session": code, "table": binding.table}
    )
