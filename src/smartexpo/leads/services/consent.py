"""A visitor's say over their leads: withdrawing their details from one exhibitor, and the
erasure of their leads with the rest of their personal data."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from smartexpo.core.errors import not_found
from smartexpo.leads.models import Lead
from smartexpo.leads.selectors import valid_id
from smartexpo.tickets.models import Registration

logger = logging.getLogger("smartexpo.leads")


@transaction.atomic
def lead_withdraw(*, registration: Registration, pk) -> Lead:
    """Withdraw the visitor's details from the exhibitor of one of their leads: from now on
    that exhibitor sees only the ticket serial and its own note, rating and tags, and scanning
    the visitor again does not bring the details back. Repeating it changes nothing; another
    registration's lead does not exist for this one (`not_found`)."""
    try:
        lead = Lead.objects.select_for_update().get(registration=registration, pk=valid_id(pk))
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise not_found("lead") from None
    if lead.withdrawn_at is None:
        lead.withdrawn_at = timezone.now()
        lead.save(update_fields=["withdrawn_at"])
        logger.info("lead %s withdrawn by its visitor", lead.pk)
    return lead


def registration_leads_erase(*, registration: Registration) -> int:
    """Delete every lead of the registration (its erasure, `privacy.services`): an exhibitor's
    note about a person is data about that person. Returns how many went."""
    deleted, _by_model = Lead.objects.filter(registration=registration).delete()
    return deleted
