"""The documents of a deal (contracts, registration certificates): PDFs kept for the
organisers, never public (docs/deals-entry.md). Its own router, registered in
`smartexpo.urls` beside the deals API."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.http import HttpResponse
from ninja import Field, File, Router, Schema, UploadedFile
from ninja.responses import Status

from smartexpo.core.api import Error, bearer
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.deals import documents
from smartexpo.deals.models import DOCUMENT_MAX_BYTES, Document
from smartexpo.deals.services.deals import document_add
from smartexpo.venue import selectors as venue_selectors

router = Router(tags=["Deals"])

ERRORS = {401: Error, 403: Error, 404: Error, 409: Error, 413: Error, 422: Error}


class DocumentOut(Schema):
    id: int
    deal: int = Field(..., description="the deal's id")
    name: str = Field(..., description="the file name as uploaded (slashes replaced)")
    size: int = Field(..., description="bytes")
    sha256: str = Field(..., description="SHA-256 hex of the file")
    uploaded_at: dt.datetime


class DocumentList(Schema):
    count: int
    items: list[DocumentOut]


def document_out(document: Document) -> dict:
    return {
        "id": document.pk,
        "deal": document.deal_id,
        "name": document.name,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_at": document.uploaded_at,
    }


def _organiser(request, expo: str):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    return edition


@router.post(
    "/expos/{expo}/deals/{deal_id}/documents",
    auth=bearer,
    response={201: DocumentOut, **ERRORS},
    summary="Keep a PDF with a deal",
    description="Organiser. A `multipart/form-data` body with one file in the field `file`: a "
    f"PDF (it starts with `%PDF-`) of at most {DOCUMENT_MAX_BYTES // (1024 * 1024)} MB and "
    "within the request limit of 8 MiB. 422 `invalid` at `file`: not a PDF; 413 `too_large`. "
    "Documents are never public and add no entry to the deals' log.",
)
def deal_document_add(request, expo: str, deal_id: int, file: File[UploadedFile]):
    edition = _organiser(request, expo)
    data = file.read(DOCUMENT_MAX_BYTES + 1)
    document = document_add(expo=edition, deal_id=deal_id, name=file.name or "", data=data)
    return Status(201, document_out(document))


@router.get(
    "/expos/{expo}/deals/{deal_id}/documents",
    auth=bearer,
    response={200: DocumentList, **ERRORS},
    summary="The documents of a deal",
    description="Organiser. Every document of the deal, oldest first, without its content.",
)
def deal_documents_list(request, expo: str, deal_id: int):
    found = documents.deal_documents(expo=_organiser(request, expo), deal_id=deal_id)
    return {"count": len(found), "items": [document_out(d) for d in found]}


@router.get(
    "/expos/{expo}/deals/{deal_id}/documents/{document_id}",
    auth=bearer,
    response={200: None, **ERRORS},
    summary="One document of a deal, the PDF itself",
    description="Organiser. Answers `application/pdf` as an attachment.",
)
def deal_document_get(request, expo: str, deal_id: int, document_id: int):
    edition = _organiser(request, expo)
    return document_response(
        documents.deal_document(expo=edition, deal_id=deal_id, document_id=document_id)
    )


def document_response(document: Document) -> HttpResponse:
    """The PDF as a download: never cached by shared caches, never sniffed as anything else."""
    response = HttpResponse(bytes(document.data), content_type="application/pdf")
    plain = document.name.replace('"', "").encode("ascii", "replace").decode()
    response["Content-Disposition"] = (
        f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(document.name)}"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
