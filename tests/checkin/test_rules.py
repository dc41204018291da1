"""Every path that decides a scan agrees with `rules.decide`, for random tickets and scans.

The five paths: the online scan (SQL: a conditional UPDATE, then the ticket's row), the sync
(`rules.decide` per scan, in a batch), the bulk import (the table compiled into polars
columns), the offline reference scanner (`offline.py`) and the browser scanner's decision
(`static/checkin/rules.js`, under node). The reference here is `rules.decide` on facts taken
from the scenario itself, with each path's state kept as that path keeps it.

The edition has a room's door (D-R1, into room R1) and a published programme there
(`SESSIONS`): scans at the door meet a session that needs a reservation, one that does not,
one about to start, and none; each ticket's registration holds reservations at some of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartexpo.checkin import rules
from smartexpo.checkin.offline import OfflineScanner
from smartexpo.checkin.queries import LOG_COLUMNS
from smartexpo.checkin.rules import RULES, SYNC_RULES, ScanFacts, TicketFacts, TicketState
from smartexpo.checkin.scans import CheckedScan
from smartexpo.checkin.schemas import ScanPayload
from smartexpo.checkin.services.bulk_sync import scans_facts, scans_sync_plan
from smartexpo.checkin.services.scanning import scan_record
from smartexpo.checkin.services.sync import scans_sync_many
from smartexpo.devices.auth import Scanner
from smartexpo.devices.services import device_create
from smartexpo.programme.models import Reservation, ReservationStatus
from smartexpo.programme.services.editing import forum_create, session_create
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.tickets import ticket_secrets as ts
from smartexpo.tickets.models import Ticket, TicketStatus
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.venue.models import Gate, Zone
from tests.checkin.conftest import PRO_DAYS, issue

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# The test edition's four days, then a day no ticket is valid on.
DAYS = [dt.date(2019, 8, 26) + dt.timedelta(days=n) for n in range(5)]
GATE_ZONES = {"G1": "V", "G-N1": "N1", "D-R1": "R1"}  # "NOPE" is no gate of the edition
ROOM_GATES = {"D-R1"}
SCANNERS = {
    "North": frozenset({"G1"}),
    "Hall": frozenset({"G1", "G-N1"}),
    "Door": frozenset({"G1", "D-R1"}),
}
TYPE_ZONES = {
    "day": frozenset({"V"}),
    "pro": frozenset({"V", "N1"}),
    "forum": frozenset({"V", "R1"}),
    "none": frozenset(),
}
# The sessions in room R1: (key, day index, start, end (hour, minute), needs a reservation).
# Scans are at 10:00 plus their index in minutes: on the first day they meet `s1` (seated),
# `s2` (open), nothing at 10:07–10:09, then `s3` (seated, opening its door 30 minutes early).
SESSIONS = (
    ("s1", 0, (10, 0), (10, 4), True),
    ("s2", 0, (10, 4), (10, 7), False),
    ("s3", 0, (10, 40), (11, 0), True),
    ("s4", 1, (9, 0), (18, 0), False),
    ("s5", 3, (10, 5), (12, 0), True),
)
SEATED = [key for key, *_rest, seated in SESSIONS if seated]
DOORS_OPEN_BEFORE = dt.timedelta(minutes=30)
NOT_A_TYPE = 999_999
UNKNOWN_SERIAL = 900_000_000
GARBAGE, FORGED = 3, 4  # secrets that are not a ticket's: tickets are 0, 1, 2


@dataclasses.dataclass(frozen=True)
class Spec:
    exists: bool  # a ticket has its serial (offline cannot tell)
    revoked: bool
    days: frozenset[int]  # indices into DAYS[:4]
    type: str  # day, pro, forum, or none (a type id the edition does not have)
    inside: int | None  # the day it is inside on before the scans, if any
    reserved: frozenset[str] = frozenset()  # the seated sessions its registration holds


tickets = st.builds(
    Spec,
    exists=st.sampled_from([True, True, True, False]),
    revoked=st.sampled_from([False, False, True]),
    days=st.frozensets(st.integers(0, 3), min_size=1),
    type=st.sampled_from(["day", "pro", "forum", "none"]),
    inside=st.sampled_from([None, None, 0, 1, 3]),
    reserved=st.frozensets(st.sampled_from(SEATED)),
)
scan_cases = st.tuples(
    st.integers(0, 4),  # secret: ticket 0-2, garbage, a forged signature
    st.sampled_from(["G1", "G-N1", "D-R1", "D-R1", "NOPE"]),
    st.sampled_from(["in", "out"]),
    st.integers(0, 4),  # day
)


# At the room's door: mostly tickets, through the door or the venue's gate, on the days with
# seated sessions (so that reservations, the waiting list and the venue state all matter).
door_tickets = st.builds(
    Spec,
    exists=st.sampled_from([True, True, True, True, False]),
    revoked=st.sampled_from([False, False, False, True]),
    days=st.frozensets(st.integers(0, 3), min_size=1),
    type=st.sampled_from(["day", "pro", "forum", "forum", "none"]),
    inside=st.sampled_from([None, None, 0, 3]),
    reserved=st.frozensets(st.sampled_from(SEATED), min_size=1),
)
door_cases = st.tuples(
    st.sampled_from([0, 0, 1, 1, 2, 2, 3]),
    st.sampled_from(["D-R1", "D-R1", "D-R1", "G1", "G-N1"]),
    st.sampled_from(["in", "in", "out"]),
    st.sampled_from([0, 0, 1, 3]),
)


@st.composite
def scenarios(draw, max_scans=14):
    """Three tickets, a scanner and its scans: half of them anywhere, half at the door."""
    door = draw(st.booleans())
    specs = draw(st.lists(door_tickets if door else tickets, min_size=3, max_size=3))
    scans = draw(st.lists(door_cases if door else scan_cases, min_size=1, max_size=max_scans))
    # In time order, as every batch path expects: by day, then as drawn.
    scans = sorted(scans, key=lambda s: s[3])
    scanner = "Door" if door else draw(st.sampled_from(sorted(SCANNERS)))
    return specs, scanner, scans


def at(index: int, day: int) -> dt.datetime:
    return dt.datetime.combine(DAYS[day], dt.time(10), SHANGHAI) + dt.timedelta(minutes=index)


def session_bounds(key_day_start_end) -> tuple[dt.datetime, dt.datetime]:
    _key, day, start, end, _seated = key_day_start_end
    return (
        dt.datetime.combine(DAYS[day], dt.time(*start), SHANGHAI),
        dt.datetime.combine(DAYS[day], dt.time(*end), SHANGHAI),
    )


def door_at(instant: dt.datetime) -> tuple[str, bool] | None:
    """(key, seated) of R1's session at `instant`: running, else the first to start within
    `DOORS_OPEN_BEFORE` (written here afresh, to hold the paths' lookups to it)."""
    upcoming = None
    for session in SESSIONS:
        start, end = session_bounds(session)
        if start <= instant < end:
            return session[0], session[4]
        if instant < start <= instant + DOORS_OPEN_BEFORE and (
            upcoming is None or start < upcoming[0]
        ):
            upcoming = (start, session[0], session[4])
    return upcoming[1:] if upcoming else None


def expected(specs, scanner: str, scans, *, path: str) -> list[tuple[str, str, str]]:
    """(result, reason, rule) of each scan by `rules.decide`, each path's state kept as that
    path keeps it: online and offline an admission at a venue gate moves the ticket, a synced
    scan at a venue gate moves it whenever it names a ticket (a conflict too); a room's door
    never moves it; offline every serial counts as known."""
    order = SYNC_RULES if path == "sync" else RULES
    inside = {i: None if s.inside is None else DAYS[s.inside] for i, s in enumerate(specs)}
    found = []
    for i, (secret, gate, direction, day) in enumerate(scans):
        spec = specs[secret] if secret < GARBAGE else None
        ticket = (
            TicketFacts(True, {DAYS[d] for d in spec.days}, TYPE_ZONES[spec.type])
            if spec
            else TicketFacts(False)
        )
        zone = GATE_ZONES.get(gate)
        served = gate in SCANNERS[scanner] and zone is not None
        # Offline a scanner knows only the gates it serves.
        room = gate in ROOM_GATES and (served or path != "offline")
        door = door_at(at(i, day)) if room else None
        facts = ScanFacts(
            direction,
            DAYS[day],
            served,
            zone if served else None,
            room,
            door[0] if door else None,
            bool(door and door[1]),
        )
        state = TicketState(
            path == "offline" or bool(spec and spec.exists),
            bool(spec and spec.revoked),
            inside.get(secret),
            spec.reserved if spec else (),
        )
        reason = rules.decide(ticket, facts, state, order=order)
        if path == "sync":
            if reason in ("invalid", "unknown"):
                found.append(("reject", reason, ""))
                continue
            found.append(("reject", "conflict", reason) if reason else ("admit", "", ""))
        else:
            found.append(("reject", reason, "") if reason else ("admit", "", ""))
            if reason:
                continue
        if not room:
            inside[secret] = DAYS[day] if direction == "in" else None
    return found


# --- the database paths: online, sync, bulk -----------------------------------------------


def _programme(expo) -> dict[str, int]:
    """Room R1's door, the sessions of `SESSIONS` there, published: their ids by key."""
    Gate.objects.create(
        expo=expo,
        code="D-R1",
        name_en="Room 1 door",
        name_zh="一号厅门",
        zone=Zone.objects.get(expo=expo, code="R1"),
    )
    forum_create(expo=expo, code="main", name_en="Main Forum", name_zh="主论坛")
    ids = {}
    for session in SESSIONS:
        start, end = session_bounds(session)
        created, _warnings = session_create(
            expo=expo,
            forum="main",
            room="R1",
            title_en=session[0],
            starts_at=start,
            ends_at=end,
            seats=5 if session[4] else None,
        )
        ids[session[0]] = created.pk
    programme_publish(expo=expo, actor="test", confirm=True)
    return ids


@pytest.fixture
def edition(expo, types):
    """Three issued tickets whose state each example sets, the scanners, the signing key, the
    programme in room R1."""
    from smartexpo.tickets.keys import private_key
    from smartexpo.tickets.services.signing_keys import signing_key_active

    forum = ticket_type_create(
        expo=expo,
        code="forum",
        name_en="Forum pass",
        name_zh="论坛票",
        days=list(PRO_DAYS),
        quota_per_day=100,
        zones=["V", "R1"],
        all_days=True,
    )
    sessions = _programme(expo)
    pool = [issue(expo)[0] for _ in range(3)]
    scanners = {}
    for name, gates in SCANNERS.items():
        device, _token = device_create(expo=expo, name=name, kind="scanner", gates=sorted(gates))
        scanners[name] = Scanner(device.pk, expo.pk, name, gates)
    key = signing_key_active(expo=expo)
    type_ids = {
        "day": types["day"].pk,
        "pro": types["pro"].pk,
        "forum": forum.pk,
        "none": NOT_A_TYPE,
    }
    return expo, pool, scanners, (key.kid, private_key(record=key)), type_ids, sessions


def _prepare(edition, specs) -> list[str]:
    """Set the pool's tickets and their reservations as the specs say; the five secrets of
    the scenario."""
    _expo, pool, _scanners, (kid, key), type_ids, sessions = edition
    secrets = []
    for n, (spec, ticket) in enumerate(zip(specs, pool, strict=True)):
        Ticket.objects.filter(pk=ticket.pk).update(
            status=TicketStatus.REVOKED if spec.revoked else TicketStatus.VALID,
            inside_day=None if spec.inside is None else DAYS[spec.inside],
        )
        Reservation.objects.bulk_create(
            Reservation(
                session_id=sessions[k],
                registration_id=ticket.registration_id,
                status=ReservationStatus.CONFIRMED,
            )
            for k in spec.reserved
        )
        # A place on the waiting list of every other seated session: not a reservation.
        Reservation.objects.bulk_create(
            Reservation(
                session_id=sessions[k],
                registration_id=ticket.registration_id,
                status=ReservationStatus.WAITLISTED,
            )
            for k in SEATED
            if k not in spec.reserved
        )
        serial = ticket.serial if spec.exists else UNKNOWN_SERIAL + n
        claims = ts.TicketClaims(serial, type_ids[spec.type], tuple(DAYS[d] for d in spec.days))
        secrets.append(ts.sign_secret(claims, kid=kid, private_key=key))
    forged = secrets[0][:-4] + ("AAAA" if not secrets[0].endswith("AAAA") else "BBBB")
    return [*secrets, "not a ticket", forged]


DB_PROPERTY = settings(
    max_examples=35, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@DB_PROPERTY
@given(scenario=scenarios())
def test_online_scans_decide_as_the_rules(edition, scenario):
    specs, name, scans = scenario
    expo, _pool, scanners, _key, _types, _sessions = edition
    with transaction.atomic():
        secrets = _prepare(edition, specs)
        got = []
        for i, (secret, gate, direction, day) in enumerate(scans):
            scan = CheckedScan(secrets[secret], gate, direction, f"o{i}", at(i, day))
            answer = scan_record(expo=expo, scanner=scanners[name], scan=scan)
            got.append((answer["result"], answer.get("reason", ""), ""))
        transaction.set_rollback(True)
    assert got == expected(specs, name, scans, path="online")


@DB_PROPERTY
@given(scenario=scenarios())
def test_synced_scans_decide_as_the_rules(edition, scenario):
    specs, name, scans = scenario
    expo, _pool, scanners, _key, _types, _sessions = edition
    with transaction.atomic():
        secrets = _prepare(edition, specs)
        items = [
            (
                scanners[name],
                ScanPayload.model_validate(
                    {
                        "secret": secrets[secret],
                        "gate": gate,
                        "direction": direction,
                        "nonce": f"s{i}",
                        "scanned_at": at(i, day).isoformat(),
                    }
                ),
            )
            for i, (secret, gate, direction, day) in enumerate(scans)
        ]
        answers = scans_sync_many(expo=expo, items=items)
        transaction.set_rollback(True)
    got = [
        (a["result"], a.get("reason", ""), a.get("detail", {}).get("reason", "")) for a in answers
    ]
    assert got == expected(specs, name, scans, path="sync")


@DB_PROPERTY
@given(scenario=scenarios())
def test_the_bulk_plan_decides_as_the_rules(edition, scenario):
    specs, name, scans = scenario
    expo, _pool, scanners, _key, _types, _sessions = edition
    with transaction.atomic():
        secrets = _prepare(edition, specs)
        frame = pl.DataFrame(
            {
                "device": [name] * len(scans),
                "secret": [secrets[s] for s, *_ in scans],
                "gate": [g for _s, g, *_ in scans],
                "direction": [d for _s, _g, d, _day in scans],
                "nonce": [f"b{i}" for i in range(len(scans))],
                "at": [at(i, s[3]) for i, s in enumerate(scans)],
            },
            schema_overrides={"at": pl.Datetime("us", "UTC")},
        )
        by_name = {name: scanners[name]}
        facts = scans_facts(expo=expo, scanners=by_name, frame=frame)
        plan = scans_sync_plan(expo=expo, scanners=by_name, facts=facts)
        transaction.set_rollback(True)
    columns = [LOG_COLUMNS.index(c) for c in ("result", "reason", "rule")]
    got = [tuple(row[c] for c in columns) for row in plan.log_rows]
    assert got == expected(specs, name, scans, path="sync")


# --- the offline paths: offline.py and the scanner page's rules.js -------------------------

KEY = ts.generate_private_key()
TYPE_IDS = {"day": 1, "pro": 2, "forum": 3, "none": NOT_A_TYPE}
SESSION_IDS = {key: n + 1 for n, (key, *_rest) in enumerate(SESSIONS)}
OFFLINE_PROPERTY = settings(max_examples=150, deadline=None)


def _offline_documents(specs, scanner: str) -> tuple[dict, dict]:
    """The keys package and set-up a scanner would download for this scenario."""
    package = {
        "keys": [{"kid": 1, "alg": "Ed25519", "public_key": ts.public_key_b64(KEY)}],
        "revoked": [UNKNOWN_SERIAL + n for n, s in enumerate(specs) if s.revoked],
    }
    serves_door = bool(SCANNERS[scanner] & ROOM_GATES)
    setup = {
        "timezone": "Asia/Shanghai",
        "gates": [
            {"code": g, "zone": GATE_ZONES[g], "room": g in ROOM_GATES}
            for g in sorted(SCANNERS[scanner])
        ],
        "ticket_types": [
            {"id": TYPE_IDS[t], "zones": sorted(TYPE_ZONES[t])} for t in ("day", "pro", "forum")
        ],
        "doors_open_before": int(DOORS_OPEN_BEFORE.total_seconds()),
        "sessions": [
            {
                "id": SESSION_IDS[key],
                "room": "R1",
                "starts_at": session_bounds(session)[0].isoformat(),
                "ends_at": session_bounds(session)[1].isoformat(),
                "reservation": session[4],
                "reserved": [UNKNOWN_SERIAL + n for n, s in enumerate(specs) if key in s.reserved],
            }
            for session in SESSIONS
            if serves_door
            for key in [session[0]]
        ],
    }
    return package, setup


def _claims(spec: Spec, n: int) -> ts.TicketClaims:
    return ts.TicketClaims(
        UNKNOWN_SERIAL + n, TYPE_IDS[spec.type], tuple(DAYS[d] for d in spec.days)
    )


@OFFLINE_PROPERTY
@given(scenario=scenarios(max_scans=20))
def test_the_offline_scanner_decides_as_the_rules(scenario):
    specs, name, scans = scenario
    package, setup = _offline_documents(specs, name)
    scanner = OfflineScanner(package, setup)
    scanner.inside = {
        UNKNOWN_SERIAL + n: DAYS[s.inside] for n, s in enumerate(specs) if s.inside is not None
    }
    secrets = [ts.sign_secret(_claims(s, n), kid=1, private_key=KEY) for n, s in enumerate(specs)]
    secrets += [
        "not a ticket",
        secrets[0][:-4] + ("BBBB" if secrets[0].endswith("AAAA") else "AAAA"),
    ]
    got = []
    for i, (secret, gate, direction, day) in enumerate(scans):
        verdict = scanner.scan(secrets[secret], gate=gate, direction=direction, at=at(i, day))
        got.append((verdict.result, verdict.reason or "", ""))
    assert got == expected(specs, name, scans, path="offline")


NODE = shutil.which("node") or "/usr/bin/node"
RULES_JS = Path(__file__).resolve().parents[2] / "src/smartexpo/checkin/static/checkin/rules.js"
# Runs the page's decision on a scenario read from stdin: the tablet's memory carried from
# scan to scan as the page (scanner-secrets.js) carries it.
RUNNER = """
const rules = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const revoked = new Set(input.revoked);
const inside = input.inside;
const out = input.scans.map((s) => {
  const v = rules.decide(input.table, s.claims, input.setup, revoked, inside, s, s.day);
  return [v.result, v.reason || ""];
});
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def node():
    if not Path(NODE).exists():
        pytest.skip("node is not installed: the scanner page's rules.js cannot be run")
    return NODE


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scenario=scenarios(max_scans=30))
def test_the_scanner_pages_rules_decide_as_the_rules(node, scenario):
    specs, name, scans = scenario
    package, setup = _offline_documents(specs, name)

    def claims(secret: int):
        if secret >= GARBAGE:  # not a ticket, or its signature fails: WebCrypto says so
            return None
        c = _claims(specs[secret], secret)
        return {"serial": c.serial, "typeId": c.type_id, "days": [d.isoformat() for d in c.days]}

    scenario_json = {
        "table": rules.table(),
        "setup": setup,
        "revoked": package["revoked"],
        "inside": {
            str(UNKNOWN_SERIAL + n): DAYS[s.inside].isoformat()
            for n, s in enumerate(specs)
            if s.inside is not None
        },
        "scans": [
            {
                "claims": claims(s),
                "gate": g,
                "direction": d,
                "day": DAYS[day].isoformat(),
                "scanned_at": at(i, day).isoformat(),
            }
            for i, (s, g, d, day) in enumerate(scans)
        ],
    }
    done = subprocess.run(
        [node, "-e", RUNNER, str(RULES_JS)],
        input=json.dumps(scenario_json),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    got = [(result, reason, "") for result, reason in json.loads(done.stdout)]
    assert got == expected(specs, name, scans, path="offline")


def test_the_sync_order_is_the_tables_with_the_identifying_rules_first():
    assert [r.reason for r in RULES] == [
        "invalid",
        "gate_not_allowed",
        "unknown",
        "revoked",
        "wrong_day",
        "zone_not_allowed",
        "not_reserved",
        "already_inside",
        "not_inside",
    ]
    assert [r.reason for r in SYNC_RULES][:3] == ["invalid", "unknown", "gate_not_allowed"]
    assert sorted(SYNC_RULES, key=RULES.index) == list(RULES)


def _walked(order, ticket, scan, state):
    """The table read literally: the first rule of the scan's direction whose fact (evaluated
    alone, `rules.FACTS`) has the breaking value."""
    for rule in order:
        gates = rules.ROOM if scan.room else rules.VENUE
        applies = rule.direction in (None, scan.direction) and rule.gates in (None, gates)
        if applies and rules.FACTS[rule.fact](ticket, scan, state) == rule.broken_when:
            return rule.reason
    return None


_dates = st.sampled_from([None, *DAYS[:3]])


@given(
    ticket=st.builds(
        TicketFacts,
        st.booleans(),
        st.frozensets(st.sampled_from(DAYS[:3])),
        st.frozensets(st.sampled_from(["V", "N1"])),
    ),
    scan=st.builds(
        ScanFacts,
        st.sampled_from(rules.DIRECTIONS),
        st.sampled_from(DAYS[:3]),
        st.booleans(),
        st.sampled_from([None, "V", "N1"]),
        st.booleans(),
        st.sampled_from([None, 1, 2]),
        st.booleans(),
    ),
    state=st.builds(
        TicketState, st.booleans(), st.booleans(), _dates, st.frozensets(st.sampled_from([1, 2]))
    ),
    order=st.sampled_from([RULES, SYNC_RULES, tuple(reversed(RULES))]),
)
def test_the_compiled_walks_are_the_table_read_in_order(ticket, scan, state, order):
    # `decide` runs the walk compiled from the table (`rules.deciders`); an order the module
    # does not keep (reversed) is compiled on the spot.
    assert rules.decide(ticket, scan, state, order=order) == _walked(order, ticket, scan, state)
