"""Every path that decides a scan agrees with `rules.decide`, for random tickets and scans.

The five paths: the online scan (SQL: a conditional UPDATE, then the ticket's row), the sync
(`rules.decide` per scan, in a batch), the bulk import (the table compiled into polars
columns), the offline reference scanner (`offline.py`) and the browser scanner's decision
(`static/checkin/rules.js`, under node). The reference here is `rules.decide` on facts taken
from the scenario itself, with each path's state kept as that path keeps it.
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
from smartexpo.tickets import ticket_secrets as ts
from smartexpo.tickets.models import Ticket, TicketStatus
from tests.checkin.conftest import issue

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# The test edition's four days, then a day no ticket is valid on.
DAYS = [dt.date(2019, 8, 26) + dt.timedelta(days=n) for n in range(5)]
GATE_ZONES = {"G1": "V", "G-N1": "N1"}  # "NOPE" is no gate of the edition
SCANNERS = {"North": frozenset({"G1"}), "Hall": frozenset({"G1", "G-N1"})}
TYPE_ZONES = {"day": frozenset({"V"}), "pro": frozenset({"V", "N1"}), "none": frozenset()}
NOT_A_TYPE = 999_999
UNKNOWN_SERIAL = 900_000_000
GARBAGE, FORGED = 3, 4  # secrets that are not a ticket's: tickets are 0, 1, 2


@dataclasses.dataclass(frozen=True)
class Spec:
    exists: bool  # a ticket has its serial (offline cannot tell)
    revoked: bool
    days: frozenset[int]  # indices into DAYS[:4]
    type: str  # day, pro, or none (a type id the edition does not have)
    inside: int | None  # the day it is inside on before the scans, if any


tickets = st.builds(
    Spec,
    exists=st.sampled_from([True, True, True, False]),
    revoked=st.sampled_from([False, False, True]),
    days=st.frozensets(st.integers(0, 3), min_size=1),
    type=st.sampled_from(["day", "pro", "none"]),
    inside=st.sampled_from([None, None, 0, 1, 3]),
)
scan_cases = st.tuples(
    st.integers(0, 4),  # secret: ticket 0-2, garbage, a forged signature
    st.sampled_from(["G1", "G-N1", "NOPE"]),
    st.sampled_from(["in", "out"]),
    st.integers(0, 4),  # day
)


@st.composite
def scenarios(draw, max_scans=14):
    specs = draw(st.lists(tickets, min_size=3, max_size=3))
    scans = draw(st.lists(scan_cases, min_size=1, max_size=max_scans))
    # In time order, as every batch path expects: by day, then as drawn.
    scans = sorted(scans, key=lambda s: s[3])
    return specs, draw(st.sampled_from(sorted(SCANNERS))), scans


def at(index: int, day: int) -> dt.datetime:
    return dt.datetime.combine(DAYS[day], dt.time(10), SHANGHAI) + dt.timedelta(minutes=index)


def expected(specs, scanner: str, scans, *, path: str) -> list[tuple[str, str, str]]:
    """(result, reason, rule) of each scan by `rules.decide`, each path's state kept as that
    path keeps it: online and offline an admission moves the ticket, a synced scan moves it
    whenever it names a ticket (a conflict too); offline every serial counts as known."""
    order = SYNC_RULES if path == "sync" else RULES
    inside = {i: None if s.inside is None else DAYS[s.inside] for i, s in enumerate(specs)}
    found = []
    for secret, gate, direction, day in scans:
        spec = specs[secret] if secret < GARBAGE else None
        ticket = (
            TicketFacts(True, {DAYS[d] for d in spec.days}, TYPE_ZONES[spec.type])
            if spec
            else TicketFacts(False)
        )
        zone = GATE_ZONES.get(gate)
        facts = ScanFacts(
            direction, DAYS[day], gate in SCANNERS[scanner] and zone is not None, zone
        )
        state = TicketState(
            path == "offline" or bool(spec and spec.exists),
            bool(spec and spec.revoked),
            inside.get(secret),
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
        inside[secret] = DAYS[day] if direction == "in" else None
    return found


# --- the database paths: online, sync, bulk -----------------------------------------------


@pytest.fixture
def edition(expo, types):
    """Three issued tickets whose state each example sets, the two scanners, the signing key."""
    from smartexpo.tickets.keys import private_key
    from smartexpo.tickets.services.signing_keys import signing_key_active

    pool = [issue(expo)[0] for _ in range(3)]
    scanners = {}
    for name, gates in SCANNERS.items():
        device, _token = device_create(expo=expo, name=name, kind="scanner", gates=sorted(gates))
        scanners[name] = Scanner(device.pk, expo.pk, name, gates)
    key = signing_key_active(expo=expo)
    type_ids = {"day": types["day"].pk, "pro": types["pro"].pk, "none": NOT_A_TYPE}
    return expo, pool, scanners, (key.kid, private_key(record=key)), type_ids


def _prepare(edition, specs) -> list[str]:
    """Set the pool's tickets as the specs say; the five secrets of the scenario."""
    _expo, pool, _scanners, (kid, key), type_ids = edition
    secrets = []
    for n, (spec, ticket) in enumerate(zip(specs, pool, strict=True)):
        Ticket.objects.filter(pk=ticket.pk).update(
            status=TicketStatus.REVOKED if spec.revoked else TicketStatus.VALID,
            inside_day=None if spec.inside is None else DAYS[spec.inside],
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
    expo, _pool, scanners, _key, _types = edition
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
    expo, _pool, scanners, _key, _types = edition
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
    expo, _pool, scanners, _key, _types = edition
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
TYPE_IDS = {"day": 1, "pro": 2, "none": NOT_A_TYPE}
OFFLINE_PROPERTY = settings(max_examples=150, deadline=None)


def _offline_documents(specs, scanner: str) -> tuple[dict, dict]:
    """The keys package and set-up a scanner would download for this scenario."""
    package = {
        "keys": [{"kid": 1, "alg": "Ed25519", "public_key": ts.public_key_b64(KEY)}],
        "revoked": [UNKNOWN_SERIAL + n for n, s in enumerate(specs) if s.revoked],
    }
    setup = {
        "timezone": "Asia/Shanghai",
        "gates": [{"code": g, "zone": GATE_ZONES[g]} for g in sorted(SCANNERS[scanner])],
        "ticket_types": [
            {"id": TYPE_IDS[t], "zones": sorted(TYPE_ZONES[t])} for t in ("day", "pro")
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
            {"claims": claims(s), "gate": g, "direction": d, "day": DAYS[day].isoformat()}
            for s, g, d, day in scans
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
        "already_inside",
        "not_inside",
    ]
    assert [r.reason for r in SYNC_RULES][:3] == ["invalid", "unknown", "gate_not_allowed"]
    assert sorted(SYNC_RULES, key=RULES.index) == list(RULES)


def _walked(order, ticket, scan, state):
    """The table read literally: the first rule of the scan's direction whose fact (evaluated
    alone, `rules.FACTS`) has the breaking value."""
    for rule in order:
        applies = rule.direction in (None, scan.direction)
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
    ),
    state=st.builds(TicketState, st.booleans(), st.booleans(), _dates),
    order=st.sampled_from([RULES, SYNC_RULES, tuple(reversed(RULES))]),
)
def test_the_compiled_walks_are_the_table_read_in_order(ticket, scan, state, order):
    # `decide` runs the walk compiled from the table (`rules.deciders`); an order the module
    # does not keep (reversed) is compiled on the spot.
    assert rules.decide(ticket, scan, state, order=order) == _walked(order, ticket, scan, state)
