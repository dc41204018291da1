"""API of restricted ticket types: invitation codes, requests to approve, exhibitor staff passes.

`docs/registration-access.md` describes the rules and the refusal codes.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from smartexpo.core.api import Error, Page, PageParams, bearer, paginate, request_body
from smartexpo.core.errors import invalid
from smartexpo.core.models import ApiToken, Role
from smartexpo.core.tokens import require_role
from smartexpo.exhibitors import selectors as exhibitor_selectors
from smartexpo.tickets import selectors
from smartexpo.tickets.api import RegistrationCreated, RegistrationOut, registration_out
from smartexpo.tickets.models import Invitation, PassGrant
from smartexpo.tickets.registration_body import registration_body
from smartexpo.tickets.schemas import StaffPassIn
from smartexpo.tickets.services import restricted
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Expo

router = Router(tags=["Restricted ticket types"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _organizer(request, expo: str) -> tuple[Expo, ApiToken]:
    edition = venue_selectors.expo_get(slug=expo)
    return edition, require_role(request.auth, Role.ORGANIZER, expo=edition)


# --- invitation codes ----------------------------------------------------------------------------


class InvitationsIn(Schema):
    ticket_type: str = Field(..., max_length=32, description="a ticket type by invitation")
    count: int = Field(1, ge=1, le=restricted.MAX_CODES, description="how many codes to make")
    uses: int = Field(1, ge=1, le=restricted.MAX_USES, description="registrations per code")
    label: str = Field("", max_length=200, description="whom they are for (not shown to them)")


class InvitationOut(Schema):
    code: str
    ticket_type: str
    uses_allowed: int
    uses: int
    label: str
    created_at: dt.datetime
    revoked: bool


class InvitationsOut(Schema):
    items: list[InvitationOut]


def invitation_out(invitation: Invitation) -> dict:
    return {
        "code": invitation.code,
        "ticket_type": invitation.ticket_type.code,
        "uses_allowed": invitation.uses_allowed,
        "uses": invitation.uses,
        "label": invitation.label,
        "created_at": invitation.created_at,
        "revoked": invitation.revoked_at is not None,
    }


@router.post(
    "/expos/{expo}/invitations",
    auth=bearer,
    response={201: InvitationsOut, **ERRORS},
    summary="Make invitation codes for a ticket type by invitation (organiser)",
)
def create_invitations(request, expo: str, payload: InvitationsIn):
    edition, _token = _organizer(request, expo)
    made = restricted.invitations_create(expo=edition, **payload.dict())
    return Status(201, {"items": [invitation_out(i) for i in made]})


@router.get(
    "/expos/{expo}/invitations",
    auth=bearer,
    response={200: Page[InvitationOut], **ERRORS},
    summary="The edition's invitation codes, with their uses (organiser; paginated)",
)
def list_invitations(request, expo: str, page: Query[PageParams], ticket_type: str | None = None):
    edition, _token = _organizer(request, expo)
    codes = restricted.invitation_list(expo=edition, ticket_type=ticket_type)
    return paginate(codes, page, invitation_out)


@router.post(
    "/expos/{expo}/invitations/{code}/revoke",
    auth=bearer,
    response={200: InvitationOut, **ERRORS},
    summary="Revoke an invitation code: no further registration with it (organiser)",
)
def revoke_invitation(request, expo: str, code: str):
    edition, _token = _organizer(request, expo)
    invitation = restricted.invitation_get(expo=edition, code=code)
    return invitation_out(restricted.invitation_revoke(invitation=invitation))


# --- requests awaiting approval --------------------------------------------------------------


@router.post(
    "/expos/{expo}/registrations/{registration_id}/approve",
    auth=bearer,
    response={200: RegistrationOut, **ERRORS},
    summary="Approve a request: its ticket is issued and its places taken now (organiser)",
)
def approve_request(request, expo: str, registration_id: int):
    return _decide(request, expo, registration_id, restricted.request_approve)


@router.post(
    "/expos/{expo}/registrations/{registration_id}/decline",
    auth=bearer,
    response={200: RegistrationOut, **ERRORS},
    summary="Decline a request awaiting approval (organiser)",
)
def decline_request(request, expo: str, registration_id: int):
    return _decide(request, expo, registration_id, restricted.request_decline)


def _decide(request, expo: str, registration_id: int, decide) -> dict:
    edition, token = _organizer(request, expo)
    registration = selectors.registration_get(expo=edition, pk=registration_id)
    decide(registration=registration, by=f"token {token.prefix}… ({token.name})")
    return registration_out(selectors.registration_get(expo=edition, pk=registration_id))


# --- exhibitor staff passes --------------------------------------------------------------------


class GrantIn(Schema):
    ticket_type: str = Field(..., max_length=32, description="a ticket type issued by exhibitors")
    passes: int = Field(..., ge=0, le=restricted.MAX_PASSES)


class GrantOut(Schema):
    exhibitor: int
    ticket_type: str
    passes: int
    used: int


def grant_out(grant: PassGrant) -> dict:
    return {
        "exhibitor": grant.exhibitor_id,
        "ticket_type": grant.ticket_type.code,
        "passes": grant.passes,
        "used": grant.used,
    }


@router.put(
    "/expos/{expo}/exhibitors/{exhibitor_id}/passes",
    auth=bearer,
    response={200: GrantOut, **ERRORS},
    summary="Grant an exhibitor a number of staff passes of a type (organiser)",
)
def set_grant(request, expo: str, exhibitor_id: int, payload: GrantIn):
    edition, _token = _organizer(request, expo)
    exhibitor = exhibitor_selectors.exhibitor_get(
        expo=edition, pk=exhibitor_id, include_unapproved=True
    )
    grant = restricted.pass_grant_set(exhibitor=exhibitor, **payload.dict())
    return grant_out(grant)


def _exhibitor(request, expo: str):
    edition = venue_selectors.expo_get(slug=expo)
    token = require_role(request.auth, Role.EXHIBITOR, expo=edition)
    return token.exhibitor


class StaffPassesOut(Schema):
    grants: list[GrantOut]
    count: int
    items: list[RegistrationOut]


@router.get(
    "/expos/{expo}/exhibitor-passes",
    auth=bearer,
    response={200: StaffPassesOut, **ERRORS},
    summary="This exhibitor's grants and the staff passes it has issued (exhibitor; paginated)",
)
def list_staff_passes(request, expo: str, page: Query[PageParams]):
    exhibitor = _exhibitor(request, expo)
    grants = [grant_out(g) for g in restricted.pass_grants(exhibitor=exhibitor)]
    passes = paginate(restricted.staff_passes(exhibitor=exhibitor), page, registration_out)
    return {"grants": grants, **passes}


@router.post(
    "/expos/{expo}/exhibitor-passes",
    auth=bearer,
    response={201: RegistrationCreated, **ERRORS},
    summary="Issue a staff pass to one of this exhibitor's people, within its grant "
    "(exhibitor); the answer's manage_token and tickets are for that person",
    openapi_extra={"requestBody": request_body(StaffPassIn)},
)
def issue_staff_pass(request, expo: str):
    exhibitor = _exhibitor(request, expo)
    fields, ill_formed = registration_body(request.body, schema=StaffPassIn)
    if ill_formed:
        raise invalid(ill_formed)
    issued = restricted.staff_pass_issue(exhibitor=exhibitor, **fields)
    body = registration_out(issued.registration, issued.tickets, issued.secrets)
    return Status(201, {**body, "manage_token": issued.manage_token})


@router.post(
    "/expos/{expo}/exhibitor-passes/{registration_id}/cancel",
    auth=bearer,
    response={200: RegistrationOut, **ERRORS},
    summary="Cancel a staff pass: its ticket is revoked and the pass returns to the grant "
    "(exhibitor)",
)
def cancel_staff_pass(request, expo: str, registration_id: int):
    exhibitor = _exhibitor(request, expo)
    registration = restricted.staff_pass_get(exhibitor=exhibitor, pk=registration_id)
    registration_cancel(registration=registration)
    return registration_out(selectors.registration_get(expo=registration.expo, pk=registration.pk))
