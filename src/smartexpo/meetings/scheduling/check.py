"""What every schedule must satisfy, checked independently of how it was produced: the
reference the property tests hold the optimiser and the greedy baseline to, and a last guard
before a schedule is written."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Hashable

from .instance import Instance, Placement
from .weights import score_bonus

# The objective's small terms (see docs/meeting-scheduling.md): a published meeting kept where
# it was earns STAY_BONUS (a quarter of a `want`: moving it pays only when it lets a request in);
# each idle gap between a person's meetings costs GAP_PENALTY (the size of a score step).
STAY_BONUS = 250
GAP_PENALTY = 1


def violations(instance: Instance, placements: dict[Hashable, Placement]) -> list[str]:
    """Every broken rule of `placements` in `instance`, as sentences (empty: a valid schedule)."""
    out: list[str] = []
    by_id = {r.id: r for r in instance.requests}
    person_slot: dict[tuple, Hashable] = {}
    zone_at: dict[tuple, Hashable] = {}
    table_slot: set[tuple] = set()
    booth_slot: set[tuple] = set()
    count: Counter = Counter()
    for rid, p in placements.items():
        r = by_id.get(rid)
        if r is None:
            out.append(f"request {rid!r} is not an accepted request of the instance")
            continue
        if not 0 <= p.slot < instance.n_slots:
            out.append(f"request {rid!r} in slot {p.slot} outside the session")
            continue
        if (p.table is None) == (p.booth is None):
            out.append(f"request {rid!r} needs exactly one of a table or a booth")
        if p.table is not None:
            if not 1 <= p.table <= instance.tables[p.slot]:
                out.append(f"request {rid!r} at table {p.table} of {instance.tables[p.slot]}")
            if (p.slot, p.table) in table_slot:
                out.append(f"table {p.table} holds two meetings in slot {p.slot}")
            table_slot.add((p.slot, p.table))
        if p.booth is not None:
            if p.booth != r.booth:
                out.append(f"request {rid!r} at booth {p.booth!r} that is not its booth")
            if (p.slot, p.booth) in booth_slot:
                out.append(f"booth {p.booth!r} holds two meetings in slot {p.slot}")
            booth_slot.add((p.slot, p.booth))
        zone = instance.zone_of(r, p)
        for person in (r.a, r.b):
            if (person, p.slot) in person_slot:
                out.append(f"person {person!r} has two meetings in slot {p.slot}")
            person_slot[(person, p.slot)] = rid
            zone_at[(person, p.slot)] = zone
            if p.slot not in instance.available(person):
                out.append(f"person {person!r} is not available in slot {p.slot}")
            count[person] += 1
    for person, n in count.items():
        cap = instance.people[person].cap
        if cap is not None and n > cap:
            out.append(f"person {person!r} has {n} meetings, cap {cap}")
    for (person, s), zone in zone_at.items():
        nxt = zone_at.get((person, s + 1), zone)
        if nxt != zone:
            out.append(f"person {person!r} changes zone between slots {s} and {s + 1}")
    return out


def idle_gaps(instance: Instance, placements: dict[Hashable, Placement]) -> int:
    """Idle gaps: for each person, the runs of free slots between two of their meetings."""
    by_id = {r.id: r for r in instance.requests}
    slots: dict[Hashable, list[int]] = defaultdict(list)
    for rid, p in placements.items():
        r = by_id[rid]
        slots[r.a].append(p.slot)
        slots[r.b].append(p.slot)
    gaps = 0
    for taken in slots.values():
        taken.sort()
        gaps += sum(1 for x, y in itertools.pairwise(taken) if y > x + 1)
    return gaps


def kept(instance: Instance, placements: dict[Hashable, Placement]) -> int:
    """Previous placements kept: same slot, and the same booth (or a table again)."""
    n = 0
    for rid, before in instance.previous.items():
        now = placements.get(rid)
        if now is not None and now.slot == before.slot and now.booth == before.booth:
            n += 1
    return n


def moved(instance: Instance, placements: dict[Hashable, Placement]) -> int:
    """Previous placements of requests still in the instance that moved or were dropped."""
    live = {r.id for r in instance.requests}
    return sum(1 for rid in instance.previous if rid in live) - kept(instance, placements)


def weight(instance: Instance, placements: dict[Hashable, Placement]) -> int:
    return sum(r.weight for r in instance.requests if r.id in placements)


def objective(instance: Instance, placements: dict[Hashable, Placement]) -> int:
    """The optimiser's objective of any schedule (so greedy and CP-SAT compare in one unit)."""
    total = sum(r.weight + score_bonus(r.score) for r in instance.requests if r.id in placements)
    return (
        total
        + STAY_BONUS * kept(instance, placements)
        - GAP_PENALTY * idle_gaps(instance, placements)
    )
