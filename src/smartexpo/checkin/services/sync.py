"""Offline admissions synced in batches: every scan recorded, conflicts answered, in bulk.

A batch of up to 5,000 scans is decided in one transaction with a fixed number of statements:
the device's earlier nonces and the tickets involved are read in chunks (the tickets locked on
PostgreSQL), every scan is decided in order in memory — the batch's own earlier scans of a
ticket count as its state — and the log rows and the tickets' final states are written with
`executemany`. Each scan is decided by the rules in the sync's order (`rules.deciders` of
`rules.SYNC_RULES`); what the decision reads that the transaction does not guard is gathered
before it. The secrets are authenticated by `claims.secret_claims`, by digest where the server
issued them.

A scan at a room's door (`doors`) is decided against the session at the door at its instant
and, at a seated session's, the reservations of the tickets' registrations (read before the
transaction, as online they are read beside it); it does not move the ticket's venue state, and
an entry that let its holder in is counted in the session's attendance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from smartexpo.checkin import queries, rules
from smartexpo.checkin.claims import secret_claims
from smartexpo.checkin.context import checkin_context
from smartexpo.checkin.doors import doors
from smartexpo.checkin.models import ScanResult, ScanSource
from smartexpo.checkin.queries import TicketRecord
from smartexpo.checkin.scans import (
    CheckedScan,
    Decision,
    door_of,
    log_decided,
    log_fixed,
    movement,
    scan_checked,
    scan_facts,
    ticket_facts,
)
from smartexpo.checkin.schemas import ScanPayload
from smartexpo.core.bodies import InvalidItem
from smartexpo.core.db import driver_cursor
from smartexpo.crowd.services import movements_enqueue
from smartexpo.devices.auth import Scanner
from smartexpo.programme.attendance import reservations_held
from smartexpo.programme.services.attendance import attendance_record_many
from smartexpo.tickets.models import TicketStatus
from smartexpo.tickets.ticket_secrets import ParsedSecret, SecretError, TicketClaims, parse_secret
from smartexpo.venue.clock import edition_now
from smartexpo.venue.models import Expo

ATTEMPTS = 3


SyncItem = ScanPayload | InvalidItem


def scans_sync(*, expo: Expo, scanner: Scanner, items: list[SyncItem]) -> list[dict]:
    """Record a batch of offline scans and answer each, in order (docs/api.md: check-in sync).

    `items` are the batch's scans checked against the documented schema (`core.bodies`:
    `batch_checked` reads them from a request, `items_checked` from Python values).
    Admissions the server would have refused are kept and answered `conflict` with the rule;
    they still set the ticket's inside/outside state. A nonce seen before (in an earlier
    request or earlier in this batch) gets its first answer and changes nothing. An item with
    missing or malformed fields is answered `invalid` with the fields and not recorded."""
    return scans_sync_many(expo=expo, items=[(scanner, item) for item in items])


def scans_sync_many(*, expo: Expo, items: list[tuple[Scanner, SyncItem]]) -> list[dict]:
    """`scans_sync` for the scans of several scanners in one batch, applied in the order
    given: a venue's scans imported together (`streams.importing`) keep their time order across
    gates, so an exit at one gate never comes before the entry at another."""
    now = timezone.now()
    # A scan sent without its time happened when the batch arrived, on the edition's clock
    # (its demo clock, if set); the time the log says it was received stays the real one.
    at = edition_now(expo, now=now)
    parsed: list[tuple[Scanner, CheckedScan | dict]] = []
    for scanner, item in items:
        if isinstance(item, InvalidItem):
            parsed.append((scanner, _invalid_answer(item)))
        else:
            parsed.append((scanner, scan_checked(item, now=at)))
    for attempt in range(ATTEMPTS):
        try:
            return _sync(expo, parsed, now)
        except (IntegrityError, connection.Database.IntegrityError):
            # Another request recorded some of these nonces meanwhile (PostgreSQL only; on
            # SQLite the batch holds the write lock from its first read). Read them again. The
            # log's rows go through the driver's cursor, whose error Django does not wrap.
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _invalid_answer(item: InvalidItem) -> dict:
    """The answer to an item the schema refused: its nonce if it has a usable one."""
    return {
        "nonce": item.text("nonce"),
        "result": ScanResult.REJECT,
        "reason": "invalid",
        "detail": {"fields": item.fields},
    }


def _sync(expo: Expo, parsed: list[tuple[Scanner, CheckedScan | dict]], now) -> list[dict]:
    ctx = checkin_context(expo)
    scans = [(scanner, p) for scanner, p in parsed if isinstance(p, CheckedScan)]
    # Before the write transaction, so that two batches do this work side by side: what does
    # not change under us — the secrets, the tickets' fixed facts, the signatures.
    secrets: dict[str, ParsedSecret | None] = {}
    for _scanner, scan in scans:
        if scan.secret not in secrets:
            try:
                secrets[scan.secret] = parse_secret(scan.secret)
            except SecretError:
                secrets[scan.secret] = None
    tickets = queries.tickets_facts(
        expo_id=expo.pk, serials={p.serial for p in secrets.values() if p}
    )
    claims: dict[str, TicketClaims | None] = {}
    facts: dict[str, rules.TicketFacts] = {}
    for secret, parsed_secret in secrets.items():
        ticket = tickets.get(parsed_secret.serial) if parsed_secret else None
        found = claims[secret] = secret_claims(ctx, secret, parsed_secret, ticket)
        facts[secret] = ticket_facts(ctx, found)
    # What each scan's decision reads but the transaction does not guard, gathered before it:
    # its log row's fixed columns, its facts, the movement it makes if the holder went through.
    adapt_time = connection.ops.adapt_datetimefield_value
    now_db, source = adapt_time(now), ScanSource.SYNC
    times: dict[dt.datetime, tuple[dt.date, object]] = {}  # the expo day, the stored value
    scan_facts_by: dict[tuple, rules.ScanFacts] = {}  # by (device, gate, direction, day, door)
    # The programme only if a scan is at a room's door.
    room_doors = (
        doors(expo=expo)
        if any(ctx.gates[g].room for g in {i.gate for _s, i in scans} if g in ctx.gates)
        else None
    )
    planned = []
    for scanner, item in scans:
        timing = times.get(item.scanned_at)
        if timing is None:
            at = item.scanned_at
            timing = times[at] = (rules.scan_day(at, ctx.tz), adapt_time(at))
        day, at_db = timing
        door = door_of(ctx, room_doors, item) if room_doors else None
        facts_key = (scanner.device_id, item.gate, item.direction, day, door)
        scanned = scan_facts_by.get(facts_key)
        if scanned is None:
            scanned = scan_facts_by[facts_key] = scan_facts(ctx, scanner, item, day, door)
        found = claims[item.secret]
        ticket = tickets.get(found.serial) if found else None
        # Only a scan tied to a ticket, at a gate of the edition, can let somebody through.
        moved = (
            movement(expo.pk, ctx, item, ticket.id)
            if ticket is not None and item.gate in ctx.gates
            else None
        )
        planned.append(
            (
                (scanner.device_id, item.nonce),
                log_fixed(expo.pk, scanner, ctx, item, at_db, now_db, source),
                found,
                ticket,
                facts[item.secret],
                scanned,
                moved,
                item.scanned_at,
            )
        )
    held = _reservations(planned)
    # Nonces are unique per device: a scan is known by (device, nonce).
    earlier: dict[tuple[int, str], Decision] = {}
    # The driver's own cursor: Django's SQLite cursor tees (buffers) every executemany row.
    with transaction.atomic(), driver_cursor() as cursor:
        by_device: dict[int, list[str]] = {}
        for scanner, scan in scans:
            by_device.setdefault(scanner.device_id, []).append(scan.nonce)
        for device_id, nonces in by_device.items():
            for nonce, result, reason, rule, serial, ticket_id in queries.scans_answered(
                cursor, device_id=device_id, nonces=nonces
            ):
                earlier[(device_id, nonce)] = Decision(result, reason, rule, serial, ticket_id)
        queries.tickets_states(cursor, expo_id=expo.pk, tickets=tickets.values())
        logs, movements, attended = [], [], []
        for key, fixed, found, ticket, ticket_facts_, scan_facts_, moved, at in planned:
            if key in earlier:
                continue
            decision = earlier[key] = _decide(found, ticket, ticket_facts_, scan_facts_, held)
            logs.append(fixed + log_decided(decision))
            # An admission or a conflict let the holder through.
            if moved is not None and (
                decision.result == ScanResult.ADMIT or decision.reason == "conflict"
            ):
                movements.append(moved)
                if scan_facts_.session is not None and scan_facts_.direction == rules.IN:
                    attended.append((scan_facts_.session, ticket.id, ticket.registration_id, at))
        adapt = connection.ops.adapt_datefield_value
        queries.scan_log_insert_many(cursor, rows=logs)
        movements_enqueue(cursor=cursor, movements=movements)
        attendance_record_many(rows=attended)
        queries.tickets_inside_set(
            cursor, states=[(adapt(t.inside), t.id) for t in tickets.values() if t.changed]
        )
    # After the commit: the answers need nothing the transaction guards.
    return [
        _answer(item.nonce, earlier[(scanner.device_id, item.nonce)])
        if isinstance(item, CheckedScan)
        else item
        for scanner, item in parsed
    ]


def _reservations(planned) -> dict[int, frozenset[int]]:
    """Registration id → the sessions it holds a confirmed reservation at, of the seated
    sessions this batch's tickets were scanned at the door of."""
    wanted = [(p[3].registration_id, p[5].session) for p in planned if p[5].seated and p[3]]
    held = reservations_held(
        registration_ids={r for r, _s in wanted}, session_ids={s for _r, s in wanted}
    )
    found: dict[int, set[int]] = {}
    for registration_id, session_id in held:
        found.setdefault(registration_id, set()).add(session_id)
    return {r: frozenset(sessions) for r, sessions in found.items()}


