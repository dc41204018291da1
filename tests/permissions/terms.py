"""The permission matrix's terms: the roles (its columns), the outcomes (its cells), a row, the
helpers that fill a row's outcomes, and the areas the rows are grouped by.

The rows themselves are in `rows/`, one module per area, and `matrix.py` puts them together.
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

ALLOWED = ("200", "201", "202", "204", "302")
OUTCOMES = {
    "200": "allowed: the request, valid for this role, succeeded (200 OK)",
    "201": "allowed: created (201)",
    "202": "allowed: accepted, done in the background (202)",
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


def visitor(ok: str) -> dict[str, str]:
    """A visitor's own endpoint with no registration in its address (the programme's seats,
    stars and agenda): any registration's manage token acts on its own registration, so both
    holders succeed; API tokens have no agenda (403); anything else is a 401."""
    return {**api(ok, "holder"), "other_holder": ok}


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


# Areas: one table each in docs/permissions.md, in the order their rows come.
CATALOGUE = "API: editions and catalogue"
EXHIBITORS = "API: exhibitors"
TICKETS = "API: registration and tickets"
RESTRICTED = "API: restricted ticket types"
PERSONAL_DATA = "API: personal data"
CHECKIN = "API: check-in and devices"
VENUE = "API: venue sensors and intelligence"
PROGRAMME = "API: programme"
API_DOCS = "API: its documentation"
PAGES = "Pages: public"
TICKET_PAGES = "Pages: registration and tickets"
LIVE = "Pages: live venue"
PORTAL = "Pages: exhibitor portal"
PROGRAMME_PAGES = "Pages: forum programme"
ADMIN = "Admin"
