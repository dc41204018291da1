"""The permission matrix: who may do what, one row per route, one column per role.

This module is data. `test_matrix.py` asks every cell through the production WSGI
application and `render.py` writes `docs/permissions.md` from it, so the document and the
behaviour cannot drift apart. A route the server has without a row here fails the tests.

A row names its route as the server does (`/api/v1/expos/{expo}/devices/{device_id}`), the
request a role that may use it would make (real ids come from the test world by name, see
`W`), and the answer each role gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# --- roles ------------------------------------------------------------------------------------

NONE, BEARER, SESSION = "none", "bearer", "session"


@dataclass(frozen=True)
class Role:
    key: str
    column: str  # the heading of its column in docs/permissions.md
    who: str
    credential: str  # how it is sent: nothing, `Authorization: Bearer`, or a session cookie


ROLES = (
    Role("anonymous", "anon", "No credentials at all.", NONE),
    Role("organizer", "org", "An organiser's API token: valid on every edition.", BEARER),
    Role("exhibitor", "exh", "An exhibitor's API token, bound to Huawei in edition A.", BEARER),
    Role("scanner", "scan", "A scanner device of edition A (gates G1 and G-N1).", BEARER),
    Role("sensor", "sens", "A sensor device of edition A (every zone).", BEARER),
    Role("revoked", "revoked", "A scanner device of edition A, revoked.", BEARER),
    Role("holder", "holder", "Registration R's manage token; the addresses name R.", BEARER),
    Role("other_holder", "other", "Another registration's manage token, on R's addresses.", BEARER),
    Role("exhibitor_b", "exh B", "An exhibitor's token of edition B, on A's addresses.", BEARER),
    Role("scanner_b", "scan B", "A scanner device of edition B, on A's addresses.", BEARER),
    Role("sensor_b", "sens B", "A sensor device of edition B, on A's addresses.", BEARER),
    Role("admin", "admin", "The organiser in the admin: a superuser, as the demo's.", SESSION),
    Role("staff", "staff", "A signed-in staff account without any model permission.", SESSION),
    Role("user", "user", "A signed-in account without staff status.", SESSION),
)
ROLE_KEYS = tuple(r.key for r in ROLES)
# API tokens the server knows (a manage token is not one: see "manage tokens" in the intro).
API_TOKENS = ("organizer", "exhibitor", "scanner", "sensor", "exhibitor_b", "scanner_b", "sensor_b")

# --- outcomes ---------------------------------------------------------------------------------

ALLOWED = ("200", "201", "204", "302")
OUTCOMES = {
    "200": "allowed: the request, valid for this role, succeeded (200 OK)",
    "201": "allowed: created (201)",
    "204": "allowed: done, nothing to answer (204)",
    "302": "allowed: done, then redirected somewhere other than the login page (302)",
    "401": "refused, unauthenticated: no credential this address accepts (401 `unauthenticated`)",
    "403": "refused, forbidden: a credential it knows, of the wrong role or edition (403)",
    "404": "not found (404): on an address naming an object that exists (R's registration and "
    "ticket), the answer that does not reveal it; elsewhere, as the row's note says",
    "login": "refused: redirected to the admin's login page (302 to `/admin/login/?next=…`)",
    "index": "refused: redirected to the admin's index (302 to `/admin/`), which sends anyone "
    "but staff on to the login page",
    "portal-login": "refused: redirected to the exhibitor portal's login page (302 to "
    "`/portal/login/?next=…`)",
}


@dataclass(frozen=True)
class W:
    """A value of the test world (an id, a code, a token), filled in when the request is made."""

    name: str


@dataclass(frozen=True)
class Row:
    area: str
    method: str
    path: str
    outcomes: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)  # path parameter → world value name
    query: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    form: dict[str, Any] | None = None  # a page's form, posted with its CSRF token
    csv: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    variant: str = ""  # two rows of one route differ by how they ask
    hot: bool = False  # answered by a hot route in production (its ninja operation is asked too)
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}" + (f" ({self.variant})" if self.variant else "")


def everyone(outcome: str) -> dict[str, str]:
    """A public address: every credential is ignored."""
    return dict.fromkeys(ROLE_KEYS, outcome)


def api(ok: str, *allowed: str) -> dict[str, str]:
    """A bearer-token endpoint: `allowed` roles succeed; any other API token is a 403 (wrong
    role, or another edition); no token, a revoked one, a manage token or a session is a 401."""
    return {
        key: ok if key in allowed else "403" if key in API_TOKENS else "401" for key in ROLE_KEYS
    }


def holder_or_organizer(ok: str) -> dict[str, str]:
    """A registration's own endpoint: another registration's token must not learn it exists."""
    return {**api(ok, "organizer", "holder"), "other_holder": "404"}


def organiser_page(ok: str) -> dict[str, str]:
    """The live venue page: staff sessions only; the rest go to the login page."""
    staff = {"admin": ok, "staff": ok, "user": "403"}
    return {key: staff.get(key, "login") for key in ROLE_KEYS}


def organiser_json(ok: str) -> dict[str, str]:
    """The live page's JSON: staff sessions only, answered in the API's error shape."""
    staff = {"admin": ok, "staff": ok, "user": "403"}
    return {key: staff.get(key, "401") for key in ROLE_KEYS}


def portal_page(ok: str) -> dict[str, str]:
    """A page of Huawei's portal: its members sign in there (tests/portal asks them, role by
    role); the organiser (a superuser) may open it to help; any other account is a stranger,
    told nothing exists (404); without a session, the portal's login page."""
    signed_in = {"admin": ok, "staff": "404", "user": "404"}
    return {key: signed_in.get(key, "portal-login") for key in ROLE_KEYS}


