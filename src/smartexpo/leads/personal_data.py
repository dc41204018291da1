"""The leads' part of a person's data (`docs/personal-data.md`): which exhibitors captured
them, when, whether they withdrew, and what each may see of them now. The exhibitor's own
note, rating and tags are that exhibitor's business records and stay out of the export; the
erasure deletes the leads, notes included (`services.consent.registration_leads_erase`)."""

from __future__ import annotations

from typing import Any

from smartexpo.leads import selectors
from smartexpo.tickets.models import Registration


def registration_leads_data(*, registration: Registration) -> list[dict[str, Any]]:
    """Every lead of the registration (a selector)."""
    expo = registration.expo
    return [
        {
            "exhibitor": {"id": lead.exhibitor_id, "name": lead.exhibitor.names},
            "serial": lead.serial,
            "captured_at": lead.captured_at,
            "withdrawn_at": lead.withdrawn_at,
            "exhibitor_sees": sorted(selectors.visitor_fields(lead, expo)),
        }
        for lead in selectors.registration_leads(registration=registration)
    ]
