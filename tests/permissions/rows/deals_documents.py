"""The matrix's rows of a deal's documents (docs/deals-entry.md): PDFs kept for the
organisers, uploaded, listed and downloaded with an organiser's token only."""

from __future__ import annotations

from tests.permissions.terms import Row, api

DEAL_DOCUMENTS = "API: deals, documents"
A = "/api/v1/expos/{expo}"
DEAL = {"deal_id": "entry_deal"}
DOCUMENT = {"deal_id": "entry_deal", "document_id": "entry_document"}
PDF = b"%PDF-1.4\n%%EOF\n"


class PdfUpload:
    """A PDF for the matrix's multipart form: read afresh by every cell that sends it."""

    name = "contract.pdf"
    content_type = "application/pdf"

    def read(self, *args) -> bytes:
        return PDF


DEALS_DOCUMENTS_ROWS = [
    Row(
        DEAL_DOCUMENTS,
        "POST",
        A + "/deals/{deal_id}/documents",
        api("201", "organizer"),
        params=DEAL,
        form={"file": PdfUpload()},
        note="a multipart upload of one PDF",
    ),
    Row(
        DEAL_DOCUMENTS,
        "GET",
        A + "/deals/{deal_id}/documents",
        api("200", "organizer"),
        params=DEAL,
    ),
    Row(
        DEAL_DOCUMENTS,
        "GET",
        A + "/deals/{deal_id}/documents/{document_id}",
        api("200", "organizer"),
        params=DOCUMENT,
        note="the PDF itself",
    ),
]
