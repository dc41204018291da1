"""Online scans: verify the secret first, then one conditional UPDATE decides and records.

The hot path of a gate is, after the signature check (no database), one transaction of two
statements: an UPDATE of the ticket's `inside_day` whose WHERE clause is the anti-passback
rule (so two gates scanning one ticket at the same instant cannot both admit it — the second
finds the row changed, on SQLite and PostgreSQL alike), and the INSERT of the log row, whose
(device, nonce) unique index makes a repeated nonce roll the whole scan back and replay the
first answer. The answer is sent only after the commit: no admission is lost if the process
dies. A refused UPDATE is followed by one SELECT that says why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from smartexpo.checkin.context import (
    CheckinContext,
    checkin_context,
)
from smartexpo.checkin.devices import Scanner
from smartexpo.checkin.models import Scan, ScanResult, ScanSource
from smartexpo.checkin.offline import entry_rule, scan_day
from smartexpo.checkin.schemas import ScanPayload
from smartexpo.core.bodies import body_checked
from smartexpo.core.db import date_value, driver_cursor, driver_sql
from smartexpo.core.errors import SmartExpoError
from smartexpo.core.stamps import READ
from smartexpo.crowd.periods import to_us
from smartexpo.crowd.services import Movement, movements_enqueue
from smartexpo.crowd.visitors import ticket_visitor
from smartexpo.tickets.identity import mask_name
from smartexpo.tickets.models import Registration, Ticket, TicketStatus
from smartexpo.tickets.ticket_secrets import (
    SecretError,
    TicketClaims,
    verify_secret,
)
from smartexpo.venue.models import Expo


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


# --- statements ----------------------------------------------------------------------------

_sql: dict[str, str] = {}


def _statements() -> dict[str, str]:
    if not _sql:
        qn = connection.ops.quote_name
        sql = {}
        t, r = qn(Ticket._meta.db_table), qn(Registration._meta.db_table)
        holder = f"(SELECT name FROM {r} WHERE {r}.id = {t}.registration_id)"  # noqa: S608
        returning = f"RETURNING id, ticket_type_id, {holder}"
        sql.update(
            enter=(
                f"UPDATE {t} SET inside_day = %s WHERE serial = %s AND expo_id = %s "  # noqa: S608
                f"AND status = %s AND (inside_day IS NULL OR inside_day <> %s) {returning}"
            ),
            leave=(
                f"UPDATE {t} SET inside_day = NULL WHERE serial = %s AND expo_id = %s "  # noqa: S608
                f"AND inside_day = %s {returning}"
            ),
            ticket=(
                f"SELECT id, ticket_type_id, status, inside_day, {holder} FROM {t} "  # noqa: S608
                f"WHERE serial = %s AND expo_id = %s"
            ),
            log=log_insert_sql(),
        )
        _sql.update({name: driver_sql(text) for name, text in sql.items()})
    return _sql


def log_insert_sql() -> str:
    """The check-in log's INSERT (`%s` parameters): the columns of `log_fixed`, then those of
    `log_decided`. Online scans and sync batches write their rows with it."""
    table = connection.ops.quote_name(Scan._meta.db_table)
    return (
        f"INSERT INTO {table} (expo_id, device_id, gate_id, gate_code, zone_id, direction, "  # noqa: S608
        f"nonce, scanned_at, received_at, source, serial, ticket_id, result, reason, rule) "
        f"VALUES ({', '.join(['%s'] * 15)})"
    )


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


def movement(expo_id: int, ctx, scan: CheckedScan, ticket_id: int | None) -> Movement:
    """The occupancy movement of a scan that let its holder through: ±1 in the zone the gate
    admits into, at the scan's time, an entry with its ticket's visitor hash (for the zone's
    distinct visitors), for `crowd.services.movements_enqueue`."""
    zone_id = ctx.gates[scan.gate].zone_id
    entry = scan.direction == "in"
    visitor = ticket_visitor(ticket_id) if entry and ticket_id is not None else None
    return Movement(expo_id, zone_id, to_us(scan.scanned_at), 1 if entry else -1, visitor)


def log_decided(d: Decision) -> tuple:
    """A log row's columns that record the decision."""
    return (d.serial, d.ticket_id, d.result, d.reason, d.rule)


