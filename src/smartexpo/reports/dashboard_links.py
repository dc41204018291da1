"""Where each of the dashboard's figures comes from: the page, admin changelist or API endpoint
that shows the same figure, so an organiser can follow any number to its source."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from smartexpo.crowd import live
from smartexpo.venue.models import Expo


def _api(expo: Expo, tail: str) -> str:
    # The API has no language prefix.
    return f"/api/v1/expos/{expo.slug}/{tail}"


def _admin(name: str, **query) -> str:
    url = reverse(f"admin:{name}")
    return f"{url}?{urlencode(query)}" if query else url


def links(expo: Expo, payload: dict) -> dict[str, str]:
    """The sources' addresses, in the request's language where a page has one."""
    day = payload["admissions"]["day"]
    return {
        # Registrations: the ticket types with their quotas, and the tickets issued.
        "ticket_types_admin": _admin("tickets_tickettype_changelist", expo__id__exact=expo.pk),
        "tickets_admin": _admin("tickets_ticket_changelist", expo__id__exact=expo.pk),
        "ticket_types_api": _api(expo, "ticket-types"),
        # Bookings: the attendance forecast reads the same bookings by day.
        "planning": reverse("planning:lanes", kwargs={"expo": expo.slug}),
        "forecast_api": _api(expo, "planning/forecast"),
        "previous_ticket_types_admin": (
            _admin("tickets_tickettype_changelist", expo__id__exact=expo.previous_id)
            if expo.previous_id
            else None
        ),
        # Admissions: the control room's table of entries and the check-in log.
        "entries_admin": _admin("checkin_scan_entries", expo=expo.pk, day=day),
        "scans_admin": _admin("checkin_scan_changelist", expo__id__exact=expo.pk),
        # Waits: the gates' queue zones and their measured waits.
        "gates_admin": _admin("venue_gate_changelist", expo__id__exact=expo.pk),
        "waits_api": _api(expo, "gates/waits?" + urlencode({"day": day, "at": payload["at"]})),
        # Halls and alerts: the live venue page and the crowd API.
        "live": live.page_url(expo=expo),
        "occupancy_api": _api(expo, "venue/occupancy"),
        "alerts_admin": _admin("crowd_crowdalert_changelist", expo__id__exact=expo.pk),
        "alerts_api": _api(expo, "venue/alerts"),
        "predicted_api": _api(expo, "venue/alerts/predicted"),
        # Forums, meetings, leads: their admin changelists (attendance per session in the API).
        "sessions_admin": _admin("programme_session_changelist", expo__id__exact=expo.pk),
        "reservations_admin": _admin(
            "programme_reservation_changelist", session__expo__id__exact=expo.pk
        ),
        "meetings_admin": _admin("meetings_meeting_changelist", session__expo__id__exact=expo.pk),
        "leads_admin": _admin("leads_lead_changelist", expo__id__exact=expo.pk),
        # Deals: the public tally page, the organisers' list and the signed tally's API.
        "deals_tally": reverse("deals:tally", kwargs={"expo": expo.slug}),
        "deals_list": reverse("deals:list", kwargs={"expo": expo.slug}),
        "deals_admin": _admin("deals_deal_changelist", expo__id__exact=expo.pk),
        "deals_api": _api(expo, "deals/tally"),
    }
