"""The check-in rules, once: which scans are refused, for what reason, in what order.

`RULES` is the one table. Every path that decides a scan reads it:

- the online scan (`services.scanning`): its conditional UPDATE admits, and a refusal's reason
  is `decide` on the ticket's row;
- the offline sync (`services.sync`) and the reference offline scanner (`offline.py`) decide
  scan by scan (`deciders`: the table's walk for each direction compiled into one function,
  which `decide` calls);
- the bulk import (`services.bulk_sync`) compiles the table into polars columns;
- the browser scanner receives the table in its page's configuration (`views.scanner`) and
  walks it in `static/checkin/rules.js`.

`tests/checkin/test_rules.py` holds all five to `decide` for random tickets and scans.

A rule reads one fact, a boolean each path computes from what it has (`FACT_SOURCES` says how
from `TicketFacts`, `ScanFacts` and `TicketState`), and is broken when the fact has the value the
rule names. The first broken rule of the scan's direction (and kind of gate) is the reason; none
broken admits. The facts of `TicketState` (`STORED`) are the ticket's stored row online, the
scanner's own memory and revocation list offline (where every authentic serial counts as
`known`).

Room doors (a gate whose zone is a `room`, docs/offline-checkin.md "Room doors") admit into
the programme's session at the door (`ScanFacts.session`). The ticket's inside/outside state
(`TicketState.inside`) is the venue's: the anti-passback rules apply at venue gates only
(`Rule.gates`), and a scan at a room door never moves it, so a visitor inside the venue walks
into a room without `already_inside`, and leaves it without being counted out of the venue. A
room keeps no anti-passback of its own: a re-entry into the same session is admitted (people
step out for a call) and the session's attendance counts the ticket once. At the door of a
session that needs a reservation (`ScanFacts.seated`), a confirmed reservation is what admits:
the zone rule gives way to it (the reservation was made with a ticket valid that day; the
default ticket types list only the venue and the halls), and without one the scan is refused
`not_reserved`. Elsewhere a room is a zone like any: the ticket's type must list it.

Standard library only: a scanner app ships this file with `offline.py`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Collection
from typing import NamedTuple

IN, OUT = "in", "out"
DIRECTIONS = (IN, OUT)
# The kinds of gate a rule may be limited to: a room's door, or any other (the venue's).
VENUE, ROOM = "venue", "room"


@dataclasses.dataclass(frozen=True)
class Rule:
    reason: str
    fact: str  # the fact the rule reads (`FACTS`)
    broken_when: bool  # the value of the fact that breaks the rule
    direction: str | None = None  # the direction it applies to; None: both
    # Says which ticket, if any, the secret names. A synced scan breaking it is answered with
    # it and recorded against no ticket; the other rules a synced admission broke are
    # conflicts, and only a scan tied to a ticket can conflict (`SYNC_RULES`).
    identifies: bool = False
    gates: str | None = None  # the kind of gate it applies at (`VENUE`, `ROOM`); None: every


RULES: tuple[Rule, ...] = (
    Rule("invalid", "authentic", False, identifies=True),
    Rule("gate_not_allowed", "gate_served", False),
    Rule("unknown", "known", False, identifies=True),
    Rule("revoked", "revoked", True, IN),  # a revoked ticket's holder inside may still leave
    Rule("wrong_day", "day_valid", False, IN),
    Rule("zone_not_allowed", "zone_valid", False, IN),
    Rule("not_reserved", "reserved", False, IN, gates=ROOM),
    Rule("already_inside", "inside_today", True, IN, gates=VENUE),
    Rule("not_inside", "inside_today", False, OUT, gates=VENUE),
)

# The order a synced batch is decided in: the table's, with the rules that identify the ticket
# first — an unknown serial at a gate the device does not serve is answered `unknown` by the
# sync, `gate_not_allowed` online (where the gate is checked before the database is asked).
SYNC_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.identifies) + tuple(
    r for r in RULES if not r.identifies
)


class TicketFacts(NamedTuple):
    """What the secret says of its ticket, and its type."""

    authentic: bool  # well formed, of a known key, its signature verified (or its digest known)
    days: Collection[dt.date] = ()  # the days it is valid on
    zones: Collection[str] = ()  # the zones its type admits into (none: a type not known)


class ScanFacts(NamedTuple):
    direction: str
    day: dt.date  # the expo day of the scan (`scan_day`)
    gate_served: bool  # a gate of the edition that the scanning device serves
    zone: str | None  # the zone the gate admits into (None: not a gate of the edition)
    room: bool = False  # the gate is a room's door (its zone is of kind `room`)
    # A room door's session at the scan's instant (`programme.selectors.session_at_door`),
    # None if none; `seated`: that session admits by reservation only.
    session: int | None = None
    seated: bool = False


class TicketState(NamedTuple):
    """What is stored of the ticket: online its row, offline the scanner's own memory."""

    known: bool  # a ticket has the serial
    revoked: bool
    inside: dt.date | None  # the expo day it entered the venue on and has not left since
    # The sessions its registration holds a confirmed reservation at (a waiting-list place is
    # not one); only those a decision may ask about need be given.
    reserved: Collection[int] = ()


