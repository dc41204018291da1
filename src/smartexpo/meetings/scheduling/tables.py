"""Table numbers, given after solving: tables are interchangeable, so the models only count
them per slot. A meeting keeps its previous table when it stays in its slot and the number is
still there; the others take the lowest free numbers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

from .instance import Instance, Placement


def number_tables(
    instance: Instance, placements: dict[Hashable, Placement]
) -> dict[Hashable, Placement]:
    """`placements` with a table number (1-based) on every table meeting."""
    out: dict[Hashable, Placement] = {}
    by_slot: dict[int, list] = defaultdict(list)
    for rid, p in placements.items():
        if p.booth is not None:
            out[rid] = Placement(slot=p.slot, table=None, booth=p.booth)
        else:
            by_slot[p.slot].append(rid)
    for slot, rids in by_slot.items():
        limit = instance.tables[slot]
        taken: set[int] = set()
        waiting = []
        for rid in sorted(rids, key=str):
            before = instance.previous.get(rid)
            if (
                before is not None
                and before.slot == slot
                and before.table is not None
                and 1 <= before.table <= limit
                and before.table not in taken
            ):
                taken.add(before.table)
                out[rid] = Placement(slot=slot, table=before.table)
            else:
                waiting.append(rid)
        free = (t for t in range(1, limit + 1) if t not in taken)
        for rid in waiting:
            out[rid] = Placement(slot=slot, table=next(free))
    return out
