"""Offline admissions synced in batches: every scan recorded, conflicts answered, in bulk.

A batch of up to 5,000 scans is decided in one transaction with a fixed number of statements:
the device's earlier nonces and the tickets involved are read in chunks (the tickets locked on
PostgreSQL), every scan is decided in order in memory — the batch's own earlier scans of a
ticket count as its state — and the log rows and the tickets' final states are written with
`executemany`. The server recognises the secrets it issued by their digest (`Ticket.
secret_digest`); only a secret it does not recognise has its Ed25519 signature verified, which
keeps a batch from costing 5,000 signature checks (~0.1 ms each).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from smartexpo.checkin.context import (
    checkin_context,
)
from smartexpo.checkin.devices import Scanner
from smartexpo.checkin.models import Scan, ScanResult, ScanSource
from smartexpo.checkin.offline import entry_rule, scan_day
from smartexpo.checkin.scanning import (
    CheckedScan,
    Decision,
    log_decided,
    log_fixed,
    log_insert_sql,
    movement,
    scan_checked,
)
from smartexpo.checkin.schemas import ScanPayload
from smartexpo.core.bodies import InvalidItem
from smartexpo.core.db import date_value, driver_cursor, driver_sql
from smartexpo.crowd.services import movements_enqueue
from smartexpo.tickets.issuing import secret_digest
from smartexpo.tickets.models import Ticket, TicketStatus
from smartexpo.tickets.ticket_secrets import (
    ParsedSecret,
    SecretError,
    TicketClaims,
    decode_body,
    parse_secret,
    verify_secret,
)
from smartexpo.venue.models import Expo

CHUNK = 500  # parameters per IN list: well under every SQLite build's limit
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
    given: a venue's scans imported together (`crowd.bulk`) keep their time order across
    gates, so an exit at one gate never comes before the entry at another."""
    now = timezone.now()
    parsed: list[tuple[Scanner, CheckedScan | dict]] = []
    for scanner, item in items:
        if isinstance(item, InvalidItem):
            parsed.append((scanner, _invalid_answer(item)))
        else:
            parsed.append((scanner, scan_checked(item, now=now)))
    for attempt in range(ATTEMPTS):
        try:
            return _sync(expo, parsed, now)
        except IntegrityError:
            # Another request recorded some of these nonces meanwhile (PostgreSQL only; on
            # SQLite the batch holds the write lock from its first read). Read them again.
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _invalid_answer(item: InvalidItem) -> dict:
    """The answer to an item the schema refused: its nonce if it has a usable one."""
    nonce = item.value.get("nonce") if isinstance(item.value, dict) else None
    return {
        "nonce": nonce if isinstance(nonce, str) else None,
        "result": ScanResult.REJECT,
        "reason": "invalid",
        "detail": {"fields": item.fields},
    }


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


@dataclasses.dataclass
class _Ticket:
    """What a batch needs of one ticket: fixed facts read before the write transaction, the
    state (status, inside day) read inside it and changed as the batch is decided."""

    id: int
    serial: int
    type_id: int
    digest: str
    status: str = ""
    inside: dt.date | None = None
    changed: bool = False


