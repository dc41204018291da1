"""Reading a deal's documents (organisers only: the callers check who asks)."""

from __future__ import annotations

from smartexpo.core.errors import SmartExpoError
from smartexpo.deals.models import Deal, Document
from smartexpo.venue.models import Expo

ID_LIMIT = 2**53


def deal_documents(*, expo: Expo, deal_id: int) -> list[Document]:
    """The documents of a deal of `expo`, oldest first, without their content; `not_found`
    when the edition has no such deal."""
    if not 0 < deal_id < ID_LIMIT or not Deal.objects.filter(expo=expo, pk=deal_id).exists():
        raise SmartExpoError("not_found", "No such deal.")
    return list(Document.objects.filter(deal_id=deal_id).defer("data").order_by("id"))


def deal_document(*, deal_id: int, document_id: int, expo: Expo | None = None) -> Document:
    """One document of a deal (of `expo` when given), with its content; `not_found` else."""
    found = None
    if 0 < deal_id < ID_LIMIT and 0 < document_id < ID_LIMIT:
        rows = Document.objects.filter(deal_id=deal_id, pk=document_id)
        if expo is not None:
            rows = rows.filter(deal__expo=expo)
        found = rows.first()
    if found is None:
        raise SmartExpoError("not_found", "No such document of this deal.")
    return found
