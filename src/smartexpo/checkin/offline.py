"""Offline ticket verification for gate scanners: the server's rules, run on the scanner.

Needs only the Python standard library and `cryptography` (no Django, no database): a scanner
app can ship this file with `rules.py` and `smartexpo/tickets/ticket_secrets.py`. Its inputs
are the two documents a scanner downloads while it is online:

- the keys package, `GET /api/v1/expos/{expo}/checkin/keys` (public keys and revoked serials;
  `?since=` for the revocations since the last download), and
- the set-up, `GET /api/v1/expos/{expo}/checkin/setup` (the edition's time zone and days, the
  gates this device serves and the zone each admits into, ticket type ids and their zones, and
  for the room doors it serves the published sessions with their reserved serials).

`OfflineScanner.scan()` then decides every scan alone with the rules of `checkin/rules.py`
(`rules.decide`, in the order of `rules.RULES`; docs/offline-checkin.md), from what a scanner
can know: the secret, its gates, the revocation list and its own memory of whom it let in
today. `unknown` (a validly signed serial with no ticket) only the server can tell: offline,
every authentic serial counts as known. At a room's door the session is found as
`programme.selectors.session_at_door` finds it (`door_at`), and its reserved serials say who
holds a seat; an admission there is not remembered (a room's door keeps no inside state).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from smartexpo.checkin.rules import (
    DIRECTIONS,
    ScanFacts,
    TicketFacts,
    TicketState,
    decide,
    scan_day,
)
from smartexpo.tickets.ticket_secrets import (
    SecretError,
    TicketClaims,
    load_public_key_b64,
    verify_secret,
)

ADMIT = "admit"
REJECT = "reject"


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The answer to one scan. `serial` and `type_id` are set once the secret verified."""

    result: str
    reason: str | None = None
    serial: int | None = None
    type_id: int | None = None

    @property
    def admitted(self) -> bool:
        return self.result == ADMIT


def public_keys_from_package(package: Mapping) -> dict:
    """kid → Ed25519 public key for every Ed25519 key in a keys package."""
    keys = {}
    for item in package.get("keys", []):
        if item.get("alg") == "Ed25519":
            keys[int(item["kid"])] = load_public_key_b64(item["public_key"])
    return keys


class OfflineScanner:
    """One scanner's offline state: keys, revocations, its gates, and who it let in today."""

    def __init__(self, keys_package: Mapping, setup: Mapping):
        self.tz = ZoneInfo(setup["timezone"])
        self.gates: dict[str, str] = {g["code"]: g["zone"] for g in setup["gates"]}
        self.rooms = frozenset(g["zone"] for g in setup["gates"] if g.get("room"))
        self.type_zones = {int(t["id"]): frozenset(t["zones"]) for t in setup["ticket_types"]}
        self.doors_open_before = dt.timedelta(seconds=setup.get("doors_open_before", 0))
        # Per room, its sessions in the programme's order: (id, starts, ends, seated).
        self.sessions: dict[str, list[tuple[int, dt.datetime, dt.datetime, bool]]] = {}
        # serial → the sessions its registration holds a confirmed reservation at.
        self.reserved: dict[int, set[int]] = {}
        for s in setup.get("sessions", []):
            starts, ends = (
                dt.datetime.fromisoformat(s["starts_at"]),
                dt.datetime.fromisoformat(s["ends_at"]),
            )
            self.sessions.setdefault(s["room"], []).append(
                (int(s["id"]), starts, ends, bool(s["reservation"]))
            )
            for serial in s.get("reserved", []):
                self.reserved.setdefault(int(serial), set()).add(int(s["id"]))
        self.keys: dict = {}
        self.revoked: set[int] = set()
        self.generated_at: str | None = None
        # serial → the expo day it entered on through this scanner and has not left since.
        self.inside: dict[int, dt.date] = {}
        self.apply_keys(keys_package)

    def apply_keys(self, package: Mapping, *, incremental: bool = False) -> None:
        """Take a keys package. A full one replaces the revocation list; one fetched with
        `?since=` (`incremental=True`) adds to it. Revocations are never taken back."""
        self.keys.update(public_keys_from_package(package))
        revoked = {int(s) for s in package.get("revoked", [])}
        self.revoked = self.revoked | revoked if incremental else revoked
        self.generated_at = package.get("generated_at", self.generated_at)

    def door_at(self, room: str, at: dt.datetime) -> tuple[int, bool] | None:
        """(session id, seated) of the session a room's door admits into at `at`: the one
        running then, else the next to start within `doors_open_before`; None if none."""
        upcoming = None
        for pk, starts, ends, seated in self.sessions.get(room, ()):
            if starts <= at < ends:
                return pk, seated
            if at < starts <= at + self.doors_open_before and (
                upcoming is None or starts < upcoming[0]
            ):
                upcoming = (starts, pk, seated)
        return upcoming[1:] if upcoming else None

    def verify(self, secret: str) -> TicketClaims:
        """The claims of a validly signed secret; `SecretError` (reason "invalid") otherwise."""
        return verify_secret(secret, self.keys)

    def scan(self, secret: str, *, gate: str, direction: str, at: dt.datetime) -> Verdict:
        """Decide one scan and, if admitted, remember it (entries and exits)."""
        if direction not in DIRECTIONS:
            raise ValueError("direction is 'in' or 'out'")
        try:
            claims = self.verify(secret)
        except SecretError:
            claims = None
        zone = self.gates.get(gate)
        day = scan_day(at, self.tz)
        serial = claims.serial if claims else None
        room = zone is not None and zone in self.rooms
        door = self.door_at(zone, at) if room else None
        reason = decide(
            TicketFacts(
                claims is not None,
                claims.days if claims else (),
                self.type_zones.get(claims.type_id, ()) if claims else (),
            ),
            ScanFacts(
                direction,
                day,
                zone is not None,
                zone,
                room,
                door[0] if door else None,
                door[1] if door else False,
            ),
            TicketState(
                True, serial in self.revoked, self.inside.get(serial), self.reserved.get(serial, ())
            ),
        )
        if claims is None:
            return Verdict(REJECT, reason)
        if reason:
            return Verdict(REJECT, reason, serial, claims.type_id)
        if room:
            return Verdict(ADMIT, None, serial, claims.type_id)
        if direction == "in":
            self.inside[serial] = day
        else:
            del self.inside[serial]
        return Verdict(ADMIT, None, serial, claims.type_id)