def _sync(expo: Expo, parsed: list[tuple[Scanner, CheckedScan | dict]], now) -> list[dict]:
    ctx = checkin_context(expo)
    scans = [(scanner, p) for scanner, p in parsed if isinstance(p, CheckedScan)]
    qn = connection.ops.quote_name
    ticket_t, scan_t = qn(Ticket._meta.db_table), qn(Scan._meta.db_table)
    # Before the write transaction, so that two batches do this work side by side: what does
    # not change under us — the secrets, the tickets' fixed facts, the signatures.
    secrets: dict[str, ParsedSecret | None] = {}
    for _scanner, scan in scans:
        if scan.secret not in secrets:
            try:
                secrets[scan.secret] = parse_secret(scan.secret)
            except SecretError:
                secrets[scan.secret] = None
    tickets = _tickets(expo, {p.serial for p in secrets.values() if p}, ticket_t)
    claims: dict[str, TicketClaims | None] = {}
    for secret, parsed_secret in secrets.items():
        ticket = tickets.get(parsed_secret.serial) if parsed_secret else None
        claims[secret] = _claims(ctx, secret, parsed_secret, ticket)
    days = {s.scanned_at: scan_day(s.scanned_at, ctx.tz) for _scanner, s in scans}
    fixed = _fixed_log_columns(expo, ctx, scans, now)
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    # Nonces are unique per device: a scan is known by (device, nonce).
    earlier: dict[tuple[int, str], Decision] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        by_device: dict[int, list[str]] = {}
        for scanner, scan in scans:
            by_device.setdefault(scanner.device_id, []).append(scan.nonce)
        for device_id, nonces in by_device.items():
            for chunk in _chunks(list(dict.fromkeys(nonces))):
                cursor.execute(
                    f"SELECT nonce, result, reason, rule, serial, ticket_id FROM {scan_t} "  # noqa: S608
                    f"WHERE device_id = %s AND nonce IN ({_placeholders(len(chunk))})",
                    [device_id, *chunk],
                )
                for nonce, result, reason, rule, serial, ticket_id in cursor.fetchall():
                    earlier[(device_id, nonce)] = Decision(result, reason, rule, serial, ticket_id)
        by_id = {t.id: t for t in tickets.values()}
        for chunk in _chunks(sorted(by_id)):
            cursor.execute(
                f"SELECT id, status, inside_day FROM {ticket_t} "  # noqa: S608
                f"WHERE id IN ({_placeholders(len(chunk))}){lock}",
                chunk,
            )
            for ticket_id, status, inside in cursor.fetchall():
                by_id[ticket_id].status, by_id[ticket_id].inside = status, date_value(inside)
        logs, movements = [], []
        for scanner, item in scans:
            key = (scanner.device_id, item.nonce)
            if key in earlier:
                continue
            found = claims[item.secret]
            ticket = tickets.get(found.serial) if found else None
            decision = _decide(ctx, scanner, item, found, ticket, days[item.scanned_at])
            earlier[key] = decision
            logs.append(fixed[key] + log_decided(decision))
            # An admission or a conflict let the holder through: a movement at the gate's zone.
            if item.gate in ctx.gates and (
                decision.result == ScanResult.ADMIT or decision.reason == "conflict"
            ):
                movements.append(movement(expo.pk, ctx, item, decision.ticket_id))
        adapt = connection.ops.adapt_datefield_value
        changed = [(adapt(t.inside), t.id) for t in tickets.values() if t.changed]
        # The driver's own cursor for the batch's rows: Django's SQLite cursor tees (buffers)
        # every row of an executemany.
        with driver_cursor() as raw:
            if logs:
                raw.executemany(driver_sql(log_insert_sql()), logs)
            movements_enqueue(cursor=raw, movements=movements)
            if changed:
                raw.executemany(
                    driver_sql(f"UPDATE {ticket_t} SET inside_day = %s WHERE id = %s"),  # noqa: S608
                    changed,
                )
    # After the commit: the answers need nothing the transaction guards.
    return [
        _answer(item.nonce, earlier[(scanner.device_id, item.nonce)])
        if isinstance(item, CheckedScan)
        else item
        for scanner, item in parsed
    ]


def _answer(nonce: str, decision: Decision) -> dict:
    """A sync result: `{"nonce", "result", "reason"?, "detail"?}` (docs/api.md). The ticket's holder
    and type are left out: the scanner showed them when it admitted the holder offline."""
    body: dict[str, Any] = {"nonce": nonce, "result": decision.result}
    if decision.reason:
        body["reason"] = decision.reason
    if decision.rule:
        body["detail"] = {"reason": decision.rule}
    return body


