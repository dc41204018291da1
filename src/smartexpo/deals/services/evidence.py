"""A move of a deal's follow-up with a new PDF as its evidence: the document is kept and named
by the move in one transaction, so that a refused move keeps no document."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from smartexpo.deals.models import Deal
from smartexpo.deals.services.deals import deal_status_set, document_add
from smartexpo.venue.models import Expo


@transaction.atomic
def deal_status_with_document_set(
    *,
    expo: Expo,
    deal_id: int,
    status: str,
    on: Any,
    evidence: str,
    document_id: int | None = None,
    file_name: str | None = None,
    file_data: bytes | None = None,
) -> Deal:
    """Move the follow-up (`deal_status_set`) naming one of the deal's documents, or a new PDF
    (`file_name`, `file_data`) kept first with `document_add`. Raises as those do."""
    if file_data is not None:
        document_id = document_add(
            expo=expo, deal_id=deal_id, name=file_name or "", data=file_data
        ).pk
    return deal_status_set(
        expo=expo,
        deal_id=deal_id,
        status=status,
        on=on,
        evidence=evidence,
        document_id=document_id,
    )
