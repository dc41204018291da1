"""Random instances for the benchmark and the tests (deterministic for a seed).

A third of the persons are exhibitors with a booth in one of four halls. Requests mostly pair
a visitor with an exhibitor, popular exhibitors drawing more (a Zipf-like pull; nobody accepts
more than `max_degree`); a fifth are `must`. Exhibitors have caps of 8–12, some visitors a cap
of 6. A third of the persons are busy for a random block of the day, a third of the visitors
here for a window of the day only. Tables stand in hall 0 and are scarce on purpose (one per
twenty persons), so that the choice of who meets when matters.

`profile="hosted"` is a hosted-buyer day, where availability is what binds: each exhibitor's
meeting desk is staffed for a block of two thirds of the day (booth duty), every visitor is here
for one to two hours only (a window of 3–6 slots), and half of the requests are `must` (the
buyers the organiser invited). Tables and caps are as above. On the default profile greedy
first-fit is within about 1 % of the bound; on this one the order of placement matters."""

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
    max_degree: int = 30,
    profile: str = "fair",
) -> Instance:
    if profile not in ("fair", "hosted"):
        raise ValueError(f"unknown profile {profile!r}")
    hosted = profile == "hosted"
    rng = random.Random(seed)
    n_exhibitors = max(1, n_people // 3)
    people: dict[int, Person] = {}
    booth_zone: dict[str, int] = {}
    booth_of: dict[int, str] = {}
    for p in range(n_people):
        exhibitor = p < n_exhibitors
        cap = rng.randint(8, 12) if exhibitor else (6 if rng.random() < 0.3 else None)
        if hosted and not exhibitor:
            cap = None  # a one- or two-hour window is the visitor's cap
        available = None
        draw = rng.random()
        if hosted:
            if exhibitor:
                length = max(1, n_slots * 2 // 3)
            else:
                length = rng.randint(min(3, n_slots), min(6, n_slots))
            start = rng.randrange(n_slots - length + 1)
            available = frozenset(range(start, start + length))
        elif draw < 1 / 3:
            # Busy for a block of the day (a forum session, a meeting elsewhere).
            start = rng.randrange(n_slots)
            length = rng.randint(1, max(1, n_slots // 3))
            available = frozenset(s for s in range(n_slots) if not start <= s < start + length)
        elif draw < 2 / 3 and not exhibitor:
            # Here for part of the day only: a window of a quarter to a half of the slots.
            length = rng.randint(max(1, n_slots // 4), max(1, n_slots // 2))
            start = rng.randrange(n_slots - length + 1)
            available = frozenset(range(start, start + length))
        people[p] = Person(cap=cap, available=available)
        if exhibitor:
            booth_of[p] = f"B{p}"
            booth_zone[f"B{p}"] = rng.randrange(halls)
    # Popular exhibitors draw more requests: weights 1/(rank+1)^0.8.
    pull = [1 / (i + 1) ** 0.6 for i in range(n_exhibitors)]
    degree: dict[int, int] = dict.fromkeys(range(n_people), 0)
    visitors = list(range(n_exhibitors, n_people)) or list(range(n_people))
    seen: set[tuple[int, int]] = set()
    requests: list[Request] = []
    tries = 0
    while len(requests) < n_requests and tries < n_requests * 20:
        tries += 1
        if hosted or rng.random() < 0.85:
            a = rng.choice(visitors)
            b = rng.choices(range(n_exhibitors), weights=pull)[0]
        else:
            a, b = rng.sample(range(n_people), 2)
        pair = (min(a, b), max(a, b))
        if a == b or pair in seen or max(degree[a], degree[b]) >= max_degree:
            continue
        seen.add(pair)
        degree[a] += 1
        degree[b] += 1
        booth = None
        if booth_meetings:
            booth = booth_of.get(pair[0]) or booth_of.get(pair[1])
        priority = "must" if rng.random() < (0.5 if hosted else 0.2) else "want"
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
