"""Ticket types, registrations and the offline keys package (docs/api.md: Registration, secrets)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from smartexpo.core.api import Error, Names, Page, PageParams, bearer, paginate, request_body
from smartexpo.core.bodies import json_body
from smartexpo.core.errors import SmartExpoError, invalid, not_found
from smartexpo.core.hot_routes import fast_route
from smartexpo.core.instants import Instant
from smartexpo.core.models import Role
from smartexpo.core.ratelimit import registration_rate_limit
from smartexpo.core.responses import json_response
from smartexpo.core.stamps import stamp_read
from smartexpo.core.tokens import require_role
from smartexpo.tickets import documents, issuing, registration_clean, render, sales, selectors
from smartexpo.tickets.auth import registration_for, token_or_manage
from smartexpo.tickets.models import Access, Registration, RegistrationStatus, Ticket, TicketType
from smartexpo.tickets.registration_body import registration_body
from smartexpo.tickets.schemas import ProfilePatchIn, RegistrationIn
from smartexpo.tickets.services import cancellation, profile, ticket_types, waitlist
from smartexpo.tickets.services import registration as registering
from smartexpo.tickets.services.group_import import registrations_import_csv
from smartexpo.tickets.services.idempotency import run_idempotent
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Expo

router = Router(tags=["Registration and tickets"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
# Registering and joining a waiting list are limited per client address (API.md).
RATE_LIMITED = {**ERRORS, 429: Error}


def file_response(media_type: str) -> dict:
    """`openapi_extra` of an operation that answers a file: its media type, documented."""
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {200: {"content": content}}}


class TicketTypeIn(Schema):
    code: str = Field(..., max_length=32)
    name: Names
    days: list[dt.date] = Field(..., min_length=1, max_length=32)
    quota_per_day: int = Field(..., ge=0, le=ticket_types.MAX_QUOTA)
    zones: list[str] | None = Field(None, max_length=500)
    all_days: bool = False
    access: Literal[*Access.values] = Field(
        Access.OPEN,
        description="who may register: open to everyone (the default), invitation (with a "
        "code), approval (a request an organiser decides) or exhibitor (staff passes issued by "
        "exhibitors)",
    )
    sales_opens_at: Instant | None = Field(
        None, description="when registration for the type opens (null: as its edition)"
    )
    sales_closes_at: Instant | None = Field(
        None, description="when registration for the type closes (null: as its edition)"
    )


class TicketTypeSalesIn(Schema):
    """A partial change: a field left out keeps its value; null clears that end."""

    sales_opens_at: Instant | None = Field(
        None, description="when registration for the type opens; null: as its edition"
    )
    sales_closes_at: Instant | None = Field(
        None, description="when registration for the type closes; null: as its edition"
    )


class SalesWindowOut(Schema):
    opens_at: dt.datetime | None = Field(description="as set; null: as its edition")
    closes_at: dt.datetime | None = Field(description="as set; null: as its edition")


class TicketTypeOut(Schema):
    code: str
    name: Names
    days: list[str]
    zones: list[str]
    available: dict[str, int]
    all_days: bool
    access: str
    sales_opens_at: dt.datetime | None = Field(
        None,
        description="when registration for the type opens: its own opening or its edition's, "
        "the later (null: open from the start)",
    )
    sales_closes_at: dt.datetime | None = Field(
        None,
        description="when registration for the type closes: its own closing or its edition's "
        "(by default the end of the edition's last day), the earlier",
    )
    on_sale: bool = Field(
        True,
        description="whether registration is open now (outside the window a registration is "
        "refused with 409 sales_not_open or sales_closed)",
    )
    sales_window: SalesWindowOut = Field(
        ...,
        description="the type's own sales window as set (sales_opens_at and sales_closes_at "
        "are the effective one, combined with the edition's)",
    )


class TicketOut(Schema):
    serial: int
    days: list[str]
    secret: str
    status: str


class RegistrationOut(Schema):
    id: int
    status: str
    ticket_type: str
    name: str
    email: str
    id_type: str
    id_number: str
    requested_days: list[str] | None = Field(
        None, description="the days a request awaiting approval asks for (status pending)"
    )
    interests: list[str] = Field([], description="technology tag codes")
    phone: str = ""
    company: str = ""
    title: str = Field("", description="job title")
    sectors: list[str] = Field([], description="sector codes")
    intents: list[str] = Field([], description="why the visitor comes (buy, partner, …)")
    share: list[str] = Field(
        [], description="what an exhibitor who scans the ticket may see (empty: nothing)"
    )
    tickets: list[TicketOut]


class RegistrationCreated(RegistrationOut):
    manage_token: str


class KeyOut(Schema):
    kid: int
    alg: str
    public_key: str


class KeysOut(Schema):
    keys: list[KeyOut]
    revoked: list[int]
    generated_at: dt.datetime


def ticket_type_out(tt: TicketType, expo: Expo) -> dict:
    quotas = list(tt.quotas.all())
    sale = sales.ticket_type_sale_state(expo=expo, ticket_type=tt)
    return {
        "code": tt.code,
        "name": tt.names,
        "days": [q.day.isoformat() for q in quotas],
        "zones": sorted(z.code for z in tt.zones.all()),
        "available": {q.day.isoformat(): q.available for q in quotas},
        "all_days": tt.all_days,
        "access": tt.access,
        "sales_opens_at": sale.window.opens_at,
        "sales_closes_at": sale.window.closes_at,
        "on_sale": sale.on_sale,
        "sales_window": {"opens_at": tt.sales_open_at, "closes_at": tt.sales_close_at},
    }


def _registration_head(registration: Registration) -> dict:
    return {
        "id": registration.pk,
        "status": registration.status,
        "ticket_type": registration.ticket_type.code,
        "name": registration.name,
        "email": registration.email,
        "id_type": registration.id_type,
        "id_number": registration.id_masked,
        "requested_days": registration.requested_days,
        "interests": list(registration.interests or []),
        "phone": registration.phone,
        "company": registration.company,
        "title": registration.title,
        "sectors": list(registration.sectors or []),
        "intents": list(registration.intents or []),
        "share": list(registration.share or []),
    }


def registration_out(registration: Registration, tickets=None, secrets=None) -> dict:
    tickets = list(registration.tickets.all()) if tickets is None else tickets
    secrets = secrets or [issuing.ticket_secret(t) for t in tickets]
    return {
        **_registration_head(registration),
        "tickets": [
            {"serial": t.serial, "days": t.days, "secret": secret, "status": t.status}
            for t, secret in zip(tickets, secrets, strict=True)
        ],
    }


@router.get(
    "/expos/{expo}/ticket-types",
    response={200: Page[TicketTypeOut], 404: Error, 422: Error},
    summary="Ticket types with their days, zones and places left per day",
)
def list_ticket_types(request, expo: str, page: Query[PageParams]):
    edition = venue_selectors.expo_get(slug=expo)
    return paginate(
        selectors.ticket_type_list(expo=edition), page, lambda tt: ticket_type_out(tt, edition)
    )


@router.post(
    "/expos/{expo}/ticket-types",
    auth=bearer,
    response={201: TicketTypeOut, **ERRORS},
    summary="Create a ticket type with a quota per day (organiser)",
)
def create_ticket_type(request, expo: str, payload: TicketTypeIn):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    tt = ticket_types.ticket_type_create(
        expo=edition,
        code=payload.code,
        name_en=payload.name.en,
        name_zh=payload.name.zh,
        days=payload.days,
        quota_per_day=payload.quota_per_day,
        zones=payload.zones,
        all_days=payload.all_days,
        access=payload.access,
        sales_opens_at=payload.sales_opens_at,
        sales_closes_at=payload.sales_closes_at,
    )
    created = selectors.ticket_type_list(expo=edition).get(pk=tt.pk)
    return Status(201, ticket_type_out(created, edition))


@router.patch(
    "/expos/{expo}/ticket-types/{code}",
    auth=bearer,
    response={200: TicketTypeOut, **ERRORS},
    summary="Set when registration for a ticket type opens and closes (organiser)",
)
def update_ticket_type(request, expo: str, code: str, payload: TicketTypeSalesIn):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    sent = payload.dict(exclude_unset=True)
    tt = ticket_types.ticket_type_sales_window_set(
        expo=edition,
        code=code,
        opens_at=sent.get("sales_opens_at", ticket_types.KEEP),
        closes_at=sent.get("sales_closes_at", ticket_types.KEEP),
    )
    changed = selectors.ticket_type_list(expo=edition).get(pk=tt.pk)
    return ticket_type_out(changed, edition)


@router.post(
    "/expos/{expo}/registrations",
    response={201: RegistrationCreated, 202: RegistrationCreated, **RATE_LIMITED},
    summary="Register a visitor and issue a signed ticket (no token; honours Idempotency-Key); "
    "202: a request for a type by approval, with no ticket yet",
    openapi_extra={"requestBody": request_body(RegistrationIn)},
)
@fast_route  # production answers it as a hot route (core.hot_routes)
def create_registration(request: HttpRequest, expo: str) -> HttpResponse:
    return json_response(*registration_post(request, expo=expo))


def registration_post(request: HttpRequest, *, expo: str) -> tuple[int, dict]:
    """Register from an API request: rate limit, edition, body, Idempotency-Key, then the
    service. Returns (status, body); refusals are raised as `SmartExpoError`, except those
    stored under an idempotency key, which are answers like a 201."""
    registration_rate_limit(request)
    # One read of the catalogue stamp serves every cache the registration consults.
    version = stamp_read()
    edition = venue_selectors.expo_get_cached(slug=expo, version=version)
    fields, ill_formed = registration_body(request.body)
    if ill_formed:
        problems = registration_clean.registration_problems(expo=edition, version=version, **fields)
        raise invalid({**problems, **ill_formed})

    def handler() -> tuple[int, dict]:
        issued = registering.registration_create(expo=edition, version=version, **fields)
        body = registration_out(issued.registration, issued.tickets, issued.secrets)
        pending = issued.registration.status == RegistrationStatus.PENDING
        return 202 if pending else 201, {**body, "manage_token": issued.manage_token}

    key = request.headers.get("Idempotency-Key")
    if key is None:
        return handler()
    # The fingerprint is the JSON as sent (unknown fields included), read only when needed.
    return run_idempotent(expo=edition, key=key, body=json_body(request.body), handler=handler)


class RegistrationItem(Schema):
    id: int
    status: str
    ticket_type: str
    name: str
    email: str
    id_type: str
    id_number: str
    source: str
    created_at: dt.datetime
    requested_days: list[str] | None
    invitation: str | None = Field(None, description="the invitation code it was made with")
    exhibitor: int | None = Field(None, description="the exhibitor whose staff pass it is")


def registration_item(registration: Registration) -> dict:
    return {
        **_registration_head(registration),
        "source": registration.source,
        "created_at": registration.created_at,
        "invitation": registration.invitation.code if registration.invitation else None,
        "exhibitor": registration.exhibitor_id,
    }


@router.get(
    "/expos/{expo}/registrations",
    auth=bearer,
    response={200: Page[RegistrationItem], **ERRORS},
    summary="The edition's registrations, oldest first (organiser; `status=pending`: the "
    "requests awaiting approval; paginated)",
)
def list_registrations(
    request,
    expo: str,
    page: Query[PageParams],
    status: Literal[*RegistrationStatus.values] | None = None,
    ticket_type: str | None = None,
):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    found = selectors.registration_list(expo=edition, status=status, ticket_type=ticket_type)
    return paginate(found, page, registration_item)


class ImportErrorOut(Schema):
    line: int
    code: str
    message: str
    detail: dict


class ImportOut(Schema):
    created: int
    errors: list[ImportErrorOut]


@router.post(
    "/expos/{expo}/registrations/import",
    auth=bearer,
    response={200: ImportOut, **ERRORS},
    summary="Group registration: a UTF-8 CSV body (organiser); bad rows reported by line",
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
def import_registrations(request, expo: str):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    report = registrations_import_csv(expo=edition, data=request.body)
    return {"created": report.created, "errors": report.errors}


class WaitlistIn(Schema):
    ticket_type: str = Field(..., max_length=32)
    day: str = Field(..., max_length=10)
    name: str = Field(..., max_length=100)
    email: str = Field(..., max_length=254)
    language: str = Field("en", max_length=8)


class WaitlistOut(Schema):
    id: int
    ticket_type: str
    day: str
    status: str
    position: int


@router.post(
    "/expos/{expo}/waitlist",
    response={201: WaitlistOut, **RATE_LIMITED},
    summary="Join the waiting list of a sold-out day (409 not_sold_out while places remain)",
)
def join_waitlist(request, expo: str, payload: WaitlistIn):
    registration_rate_limit(request)
    edition = venue_selectors.expo_get(slug=expo)
    entry = waitlist.waitlist_join(expo=edition, **payload.dict())
    return Status(
        201,
        {
            "id": entry.pk,
            "ticket_type": entry.ticket_type.code,
            "day": entry.day.isoformat(),
            "status": entry.status,
            "position": waitlist.waitlist_position(entry),
        },
    )


def _registration_for(request, expo: str, registration_id: int) -> Registration:
    return registration_for(request.auth, expo=expo, pk=registration_id)


@router.get(
    "/expos/{expo}/registrations/{registration_id}",
    auth=token_or_manage,
    response={200: RegistrationOut, **ERRORS},
    summary="A registration and its tickets (its manage_token, or an organiser)",
)
def get_registration(request, expo: str, registration_id: int):
    return registration_out(_registration_for(request, expo, registration_id))


@router.patch(
    "/expos/{expo}/registrations/{registration_id}",
    auth=token_or_manage,
    response={200: RegistrationOut, **ERRORS},
    summary="Change the visitor's networking profile and what they share with exhibitors "
    "(its manage_token only); a field left out keeps its value",
)
def update_registration(request, expo: str, registration_id: int, payload: ProfilePatchIn):
    if not isinstance(request.auth, Registration):
        # The profile and its consent are the visitor's to give: no API token changes them.
        raise SmartExpoError(
            "forbidden", "Only the registration's own manage token may change its profile."
        )
    registration = _registration_for(request, expo, registration_id)
    profile.profile_update(
        registration=registration, changes=payload.model_dump(exclude_unset=True)
    )
    return registration_out(selectors.registration_get(expo=registration.expo, pk=registration.pk))


@router.post(
    "/expos/{expo}/registrations/{registration_id}/cancel",
    auth=token_or_manage,
    response={200: RegistrationOut, **ERRORS},
    summary="Cancel: tickets are revoked; each freed place goes to the day's waiting list, "
    "else back on sale",
)
def cancel_registration(request, expo: str, registration_id: int):
    registration = _registration_for(request, expo, registration_id)
    cancellation.registration_cancel(registration=registration)
    return registration_out(selectors.registration_get(expo=registration.expo, pk=registration.pk))


def _ticket_for(request, expo: str, serial: int) -> Ticket:
    edition = venue_selectors.expo_get(slug=expo)
    if not 1 <= serial < 2**53:
        raise SmartExpoError(
            "invalid", "Not a ticket serial.", {"fields": {"serial": "1 to 2^53-1."}}
        )
    ticket = selectors.ticket_get(expo=edition, serial=serial)
    auth = request.auth
    if isinstance(auth, Registration):
        if ticket is None or ticket.registration_id != auth.pk:
            raise not_found("ticket")
    else:
        require_role(auth, Role.ORGANIZER, expo=edition)
        if ticket is None:
            raise not_found("ticket")
    return ticket


def _entry_code_of(ticket: Ticket) -> Ticket:
    # A cancelled ticket's code would look like an entry code wherever it is shown: refused.
    if documents.ticket_is_void(ticket):
        raise SmartExpoError(
            "ticket_void",
            "This ticket is cancelled: it has no entry code.",
            {"serial": ticket.serial, "status": ticket.status},
        )
    return ticket


@router.get(
    "/expos/{expo}/tickets/{serial}/qr.svg",
    auth=token_or_manage,
    response={200: None, **ERRORS},
    summary="The ticket's QR code as SVG (its manage_token, or an organiser)",
    openapi_extra=file_response("image/svg+xml"),
)
def ticket_qr_svg(request, expo: str, serial: int):
    ticket = _entry_code_of(_ticket_for(request, expo, serial))
    return HttpResponse(render.qr_svg(issuing.ticket_secret(ticket)), content_type="image/svg+xml")


@router.get(
    "/expos/{expo}/tickets/{serial}/qr.png",
    auth=token_or_manage,
    response={200: None, **ERRORS},
    summary="The ticket's QR code as PNG",
    openapi_extra=file_response("image/png"),
)
def ticket_qr_png(request, expo: str, serial: int):
    ticket = _entry_code_of(_ticket_for(request, expo, serial))
    return HttpResponse(render.qr_png(issuing.ticket_secret(ticket)), content_type="image/png")


@router.get(
    "/expos/{expo}/tickets/{serial}/ticket.pdf",
    auth=token_or_manage,
    response={200: None, **ERRORS},
    summary="The bilingual PDF ticket",
    openapi_extra=file_response("application/pdf"),
)
def ticket_pdf(request, expo: str, serial: int):
    """The ticket as a bilingual A4 PDF."""
    ticket = _ticket_for(request, expo, serial)
    response = HttpResponse(documents.ticket_pdf(ticket), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ticket-{ticket.serial}.pdf"'
    return response


@router.get(
    "/expos/{expo}/checkin/keys",
    auth=bearer,
    response={200: KeysOut, **ERRORS},
    summary="Public keys and revoked serials for offline scanners (device or organiser); "
    "`?since=` the last package's generated_at for the revocations since then",
)
def checkin_keys(request, expo: str, since: Instant | None = None):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.DEVICE, Role.ORGANIZER, expo=edition)
    return selectors.keys_package(expo=edition, since=since)


__all__ = ["SmartExpoError", "router"]
