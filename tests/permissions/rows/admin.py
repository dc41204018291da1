"""The matrix's rows of the admin (`/admin/…`)."""

from __future__ import annotations

from tests.permissions.terms import (
    ADMIN,
    Row,
    W,
    admin,
    everyone,
)


def admin_model(
    app: str,
    model: str,
    *,
    add: str = "200",
    delete: str = "200",
    staff: str = "403",
) -> list[Row]:
    """The six addresses the admin gives every model (an object's address redirects to its
    change page); `staff` is what a staff account without permissions gets."""
    base = f"/admin/{app}/{model}/"
    obj = {"object_id": f"{app}.{model}"}
    return [
        Row(ADMIN, "GET", base, admin("200", staff)),
        Row(ADMIN, "GET", base + "add/", admin(add)),
        Row(ADMIN, "GET", base + "{object_id}/history/", admin("200", staff), params=obj),
        Row(ADMIN, "GET", base + "{object_id}/delete/", admin(delete), params=obj),
        Row(ADMIN, "GET", base + "{object_id}/change/", admin("200", staff), params=obj),
        Row(ADMIN, "GET", base + "{object_id}/", admin("302", "302"), params=obj),
    ]


# Made only by services (registrations, tickets, keys, the check-in log, sensor data): the
# admin offers no add form, and no delete for what must stay a record (a device is revoked,
# not deleted: its scans stay in the log).
SERVICE_MADE = {"add": "403"}
RECORD = {"add": "403", "delete": "403"}

ADMIN_ROWS = [
    Row(ADMIN, "GET", "/admin/", admin("200", "200")),
    Row(ADMIN, "GET", "/admin/login/", {**everyone("200"), "admin": "302", "staff": "302"}),
    Row(
        ADMIN,
        "POST",
        "/admin/logout/",
        {**everyone("index"), "admin": "200", "staff": "200"},
        form={},
        note="Django's admin sends anyone but staff from its logout to its index, logged in or not",
    ),
    Row(ADMIN, "GET", "/admin/password_change/", admin("200", "200")),
    Row(ADMIN, "GET", "/admin/password_change/done/", admin("200", "200")),
    Row(
        ADMIN,
        "GET",
        "/admin/autocomplete/",
        admin("200"),
        query={"app_label": "venue", "model_name": "booth", "field_name": "hall"},
        note="a booth's hall: Django answers for any relation to a model whose admin can be "
        "searched, to those who may view that model",
    ),
    Row(ADMIN, "GET", "/admin/jsi18n/", admin("200", "200")),
    Row(
        ADMIN,
        "GET",
        "/admin/r/{content_type_id}/{object_id}/",
        admin("404", "404"),
        params={"content_type_id": "expo_content_type", "object_id": "venue.expo"},
        note="no model has a public address to send to",
    ),
    Row(
        ADMIN, "GET", "/admin/{app_label}/", admin("200", "404"), params={"app_label": "admin_app"}
    ),
    Row(
        ADMIN,
        "GET",
        "/admin/{url}",
        admin("404", "404"),
        params={"url": "admin_missing"},
        note="any other address under /admin/",
    ),
    *admin_model("auth", "group"),
    *admin_model("auth", "user"),
    Row(
        ADMIN,
        "GET",
        "/admin/auth/user/{id}/password/",
        admin("200"),
        params={"id": "auth.user"},
    ),
    *admin_model("core", "apitoken"),
    # Written by the services only, and never edited or removed: read it, nothing else.
    *admin_model("core", "auditentry", **RECORD),
    *admin_model("venue", "expo"),
    *admin_model("venue", "hall"),
    *admin_model("venue", "forumroom"),
    *admin_model("venue", "zone"),
    *admin_model("venue", "gate"),
    *admin_model("venue", "booth"),
    *admin_model("exhibitors", "sector"),
    *admin_model("exhibitors", "tag"),
    *admin_model("exhibitors", "exhibitor"),
    *admin_model("exhibitors", "boothassignment"),
    # People join a portal by invitation only: listed, withdrawn or removed here, never added.
    *admin_model("exhibitors", "exhibitorinvitation", **SERVICE_MADE),
    *admin_model("exhibitors", "exhibitormember", **SERVICE_MADE),
    Row(
        ADMIN,
        "GET",
        "/admin/exhibitors/exhibitor/{object_id}/invite/",
        admin("200"),
        params={"object_id": "exhibitors.exhibitor"},
        note="invite a person into the exhibitor's portal",
    ),
    *admin_model("tickets", "tickettype"),
    *admin_model("tickets", "registration", **SERVICE_MADE),
    Row(ADMIN, "GET", "/admin/tickets/registration/import/", admin("200")),
    # The list's actions on personal data: a JSON download; erasure after a confirmation page.
    Row(
        ADMIN,
        "POST",
        "/admin/tickets/registration/",
        admin("200"),
        form={"action": "export_personal_data", "_selected_action": W("registration")},
        variant="action: export personal data",
    ),
    Row(
        ADMIN,
        "POST",
        "/admin/tickets/registration/",
        admin("200"),
        form={"action": "erase_personal_data", "_selected_action": W("registration")},
        variant="action: erase personal data, the confirmation page",
    ),
    Row(
        ADMIN,
        "POST",
        "/admin/tickets/registration/",
        admin("302"),
        form={
            "action": "erase_personal_data",
            "_selected_action": W("registration"),
            "post": "yes",
        },
        variant="action: erase personal data, confirmed",
    ),
    *admin_model("tickets", "ticket", **SERVICE_MADE),
    *admin_model("tickets", "signingkey", **SERVICE_MADE),
    *admin_model("tickets", "waitlistentry", **SERVICE_MADE),
    *admin_model("tickets", "invitation", **SERVICE_MADE),
    Row(ADMIN, "GET", "/admin/tickets/invitation/make/", admin("200")),
    *admin_model("tickets", "passgrant"),
    *admin_model("devices", "device", delete="403"),
    *admin_model("checkin", "scan", **RECORD),
    Row(ADMIN, "GET", "/admin/checkin/scan/entries/", admin("200")),
    *admin_model("crowd", "sensorevent", **RECORD),
    # Every staff account may see and acknowledge alerts, as on the live page.
    *admin_model("crowd", "crowdalert", **RECORD, staff="200"),
    *admin_model("crowd", "zoneday", **RECORD),
    *admin_model("programme", "forum"),
    *admin_model("programme", "speaker"),
    Row(
        ADMIN,
        "GET",
        "/admin/programme/speaker/{object_id}/photo/",
        admin("200"),
        params={"object_id": "programme.speaker"},
        note="the speaker's photo, for the admin's thumbnails",
    ),
    *admin_model("programme", "session"),
    Row(
        ADMIN,
        "GET",
        "/admin/programme/session/grid/",
        admin("200"),
        query={"expo": W("venue.expo"), "room": "R1"},
        note="the week grid of a forum room",
    ),
    # A release is what the public was shown: published from its own page, never edited.
    *admin_model("programme", "release", **RECORD),
    Row(
        ADMIN,
        "GET",
        "/admin/programme/release/publish/",
        admin("200"),
        query={"expo": W("venue.expo")},
        note="publishing needs its own permission (`programme.publish_release`), not the "
        "right to edit sessions",
    ),
    # Made by visitors; an organiser cancels one (its delete, through `reservation_cancel`).
    *admin_model("programme", "reservation", **SERVICE_MADE),
]
