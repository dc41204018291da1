"""The matrix's rows of the API (`/api/v1/…`): catalogue, exhibitors, registration and tickets,
personal data, restricted ticket types, check-in and devices, venue, and its documentation."""

from __future__ import annotations

from tests.permissions.terms import (
    API_DOCS,
    CATALOGUE,
    CHECKIN,
    EXHIBITORS,
    PERSONAL_DATA,
    RESTRICTED,
    TICKETS,
    VENUE,
    Row,
    W,
    api,
    everyone,
    holder_or_organizer,
)

A = "/api/v1/expos/{expo}"
ON_THE_26TH = "2019-08-26T10:00:00+08:00"
SCAN = {
    "secret": W("secret"),
    "gate": "G1",
    "direction": "in",
    "nonce": "matrix-1",
    "scanned_at": ON_THE_26TH,
}

API_ROWS = [
    # editions and catalogue: public
    Row(CATALOGUE, "GET", "/api/v1/expos", everyone("200")),
    Row(CATALOGUE, "GET", A, everyone("200")),
    Row(
        CATALOGUE,
        "PATCH",
        A,
        api("200", "organizer"),
        json={"sales_closes_at": "2099-12-31T00:00:00+00:00"},
    ),
    Row(CATALOGUE, "GET", A + "/halls", everyone("200")),
    Row(CATALOGUE, "GET", A + "/halls/{code}/booths", everyone("200"), params={"code": "hall"}),
    Row(CATALOGUE, "GET", A + "/zones", everyone("200")),
    Row(CATALOGUE, "GET", A + "/gates", everyone("200")),
    Row(CATALOGUE, "GET", "/api/v1/sectors", everyone("200")),
    Row(CATALOGUE, "GET", "/api/v1/tags", everyone("200")),
    Row(CATALOGUE, "GET", A + "/ticket-types", everyone("200")),
    # exhibitors
    Row(EXHIBITORS, "GET", A + "/exhibitors", everyone("200")),
    Row(
        EXHIBITORS,
        "GET",
        A + "/exhibitors/{exhibitor_id}",
        everyone("200"),
        params={"exhibitor_id": "exhibitor"},
    ),
    Row(
        EXHIBITORS,
        "POST",
        A + "/exhibitors/{exhibitor_id}/status",
        api("200", "organizer"),
        params={"exhibitor_id": "pending_exhibitor"},
        json={"status": "approved"},
    ),
    Row(
        EXHIBITORS,
        "PUT",
        A + "/booths/{code}/assignment",
        api("200", "organizer"),
        params={"code": "free_booth"},
        json={"exhibitor": W("exhibitor")},
    ),
    Row(
        EXHIBITORS,
        "DELETE",
        A + "/booths/{code}/assignment",
        api("204", "organizer"),
        params={"code": "taken_booth"},
    ),
    Row(EXHIBITORS, "GET", A + "/exhibitor-profile", api("200", "exhibitor")),
    Row(
        EXHIBITORS,
        "PATCH",
        A + "/exhibitor-profile",
        api("200", "exhibitor"),
        json={"description_en": "Updated by the permission matrix."},
    ),
    # registration and tickets
    Row(
        TICKETS,
        "POST",
        A + "/ticket-types",
        api("201", "organizer"),
        json={
            "code": "vip",
            "name": {"en": "VIP pass", "zh": "贵宾票"},
            "days": ["2019-08-26"],
            "quota_per_day": 10,
        },
    ),
    Row(
        TICKETS,
        "PATCH",
        A + "/ticket-types/{code}",
        api("200", "organizer"),
        params={"code": "ticket_type"},
        json={"sales_closes_at": "2099-12-31T00:00:00+00:00"},
    ),
    Row(
        TICKETS,
        "POST",
        A + "/registrations",
        everyone("201"),
        json={
            "ticket_type": "day",
            "days": ["2019-08-27"],
            "name": "Wang Fang",
            "email": "wang.fang@example.cn",
        },
        hot=True,
    ),
    Row(
        TICKETS,
        "POST",
        A + "/registrations/import",
        api("200", "organizer"),
        csv="ticket_type,days,name,email\nday,2019-08-27,Chen Jie,chen.jie@example.cn\n",
    ),
    Row(
        TICKETS,
        "POST",
        A + "/waitlist",
        everyone("201"),
        json={
            "ticket_type": "tiny",
            "day": "2019-08-28",
            "name": "Zhao Lei",
            "email": "zhao.lei@example.cn",
        },
        note="the day asked is sold out, as joining needs",
    ),
    Row(
        TICKETS,
        "GET",
        A + "/registrations/{registration_id}",
        holder_or_organizer("200"),
        params={"registration_id": "registration"},
    ),
    Row(
        TICKETS,
        "POST",
        A + "/registrations/{registration_id}/cancel",
        holder_or_organizer("200"),
        params={"registration_id": "registration"},
    ),
    Row(TICKETS, "GET", A + "/registrations", api("200", "organizer")),
    # personal data (docs/personal-data.md)
    Row(
        PERSONAL_DATA,
        "GET",
        A + "/registrations/{registration_id}/personal-data",
        holder_or_organizer("200"),
        params={"registration_id": "registration"},
    ),
    Row(
        PERSONAL_DATA,
        "POST",
        A + "/registrations/{registration_id}/erase",
        holder_or_organizer("200"),
        params={"registration_id": "registration"},
    ),
    # restricted ticket types (docs/registration-access.md)
    *(
        Row(
            RESTRICTED,
            "POST",
            A + "/registrations/{registration_id}/" + decision,
            api("200", "organizer"),
            params={"registration_id": "pending_request"},
        )
        for decision in ("approve", "decline")
    ),
    Row(
        RESTRICTED,
        "POST",
        A + "/invitations",
        api("201", "organizer"),
        json={"ticket_type": "gala", "count": 2},
    ),
    Row(RESTRICTED, "GET", A + "/invitations", api("200", "organizer")),
    Row(
        RESTRICTED,
        "POST",
        A + "/invitations/{code}/revoke",
        api("200", "organizer"),
        params={"code": "invitation_code"},
    ),
    Row(
        RESTRICTED,
        "PUT",
        A + "/exhibitors/{exhibitor_id}/passes",
        api("200", "organizer"),
        params={"exhibitor_id": "exhibitor"},
        json={"ticket_type": "crew", "passes": 6},
    ),
    Row(RESTRICTED, "GET", A + "/exhibitor-passes", api("200", "exhibitor")),
    Row(
        RESTRICTED,
        "POST",
        A + "/exhibitor-passes",
        api("201", "exhibitor"),
        json={"name": "Liu Yang", "email": "liu.yang@huawei.example"},
    ),
    Row(
        RESTRICTED,
        "POST",
        A + "/exhibitor-passes/{registration_id}/cancel",
        api("200", "exhibitor"),
        params={"registration_id": "staff_pass"},
    ),
    *(
        Row(TICKETS, "GET", A + "/tickets/{serial}/" + name, holder_or_organizer("200"))
        for name in ("qr.svg", "qr.png", "ticket.pdf")
    ),
    # check-in and devices
    Row(CHECKIN, "GET", A + "/checkin/keys", api("200", "organizer", "scanner", "sensor")),
    Row(
        CHECKIN,
        "POST",
        A + "/devices",
        api("201", "organizer"),
        json={"name": "Matrix scanner", "kind": "scanner", "gates": ["G1"]},
    ),
    Row(CHECKIN, "GET", A + "/devices", api("200", "organizer")),
    Row(
        CHECKIN,
        "DELETE",
        A + "/devices/{device_id}",
        api("204", "organizer"),
        params={"device_id": "spare_device"},
    ),
    Row(CHECKIN, "GET", A + "/checkin/setup", api("200", "scanner")),
    Row(
        CHECKIN,
        "GET",
        A + "/sessions/{id}/attendance",
        api("200", "organizer"),
        params={"id": "door_session"},
        note="what the room doors counted at a session of the programme",
    ),
    Row(CHECKIN, "POST", A + "/checkin/scans", api("200", "scanner"), json=SCAN, hot=True),
    Row(
        CHECKIN,
        "POST",
        A + "/checkin/sync",
        api("200", "scanner"),
        json={"scans": [SCAN]},
        hot=True,
    ),
    # venue sensors and intelligence
    Row(
        VENUE,
        "POST",
        A + "/venue/events",
        api("200", "sensor"),
        json={"events": [{"id": "matrix-1", "zone": "N1", "kind": "enter", "at": ON_THE_26TH}]},
    ),
    Row(
        VENUE,
        "GET",
        A + "/venue/occupancy",
        api("200", "organizer"),
        query={"at": ON_THE_26TH},
        hot=True,
    ),
    Row(
        VENUE, "GET", A + "/venue/occupancy/history", api("200", "organizer"), query={"zone": "N1"}
    ),
    Row(VENUE, "GET", A + "/venue/alerts", api("200", "organizer")),
    Row(
        VENUE,
        "POST",
        A + "/venue/alerts/{alert_id}/acknowledge",
        api("200", "organizer"),
        params={"alert_id": "alert"},
    ),
    Row(
        VENUE,
        "GET",
        A + "/venue/footfall",
        api("200", "organizer", "exhibitor"),
        query={"day": "2019-08-26"},
        note="an exhibitor sees its own booths only",
    ),
    # the API's documentation
    Row(API_DOCS, "GET", "/api/v1/openapi.json", everyone("200")),
    Row(API_DOCS, "GET", "/api/v1/docs", everyone("200")),
    Row(API_DOCS, "GET", "/api/v1/", everyone("404"), note="ninja's root: nothing to show"),
]
