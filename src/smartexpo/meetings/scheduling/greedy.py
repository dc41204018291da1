"""The greedy baseline: previously published meetings first (where they still fit), then
`must` requests, then `want` requests by reciprocal score; each one in the first slot where
it fits, at a table, else at its booth. It is the yardstick the optimiser is measured against,
and the optimiser's warm start."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

from .instance import Instance, Placement, Request


class _State:
    """What is taken so far: the persons' slots (with their zone), tables, booths, counts."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.zone: dict[tuple, Hashable] = {}
        self.tables_used: Counter = Counter()
        self.booths: set[tuple] = set()
        self.count: Counter = Counter()

    def fits(self, r: Request, slot: int, booth: Hashable | None) -> bool:
        inst = self.instance
        if booth is None:
            if self.tables_used[slot] >= inst.tables[slot]:
                return False
            zone = inst.table_zone
        else:
            if (slot, booth) in self.booths:
                return False
            zone = inst.booth_zone.get(booth)
        for person in (r.a, r.b):
            if (person, slot) in self.zone:
                return False
            if slot not in inst.available(person):
                return False
            cap = inst.people[person].cap
            if cap is not None and self.count[person] >= cap:
                return False
            for near in (slot - 1, slot + 1):
                if (person, near) in self.zone and self.zone[(person, near)] != zone:
                    return False
        return True

    def take(self, r: Request, slot: int, booth: Hashable | None) -> Placement:
        inst = self.instance
        if booth is None:
            self.tables_used[slot] += 1
            zone = inst.table_zone
        else:
            self.booths.add((slot, booth))
            zone = inst.booth_zone.get(booth)
        for person in (r.a, r.b):
            self.zone[(person, slot)] = zone
            self.count[person] += 1
        # Table numbers are given afterwards (tables.number_tables); 0 marks "a table".
        return Placement(slot=slot, table=0 if booth is None else None, booth=booth)


def greedy_solve(
    instance: Instance, *, first: dict[Hashable, Placement] | None = None
) -> dict[Hashable, Placement]:
    """A valid schedule by the greedy rule (table numbers still 0: see `tables.number_tables`).

    `first`: placements to keep before anything else where they still fit (the optimiser's
    schedule of the `must` requests, completed here with the `want` ones); they take the place
    of the previous schedule's for the requests they name."""
    state = _State(instance)
    out: dict[Hashable, Placement] = {}
    seeds = {**instance.previous, **(first or {})}
    order = sorted(
        instance.requests,
        key=lambda r: (
            r.id not in (first or {}),
            r.id not in seeds,
            -r.weight,
            -r.score,
            str(r.id),
        ),
    )
    for r in order:
        before = seeds.get(r.id)
        if before is not None:
            booth = before.booth if before.booth is not None and before.booth == r.booth else None
            same_place = before.booth is None or booth is not None
            if (
                same_place
                and 0 <= before.slot < instance.n_slots
                and state.fits(r, before.slot, booth)
            ):
                out[r.id] = state.take(r, before.slot, booth)
                continue
        for slot in instance.common_slots(r):
            if state.fits(r, slot, None):
                out[r.id] = state.take(r, slot, None)
                break
            if r.booth is not None and state.fits(r, slot, r.booth):
                out[r.id] = state.take(r, slot, r.booth)
                break
    return out
