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

PROBING_MAX_VARS = 20_000


class Model:
    """The built model and its variables, so that a caller can hint, solve and read it."""

    def __init__(self, instance: Instance, *, gaps: bool = True) -> None:
        self.instance = instance
        self.model = cp_model.CpModel()
        m = self.model
        # Auxiliary variables and how their value follows from the others', in creation order:
        # the warm start must be complete to be taken as a first solution at once.
        self._derived: list[tuple] = []
        # (request id, slot, booth or None) → variable
        self.vars: dict[tuple, cp_model.IntVar] = {}
        by_request: dict[Hashable, list] = defaultdict(list)
        person_slot: dict[tuple, list] = defaultdict(list)
        person_zone_slot: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))
        table_slot: dict[int, list] = defaultdict(list)
        booth_slot: dict[tuple, list] = defaultdict(list)
        zones_of: dict[Hashable, set] = defaultdict(set)
        terms: list = []
        common: dict[Hashable, set] = {}
        for r in instance.requests:
            if r.booth is not None:
                pair = {r.a, r.b}
                common[r.booth] = common[r.booth] & pair if r.booth in common else pair
        self._hosted = {booth for booth, persons in common.items() if persons}
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
                    v = m.new_bool_var("")
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
                m.add_at_most_one(vs)
        for s, vs in table_slot.items():
            if len(vs) > instance.tables[s]:
                m.add(sum(vs) <= instance.tables[s])
        # One meeting per booth per slot. A booth hosts only its exhibitor's meetings, whose
        # one-meeting-per-slot rule implies it: the constraint is added only for a booth whose
        # requests share no person.
        for (booth, _s), vs in booth_slot.items():
            if len(vs) > 1 and booth not in self._hosted:
                m.add_at_most_one(vs)
        # One meeting per person per slot, through one indicator per (person, slot, zone): the
        # sum of the person's variables there. The change buffer and the idle gaps read these
        # few indicators instead of every request's variables (a popular exhibitor has hundreds).
        here: dict[tuple, dict] = {}
        per_person: dict[Hashable, list] = defaultdict(list)
        for (person, s), by_zone in person_zone_slot.items():
            ind = {}
            for zone, vs in by_zone.items():
                if len(vs) == 1:
                    ind[zone] = vs[0]
                else:
                    z = m.new_bool_var("")
                    m.add(sum(vs) == z)
                    ind[zone] = z
                    self._derived.append((z, "sum", vs))
            if len(ind) > 1:
                m.add_at_most_one(list(ind.values()))
            here[(person, s)] = ind
            per_person[person].extend(person_slot[(person, s)])
        for person, vs in per_person.items():
            cap = instance.people[person].cap
            # At most one meeting in each slot the person can meet in: implied by the rule per
            # slot, but stated for the LP relaxation, which otherwise spreads a person's
            # meetings fractionally and bounds far too high (measured: tens of percent).
            reach = sum(1 for s in range(instance.n_slots) if (person, s) in here)
            limit = reach if cap is None else min(cap, reach)
            if len(vs) > limit:
                m.add(sum(vs) <= limit)
        # The change buffer: in zone z at slot s ⇒ in no other zone at slot s + 1.
        for (person, s), ind in here.items():
            if len(zones_of[person]) < 2:
                continue
            nxt = here.get((person, s + 1))
            if not nxt:
                continue
            for z1, v1 in ind.items():
                for z2, v2 in nxt.items():
                    if z1 != z2:
                        m.add_bool_or([v1.negated(), v2.negated()])
        self.gap_vars = []
        if gaps:
            slots_of: dict[Hashable, list[int]] = defaultdict(list)
            for person, s in here:
                slots_of[person].append(s)
            for person, slots in slots_of.items():
                cap = instance.people[person].cap
                slots.sort()
                if (cap is not None and cap < 2) or len(slots) < 2 or slots[-1] - slots[0] < 2:
                    continue
                starts = []
                start_vars = []
                for s in slots:
                    occ = list(here[(person, s)].values())
                    prev = here.get((person, s - 1))
                    if prev is None:
                        # A meeting here after a free slot (or at the start) starts a run.
                        starts.extend(occ)
                        start_vars.extend(occ)
                        continue
                    st = m.new_bool_var("")
                    m.add(st >= sum(occ) - sum(prev.values()))
                    self._derived.append((st, "start", (occ, list(prev.values()))))
                    starts.append(st)
                    start_vars.append(st)
                g = m.new_int_var(0, len(slots), "")
                m.add(g >= sum(starts) - 1)
                self._derived.append((g, "gap", start_vars))
                self.gap_vars.append(g)
                terms.append(-GAP_PENALTY * g)
        m.maximize(sum(terms))
        self.n_vars = len(self.vars) + len(self.gap_vars)

    def hint(self, placements: dict[Hashable, Placement]) -> None:
        """Warm start from a known schedule (the greedy one, or the previous one)."""
        value: dict[int, int] = {}
        for (rid, s, booth), v in self.vars.items():
            p = placements.get(rid)
            value[v.index] = int(p is not None and p.slot == s and p.booth == booth)
        for var, kind, args in self._derived:
            if kind == "sum":
                value[var.index] = sum(value[v.index] for v in args)
            elif kind == "start":
                occ, prev = args
                now = sum(value[v.index] for v in occ)
                value[var.index] = max(0, now - sum(value[v.index] for v in prev))
            else:
                value[var.index] = max(0, sum(value[v.index] for v in args) - 1)
        for v in self.vars.values():
            self.model.add_hint(v, value[v.index])
        for var, _kind, _args in self._derived:
            self.model.add_hint(var, value[var.index])

    def solve(
        self, *, time_limit: float, workers: int = 2, seed: int = 0
    ) -> tuple[str, dict[Hashable, Placement], int, int, float]:
        """Solve; returns (status, placements without table numbers, objective, bound, seconds).
        Status is "optimal", "feasible" or "unknown" (no schedule found in time)."""
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = workers
        solver.parameters.max_time_in_seconds = max(0.01, time_limit)
        solver.parameters.random_seed = seed
        if self.n_vars > PROBING_MAX_VARS:
            # Measured: on large models probing is most of the presolve time and buys little
            # (docs/meeting-scheduling.md, "Scale").
            solver.parameters.cp_model_probing_level = 0
        t0 = time.perf_counter()
        code = solver.solve(self.model)
        seconds = time.perf_counter() - t0
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "unknown", {}, 0, int(solver.best_objective_bound), seconds
        out = {}
        for (rid, s, booth), v in self.vars.items():
            if solver.boolean_value(v):
                out[rid] = Placement(slot=s, table=0 if booth is None else None, booth=booth)
        status = "optimal" if code == cp_model.OPTIMAL else "feasible"
        objective = round(solver.objective_value)
        bound = round(solver.best_objective_bound)
        return status, out, objective, bound, seconds
