"""Reads of leads: who is capturing, what an exhibitor may see of a visitor, an exhibitor's
leads and a visitor's.

What an exhibitor sees of the visitor behind a lead is decided here, at every read, and
nowhere else: the fields of the registration's current `share` that the edition lets visitors
share (`Expo.lead_fields`), nothing once the visitor withdrew from that exhibitor or had their
data erased. The API, the exports, the pages and the admin all go through `visitor_fields`.
"""

from __future__ import annotations

import dataclasses

from django.db.models import QuerySet

from smartexpo.core.errors import SmartExpoError, not_found
from smartexpo.core.models import ApiToken, Role
from smartexpo.devices.models import Device
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.leads.models import Lead, LeadDevice
from smartexpo.tickets.identity import mask_name
from smartexpo.tickets.models import Registration
from smartexpo.tickets.selectors import shared_profile
from smartexpo.venue.models import Expo

# How many leads a `?q=` search reads, at most: it is matched in Python against what the
# exhibitor may see (never in SQL against every column, which would answer for unshared ones).
SEARCH_LIMIT = 20_000


@dataclasses.dataclass(frozen=True)
class Capturer:
    """Who is capturing or reading leads: an exhibitor, through its own token (`device` None)
    or one of its lead devices."""

    exhibitor: Exhibitor
    device: Device | None = None


# Ids past this are no lead or device (and past SQLite's integers): not found, never a 500.
MAX_ID = 2**53


def valid_id(pk) -> int:
    """`pk` as an id that may exist, or `ValueError`."""
    pk = int(pk)
    if not 1 <= pk < MAX_ID:
        raise ValueError(pk)
    return pk


_ONLY_EXHIBITORS = "Only an exhibitor's token or one of its lead devices may do this."


def capturer_for(token: ApiToken | None, *, expo: Expo, devices: bool = True) -> Capturer:
    """The exhibitor a request's API token acts for in this edition (`devices`: whether its
    lead devices are accepted too), or the refusal: 401 without a live token, 403 for a token
    of another role or edition, or a device that captures for no exhibitor."""
    if token is None:
        raise SmartExpoError("unauthenticated", "A valid bearer token is required.")
    if token.expo_id is not None and token.expo_id != expo.pk:
        raise SmartExpoError("forbidden", "This token belongs to another edition.")
    if token.role == Role.EXHIBITOR and token.exhibitor is not None:
        return Capturer(token.exhibitor)
    if token.role == Role.DEVICE and devices:
        binding = (
            LeadDevice.objects.select_related("exhibitor", "device")
            .filter(device__token=token, device__revoked_at__isnull=True)
            .first()
        )
        if binding is not None:
            return Capturer(binding.exhibitor, binding.device)
    if token.role == Role.DEVICE and not devices:
        raise SmartExpoError("forbidden", "Only the exhibitor's own token may do this.")
    raise SmartExpoError("forbidden", _ONLY_EXHIBITORS)


# --- what an exhibitor sees ------------------------------------------------------------------


def visitor_fields(lead: Lead, expo: Expo) -> dict[str, str]:
    """What the lead's exhibitor may see of the visitor now (empty ones left out): the
    registration's consent within the edition's (`tickets.selectors.shared_profile`), and
    nothing after a withdrawal or an erasure."""
    registration = lead.registration
    if lead.withdrawn_at is not None or registration.erased_at is not None:
        return {}
    shared = shared_profile(registration, lead_fields=expo.lead_fields)
    return {f: v for f, v in shared.items() if v}


def holder(lead: Lead) -> str | None:
    """The visitor's masked name ("L* W**", "张**"), which every lead shows unless the visitor
    withdrew or was erased: then None."""
    registration = lead.registration
    if lead.withdrawn_at is not None or registration.erased_at is not None:
        return None
    return mask_name(registration.name) or None


# --- an exhibitor's leads --------------------------------------------------------------------


def lead_list(
    *,
    exhibitor: Exhibitor,
    rating: int | None = None,
    tag: str | None = None,
    q: str | None = None,
    expo: Expo | None = None,
) -> QuerySet[Lead] | list[Lead]:
    """The exhibitor's leads in the order they were first captured; `rating`: exactly that
    rating; `tag`: carrying that tag (any case); `q`: words all found, in any case, in the
    serial, note, tags or what the exhibitor may see of the visitor (a list, then)."""
    qs = (
        Lead.objects.filter(exhibitor=exhibitor)
        .select_related("registration", "device")
        .order_by("id")
    )
    if rating is not None:
        qs = qs.filter(rating=rating)
    if tag:
        qs = qs.filter(tags_text__contains=f"|{tag.strip().lower()}|")
    words = (q or "").lower().split()
    if not words:
        return qs
    edition = expo or exhibitor.expo
    found = []
    for lead in qs[:SEARCH_LIMIT]:
        seen = visitor_fields(lead, edition).values()
        text = " ".join(
            [str(lead.serial), lead.note, " ".join(lead.tags), holder(lead) or "", *seen]
        ).lower()
        if all(w in text for w in words):
            found.append(lead)
    return found


def lead_get(*, exhibitor: Exhibitor, pk) -> Lead:
    """One of the exhibitor's leads; another exhibitor's lead does not exist for it (404)."""
    try:
        return (
            Lead.objects.select_related("registration", "device")
            .filter(exhibitor=exhibitor)
            .get(pk=valid_id(pk))
        )
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise not_found("lead") from None


def lead_devices(*, expo: Expo, exhibitor: Exhibitor | None = None) -> QuerySet[LeadDevice]:
    """The edition's lead devices (`exhibitor`: only its own), oldest first."""
    qs = LeadDevice.objects.filter(device__expo=expo).select_related(
        "device", "device__token", "exhibitor"
    )
    if exhibitor is not None:
        qs = qs.filter(exhibitor=exhibitor)
    return qs.order_by("id")


def lead_device_get(*, expo: Expo, pk, exhibitor: Exhibitor | None = None) -> LeadDevice:
    """One lead device by its device id (`exhibitor`: only among its own), or `not_found`."""
    try:
        return lead_devices(expo=expo, exhibitor=exhibitor).get(device_id=valid_id(pk))
    except (LeadDevice.DoesNotExist, ValueError, TypeError):
        raise not_found("device") from None


# --- a visitor's leads -----------------------------------------------------------------------


def registration_leads(*, registration: Registration) -> QuerySet[Lead]:
    """The leads of a registration, every exhibitor's, in the order they were captured."""
    return (
        Lead.objects.filter(registration=registration)
        .select_related("exhibitor", "registration")
        .order_by("captured_at", "id")
    )