def _why_not(cursor, claims: TicketClaims, expo_id: int, day, direction, rule) -> Decision:
    """After a refused UPDATE (or a rule broken before it): the reason, from the ticket row."""
    cursor.execute(_statements()["ticket"], (claims.serial, expo_id))
    row = cursor.fetchone()
    if row is None:
        return Decision(ScanResult.REJECT, "unknown", serial=claims.serial)
    ticket_id, type_id, status, raw_inside_day, holder = row
    inside_day = date_value(raw_inside_day)
    if direction == "in" and status != TicketStatus.VALID:
        reason = "revoked"
    elif rule:
        reason = rule
    elif direction == "in":
        reason = "already_inside"
    else:
        reason = "not_inside" if inside_day != day else ""
    decision = Decision(ScanResult.REJECT, reason, "", claims.serial, ticket_id, type_id, holder)
    if not reason:  # pragma: no cover - the UPDATE would have matched
        decision.result = ScanResult.ADMIT
    return decision


def scan_record(*, expo: Expo, scanner: Scanner, scan: CheckedScan, version=READ) -> dict:
    """Decide one online scan, log it, and return the API's answer (`version`: the catalogue
    stamp the request read, see `core.stamps`).

    A nonce this device used before returns that scan's answer and changes nothing."""
    now = timezone.now()
    ctx = checkin_context(expo, version=version)
    claims = None
    try:
        claims = verify_secret(scan.secret, ctx.keys)
    except SecretError:
        decision = Decision(ScanResult.REJECT, "invalid")
    else:
        decision = None
        if scan.gate not in scanner.gates or scan.gate not in ctx.gates:
            decision = Decision(ScanResult.REJECT, "gate_not_allowed", serial=claims.serial)
    statements = _statements()
    adapt = connection.ops.adapt_datetimefield_value
    try:
        with transaction.atomic(), driver_cursor() as cursor:
            if decision is None:
                decision = _decide(cursor, ctx, expo.pk, claims, scan)
            cursor.execute(
                statements["log"],
                log_fixed(
                    expo.pk,
                    scanner,
                    ctx,
                    scan,
                    adapt(scan.scanned_at),
                    adapt(now),
                    ScanSource.ONLINE,
                )
                + log_decided(decision),
            )
            if decision.result == ScanResult.ADMIT:
                # The admission is a movement of the zone behind the gate (crowd's occupancy).
                movements_enqueue(
                    cursor=cursor, movements=[movement(expo.pk, ctx, scan, decision.ticket_id)]
                )
    except (IntegrityError, connection.Database.IntegrityError):
        # The (device, nonce) index: this nonce was answered before; everything here was
        # rolled back, ticket state included.
        return replay(expo=expo, device_id=scanner.device_id, nonce=scan.nonce, ctx=ctx)
    return answer(decision, ctx)


def _decide(cursor, ctx: CheckinContext, expo_id: int, claims: TicketClaims, scan: CheckedScan):
    ops = connection.ops
    day = scan_day(scan.scanned_at, ctx.tz)
    day_db = ops.adapt_datefield_value(day)
    rule = None
    if scan.direction == "in":
        zone = ctx.gates[scan.gate].zone
        rule = entry_rule(claims, day=day, zone=zone, type_zones=ctx.type_zones)
        if rule is None:
            cursor.execute(
                _statements()["enter"],
                (day_db, claims.serial, expo_id, TicketStatus.VALID, day_db),
            )
    else:
        cursor.execute(_statements()["leave"], (claims.serial, expo_id, day_db))
    row = cursor.fetchall() if rule is None else None
    if row:
        ticket_id, type_id, holder = row[0]
        return Decision(ScanResult.ADMIT, "", "", claims.serial, ticket_id, type_id, holder)
    return _why_not(cursor, claims, expo_id, day, scan.direction, rule)


def replay(*, expo: Expo, device_id: int, nonce: str, ctx: CheckinContext | None = None) -> dict:
    """The stored answer of a scan this device already sent with `nonce`."""
    ctx = ctx or checkin_context(expo)
    scan = (
        Scan.objects.filter(device_id=device_id, nonce=nonce)
        .select_related("ticket__registration")
        .first()
    )
    if scan is None:  # pragma: no cover - only reached after the unique index refused it
        raise SmartExpoError("conflict", "This scan could not be recorded; send it again.")
    ticket = scan.ticket
    decision = Decision(
        scan.result,
        scan.reason,
        scan.rule,
        scan.serial,
        ticket.pk if ticket else None,
        ticket.ticket_type_id if ticket else None,
        ticket.registration.name if ticket else "",
    )
    return answer(decision, ctx)


def scan_post(request, *, expo: Expo, scanner: Scanner, version=READ) -> dict:
    """`POST …/checkin/scans`: validate the body with its documented schema, decide, answer."""
    payload = body_checked(ScanPayload, request.body)
    scan = scan_checked(payload, now=timezone.now())
    return scan_record(expo=expo, scanner=scanner, scan=scan, version=version)
