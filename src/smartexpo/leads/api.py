"""The leads API (docs/api.md, "Exhibitor leads"): capture by an exhibitor's token or its lead
devices, the exhibitor's list and exports, the booth page's set-up, the exhibitor's lead
devices, and a visitor's view of who captured them, with withdrawal (manage token).

Creating a lead device is `POST …/devices` with `"exhibitor"` (`checkin.api`)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status

from smartexpo.core.api import Error, PageParams, bearer, paginate
from smartexpo.core.instants import Instant
from smartexpo.core.models import Role
from smartexpo.leads import exports, selectors
from smartexpo.leads.models import Lead
from smartexpo.leads.schemas import (
    LeadDevicePage,
    LeadIn,
    LeadOut,
    LeadPage,
    LeadPatch,
    LeadSetupOut,
    VisitorLeadPage,
)
from smartexpo.leads.services import capture, consent, devices
from smartexpo.tickets import selectors as ticket_selectors
from smartexpo.tickets.auth import registration_for, token_or_manage
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.clock import demo_clock_out
from smartexpo.venue.models import Expo

router = Router(tags=["Exhibitor leads"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
READS = {401: Error, 403: Error, 404: Error, 422: Error}


def _edition(expo: str) -> Expo:
    # Not the cached edition: a change of `lead_capture` or `lead_fields` applies at once.
    return venue_selectors.expo_get(slug=expo)


def exhibitor_ref(exhibitor) -> dict:
    return {"id": exhibitor.pk, "name": exhibitor.name_en, "names": exhibitor.names}


def lead_out(lead: Lead, expo: Expo) -> dict:
    """A lead as its exhibitor sees it: only the visitor's shared fields (`selectors`)."""
    device = lead.device
    return {
        "id": lead.pk,
        "serial": lead.serial,
        "holder": selectors.holder(lead),
        "visitor": selectors.visitor_fields(lead, expo),
        "note": lead.note,
        "rating": lead.rating,
        "tags": lead.tags,
        "captured_at": lead.captured_at,
        "updated_at": lead.updated_at,
        "device": {"id": device.pk, "name": device.name} if device else None,
        "withdrawn": lead.withdrawn,
    }


class LeadFilters(Schema):
    rating: int | None = None
    tag: str | None = None
    q: str | None = None


@router.post(
    "/expos/{expo}/leads",
    auth=bearer,
    response={200: LeadOut, 201: LeadOut, **ERRORS},
    summary="Capture a lead by scanning a visitor's ticket (exhibitor token or its lead device)",
    description="201 a new lead; 200 the one lead the exhibitor already has of this visitor, "
    "with the note, rating and tags given replacing its own. 422 `invalid`: the secret does "
    "not verify with the edition's keys; 409 `revoked`: a cancelled ticket; 409 "
    "`lead_capture_off`: the edition captures no leads.",
)
def create_lead(request, expo: str, payload: LeadIn):
    edition = _edition(expo)
    capturer = selectors.capturer_for(request.auth, expo=edition)
    fields = capture.clean_fields(note=payload.note, rating=payload.rating, tags=payload.tags)
    lead, created = capture.lead_capture(
        expo=edition,
        capturer=capturer,
        secret=payload.secret,
        fields=fields,
        captured_at=payload.captured_at,
    )
    return Status(201 if created else 200, lead_out(lead, edition))


@router.get(
    "/expos/{expo}/leads",
    auth=bearer,
    response={200: LeadPage, **READS},
    summary="The exhibitor's own leads, in capture order (paginated; `?rating=&tag=&q=`)",
    description="Exhibitor token or its lead device. `q` matches the serial, note, tags and "
    "only what the exhibitor may see of the visitor.",
)
def list_leads(request, expo: str, page: Query[PageParams], filters: Query[LeadFilters]):
    edition = _edition(expo)
    capturer = selectors.capturer_for(request.auth, expo=edition)
    leads = selectors.lead_list(exhibitor=capturer.exhibitor, expo=edition, **filters.dict())
    return paginate(leads, page, lambda lead: lead_out(lead, edition))


def _export(request, expo: str, filters: LeadFilters, kind: str) -> HttpResponse:
    edition = _edition(expo)
    capturer = selectors.capturer_for(request.auth, expo=edition, devices=False)
    leads = selectors.lead_list(exhibitor=capturer.exhibitor, expo=edition, **filters.dict())
    return exports.response(kind, leads, expo=edition, exhibitor=capturer.exhibitor)


def _file(media_type: str) -> dict:
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {200: {"description": "OK", "content": content}}}


@router.get(
    "/expos/{expo}/leads.csv",
    auth=bearer,
    response={200: None, **READS},
    summary="The exhibitor's leads as CSV: only the visitors' shared fields (exhibitor token)",
    openapi_extra=_file("text/csv"),
)
def leads_csv(request, expo: str, filters: Query[LeadFilters]):
    return _export(request, expo, filters, "csv")


@router.get(
    "/expos/{expo}/leads.xlsx",
    auth=bearer,
    response={200: None, **READS},
    summary="The exhibitor's leads as an Excel workbook: only shared fields (exhibitor token)",
    openapi_extra=_file(exports.XLSX),
)
def leads_xlsx(request, expo: str, filters: Query[LeadFilters]):
    return _export(request, expo, filters, "xlsx")


