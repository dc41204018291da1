"""Schemathesis hooks of `make fuzz` (loaded through `SCHEMATHESIS_HOOKS` by scripts/fuzz.py).

Random path parameters almost never name a real edition, registration or ticket, so most
requests would stop at the first 404 and the code behind it would go untested. These hooks
put real values (read from the seeded world, `FUZZ_WORLD`) into half of the generated path
parameters, queries and bodies, in about two fields in three of those:
path parameters (`expo`, `registration_id`, `serial`, `device_id`, `alert_id`,
`exhibitor_id`, hall or booth `code`), query parameters naming zones, halls, days or instants,
and, per operation, the body fields that must name real codes, days, secrets or exhibitors,
or be a valid name, email or ID number, for a request to reach the rules behind them. The
other fields keep what schemathesis generated, so random and hostile values are still sent.

Whether a container gets real values is hypothesis' own choice (`sampled_from`), so it shrinks and
replays; which fields and which values is a function of what was generated (a hash of it and
of the field's name), not of a random generator, so a failing case replays the same way.
They act in the fuzzing phase (hypothesis' strategies); the examples and coverage phases send
schemathesis' own values.
"""

from __future__ import annotations

import csv
import io
import json
import os
import zlib
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st

from smartexpo.tickets.identity import resident_check_digit

WORLD: dict[str, Any] = json.loads(Path(os.environ["FUZZ_WORLD"]).read_text(encoding="utf-8"))
ROLE = os.environ.get("FUZZ_ROLE", "anonymous")
DAYS = WORLD["days"]
INSTANTS = [f"{day}T{hour}+08:00" for day in DAYS for hour in ("10:15:00", "11:00:00")]
NAMES = ["Li Wei", "王芳", "Zhang Min-Jun", "O'Brien Ａ"]


def _own_first(own: Any, all_values: list[Any]) -> list[Any]:
    """The manage token's own registration or serial most of the time, others sometimes (a
    manage token must not reach another registration)."""
    if ROLE != "manage-token":
        return all_values
    return [own, own, own, *(v for v in all_values if v != own)]


def _resident_ids() -> list[str]:
    """Valid mainland resident ID numbers (GB 11643), so that registrations get past the
    identity check to the ticket rules."""
    numbers = []
    for n in range(60):
        first17 = f"110101{1970 + n % 40}{n % 12 + 1:02d}{n % 28 + 1:02d}{n:03d}"
        numbers.append(first17 + resident_check_digit(first17))
    return numbers


RESIDENT_IDS = _resident_ids()
PATH_VALUES: dict[str, list[Any]] = {
    "expo": [WORLD["expo"], WORLD["expo"], WORLD["other_expo"]],
    "registration_id": _own_first(WORLD["manage_registration"], WORLD["registrations"]),
    "serial": _own_first(WORLD["manage_serial"], WORLD["serials"]),
    "device_id": WORLD["devices"],
    "alert_id": WORLD["alerts"],
    "exhibitor_id": WORLD["exhibitors"],
    "session_id": WORLD["sessions"],
    "speaker_id": WORLD["speakers"],
    "deal_id": WORLD["deals"],
}
QUERY_VALUES: dict[str, list[Any]] = {
    "zone": WORLD["zones"],
    "hall": WORLD["halls"],
    "sector": WORLD["sectors"],
    "tag": WORLD["tags"],
    "kind": [*WORLD["zone_kinds"], "hall,booth"],
    "day": DAYS,
    "at": INSTANTS,
    "from": INSTANTS,
    "to": INSTANTS,
    "since": INSTANTS,
    "step": [60, 300, 900],
    "active": ["true", "false"],
    "forum": WORLD["forums"],
    "room": WORLD["rooms"],
    "speaker": WORLD["speakers"],
}
DAY_LISTS = [DAYS[:1], DAYS[:2], DAYS, DAYS[2:]]
SCAN = {
    "secret": WORLD["secrets"],
    "gate": WORLD["gates"],
    "direction": ["in", "out"],
    "scanned_at": INSTANTS,
}
# A programme session's fields (its creation and its changes).
SESSION = {
    "forum": WORLD["forums"],
    "room": WORLD["rooms"],
    "starts_at": INSTANTS[:2],
    "ends_at": [f"{DAYS[0]}T12:00:00+08:00", f"{DAYS[0]}T17:00:00+08:00"],
    "speakers": [WORLD["speakers"], WORLD["speakers"][:1], []],
    "tags": [WORLD["tags"], []],
    "sectors": [WORLD["sectors"][:1], []],
    "format": ["talk", "keynote", "panel"],
    "seats": [None, 2, 50],
}
# A deal's fields (its entry and its changes).
DEAL = {
    "sector": WORLD["sectors"],
    "kind": ["investment", "procurement", "licence", "framework"],
    "investment_form": ["greenfield", ""],
    "amount": ["0.01", "1250000000.50", "9999999999999999.99"],
    "currency": ["CNY", "USD"],
    "signed_on": DAYS,
    "parties": [[{"exhibitor": WORLD["exhibitor_slugs"][0]}], [{"name": {"en": "Acme"}}]],
}
# Per operation (the end of its path): the body fields to aim at real values.
BODY_VALUES: dict[str, dict[str, list[Any]]] = {
    "/registrations": {
        "ticket_type": WORLD["ticket_types"],
        "days": DAY_LISTS,
        "name": NAMES,
        "email": [f"fuzz{n}@example.cn" for n in range(10)],
        "id_type": ["resident"],
        "id_number": RESIDENT_IDS,
        "interests": [WORLD["tags"], WORLD["tags"][:1], []],
        "language": ["en", "zh-hans"],
    },
    "/waitlist": {
        "ticket_type": WORLD["ticket_types"],
        "day": DAYS,
        "name": NAMES,
        "email": ["wait@example.cn"],
        "language": ["en", "zh-hans"],
    },
    "/ticket-types": {
        "code": [f"fuzz-{n}" for n in range(1000)],
        "name": [{"en": "Fuzz pass", "zh": "模糊测试票"}],
        "days": DAY_LISTS,
        "quota_per_day": [0, 10, 1000],
        "zones": [WORLD["zones"], WORLD["zones"][:1], None],
    },
    "/devices": {
        "name": NAMES,
        "kind": ["scanner", "sensor"],
        "gates": [WORLD["gates"], WORLD["gates"][:1]],
        "zones": [WORLD["zones"], WORLD["zones"][:2]],
    },
    "/assignment": {"exhibitor": WORLD["exhibitors"]},
    "/status": {"status": ["approved", "rejected", "pending"]},
    "/exhibitor-profile": {
        "tags": [WORLD["tags"], []],
        "website": ["https://www.example.cn/"],
    },
    "/forums": {"sector": WORLD["sectors"]},
    "/sessions": SESSION,
    "/sessions/{session_id}": SESSION,
    "/reservations": {"force": [True, False], "waitlist": [True, False]},
    "/programme/publish": {"confirm": [True, False]},
    "/checkin/scans": SCAN,
    "/checkin/sync": {},
    "/venue/events": {},
    "/deals": DEAL,
    "/deals/{deal_id}": DEAL,
}
ITEM_VALUES: dict[str, tuple[str, dict[str, list[Any]]]] = {
    "/checkin/sync": ("scans", SCAN),
    "/venue/events": (
        "events",
        {
            "zone": WORLD["zones"],
            "kind": ["enter", "exit"],
            "at": INSTANTS,
            "count": [1, 5, 30],
        },
    ),
}


