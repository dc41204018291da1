"""The matrix's rows of the deals in the admin (docs/deals-entry.md): deals entered and changed
(never deleted: a deal is cancelled), their status moved, their PDFs kept and downloaded, files
of deals imported; exchange rates; the log, the ledger's head and the keys read only."""

from __future__ import annotations

from tests.permissions.rows.admin import RECORD, admin_model
from tests.permissions.terms import ADMIN, Row, admin

DEAL = {"deal_id": "deals.deal"}

DEALS_ADMIN_ROWS = [
    *admin_model("deals", "deal", delete="403"),
    Row(ADMIN, "GET", "/admin/deals/deal/import/", admin("200"), note="a CSV or XLSX of deals"),
    Row(
        ADMIN,
        "GET",
        "/admin/deals/deal/{deal_id}/status/",
        admin("200"),
        params=DEAL,
        note="move the follow-up with dated evidence",
    ),
    Row(ADMIN, "GET", "/admin/deals/deal/{deal_id}/documents/add/", admin("200"), params=DEAL),
    Row(
        ADMIN,
        "GET",
        "/admin/deals/deal/{deal_id}/documents/{document_id}/",
        admin("200"),
        params={**DEAL, "document_id": "deals.document"},
        note="a document's PDF",
    ),
    # Added from a deal's page (through the service), never changed nor removed here.
    *admin_model("deals", "document", **RECORD),
    *admin_model("deals", "exchangerate"),
    # Written only by the services: the log is append-only, the head and the keys theirs.
    *admin_model("deals", "logentry", **RECORD),
    *admin_model("deals", "ledger", **RECORD),
    *admin_model("deals", "dealskey", **RECORD),
]