def admin(superuser: str, staff: str = "403") -> dict[str, str]:
    """An admin page: anyone but staff goes to the login page; staff need the permission."""
    return {key: {"admin": superuser, "staff": staff}.get(key, "login") for key in ROLE_KEYS}


A = "/api/v1/expos/{expo}"
ON_THE_26TH = "2019-08-26T10:00:00+08:00"
SCAN = {
    "secret": W("secret"),
    "gate": "G1",
    "direction": "in",
    "nonce": "matrix-1",
    "scanned_at": ON_THE_26TH,
}
# Areas: one table each in docs/permissions.md, in the order their rows come.
CATALOGUE = "API: editions and catalogue"
EXHIBITORS = "API: exhibitors"
TICKETS = "API: registration and tickets"
RESTRICTED = "API: restricted ticket types"
PERSONAL_DATA = "API: personal data"
CHECKIN = "API: check-in and devices"
VENUE = "API: venue sensors and intelligence"
API_DOCS = "API: its documentation"
PAGES = "Pages: public"
TICKET_PAGES = "Pages: registration and tickets"
LIVE = "Pages: live venue"
PORTAL = "Pages: exhibitor portal"
ADMIN = "Admin"

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

E = "/expos/{expo}"
PB = "/portal/{expo}/{exhibitor}"
HUAWEI = {"exhibitor": "exhibitor_slug"}
PASSPORT = {"id_type": "passport", "id_number": "E12345678"}

