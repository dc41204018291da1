"""Offline ticket verification for gate scanners: the server's rules, run on the scanner.

Needs only the Python standard library and `cryptography` (no Django, no database): a scanner
app can ship this file with `smartexpo/tickets/ticket_secrets.py`. Its inputs are the two
documents a scanner downloads while it is online:

- the keys package, `GET /api/v1/expos/{expo}/checkin/keys` (public keys and revoked serials;
  `?since=` for the revocations since the last download), and
- the set-up, `GET /api/v1/expos/{expo}/checkin/setup` (the edition's time zone and days, the
  gates this device serves and the zone each admits into, ticket type ids and their zones).

`OfflineScanner.scan()` then decides every scan alone, in this order (docs/offline-checkin.md):

1. `invalid`: the secret fails format, key id or signature (nothing else is read before);
2. `gate_not_allowed`: the gate is not one this device serves;
3. `revoked`: the serial is in the revocation list;
4. `wrong_day` (entries): the scan's local day, in the edition's time zone, is not one the
   ticket is valid on;
5. `zone_not_allowed` (entries): the ticket's type does not list the gate's zone;
6. `already_inside` (an entry while inside today) / `not_inside` (an exit without an entry
   today): anti-passback on this scanner's own memory of what it admitted.

The server applies the same rules (`smartexpo.checkin.scanning`), plus `unknown` (a validly
signed serial with no ticket) which only the database can tell. Exits are not refused for a
revoked ticket: a holder inside must be able to leave and be counted out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from smartexpo.tickets.ticket_secrets import (
    SecretError,
    TicketClaims,
    load_public_key_b64,
    verify_secret,
)

ADMIT = "admit"
REJECT = "reject"
DIRECTIONS = ("in", "out")


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


def scan_day(at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The expo day of an instant: its date in the edition's time zone (midnight exact)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a scan time must carry its UTC offset")
    return at.astimezone(tz).date()


def entry_rule(
    claims: TicketClaims, *, day: dt.date, zone: str | None, type_zones: Mapping[int, Iterable]
) -> str | None:
    """The day and zone rules of an entry: `wrong_day`, `zone_not_allowed` or None."""
    if day not in claims.days:
        return "wrong_day"
    zones = type_zones.get(claims.type_id)
    if zone is None or zones is None or zone not in zones:
        return "zone_not_allowed"
    return None


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
        self.type_zones = {int(t["id"]): frozenset(t["zones"]) for t in setup["ticket_types"]}
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
            return Verdict(REJECT, "invalid")
        serial, type_id = claims.serial, claims.type_id

        def reject(reason: str) -> Verdict:
            return Verdict(REJECT, reason, serial, type_id)

        if gate not in self.gates:
            return reject("gate_not_allowed")
        day = scan_day(at, self.tz)
        if direction == "out":
            if self.inside.get(serial) != day:
                return reject("not_inside")
            del self.inside[serial]
            return Verdict(ADMIT, None, serial, type_id)
        if serial in self.revoked:
            return reject("revoked")
        rule = entry_rule(claims, day=day, zone=self.gates[gate], type_zones=self.type_zones)
        if rule:
            return reject(rule)
        if self.inside.get(serial) == day:
            return reject("already_inside")
        self.inside[serial] = day
        return Verdict(ADMIT, None, serial, type_id)
