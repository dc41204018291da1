"""Offline scans by the million: the check-in of a venue's whole stream (`streams.importing`).

The same decisions and the same records as `services.sync.scans_sync_many` (property tests hold
the two together and to `rules.decide`: `tests/checkin/test_bulk_sync.py`, `test_rules.py`),
split into a plan and its application:

- `scans_facts` checks the fields and authenticates each distinct secret, needing no lock;
- `scans_sync_plan` reads the tickets' states and the earlier nonces and decides every
  scan in time order with the sync's rules (`rules.SYNC_RULES`) compiled into columns
  (polars): each ticket's state before a scan is the one its previous scan left, a window over
  the ticket. Each secret is parsed and authenticated once however often it is scanned
  (`claims.secret_claims`), and nothing is answered but counts. A million scans take seconds
  where one call per scan took a minute.
- `scans_sync_apply` writes the check-in log and the tickets' states.

Between the two nothing else may change the tickets: the caller holds the write lock (SQLite)
or plans inside its transaction, with the tickets locked (PostgreSQL).

Scans at a room's door are decided as the sync decides them (`checkin.doors`): the session at
the door is looked up once per distinct (gate, instant), the reservations once per batch; they
leave the ticket's venue state as it was, and each entry is counted in its session's attendance.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import numpy as np
import polars as pl
from django.db import connection
from django.utils import timezone

from smartexpo.checkin import queries, rules
from smartexpo.checkin.claims import secret_claims
from smartexpo.checkin.context import checkin_context
from smartexpo.checkin.doors import doors
from smartexpo.checkin.models import ScanResult, ScanSource
from smartexpo.checkin.queries import TicketRecord
from smartexpo.checkin.schemas import MAX_GATE_CHARS, MAX_NONCE_CHARS
from smartexpo.core.db import driver_cursor, is_sqlite
from smartexpo.crowd.visitors import hashed, ticket_visitor
from smartexpo.devices.auth import Scanner
from smartexpo.programme.attendance import reservations_held
from smartexpo.programme.services.attendance import attendance_record_many
from smartexpo.tickets.models import TicketStatus
from smartexpo.tickets.secrets_batch import parse_secrets
from smartexpo.venue.clock import edition_now
from smartexpo.venue.models import Expo

# Longer than any secret (131 characters), so that cutting there changes no answer.
MAX_SECRET_CHARS = 200
COLUMNS = ("device", "secret", "gate", "direction", "nonce", "at")


@dataclasses.dataclass
class BulkSyncPlan:
    """A stream's scans decided: the log rows, the tickets' final states, the movements of
    those who went through (zone id, µs since the epoch, ±1, an entry's visitor hash or 0),
    and counts by outcome."""

    log_rows: list[tuple]
    ticket_states: list[tuple[object, int]]  # (inside day as stored, ticket id)
    movement_zone: np.ndarray
    movement_at_us: np.ndarray
    movement_delta: np.ndarray
    results: Counter
    movement_visitor: np.ndarray = dataclasses.field(
        default_factory=lambda: np.empty(0, dtype=np.int64)
    )
    # Entries at room doors: (session id, ticket id, registration id, instant).
    attendance: list[tuple] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ScanFacts:
    """What does not change under a stream's scans: the scans with checked fields, and each
    distinct secret's claims and ticket (its fixed facts; its state is read under the lock)."""

    frame: pl.DataFrame
    invalid: int
    secrets: list[str]
    claims: list
    tickets: dict[int, TicketRecord]  # by serial


def scans_facts(*, expo: Expo, scanners: dict[str, Scanner], frame: pl.DataFrame) -> ScanFacts:
    """Check a stream's scans (columns `COLUMNS`, `device` a scanner's name, `at` a UTC
    timestamp, in time order) and authenticate their secrets, without a lock: nothing read
    here changes (an item with a bad field is `invalid`, as the sync answers an item that
    breaks `checkin.schemas.ScanPayload`)."""
    ctx = checkin_context(expo)
    # A scan without its time happened at the edition's time (its demo clock, if set).
    frame = frame.select(COLUMNS).with_columns(pl.col("at").fill_null(edition_now(expo)))
    good = (
        pl.col("device").is_in(list(scanners))
        & pl.col("secret").is_not_null()
        & pl.col("gate").str.len_chars().is_between(1, MAX_GATE_CHARS).fill_null(False)
        & pl.col("direction").is_in(["in", "out"]).fill_null(False)
        & pl.col("nonce").str.len_chars().is_between(1, MAX_NONCE_CHARS).fill_null(False)
    )
    checked = frame.with_columns(good.alias("good"))
    invalid = int((~checked.get_column("good")).sum())
    frame = (
        checked.filter(pl.col("good"))
        .drop("good")
        .with_columns(
            # A secret longer than any is answered invalid whatever its length: cut here, so
            # that a column of junk costs no more memory than one of secrets.
            pl.col("secret").str.slice(0, MAX_SECRET_CHARS),
            pl.col("at").dt.convert_time_zone(str(ctx.tz)).dt.date().alias("day"),
            pl.col("at").dt.epoch("us").alias("at_us"),
            _db_time(pl.col("at")).alias("at_db"),
        )
    )
    secrets = frame.get_column("secret").unique().to_list()
    parsed = dict(zip(secrets, parse_secrets(secrets), strict=True))
    tickets = queries.tickets_facts(
        expo_id=expo.pk, serials={p.serial for p in parsed.values() if p}
    )
    claims = []
    for secret in secrets:
        p = parsed[secret]
        claims.append(secret_claims(ctx, secret, p, tickets.get(p.serial) if p else None))
    return ScanFacts(frame, invalid, secrets, claims, tickets)


def scans_sync_plan(*, expo: Expo, scanners: dict[str, Scanner], facts: ScanFacts) -> BulkSyncPlan:
    """Decide the scans of `scans_facts` in their order, as `sync.scans_sync_many` would
    (under the caller's lock: the tickets' states and the earlier nonces are read here). A
    (device, nonce) seen before is a `duplicate`."""
    ctx = checkin_context(expo)
    now = timezone.now()
    results: Counter = Counter()
    if facts.invalid:
        results["invalid"] += facts.invalid
    tickets = facts.tickets
    with driver_cursor() as cursor:
        queries.tickets_states(cursor, expo_id=expo.pk, tickets=tickets.values())
    doors_table, held_table = _doors_tables(expo, ctx, facts.frame, tickets)
    frame = _decided(
        facts.frame,
        _secrets_table(facts.secrets, facts.claims, tickets),
        _scanners_table(scanners, ctx),
        _type_zones_table(ctx),
        queries.nonces_used(device_ids=[s.device_id for s in scanners.values()]),
        doors_table,
        held_table,
    )
    results.update(_counts(frame))
    recorded = frame.filter(pl.col("recorded"))
    now_db = connection.ops.adapt_datetimefield_value(now)
    n = len(recorded)
    log_rows = list(
        zip(
            [expo.pk] * n,
            *(
                recorded.get_column(c).to_list()
                for c in ("device_id", "gate_id", "gate", "zone_id", "direction", "nonce")
            ),
            recorded.get_column("at_db").to_list(),
            [now_db] * n,
            [str(ScanSource.SYNC)] * n,
            *(
                recorded.get_column(c).to_list()
                for c in ("serial", "ticket_id", "result", "reason", "rule")
            ),
            strict=True,
        )
    )
    # Each ticket ends as its last recorded scan at a venue gate leaves it: inside that day, or
    # out (a room's door leaves it as it was).
    adapt = connection.ops.adapt_datefield_value
    last = (
        recorded.filter(pl.col("ticket_id").is_not_null() & pl.col("mark").is_not_null())
        .group_by("ticket_id")
        .agg(pl.col("mark").last())
    )
    states = [
        (adapt(None if day == OUT else day), ticket_id)
        for ticket_id, day in zip(
            last.get_column("ticket_id").to_list(), last.get_column("mark").to_list(), strict=True
        )
    ]
    moved = recorded.filter(pl.col("moves"))
    attended = moved.filter(pl.col("session").is_not_null() & (pl.col("direction") == rules.IN))
    attendance = list(
        zip(
            *(
                attended.get_column(c).to_list()
                for c in ("session", "ticket_id", "registration_id")
            ),
            attended.get_column("at").to_list(),
            strict=True,
        )
    )
    entry = moved.get_column("direction").to_numpy() == "in"
    return BulkSyncPlan(
        log_rows,
        states,
        moved.get_column("zone_id").to_numpy().astype(np.int64),
        moved.get_column("at_us").to_numpy().astype(np.int64),
        np.where(entry, 1, -1).astype(np.int64),
        results,
        _entry_visitors(moved.get_column("ticket_id"), entry),
        attendance,
    )


# The mark of an exit at a venue gate in the `mark` column (a date no expo has): null there
# means a scan that left the venue state alone.
OUT = dt.date(1900, 1, 1)


def _doors_tables(expo, ctx, frame: pl.DataFrame, tickets: dict) -> tuple:
    """The session at the door of each distinct (room gate, instant) of the scans: `gate`,
    `at_us`, `session`, `seated`; and the confirmed reservations of the tickets' registrations
    at the seated ones: `ticket_id`, `session`, `held`."""
    room_gates = [g.code for g in ctx.gates.values() if g.room]
    at_doors = (
        frame.filter(pl.col("gate").is_in(room_gates)).select("gate", "at", "at_us").unique()
        if room_gates
        else frame.clear().select("gate", "at", "at_us")
    )
    rows = []
    if len(at_doors):
        room_doors = doors(expo=expo)
        for gate, at, at_us in at_doors.iter_rows():
            door = room_doors.at(ctx.gates[gate].zone, at)
            if door is not None:
                rows.append((gate, at_us, door.session, door.seated))
    doors_table = pl.DataFrame(
        rows,
        schema={"gate": pl.Utf8, "at_us": pl.Int64, "session": pl.Int64, "seated": pl.Boolean},
        orient="row",
    )
    seated = {session for _g, _a, session, is_seated in rows if is_seated}
    by_registration: dict[int, list[int]] = {}
    for ticket in tickets.values():
        by_registration.setdefault(ticket.registration_id, []).append(ticket.id)
    held = reservations_held(registration_ids=by_registration, session_ids=seated)
    held_table = pl.DataFrame(
        [(t, session) for r, session in held for t in by_registration[r]],
        schema={"ticket_id": pl.Int64, "session": pl.Int64},
        orient="row",
    ).with_columns(pl.lit(True).alias("held"))
    return doors_table, held_table


def _entry_visitors(ticket_ids: pl.Series, entry: np.ndarray) -> np.ndarray:
    """Each movement's visitor hash: its ticket's for an entry, else 0 (as the sync's)."""
    entries = pl.select(pl.when(pl.Series(entry)).then(ticket_ids)).to_series()
    return hashed(entries, ticket_visitor).fill_null(0).to_numpy().astype(np.int64)


def _secrets_table(secrets: list[str], facts: list, tickets: dict) -> pl.DataFrame:
    """Per secret: whether it is authentic, its serial, type and valid days, its ticket."""
    rows = []
    for secret, found in zip(secrets, facts, strict=True):
        ticket = tickets.get(found.serial) if found else None
        rows.append(
            (
                secret,
                found is not None,
                found.serial if found else None,
                found.type_id if found else None,
                list(found.days) if found else None,
                ticket.id if ticket else None,
                ticket.status if ticket else None,
                ticket.inside if ticket else None,
                ticket.registration_id if ticket else None,
            )
        )
    return pl.DataFrame(
        rows,
        schema={
            "secret": pl.Utf8,
            "authentic": pl.Boolean,
            "serial": pl.Int64,
            "claims_type": pl.Int64,
            "claims_days": pl.List(pl.Date),
            "ticket_id": pl.Int64,
            "status": pl.Utf8,
            "inside_before": pl.Date,
            "registration_id": pl.Int64,
        },
        orient="row",
    )


def _scanners_table(scanners: dict[str, Scanner], ctx) -> pl.DataFrame:
    """Per (scanner, gate it serves): the gate's id and the zone it admits into."""
    rows = [
        (name, scanner.device_id, code)
        for name, scanner in scanners.items()
        for code in sorted(scanner.gates)
    ]
    served = pl.DataFrame(
        rows, schema={"device": pl.Utf8, "device_id": pl.Int64, "served": pl.Utf8}, orient="row"
    )
    gates = pl.DataFrame(
        [(g.code, g.id, g.zone_id, g.zone, g.room) for g in ctx.gates.values()],
        schema={
            "gate": pl.Utf8,
            "gate_id": pl.Int64,
            "zone_id": pl.Int64,
            "zone": pl.Utf8,
            "room": pl.Boolean,
        },
        orient="row",
    )
    return served, gates


def _type_zones_table(ctx) -> pl.DataFrame:
    return pl.DataFrame(
        [(type_id, zone) for type_id, zones in ctx.type_zones.items() for zone in zones],
        schema={"claims_type": pl.Int64, "zone": pl.Utf8},
        orient="row",
    ).with_columns(pl.lit(True).alias("zone_ok"))


def _decided(
    frame, secrets, scanner_tables, type_zones, earlier, doors_table, held_table
) -> pl.DataFrame:
    """The scans with what `services.sync` answers each, in columns: `recorded` (not a
    repeated nonce), `result`, `reason`, `rule`, `serial`, `ticket_id`, `mark` (the ticket's
    venue state after a venue gate's scan: the day it is inside on, or `OUT`; null after a
    room door's), `moves` (somebody went through a known gate), `session` (the door's)."""
    served, gates = scanner_tables
    device_ids = served.select("device", "device_id").unique()
    frame = frame.join(device_ids, on="device", how="left", maintain_order="left")
    used = pl.DataFrame(
        sorted(earlier), schema={"device_id": pl.Int64, "nonce": pl.Utf8}, orient="row"
    ).with_columns(pl.lit(True).alias("used"))
    frame = (
        frame.join(used, on=["device_id", "nonce"], how="left", maintain_order="left")
        .with_columns(
            (pl.col("used").is_null() & pl.struct("device_id", "nonce").is_first_distinct()).alias(
                "recorded"
            )
        )
        .join(secrets, on="secret", how="left", maintain_order="left")
        .join(gates, on="gate", how="left", maintain_order="left")
        .join(
            served.select("device_id", "served").with_columns(pl.lit(True).alias("serves")),
            left_on=["device_id", "gate"],
            right_on=["device_id", "served"],
            how="left",
            maintain_order="left",
        )
        .join(type_zones, on=["claims_type", "zone"], how="left", maintain_order="left")
        .join(doors_table, on=["gate", "at_us"], how="left", maintain_order="left")
        .join(held_table, on=["ticket_id", "session"], how="left", maintain_order="left")
        .with_columns(pl.col("room").fill_null(False), pl.col("seated").fill_null(False))
    )
    known = pl.col("recorded") & pl.col("ticket_id").is_not_null()
    mark = pl.when(pl.col("direction") == "in").then(pl.col("day")).otherwise(pl.lit(OUT))
    frame = frame.with_columns(
        pl.when(known & ~pl.col("room")).then(mark).otherwise(None).alias("mark"),
    ).with_columns(
        # The ticket's venue state before each scan: as the last venue gate's scan before it
        # left it (only recorded scans of known tickets at venue gates change it), else as
        # stored.
        pl.when(~known)
        .then(None)
        .otherwise(
            pl.col("mark")
            .forward_fill()
            .shift(1)
            .over(pl.when(known).then(pl.col("ticket_id")))
            .fill_null(pl.col("inside_before"))
        )
        .alias("inside")
    )
    # Each fact, and the direction, computed once as a column: polars evaluates every branch
    # of a when/then chain over the whole frame, so a fact read by two rules (or the direction
    # by five) would be computed again for each.
    computed = _facts()
    frame = frame.with_columns(
        *(expr.alias(f"fact:{name}") for name, expr in computed.items()),
        (pl.col("direction") == rules.IN).alias("entry"),
    )
    facts = {name: pl.col(f"fact:{name}") for name in computed}
    frame = frame.with_columns(
        _first_broken(facts).alias("broken"), _identifying(facts).alias("identifying")
    )
    broken = pl.col("broken")
    return frame.with_columns(
        pl.when(known & broken.is_null())
        .then(pl.lit(str(ScanResult.ADMIT)))
        .otherwise(pl.lit(str(ScanResult.REJECT)))
        .alias("result"),
        pl.when(pl.col("identifying"))
        .then(broken)
        .when(broken.is_not_null())
        .then(pl.lit("conflict"))
        .otherwise(pl.lit(""))
        .alias("reason"),
        pl.when(pl.col("identifying"))
        .then(pl.lit(""))
        .otherwise(broken.fill_null(""))
        .alias("rule"),
        pl.when(pl.col("authentic").fill_null(False)).then(pl.col("serial")).alias("serial"),
        pl.when(pl.col("ticket_id").is_not_null()).then(pl.col("ticket_id")).alias("ticket_id"),
        # Somebody went through: an admission or a conflict, at a gate of the edition.
        (known & pl.col("zone_id").is_not_null()).alias("moves"),
    )


def _facts() -> dict[str, pl.Expr]:
    """Each fact of `rules.FACT_SOURCES` as a column of the joined scans (True, False or null where
    an earlier rule decides: the secret's when it is not authentic, the state's when no ticket
    has the serial)."""
    return {
        "authentic": pl.col("authentic").fill_null(False),
        "gate_served": pl.col("serves").is_not_null() & pl.col("gate_id").is_not_null(),
        "known": pl.col("ticket_id").is_not_null(),
        "revoked": pl.col("status") != TicketStatus.VALID,
        "day_valid": pl.col("claims_days").list.contains(pl.col("day")),
        "zone_valid": pl.col("seated") | pl.col("zone_ok").is_not_null(),
        "reserved": ~pl.col("seated") | pl.col("held").is_not_null(),
        # `OUT` is a date no scan has: out of the venue.
        "inside_today": (pl.col("inside") == pl.col("day")).fill_null(False),
    }


def _broken(facts: dict[str, pl.Expr], rule: rules.Rule) -> pl.Expr:
    broken = facts[rule.fact] if rule.broken_when else ~facts[rule.fact]
    if rule.gates is not None:
        room = pl.col("room")
        broken = broken & (room if rule.gates == rules.ROOM else ~room)
    if rule.direction is None:
        return broken
    entry = pl.col("entry")
    return broken & (entry if rule.direction == rules.IN else ~entry)


def _first_broken(facts: dict[str, pl.Expr]) -> pl.Expr:
    """`rules.decide` in the sync's order as one column: the reason of the first rule each
    scan breaks, null to admit (a null fact breaks nothing: the rule that makes it null comes
    first)."""
    chain = None
    for rule in rules.SYNC_RULES:
        broken, then = _broken(facts, rule), pl.lit(rule.reason)
        chain = pl.when(broken).then(then) if chain is None else chain.when(broken).then(then)
    return chain.otherwise(pl.lit(None, dtype=pl.Utf8))


def _identifying(facts: dict[str, pl.Expr]) -> pl.Expr:
    """Whether the first rule broken names no ticket (`invalid`, `unknown`): answered as
    such, not as a conflict. Those rules come first in `rules.SYNC_RULES`, so any of them
    broken is the first broken."""
    found = pl.lit(False)
    for rule in rules.SYNC_RULES:
        if rule.identifies:
            found = found | _broken(facts, rule)
    return found


def _counts(frame: pl.DataFrame) -> Counter:
    """Outcomes as the batch path reports them: `admit`, `invalid`, `unknown`,
    `conflict:<rule>`, `duplicate`."""
    counted = frame.select(
        pl.when(~pl.col("recorded"))
        .then(pl.lit("duplicate"))
        .when(pl.col("reason") == "conflict")
        .then(pl.lit("conflict:") + pl.col("rule"))
        .when(pl.col("reason") != "")
        .then(pl.col("reason"))
        .otherwise(pl.col("result"))
        .alias("outcome")
    )
    return Counter(dict(counted.group_by("outcome").len().iter_rows()))


def scans_sync_apply(plan: BulkSyncPlan) -> None:
    """Write a plan's log rows and ticket states (in the caller's transaction)."""
    # The driver's own cursor: Django's SQLite cursor tees (buffers) every executemany row.
    with driver_cursor() as cursor:
        queries.scan_log_insert_many(cursor, rows=plan.log_rows)
        queries.tickets_inside_set(cursor, states=plan.ticket_states)
    attendance_record_many(rows=plan.attendance)


def _db_time(at: pl.Expr) -> pl.Expr:
    """A UTC timestamp as `adapt_datetimefield_value` gives it to the database."""
    if is_sqlite():
        # Naive UTC text, the microseconds only when not zero (as `str(datetime)`).
        return (
            pl.when(at.dt.microsecond() == 0)
            .then(at.dt.strftime("%Y-%m-%d %H:%M:%S"))
            .otherwise(at.dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
        )
    return at.dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00:00")