def _digest(*parts: Any) -> int:
    return zlib.crc32(repr(parts).encode("utf-8", "surrogatepass"))


def _mapped(mapping: dict, values_of, seed: int) -> dict:
    """A copy of `mapping` (the generated one may be shared) with a real value in about two
    fields in three of those `values_of` knows."""
    mapped = dict(mapping)
    for name in mapping:
        values = values_of(name)
        if values:
            digest = _digest(seed, name)
            if digest % 3:
                mapped[name] = values[(digest // 3) % len(values)]
    return mapped


def _path_values(path: str, name: str) -> list[Any] | None:
    if name == "code":
        return WORLD["halls"] if "/halls/" in path else WORLD["booths"]
    return PATH_VALUES.get(name)


def _operation(path: str, table: dict) -> Any:
    return next((value for suffix, value in table.items() if path.endswith(suffix)), None)


def _mapped_body(path: str, body: Any, seed: int) -> Any:
    if isinstance(body, str) and path.endswith("/registrations/import"):
        return _csv(body, seed) if seed % 3 else body
    if not isinstance(body, dict):
        return body
    mapped = _mapped(body, (_operation(path, BODY_VALUES) or {}).get, seed)
    if found := _operation(path, ITEM_VALUES):
        key, values = found
        if isinstance(mapped.get(key), list):
            mapped[key] = [
                _mapped(item, values.get, _digest(seed, n)) if isinstance(item, dict) else item
                for n, item in enumerate(mapped[key])
            ]
    return mapped


def _csv(generated: str, seed: int) -> str:
    """A group-registration file with a valid row and one carrying the generated text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ticket_type", "days", "name", "email", "id_type", "id_number"])
    number = RESIDENT_IDS[seed % len(RESIDENT_IDS)]
    writer.writerow(["day", DAYS[0], "Li Wei", "csv@example.cn", "resident", number])
    writer.writerow(["pro", ";".join(DAYS), generated[:200], "csv2@example.cn", "", ""])
    return out.getvalue()


# Flatmap hooks, not a `map_case` hook: with a case hook, schemathesis' fuzzing phase stops
# repeating until `--max-time` and, when mapped cases repeat each other (one path parameter
# with three real values), slows to a case a second and overruns its time (measured: 50 cases
# in 67 s against 840 in 20 s). Here hypothesis itself draws whether a container keeps its
# generated values or gets real ones.
@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters:  # an operation without path parameters (/expos, /sectors…)
        return st.just(path_parameters)
    path = context.operation.path
    real = _mapped(
        path_parameters, lambda name: _path_values(path, name), _digest(path, path_parameters)
    )
    return st.sampled_from([path_parameters, real])


@schemathesis.hook
def flatmap_query(context, query):
    if not query:
        return st.just(query)
    return st.sampled_from([query, _mapped(query, QUERY_VALUES.get, _digest(query))])


@schemathesis.hook
def flatmap_body(context, body):
    path = context.operation.path
    return st.sampled_from([body, _mapped_body(path, body, _digest(path, body))])
