"""Online scans: verify the secret first, then one conditional UPDATE decides and records.

The hot path of a gate is, after the signature check (no database), one transaction of two
statements: an UPDATE of the ticket's `inside_day` whose WHERE clause is the anti-passback
rule (so two gates scanning one ticket at the same instant cannot both admit it — the second
finds the row changed, on SQLite and PostgreSQL alike), and the INSERT of the log row, whose
(device, nonce) unique index makes a repeated nonce roll the whole scan back and replay the
first answer. The answer is sent only after the commit: no admission is lost if the process
dies. A refused UPDATE is followed by one SELECT of the ticket's row, and `rules.decide` on it
says why; rules that need no row (`rules.decide_unread`) are checked before any statement.

A room's door (`doors`) is another path, taken only by scans at a gate whose zone is a room, so
the venue's gates pay nothing for it: the door's session comes from the published programme,
the ticket's row and its registration's reservation there are read, and `rules.decide` on them
admits or refuses. Nothing of the ticket is updated (a room's door does not move the venue's
inside/outside state); an admission into a session is counted in its attendance
(`programme.services.attendance`, once per ticket) in the scan's transaction.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from smartexpo.checkin import queries, rules
from smartexpo.checkin.context import CheckinContext, checkin_context
from smartexpo.checkin.doors import doors
from smartexpo.checkin.models import Scan, ScanResult, ScanSource
from smartexpo.checkin.scans import (
    CheckedScan,
    Decision,
    answer,
    door_of,
    log_decided,
    log_fixed,
    movement,
    scan_checked,
    scan_facts,
    ticket_facts,
)
from smartexpo.checkin.schemas import ScanPayload
from smartexpo.core.bodies import body_checked
from smartexpo.core.db import driver_cursor
from smartexpo.core.errors import SmartExpoError
from smartexpo.core.stamps import READ
from smartexpo.crowd.services import movements_enqueue
from smartexpo.devices.auth import Scanner
from smartexpo.programme.attendance import reservations_held
from smartexpo.programme.services.attendance import attendance_record
from smartexpo.tickets.models import TicketStatus
from smartexpo.tickets.ticket_secrets import SecretError, TicketClaims, verify_secret
from smartexpo.venue.clock import edition_now
from smartexpo.venue.models import Expo


def scan_record(*, expo: Expo, scanner: Scanner, scan: CheckedScan, version: object = READ) -> dict:
    """Decide one online scan, log it, and return the API's answer (`version`: the catalogue
    stamp the request read, see `core.stamps`).

    A nonce this device used before returns that scan's answer and changes nothing."""
    now = timezone.now()
    ctx = checkin_context(expo, version=version)
    try:
        claims = verify_secret(scan.secret, ctx.keys)
    except SecretError:
        claims = None
    ticket = ticket_facts(ctx, claims)
    gate = ctx.gates.get(scan.gate)
    # Only a room's door this device serves consults the programme (one indexed query: the
    # latest release); a gate it does not serve is refused before that.
    at_door = gate is not None and gate.room and scan.gate in scanner.gates
    door = door_of(ctx, doors(expo=expo), scan) if at_door else None
    facts = scan_facts(ctx, scanner, scan, rules.scan_day(scan.scanned_at, ctx.tz), door)
    reason, refused = rules.decide_unread(ticket, facts)
    decision = None
    if reason:
        decision = Decision(ScanResult.REJECT, reason, serial=claims.serial if claims else None)
    adapt = connection.ops.adapt_datetimefield_value
    try:
        with transaction.atomic(), driver_cursor() as cursor:
            if decision is None and facts.room:
                decision = _decide_at_door(cursor, expo.pk, claims, ticket, facts)
            elif decision is None:
                decision = _decide(cursor, expo.pk, claims, ticket, facts, refused)
            queries.scan_log_insert(
                cursor,
                row=log_fixed(
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
                if door is not None and scan.direction == rules.IN:
                    attendance_record(
                        session_id=door.session,
                        ticket_id=decision.ticket_id,
                        registration_id=decision.registration_id,
                        at=scan.scanned_at,
                    )
    except (IntegrityError, connection.Database.IntegrityError):
        # The (device, nonce) index: this nonce was answered before; everything here was
        # rolled back, ticket state included.
        return replay(expo=expo, device_id=scanner.device_id, nonce=scan.nonce, ctx=ctx)
    return answer(decision, ctx)


def _decide(
    cursor,
    expo_id: int,
    claims: TicketClaims,
    ticket: rules.TicketFacts,
    scan: rules.ScanFacts,
    refused: bool,
) -> Decision:
    """A scan that passed the rules needing no row: the conditional UPDATE admits it, unless
    a rule is broken already (`refused`); the ticket's row says why it did not."""
    day_db = connection.ops.adapt_datefield_value(scan.day)
    if not refused:
        if scan.direction == rules.IN:
            rows = queries.ticket_enter(cursor, serial=claims.serial, expo_id=expo_id, day=day_db)
        else:
            rows = queries.ticket_leave(cursor, serial=claims.serial, expo_id=expo_id, day=day_db)
        if rows:
            ticket_id, type_id, holder = rows[0]
            return Decision(ScanResult.ADMIT, "", "", claims.serial, ticket_id, type_id, holder)
    row = queries.ticket_read(cursor, serial=claims.serial, expo_id=expo_id)
    if row is None:
        state = rules.TicketState(False, False, None)
        reason = rules.decide(ticket, scan, state)
        return Decision(ScanResult.REJECT, reason, serial=claims.serial)
    ticket_id, type_id, status, inside_day, holder = row
    state = rules.TicketState(True, status != TicketStatus.VALID, inside_day)
    # None only if the row changed between the UPDATE and this SELECT: answered as the UPDATE
    # found it.
    reason = rules.decide(ticket, scan, state) or rules.state_reason(scan.direction)
    return Decision(ScanResult.REJECT, reason, "", claims.serial, ticket_id, type_id, holder)


def _decide_at_door(
    cursor,
    expo_id: int,
    claims: TicketClaims,
    ticket: rules.TicketFacts,
    scan: rules.ScanFacts,
) -> Decision:
    """A scan at a room's door that passed the rules needing no row: the ticket's row and,
    at a seated session's door, its registration's reservation there decide it."""
    row = queries.ticket_read_at_door(cursor, serial=claims.serial, expo_id=expo_id)
    if row is None:
        reason = rules.decide(ticket, scan, rules.TicketState(False, False, None))
        return Decision(ScanResult.REJECT, reason, serial=claims.serial)
    ticket_id, type_id, status, registration_id, holder = row
    held = (
        reservations_held(registration_ids=[registration_id], session_ids=[scan.session])
        if scan.seated
        else ()
    )
    state = rules.TicketState(
        True, status != TicketStatus.VALID, None, frozenset(s for _r, s in held)
    )
    reason = rules.decide(ticket, scan, state)
    result = ScanResult.REJECT if reason else ScanResult.ADMIT
    return Decision(
        result, reason or "", "", claims.serial, ticket_id, type_id, holder, registration_id
    )


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


def scan_post(request, *, expo: Expo, scanner: Scanner, version: object = READ) -> dict:
    """`POST …/checkin/scans`: parse the body, decide, log, answer. A scan sent without its
    time happened now on the edition's clock (its demo clock, if set: `venue.clock`)."""
    payload = body_checked(ScanPayload, request.body)
    scan = scan_checked(payload, now=edition_now(expo))
    return scan_record(expo=expo, scanner=scanner, scan=scan, version=version)