# Each fact as a Python expression over the ticket's facts `t`, the scan's `s` and the stored
# state `st`: compiled into the walks below, and into `FACTS` for whoever reads one fact alone.
FACT_SOURCES: dict[str, str] = {
    "authentic": "t.authentic",
    "gate_served": "s.gate_served",
    "known": "st.known",
    "revoked": "st.revoked",
    "day_valid": "s.day in t.days",
    # At a seated session's door the reservation decides, not the ticket type's zones.
    "zone_valid": "s.zone is not None and (s.seated or s.zone in t.zones)",
    "reserved": "not s.seated or s.session in st.reserved",
    "inside_today": "st.inside == s.day",
}
STORED = frozenset({"known", "revoked", "inside_today", "reserved"})
# How each kind of gate limit reads in a walk.
GATE_TESTS = {VENUE: "not s.room", ROOM: "s.room"}

Decider = Callable[[TicketFacts, ScanFacts, TicketState], "str | None"]


def _compiled(source: str, name: str) -> Callable:
    namespace: dict = {}
    # The source is built from this module's constants alone (`FACT_SOURCES`, the rules'
    # reasons), never from input.
    exec(compile(source, f"<checkin.rules: {name}>", "exec"), namespace)  # noqa: S102
    return namespace[name]


FACTS: dict[str, Callable[[TicketFacts, ScanFacts, TicketState], bool]] = {
    fact: _compiled(f"def {fact}(t, s, st):\n    return {source}\n", fact)
    for fact, source in FACT_SOURCES.items()
}


def _decider(order: tuple[Rule, ...], direction: str) -> Decider:
    """The walk of `order` for one direction as one function of straight-line tests: a scan
    is decided inside a batch's write lock, where a loop over the rules cost three times as
    much."""
    lines = ["def decide(t, s, st):"]
    for rule in order:
        if rule.direction in (None, direction):
            test = f"{'' if rule.broken_when else 'not '}({FACT_SOURCES[rule.fact]})"
            if rule.gates is not None:
                test = f"({GATE_TESTS[rule.gates]}) and {test}"
            lines.append(f"    if {test}:")
            lines.append(f"        return {rule.reason!r}")
    lines.append("    return None")
    return _compiled("\n".join(lines) + "\n", "decide")


@functools.lru_cache(maxsize=8)
def deciders(order: tuple[Rule, ...] = RULES) -> dict[str, Decider]:
    """Per direction, `decide` in `order` as one function `(ticket, scan, state) -> reason`
    (None: admit), for a path that decides many scans in the same direction. Compiled once
    per order: the first call compiles, later ones look the order up."""
    return {direction: _decider(order, direction) for direction in DIRECTIONS}


# The online order's walks, for `decide` to reach without hashing a tuple of rules on every
# scan (that cost more than the walk itself).
_ONLINE = deciders(RULES)


def decide(
    ticket: TicketFacts,
    scan: ScanFacts,
    state: TicketState,
    *,
    order: tuple[Rule, ...] = RULES,
) -> str | None:
    """The reference decision: the reason of the first rule of `order` (for the scan's
    direction) that the facts break, or None to admit."""
    walks = _ONLINE if order is RULES else deciders(order)
    return walks[scan.direction](ticket, scan, state)


# What `decide_unread` walks: the online order's rules as (fact, breaking value, reason, stored),
# per direction and kind of gate (a room's door or not).
_UNREAD_WALK = {
    (direction, room): tuple(
        (FACTS[r.fact], r.broken_when, r.reason, r.fact in STORED)
        for r in RULES
        if r.direction in (None, direction) and r.gates in (None, ROOM if room else VENUE)
    )
    for direction in DIRECTIONS
    for room in (False, True)
}


_UNREAD = TicketState(True, False, None)


def decide_unread(ticket: TicketFacts, scan: ScanFacts) -> tuple[str | None, bool]:
    """`decide` before the ticket's state is read (online, before asking the database):
    `(reason, refused)` — the reason if a rule that comes before every rule on a `STORED` fact
    is broken (then final); else whether a later rule on the facts at hand is broken already
    (the scan is refused, for a reason the state decides)."""
    refused = False
    state_needed = False
    for fact, broken_when, reason, stored in _UNREAD_WALK[scan.direction, scan.room]:
        if stored:
            state_needed = True
        elif fact(ticket, scan, _UNREAD) == broken_when:
            if not state_needed:
                return reason, True
            refused = True
    return None, refused


def state_reason(direction: str) -> str:
    """The reason of the direction's rule on the ticket's presence in the venue: what a
    conditional UPDATE that found the ticket but not in the state it needs was refused for."""
    return next(
        r.reason for r in RULES if r.fact == "inside_today" and r.direction in (None, direction)
    )


def table() -> list[dict]:
    """`RULES` as JSON for the browser scanner (`static/checkin/rules.js` walks it)."""
    return [dataclasses.asdict(rule) for rule in RULES]


def scan_day(at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The expo day of an instant: its date in the edition's time zone (midnight exact)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a scan time must carry its UTC offset")
    return at.astimezone(tz).date()
