"""Random instances for the benchmark and the tests (deterministic for a seed).

A third of the persons are exhibitors with a booth in one of four halls; requests mostly pair a
visitor with an exhibitor, drawn with popular exhibitors (a Zipf-like pull), a fifth of them
`must`; exhibitors have caps of 8–12, some visitors a cap of 6; a third of the persons are busy
for a random block of the day; tables stand in hall 0. The tables are scarce on purpose (one per
twenty persons), so the choice of who meets when matters."""

from __future__ import annotations

import random

from .instance import Instance, Person, Request
from .weights import request_weight


def random_instance(
    n_people: int,
    n_requests: int,
    *,
    seed: int = 0,
    n_slots: int = 18,
    tables: int | None = None,
    booth_meetings: bool = True,
    halls: int = 4,
) -> Instance:
    rng = random.Random(seed)
    n_exhibitors = max(1, n_people // 3)
    people: dict[int, Person] = {}
    booth_zone: dict[str, int] = {}
    booth_of: dict[int, str] = {}
    for p in range(n_people):
        exhibitor = p < n_exhibitors
        cap = rng.randint(8, 12) if exhibitor else (6 if rng.random() < 0.3 else None)
        available = None
        if rng.random() < 1 / 3:
            start = rng.randrange(n_slots)
            length = rng.randint(1, max(1, n_slots // 3))
            available = frozenset(s for s in range(n_slots) if not start <= s < start + length)
        people[p] = Person(cap=cap, available=available)
        if exhibitor:
            booth_of[p] = f"B{p}"
            booth_zone[f"B{p}"] = rng.randrange(halls)
    # Popular exhibitors draw more requests: weights 1/(rank+1)^0.8.
    pull = [1 / (i + 1) ** 0.8 for i in range(n_exhibitors)]
    visitors = list(range(n_exhibitors, n_people)) or list(range(n_people))
    seen: set[tuple[int, int]] = set()
    requests: list[Request] = []
    tries = 0
    while len(requests) < n_requests and tries < n_requests * 20:
        tries += 1
        if rng.random() < 0.85:
            a = rng.choice(visitors)
            b = rng.choices(range(n_exhibitors), weights=pull)[0]
        else:
            a, b = rng.sample(range(n_people), 2)
        pair = (min(a, b), max(a, b))
        if a == b or pair in seen:
            continue
        seen.add(pair)
        booth = None
        if booth_meetings:
            booth = booth_of.get(pair[0]) or booth_of.get(pair[1])
        priority = "must" if rng.random() < 0.2 else "want"
        requests.append(
            Request(
                id=len(requests),
                a=pair[0],
                b=pair[1],
                weight=request_weight(priority, 0),
                score=round(rng.random(), 3),
                booth=booth,
            )
        )
    return Instance(
        n_slots=n_slots,
        tables=[tables if tables is not None else max(1, n_people // 20)] * n_slots,
        people=people,
        requests=requests,
        table_zone=0,
        booth_zone=booth_zone,
    )
