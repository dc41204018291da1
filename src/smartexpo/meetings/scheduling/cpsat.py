"""The CP-SAT model of one scheduling instance.

Variables: `x[r, s]` (request r at a table in slot s) and `y[r, s]` (at its booth in slot s),
only for the slots both sides are available in — availability costs no constraint, and the
model has no variable it could not use. Tables are counted, not named (they are
interchangeable: numbering them afterwards removes a table index and all its symmetry).

Objective (maximised, one integer sum; see docs/meeting-scheduling.md for the scales):
  Σ (weight + score bonus) · placed  +  STAY_BONUS · kept previous placements
  − GAP_PENALTY · idle gaps between a person's meetings.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Hashable

from ortools.sat.python import cp_model

from .check import GAP_PENALTY, STAY_BONUS
from .instance import Instance, Placement
from .weights import score_bonus


class Model:
    """The built model and its variables, so that a caller can hint, solve and read it."""

    def __init__(self, instance: Instance, *, gaps: bool = True) -> None:
        self.instance = instance
        self.model = cp_model.CpModel()
        m = self.model
        # (request id, slot, booth or None) → variable
        self.vars: dict[tuple, cp_model.IntVar] = {}
        by_request: dict[Hashable, list] = defaultdict(list)
        person_slot: dict[tuple, list] = defaultdict(list)
        person_zone_slot: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))
        table_slot: dict[int, list] = defaultdict(list)
        booth_slot: dict[tuple, list] = defaultdict(list)
        zones_of: dict[Hashable, set] = defaultdict(set)
        terms: list = []
        for r in instance.requests:
            gain = r.weight + score_bonus(r.score)
            before = instance.previous.get(r.id)
            for s in instance.common_slots(r):
                options = []
                if instance.tables[s] > 0:
                    options.append(None)
                if r.booth is not None:
                    options.append(r.booth)
                for booth in options:
                    v = m.NewBoolVar("")
                    self.vars[(r.id, s, booth)] = v
                    by_request[r.id].append(v)
                    zone = instance.table_zone if booth is None else instance.booth_zone.get(booth)
                    for person in (r.a, r.b):
                        person_slot[(person, s)].append(v)
                        person_zone_slot[(person, s)][zone].append(v)
                        zones_of[person].add(zone)
                    if booth is None:
                        table_slot[s].append(v)
                    else:
                        booth_slot[(booth, s)].append(v)
                    coef = gain
                    if before is not None and before.slot == s and before.booth == booth:
                        coef += STAY_BONUS
                    terms.append(coef * v)
        for vs in by_request.values():
            if len(vs) > 1:
                m.AddAtMostOne(vs)
        for vs in person_slot.values():
            if len(vs) > 1:
                m.AddAtMostOne(vs)
        for s, vs in table_slot.items():
            if len(vs) > instance.tables[s]:
                m.Add(sum(vs) <= instance.tables[s])
        for vs in booth_slot.values():
            if len(vs) > 1:
                m.AddAtMostOne(vs)
        per_person: dict[Hashable, list] = defaultdict(list)
        for (person, _s), vs in person_slot.items():
            per_person[person].extend(vs)
        for person, vs in per_person.items():
            cap = instance.people[person].cap
            if cap is not None and len(vs) > cap:
                m.Add(sum(vs) <= cap)
        # The change buffer: in zone z at slot s ⇒ not in another zone at slot s + 1, and back.
        for (person, s), by_zone in person_zone_slot.items():
            if len(zones_of[person]) < 2:
                continue
            nxt = person_zone_slot.get((person, s + 1))
            if not nxt:
                continue
            for zone, here in by_zone.items():
                there = [v for z, vs in nxt.items() if z != zone for v in vs]
                if there:
                    # Each side is at most one already (one meeting per person per slot).
                    m.AddAtMostOne(here + there)
        self.gap_vars = []
        if gaps:
            for person, vs in per_person.items():
                cap = instance.people[person].cap
                if len(vs) < 2 or (cap is not None and cap < 2):
                    continue
                slots = sorted({s for s in range(instance.n_slots) if (person, s) in person_slot})
                if len(slots) < 2 or slots[-1] - slots[0] < 2:
                    continue
                starts = []
                for s in slots:
                    occ = sum(person_slot[(person, s)])
                    prev = person_slot.get((person, s - 1))
                    if prev is None:
                        # A meeting here after a free slot (or at the start) starts a run.
                        starts.append(occ)
                        continue
                    st = m.NewBoolVar("")
                    m.Add(st >= occ - sum(prev))
                    starts.append(st)
                g = m.NewIntVar(0, len(slots), "")
                m.Add(g >= sum(starts) - 1)
                self.gap_vars.append(g)
                terms.append(-GAP_PENALTY * g)
        m.Maximize(sum(terms))
        self.n_vars = len(self.vars) + len(self.gap_vars)

    def hint(self, placements: dict[Hashable, Placement]) -> None:
        """Warm start from a known schedule (the greedy one, or the previous one)."""
        for (rid, s, booth), v in self.vars.items():
            p = placements.get(rid)
            self.model.AddHint(v, int(p is not None and p.slot == s and p.booth == booth))

    def solve(
        self, *, time_limit: float, workers: int = 2, seed: int = 0
    ) -> tuple[str, dict[Hashable, Placement], int, int, float]:
        """Solve; returns (status, placements without table numbers, objective, bound, seconds).
        Status is "optimal", "feasible" or "unknown" (no schedule found in time)."""
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = workers
        solver.parameters.max_time_in_seconds = max(0.01, time_limit)
        solver.parameters.random_seed = seed
        t0 = time.perf_counter()
        code = solver.Solve(self.model)
        seconds = time.perf_counter() - t0
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "unknown", {}, 0, int(solver.BestObjectiveBound()), seconds
        out = {}
        for (rid, s, booth), v in self.vars.items():
            if solver.BooleanValue(v):
                out[rid] = Placement(slot=s, table=0 if booth is None else None, booth=booth)
        status = "optimal" if code == cp_model.OPTIMAL else "feasible"
        objective = round(solver.ObjectiveValue())
        bound = round(solver.BestObjectiveBound())
        return status, out, objective, bound, seconds