_UNKNOWN = rules.TicketState(False, False, None)
_DECIDE = rules.deciders(rules.SYNC_RULES)


def _decide(
    claims,
    ticket: TicketRecord | None,
    facts: rules.TicketFacts,
    scan: rules.ScanFacts,
    held: dict[int, frozenset[int]],
) -> Decision:
    """Decide a synced scan by the rules and move its ticket: an offline admission let its
    holder through whatever the rules say, so any rule broken is a conflict, not a refusal
    (except those that name no ticket: `invalid`, `unknown`). A room's door does not move the
    ticket's venue state."""
    state = (
        _UNKNOWN
        if ticket is None
        else rules.TicketState(
            True,
            ticket.status != TicketStatus.VALID,
            ticket.inside,
            held.get(ticket.registration_id, ()),
        )
    )
    reason = _DECIDE[scan.direction](facts, scan, state)
    if reason in _IDENTIFYING:
        return Decision(ScanResult.REJECT, reason, serial=claims.serial if claims else None)
    if not scan.room:
        ticket.inside = scan.day if scan.direction == rules.IN else None
        ticket.changed = True
    if reason:
        return Decision(
            ScanResult.REJECT, "conflict", reason, claims.serial, ticket.id, ticket.type_id
        )
    return Decision(ScanResult.ADMIT, "", "", claims.serial, ticket.id, ticket.type_id)


_IDENTIFYING = frozenset(r.reason for r in rules.RULES if r.identifies)


def _answer(nonce: str, decision: Decision) -> dict:
    """A sync result: `{"nonce", "result", "reason"?, "detail"?}` (docs/api.md). The ticket's holder
    and type are left out: the scanner showed them when it admitted the holder offline."""
    body: dict[str, Any] = {"nonce": nonce, "result": decision.result}
    if decision.reason:
        body["reason"] = decision.reason
    if decision.rule:
        body["detail"] = {"reason": decision.rule}
    return body
