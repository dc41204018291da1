"""A scan as the API takes it, as the check-in log records it and as the scanner is answered.

Shared by the online scan and the offline sync (`services.scanning`, `services.sync`): both
log with `queries.LOG_COLUMNS` and hand admissions to crowd as movements.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from smartexpo.checkin import rules
from smartexpo.checkin.context import CheckinContext
from smartexpo.checkin.doors import Door, Doors
from smartexpo.checkin.schemas import ScanPayload
from smartexpo.crowd.periods import to_us
from smartexpo.crowd.services import Movement
from smartexpo.crowd.visitors import ticket_visitor
from smartexpo.devices.auth import Scanner
from smartexpo.tickets.identity import mask_name


@dataclasses.dataclass(frozen=True)
class CheckedScan:
    """A scan to decide: a payload the schema accepted, at the device's time or, without one,
    at the time the server received it."""

    secret: str
    gate: str
    direction: str
    nonce: str
    scanned_at: dt.datetime


def scan_checked(payload: ScanPayload, *, now: dt.datetime) -> CheckedScan:
    """The scan a validated payload asks for: a scan sent without its time happened `now`
    (the rule the schema cannot state, documented on `scanned_at`)."""
    return CheckedScan(
        payload.secret, payload.gate, payload.direction, payload.nonce, payload.scanned_at or now
    )


NOT_AUTHENTIC = rules.TicketFacts(False)


def ticket_facts(ctx: CheckinContext, claims) -> rules.TicketFacts:
    """What a secret's authenticated claims say of its ticket (`NOT_AUTHENTIC` for None): its
    days, and the zones its type admits into."""
    if claims is None:
        return NOT_AUTHENTIC
    return rules.TicketFacts(True, claims.days, ctx.type_zones.get(claims.type_id, ()))


def scan_facts(
    ctx: CheckinContext, scanner: Scanner, scan: CheckedScan, day, door: Door | None = None
) -> rules.ScanFacts:
    """What the rules read of a scan: its gate counts only if it is the edition's and the
    scanning device serves it. A room's door is one whether served or not (a synced scan
    there did not pass through the venue), and `door` is the session there (`door_of`)."""
    gate = ctx.gates.get(scan.gate)
    if gate is None:
        return rules.ScanFacts(scan.direction, day, False, None)
    served = scan.gate in scanner.gates
    if not gate.room:
        return rules.ScanFacts(scan.direction, day, served, gate.zone if served else None)
    return rules.ScanFacts(
        scan.direction,
        day,
        served,
        gate.zone if served else None,
        True,
        door.session if door else None,
        door.seated if door else False,
    )


def door_of(ctx: CheckinContext, doors: Doors | None, scan: CheckedScan) -> Door | None:
    """The session at the door of the scan's gate at its instant, if the gate is a room's
    door (`doors`: the edition's, read only when some scan needs it)."""
    gate = ctx.gates.get(scan.gate)
    if gate is None or not gate.room or doors is None:
        return None
    return doors.at(gate.zone, scan.scanned_at)


@dataclasses.dataclass
class Decision:
    """A scan's outcome as logged and answered."""

    result: str
    reason: str = ""
    rule: str = ""  # the broken rule of a synced `conflict`
    serial: int | None = None
    ticket_id: int | None = None
    type_id: int | None = None
    holder: str = ""
    registration_id: int | None = None  # known online at a room's door (attendance)


def answer(decision: Decision, ctx: CheckinContext, masks: dict | None = None) -> dict:
    """The API's answer for a decision (`masks`: masked names already computed, by name)."""
    body: dict[str, Any] = {"result": decision.result}
    if decision.reason:
        body["reason"] = decision.reason
    if decision.rule:
        body["detail"] = {"reason": decision.rule}
    if decision.ticket_id is not None:
        tt = ctx.types.get(decision.type_id)
        if masks is None:
            holder = mask_name(decision.holder)
        elif (holder := masks.get(decision.holder)) is None:
            holder = masks[decision.holder] = mask_name(decision.holder)
        body["ticket"] = {
            "serial": decision.serial,
            "type": tt.code if tt else None,
            "holder": holder,
        }
    return body


def log_fixed(expo_id: int, scanner: Scanner, ctx, scan: CheckedScan, scanned_db, now_db, source):
    """A log row's columns that do not depend on the decision (times already adapted for the
    database)."""
    gate = ctx.gates.get(scan.gate)
    return (
        expo_id,
        scanner.device_id,
        gate.id if gate else None,
        scan.gate,
        gate.zone_id if gate else None,
        scan.direction,
        scan.nonce,
        scanned_db,
        now_db,
        source,
    )


def log_decided(d: Decision) -> tuple:
    """A log row's columns that record the decision."""
    return (d.serial, d.ticket_id, d.result, d.reason, d.rule)


def movement(expo_id: int, ctx, scan: CheckedScan, ticket_id: int | None) -> Movement:
    """The occupancy movement of a scan that let its holder through: ±1 in the zone the gate
    admits into, at the scan's time, an entry with its ticket's visitor hash (for the zone's
    distinct visitors), for `crowd.services.movements_enqueue`."""
    zone_id = ctx.gates[scan.gate].zone_id
    entry = scan.direction == "in"
    visitor = ticket_visitor(ticket_id) if entry and ticket_id is not None else None
    return Movement(expo_id, zone_id, to_us(scan.scanned_at), 1 if entry else -1, visitor)