def _fixed_log_columns(expo, ctx, scans: list[tuple[Scanner, CheckedScan]], now) -> dict:
    """Per (device, nonce), the log columns that do not depend on the decision (built outside
    the write transaction)."""
    adapt = connection.ops.adapt_datetimefield_value
    now_db, source = adapt(now), ScanSource.SYNC
    times: dict[dt.datetime, str] = {}
    fixed: dict[tuple[int, str], tuple] = {}
    for scanner, scan in scans:
        key = (scanner.device_id, scan.nonce)
        if key in fixed:
            continue
        at = times.get(scan.scanned_at)
        if at is None:
            at = times[scan.scanned_at] = adapt(scan.scanned_at)
        fixed[key] = log_fixed(expo.pk, scanner, ctx, scan, at, now_db, source)
    return fixed


def _tickets(expo: Expo, serials: set[int], ticket_t: str) -> dict[int, _Ticket]:
    """The edition's tickets with these serials, by serial (facts that never change)."""
    found: dict[int, _Ticket] = {}
    for chunk in _chunks(sorted(serials)):
        with connection.cursor() as cursor:
            # By serial alone: the serial's unique index finds each row, where a condition on
            # the edition would lead SQLite to walk all of the edition's tickets instead.
            cursor.execute(
                f"SELECT id, serial, ticket_type_id, secret_digest, expo_id FROM {ticket_t} "  # noqa: S608
                f"WHERE serial IN ({_placeholders(len(chunk))})",
                chunk,
            )
            for ticket_id, serial, type_id, digest, expo_id in cursor.fetchall():
                if expo_id == expo.pk:
                    found[serial] = _Ticket(ticket_id, serial, type_id, digest)
    return found


class _Claims(NamedTuple):
    """The claims of a secret recognised by its digest (already known to be well formed)."""

    serial: int
    type_id: int
    days: tuple[dt.date, ...]


_bodies: dict[bytes, tuple[int, tuple[dt.date, ...]]] = {}


def _claims(ctx, secret: str, parsed: ParsedSecret | None, ticket: _Ticket | None):
    """The claims of a secret, or None if it is not authentic: trusted at once if it is the
    secret this ticket was issued with, else only after its signature verifies."""
    if parsed is None:
        return None
    if ticket is not None and ticket.digest:
        given = secret_digest(secret) if secret.isascii() else ""
        if hmac.compare_digest(given, ticket.digest):
            # Thousands of tickets share a body (same type, same days): decoded once each.
            body = _bodies.get(parsed.body)
            if body is None:
                body = _bodies[parsed.body] = decode_body(parsed.body)
            return _Claims(parsed.serial, *body)
    try:
        return verify_secret(secret, ctx.keys)
    except SecretError:
        return None


def _decide(ctx, scanner: Scanner, scan: CheckedScan, claims, ticket: _Ticket | None, day):
    if claims is None:
        return Decision(ScanResult.REJECT, "invalid")
    if ticket is None:
        return Decision(ScanResult.REJECT, "unknown", serial=claims.serial)
    gate = ctx.gates.get(scan.gate)
    if scan.gate not in scanner.gates or gate is None:
        rule = "gate_not_allowed"
    elif scan.direction == "out":
        rule = "not_inside" if ticket.inside != day else None
    elif ticket.status != TicketStatus.VALID:
        rule = "revoked"
    else:
        rule = entry_rule(claims, day=day, zone=gate.zone, type_zones=ctx.type_zones)
        if rule is None and ticket.inside == day:
            rule = "already_inside"
    # Admitted offline: the holder went through, so the state follows whatever the rules say.
    ticket.inside = day if scan.direction == "in" else None
    ticket.changed = True
    if rule:
        return Decision(
            ScanResult.REJECT, "conflict", rule, claims.serial, ticket.id, ticket.type_id
        )
    return Decision(ScanResult.ADMIT, "", "", claims.serial, ticket.id, ticket.type_id)
