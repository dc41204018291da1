"""The matrix's rows of the exhibitor portal (`/portal/…`)."""

from __future__ import annotations

from tests.permissions.terms import (
    PAGES,
    PORTAL,
    Row,
    everyone,
    portal_page,
)

P = "/portal/{expo}/{exhibitor}"
HUAWEI = {"exhibitor": "exhibitor_slug"}
SIGNED_IN = {"admin": "302", "staff": "302", "user": "302"}
NEW_ACCOUNT = {
    "name": "Wang Fang",
    "password": "Lantern-Orbit-5917",
    "password2": "Lantern-Orbit-5917",
}
PROFILE = {"name_en": "Huawei", "name_zh": "华为", "website": "https://www.huawei.com"}

PORTAL_ROWS = [
    Row(PORTAL, "GET", "/images/{filename}", everyone("200"), params={"filename": "image"}),
    Row(
        PORTAL,
        "GET",
        "/portal/",
        {**everyone("portal-login"), "admin": "200", "staff": "200", "user": "200"},
        note="the exhibitors one belongs to (none, for these accounts)",
    ),
    Row(PORTAL, "GET", "/portal/login/", {**everyone("200"), **SIGNED_IN}),
    Row(PORTAL, "POST", "/portal/logout/", everyone("302"), form={}),
    Row(PORTAL, "GET", "/portal/password-reset/", everyone("200")),
    Row(
        PORTAL,
        "POST",
        "/portal/password-reset/",
        everyone("302"),
        form={"email": "nobody@example.org"},
        note="the same answer whether or not an account has the address",
    ),
    Row(PORTAL, "GET", "/portal/password-reset/sent/", everyone("200")),
    Row(
        PORTAL,
        "GET",
        "/portal/password-reset/{uidb64}/{token}/",
        everyone("302"),
        params={"uidb64": "reset_uid", "token": "reset_token"},
        note="a valid link: on to the form, which no longer shows the token",
    ),
    Row(PORTAL, "GET", "/portal/password-reset/done/", everyone("200")),
    Row(
        PORTAL,
        "GET",
        "/portal/invitations/{token}/",
        everyone("200"),
        params={"token": "portal_invitation"},
    ),
    Row(
        PORTAL,
        "POST",
        "/portal/invitations/{token}/",
        everyone("302"),
        params={"token": "portal_invitation"},
        form=NEW_ACCOUNT,
        note="the link is the credential: a new account, or the signed-in one, joins",
    ),
    Row(PORTAL, "GET", P + "/", portal_page("200"), params=HUAWEI),
    Row(PORTAL, "GET", P + "/profile/", portal_page("200"), params=HUAWEI),
    Row(PORTAL, "POST", P + "/profile/", portal_page("302"), params=HUAWEI, form=PROFILE),
    Row(PORTAL, "GET", P + "/showcase/", portal_page("200"), params=HUAWEI),
    Row(
        PORTAL,
        "POST",
        P + "/showcase/",
        portal_page("302"),
        params=HUAWEI,
        form={"title_en": "Smart campus"},
    ),
    Row(
        PORTAL,
        "GET",
        P + "/showcase/{pk}/",
        portal_page("200"),
        params={**HUAWEI, "pk": "showcase_item"},
    ),
    Row(
        PORTAL,
        "POST",
        P + "/showcase/{pk}/",
        portal_page("302"),
        params={**HUAWEI, "pk": "showcase_item"},
        form={"title_en": "5G base station"},
    ),
    Row(
        PORTAL,
        "POST",
        P + "/showcase/{pk}/move/",
        portal_page("302"),
        params={**HUAWEI, "pk": "showcase_item"},
        form={"direction": "down"},
    ),
    Row(
        PORTAL,
        "POST",
        P + "/showcase/{pk}/delete/",
        portal_page("302"),
        params={**HUAWEI, "pk": "showcase_item"},
        form={},
    ),
    Row(
        PORTAL,
        "GET",
        P + "/team/",
        portal_page("200"),
        params=HUAWEI,
        note="for the exhibitor's administrators (its staff get 403)",
    ),
    Row(
        PORTAL,
        "POST",
        P + "/team/",
        portal_page("302"),
        params=HUAWEI,
        form={"email": "li.na@huawei.example", "role": "staff"},
    ),
    Row(
        PORTAL,
        "POST",
        P + "/team/invitations/{pk}/revoke/",
        portal_page("302"),
        params={**HUAWEI, "pk": "portal_invitation_id"},
        form={},
    ),
    Row(
        PORTAL,
        "POST",
        P + "/team/members/{pk}/role/",
        portal_page("302"),
        params={**HUAWEI, "pk": "portal_member"},
        form={"role": "admin"},
    ),
    Row(
        PORTAL,
        "POST",
        P + "/team/members/{pk}/remove/",
        portal_page("302"),
        params={**HUAWEI, "pk": "portal_member"},
        form={},
    ),
]

# Leads at the booth: the booth page is public (staff paste a booth device's token, which
# only the leads API sees); the portal's leads are its members', the exports and the booth
# devices its admins' (a member of the staff role gets 403, tests/portal asks them).
LEAD = {**HUAWEI, "pk": "lead"}
PORTAL_ROWS += [
    Row(
        PAGES,
        "GET",
        "/expos/{expo}/booth/",
        everyone("200"),
        note="booth staff paste a device token",
    ),
    Row(PAGES, "GET", "/expos/{expo}/booth/sw.js", everyone("200")),
    Row(
        PORTAL,
        "GET",
        P + "/report.pdf",
        portal_page("200"),
        params=HUAWEI,
        note="the exhibitor report: every member of its staff (counts only, no visitor's data)",
    ),
    Row(PORTAL, "GET", P + "/leads/", portal_page("200"), params=HUAWEI),
    Row(PORTAL, "GET", P + "/leads/{pk}/", portal_page("200"), params=LEAD),
    Row(
        PORTAL,
        "POST",
        P + "/leads/{pk}/",
        portal_page("302"),
        params=LEAD,
        form={"note": "Call back", "rating": "4", "tags": "hot, 5G"},
        note="the lead's note, rating and tags",
    ),
    *(
        Row(
            PORTAL,
            "GET",
            P + f"/leads/export.{kind}",
            portal_page("200"),
            params=HUAWEI,
            note="administrators only: a member of the staff role gets 403",
        )
        for kind in ("csv", "xlsx", "vcf")
    ),
    Row(
        PORTAL,
        "GET",
        P + "/booth-devices/",
        portal_page("200"),
        params=HUAWEI,
        note="administrators only: a member of the staff role gets 403",
    ),
    Row(
        PORTAL,
        "POST",
        P + "/booth-devices/",
        portal_page("200"),
        params=HUAWEI,
        form={"name": "Booth phone 2"},
        note="answers with the new device's token, shown once",
    ),
    Row(
        PORTAL,
        "GET",
        P + "/booth-devices/{pk}/revoke/",
        portal_page("200"),
        params={**HUAWEI, "pk": "lead_device"},
        note="the confirmation step",
    ),
    Row(
        PORTAL,
        "POST",
        P + "/booth-devices/{pk}/revoke/",
        portal_page("302"),
        params={**HUAWEI, "pk": "lead_device"},
        form={},
    ),
]
