"""The scheduling problem as plain data, with no Django: what the optimiser and the greedy
baseline read, and what they answer.

Slots are numbered 0..n_slots-1. Tables are interchangeable inside one slot, so the models only
count them (`tables[s]` per slot); numbers are given afterwards (`tables.number_tables`),
keeping a meeting's previous number where it can. A booth meeting takes the booth, not a table.
Zones are any hashable value compared with `==`: the tables stand in `table_zone`, a booth in
`booth_zone[booth]`. A person in two different zones in consecutive slots breaks the change
buffer (they need a slot to walk).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    """One participant: `cap` meetings at most (None: no cap); `available` slots (None: all)."""

    cap: int | None = None
    available: frozenset[int] | None = None


@dataclass(frozen=True)
class Request:
    """An accepted request between persons `a` and `b`: its objective `weight`
    (`weights.request_weight`), reciprocal `score` 0..1, and `booth`: the booth where it may
    take place instead of a table (None: tables only)."""

    id: Hashable
    a: Hashable
    b: Hashable
    weight: int
    score: float = 0.0
    booth: Hashable | None = None


@dataclass(frozen=True)
class Placement:
    """Where a request is placed: a slot, and a table number or a booth (exactly one)."""

    slot: int
    table: int | None = None
    booth: Hashable | None = None

    @property
    def at_booth(self) -> bool:
        return self.booth is not None


@dataclass
class Instance:
    n_slots: int
    tables: list[int]
    people: dict[Hashable, Person]
    requests: list[Request]
    table_zone: Hashable = None
    booth_zone: dict[Hashable, Hashable] = field(default_factory=dict)
    # Published placements of the previous solve, by request id (re-solve stability).
    previous: dict[Hashable, Placement] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.tables) != self.n_slots:
            raise ValueError("tables must give a count for every slot")
        for r in self.requests:
            if r.a == r.b:
                raise ValueError(f"request {r.id!r} pairs a person with themselves")
            if r.a not in self.people or r.b not in self.people:
                raise ValueError(f"request {r.id!r} names an unknown person")

    def available(self, person: Hashable) -> frozenset[int] | range:
        slots = self.people[person].available
        return range(self.n_slots) if slots is None else slots

    def common_slots(self, r: Request) -> list[int]:
        """The slots both sides of `r` are available in, ascending."""
        a, b = self.people[r.a].available, self.people[r.b].available
        if a is None and b is None:
            return list(range(self.n_slots))
        if a is None:
            return sorted(s for s in b if 0 <= s < self.n_slots)
        if b is None:
            return sorted(s for s in a if 0 <= s < self.n_slots)
        return sorted(s for s in a & b if 0 <= s < self.n_slots)

    def zone_of(self, r: Request, placement: Placement) -> Hashable:
        if placement.booth is not None:
            return self.booth_zone.get(placement.booth)
        return self.table_zone


@dataclass
class Result:
    """A schedule and how it was found. `objective` and `bound` are in the solver's objective
    units (weights + score ties − idle gaps + stability bonus); `weight` is the total request
    weight scheduled (what the greedy baseline is compared on). `moved`: previous placements
    whose slot or place changed or that were dropped although their request is still in."""

    status: str  # "optimal" | "feasible"
    placements: dict[Hashable, Placement]
    objective: int
    bound: int
    gap: float
    seconds: float
    method: str
    weight: int = 0
    moved: int = 0
    idle_gaps: int = 0
    greedy_weight: int | None = None
    greedy_objective: int | None = None
    parts: int = 1
    variables: int = 0
    details: dict = field(default_factory=dict)