@router.get(
    "/expos/{expo}/leads.vcf",
    auth=bearer,
    response={200: None, **READS},
    summary="The exhibitor's leads as vCards, one per lead: only shared fields (exhibitor token)",
    openapi_extra=_file("text/vcard"),
)
def leads_vcf(request, expo: str, filters: Query[LeadFilters]):
    return _export(request, expo, filters, "vcf")


@router.get(
    "/expos/{expo}/leads/setup",
    auth=bearer,
    response={200: LeadSetupOut, **READS},
    summary="What a booth page needs to capture offline: keys, revoked serials, who it is",
    description="Exhibitor token or its lead device. `?since=` the last `generated_at`: only "
    "the serials revoked since then.",
)
def leads_setup(request, expo: str, since: Instant | None = None):
    edition = _edition(expo)
    capturer = selectors.capturer_for(request.auth, expo=edition)
    device = capturer.device
    return {
        "expo": edition.slug,
        "timezone": edition.timezone,
        "lead_capture": edition.lead_capture,
        "exhibitor": exhibitor_ref(capturer.exhibitor),
        "device": {"id": device.pk, "name": device.name} if device else None,
        **ticket_selectors.keys_package(expo=edition, since=since),
        "demo_clock": demo_clock_out(edition),
    }


@router.get(
    "/expos/{expo}/leads/{lead_id}",
    auth=bearer,
    response={200: LeadOut, **READS},
    summary="One of the exhibitor's leads (exhibitor token or its lead device)",
)
def get_lead(request, expo: str, lead_id: int):
    edition = _edition(expo)
    capturer = selectors.capturer_for(request.auth, expo=edition)
    return lead_out(selectors.lead_get(exhibitor=capturer.exhibitor, pk=lead_id), edition)


@router.patch(
    "/expos/{expo}/leads/{lead_id}",
    auth=bearer,
    response={200: LeadOut, **ERRORS},
    summary="Change a lead's note, rating or tags (the fields given)",
)
def patch_lead(request, expo: str, lead_id: int, payload: LeadPatch):
    edition = _edition(expo)
    capturer = selectors.capturer_for(request.auth, expo=edition)
    lead = selectors.lead_get(exhibitor=capturer.exhibitor, pk=lead_id)
    fields = capture.clean_fields(**payload.dict(exclude_unset=True))
    return lead_out(capture.lead_update(lead=lead, fields=fields), edition)


# --- lead devices ------------------------------------------------------------------------------


def lead_device_out(binding) -> dict:
    device = binding.device
    return {
        "id": device.pk,
        "name": device.name,
        "exhibitor": binding.exhibitor_id,
        "created_at": device.created_at,
        "last_contact": device.token.last_used_at,
        "revoked": device.revoked_at is not None,
    }


def _device_owner(request, edition: Expo):
    """The exhibitor whose lead devices the request may manage; None: an organiser's, all."""
    token = request.auth
    if token is not None and token.role == Role.ORGANIZER:
        return None
    return selectors.capturer_for(token, expo=edition, devices=False).exhibitor


@router.get(
    "/expos/{expo}/lead-devices",
    auth=bearer,
    response={200: LeadDevicePage, **READS},
    summary="Lead devices: an exhibitor's own (exhibitor token), or every one (organiser)",
)
def list_lead_devices(request, expo: str, page: Query[PageParams]):
    edition = _edition(expo)
    owner = _device_owner(request, edition)
    return paginate(selectors.lead_devices(expo=edition, exhibitor=owner), page, lead_device_out)


@router.delete(
    "/expos/{expo}/lead-devices/{device_id}",
    auth=bearer,
    response={204: None, **READS},
    summary="Revoke a lead device: its token is refused from then on (its leads stay)",
)
def delete_lead_device(request, expo: str, device_id: int):
    edition = _edition(expo)
    owner = _device_owner(request, edition)
    binding = selectors.lead_device_get(expo=edition, pk=device_id, exhibitor=owner)
    devices.lead_device_revoke(binding=binding)
    return Status(204, None)


# --- a visitor's view -----------------------------------------------------------------------


def visitor_lead_out(lead: Lead) -> dict:
    return {
        "id": lead.pk,
        "exhibitor": exhibitor_ref(lead.exhibitor),
        "captured_at": lead.captured_at,
        "withdrawn": lead.withdrawn,
        "sees": list(selectors.visitor_fields(lead, lead.expo)),
    }


@router.get(
    "/expos/{expo}/registrations/{registration_id}/leads",
    auth=token_or_manage,
    response={200: VisitorLeadPage, **READS},
    summary="Who captured this visitor, and what each exhibitor may see now (manage token)",
)
def registration_leads(request, expo: str, registration_id: int, page: Query[PageParams]):
    registration = registration_for(request.auth, expo=expo, pk=registration_id)
    leads = selectors.registration_leads(registration=registration)
    for lead in leads:
        lead.expo = registration.expo
    return paginate(list(leads), page, visitor_lead_out)


@router.delete(
    "/expos/{expo}/registrations/{registration_id}/leads/{lead_id}",
    auth=token_or_manage,
    response={204: None, **READS},
    summary="Withdraw the visitor's details from the exhibitor of this lead (manage token)",
)
def withdraw_lead(request, expo: str, registration_id: int, lead_id: int):
    registration = registration_for(request.auth, expo=expo, pk=registration_id)
    consent.lead_withdraw(registration=registration, pk=lead_id)
    return Status(204, None)
