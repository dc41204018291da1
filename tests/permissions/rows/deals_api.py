"""The matrix's rows of the deals API: the list, tally, keys, log and a deal are public; the
organiser alone enters, changes and follows up deals, and reads a deal's full record."""

from __future__ import annotations

from tests.permissions.terms import Row, W, api, everyone

DEALS = "API: deals"
D = "/api/v1/expos/{expo}/deals"
DEAL = {"deal_id": "deal"}

DEALS_API_ROWS = [
    Row(DEALS, "GET", D, everyone("200")),
    Row(DEALS, "GET", D + "/tally", everyone("200")),
    Row(DEALS, "GET", D + "/keys", everyone("200")),
    Row(DEALS, "GET", D + "/log", everyone("200")),
    Row(DEALS, "GET", D + "/{deal_id}", everyone("200"), params=DEAL),
    Row(
        DEALS,
        "POST",
        D,
        api("201", "organizer"),
        json={
            "title": {"en": "Permission test"},
            "sector": "information-technology",
            "kind": "licence",
            "amount": "1.00",
            "signed_on": "2019-08-27",
            "parties": [{"exhibitor": W("exhibitor_slug")}],
        },
    ),
    Row(DEALS, "GET", D + "/{deal_id}/record", api("200", "organizer"), params=DEAL),
    Row(
        DEALS,
        "PATCH",
        D + "/{deal_id}",
        api("200", "organizer"),
        params=DEAL,
        json={"summary": {"en": "Checked by the permission matrix"}},
    ),
    Row(
        DEALS,
        "POST",
        D + "/{deal_id}/status",
        api("200", "organizer"),
        params=DEAL,
        json={"status": "cancelled", "on": "2019-08-28", "evidence": "Permission test"},
    ),
]
