"""The matrix's rows of exhibitor leads: the leads API (an exhibitor's token; its lead
devices, which no column holds, are asked in tests/leads), lead devices, a visitor's view and
withdrawal, the page "Who has my details", and the admin's read-only lists."""

from __future__ import annotations

from tests.permissions.rows.admin import RECORD, admin_model
from tests.permissions.terms import (
    CHECKIN,
    Row,
    W,
    api,
    everyone,
    holder_or_organizer,
)

LEADS = "API: exhibitor leads"
LEAD_PAGES = "Pages: who has my details"
A = "/api/v1/expos/{expo}"
LEAD = {"lead_id": "lead"}
MINE = {"registration_id": "registration"}

LEAD_ROWS = [
    Row(
        CHECKIN,
        "POST",
        A + "/devices",
        api("201", "organizer", "exhibitor"),
        json={"name": "Booth phone", "kind": "scanner", "exhibitor": W("exhibitor")},
        variant="a lead device of Huawei",
        note="an exhibitor's token makes its own lead devices only",
    ),
    Row(
        LEADS,
        "POST",
        A + "/leads",
        api("201", "exhibitor"),
        json={"secret": W("other_secret"), "rating": 4},
        note="an exhibitor's token or its lead device; a gate scanner captures nothing",
    ),
    Row(LEADS, "GET", A + "/leads", api("200", "exhibitor"), note="its own leads only"),
    *(
        Row(LEADS, "GET", A + "/leads." + kind, api("200", "exhibitor"), note="not its devices")
        for kind in ("csv", "xlsx", "vcf")
    ),
    Row(LEADS, "GET", A + "/leads/setup", api("200", "exhibitor")),
    Row(LEADS, "GET", A + "/leads/{lead_id}", api("200", "exhibitor"), params=LEAD),
    Row(
        LEADS,
        "PATCH",
        A + "/leads/{lead_id}",
        api("200", "exhibitor"),
        params=LEAD,
        json={"note": "Call back on Monday", "rating": 5},
    ),
    Row(
        LEADS,
        "GET",
        A + "/lead-devices",
        api("200", "organizer", "exhibitor"),
        note="an exhibitor sees its own",
    ),
    Row(
        LEADS,
        "DELETE",
        A + "/lead-devices/{device_id}",
        api("204", "organizer", "exhibitor"),
        params={"device_id": "lead_device"},
    ),
    Row(
        LEADS,
        "GET",
        A + "/registrations/{registration_id}/leads",
        holder_or_organizer("200"),
        params=MINE,
    ),
    Row(
        LEADS,
        "DELETE",
        A + "/registrations/{registration_id}/leads/{lead_id}",
        holder_or_organizer("204"),
        params={**MINE, **LEAD},
        note="the visitor withdraws their details from that exhibitor",
    ),
    Row(
        LEAD_PAGES,
        "GET",
        "/expos/{expo}/my/{token}/leads/",
        everyone("200"),
        params={"token": "manage_token"},
    ),
    Row(
        LEAD_PAGES,
        "POST",
        "/expos/{expo}/my/{token}/leads/",
        everyone("302"),
        params={"token": "manage_token"},
        form={"lead": W("lead")},
    ),
    # Exhibitors capture leads and visitors withdraw them: the admin only reads them.
    *admin_model("leads", "lead", **RECORD),
    *admin_model("leads", "leaddevice", **RECORD),
]