PAGE_ROWS = [
    Row(PAGES, "GET", "/", everyone("200")),
    Row(PAGES, "GET", E + "/", everyone("200")),
    Row(PAGES, "GET", E + "/exhibitors/", everyone("200")),
    Row(
        PAGES,
        "GET",
        E + "/exhibitors/{exhibitor_id}/",
        everyone("200"),
        params={"exhibitor_id": "exhibitor"},
    ),
    Row(PAGES, "GET", E + "/floor-plan/", everyone("200")),
    Row(PAGES, "GET", E + "/halls/{code}/", everyone("200"), params={"code": "hall"}),
    Row(PAGES, "GET", E + "/scanner/", everyone("200"), note="gate staff paste a device token"),
    Row(PAGES, "GET", E + "/scanner/sw.js", everyone("200")),
    Row(PAGES, "GET", "/jsi18n/", everyone("200")),
    Row(
        PAGES,
        "POST",
        "/i18n/setlang/",
        everyone("302"),
        form={"language": "zh-hans", "next": "/expos/test-2019/"},
    ),
    Row(
        PAGES,
        "GET",
        "/vendor/plotly-{version}.min.js",
        everyone("200"),
        params={"version": "plotly_version"},
    ),
    # registration and tickets: a manage or offer link is its own credential
    Row(TICKET_PAGES, "GET", E + "/register/", everyone("200")),
    Row(
        TICKET_PAGES,
        "POST",
        E + "/register/",
        everyone("302"),
        form={
            "ticket_type": "day",
            "days": "2019-08-27",
            "name": "Wang Fang",
            "email": "wang.fang@example.cn",
            **PASSPORT,
        },
    ),
    Row(TICKET_PAGES, "GET", E + "/find-my-ticket/", everyone("200")),
    Row(
        TICKET_PAGES,
        "POST",
        E + "/find-my-ticket/",
        everyone("302"),
        form={"query": "wang.fang@example.cn"},
        note="the same answer whatever is found",
    ),
    Row(
        TICKET_PAGES,
        "GET",
        E + "/waitlist/join/",
        everyone("200"),
        query={"ticket_type": "tiny", "day": "2019-08-28"},
    ),
    Row(
        TICKET_PAGES,
        "POST",
        E + "/waitlist/join/",
        everyone("200"),
        form={
            "ticket_type": "tiny",
            "day": "2019-08-28",
            "name": "Zhao Lei",
            "email": "zhao.lei@example.cn",
        },
    ),
    Row(
        TICKET_PAGES,
        "GET",
        E + "/waitlist/{token}/",
        everyone("200"),
        params={"token": "offer_token"},
    ),
    Row(
        TICKET_PAGES,
        "POST",
        E + "/waitlist/{token}/",
        everyone("302"),
        params={"token": "offer_token"},
        form={"name": "Sun Li", "email": "sun.li@example.cn", **PASSPORT},
    ),
    Row(TICKET_PAGES, "GET", E + "/my/{token}/", everyone("200"), params={"token": "manage_token"}),
    Row(
        TICKET_PAGES,
        "POST",
        E + "/my/{token}/cancel/",
        everyone("302"),
        params={"token": "manage_token"},
        form={},
    ),
    Row(
        TICKET_PAGES,
        "GET",
        E + "/my/{token}/tickets/{serial}/ticket.pdf",
        everyone("200"),
        params={"token": "manage_token"},
    ),
    Row(
        TICKET_PAGES,
        "GET",
        E + "/my/{token}/personal-data.json",
        everyone("200"),
        params={"token": "manage_token"},
    ),
    Row(
        TICKET_PAGES,
        "GET",
        E + "/my/{token}/erase/",
        everyone("200"),
        params={"token": "manage_token"},
        note="the confirmation step",
    ),
    Row(
        TICKET_PAGES,
        "POST",
        E + "/my/{token}/erase/",
        everyone("302"),
        params={"token": "manage_token"},
        form={"confirm": "on"},
    ),
    Row(TICKET_PAGES, "GET", E + "/erased/", everyone("200"), note="says the erasure is done"),
    # the live venue: organisers are staff users signed in through the admin
    Row(
        LIVE,
        "GET",
        E + "/live/",
        organiser_page("200"),
        note="every staff account is an organiser here, whatever its model permissions",
    ),
    Row(LIVE, "GET", E + "/live/data.json", organiser_json("200")),
    Row(LIVE, "GET", E + "/live/chart.json", organiser_json("200")),
    Row(
        LIVE,
        "POST",
        E + "/live/alerts/{alert_id}/acknowledge/",
        organiser_json("200"),
        params={"alert_id": "alert"},
        form={},
        headers={"Accept": "application/json"},
        variant="the page's script",
    ),
    Row(
        LIVE,
        "POST",
        E + "/live/alerts/{alert_id}/acknowledge/",
        organiser_page("302"),
        params={"alert_id": "alert"},
        form={},
        variant="a form, without JavaScript",
    ),  # the exhibitor portal's booth pages (members are tested in tests/portal)
    Row(PORTAL, "GET", PB + "/footfall/", portal_page("200"), params=HUAWEI),
    Row(PORTAL, "GET", PB + "/staff-passes/", portal_page("200"), params=HUAWEI),
    Row(
        PORTAL,
        "POST",
        PB + "/staff-passes/",
        portal_page("302"),
        params=HUAWEI,
        form={"ticket_type": "crew", "name": "Qian Yu", "email": "qian.yu@example.cn", **PASSPORT},
        note="issues a staff pass within the grant",
    ),
    Row(
        PORTAL,
        "POST",
        PB + "/staff-passes/{pk}/resend/",
        portal_page("302"),
        params={**HUAWEI, "pk": "staff_pass"},
        form={},
    ),
    Row(
        PORTAL,
        "GET",
        PB + "/staff-passes/{pk}/cancel/",
        portal_page("200"),
        params={**HUAWEI, "pk": "staff_pass"},
        note="the confirmation step; a member of the staff role gets 403",
    ),
    Row(
        PORTAL,
        "POST",
        PB + "/staff-passes/{pk}/cancel/",
        portal_page("302"),
        params={**HUAWEI, "pk": "staff_pass"},
        form={},
    ),
    Row(
        PORTAL,
        "GET",
        PB + "/api-tokens/",
        portal_page("200"),
        params=HUAWEI,
        note="administrators only: a member of the staff role gets 403",
    ),
    Row(
        PORTAL,
        "POST",
        PB + "/api-tokens/",
        portal_page("200"),
        params=HUAWEI,
        form={"name": "CRM sync"},
        note="answers with the new token, shown once",
    ),
    Row(
        PORTAL,
        "GET",
        PB + "/api-tokens/{pk}/revoke/",
        portal_page("200"),
        params={**HUAWEI, "pk": "exhibitor_token"},
        note="the confirmation step",
    ),
    Row(
        PORTAL,
        "POST",
        PB + "/api-tokens/{pk}/revoke/",
        portal_page("302"),
        params={**HUAWEI, "pk": "exhibitor_token"},
        form={},
    ),
]


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
]

ROWS = API_ROWS + PAGE_ROWS + PORTAL_ROWS + ADMIN_ROWS
