"""The real tickets the twin's visitors hold: chosen per day among the edition's valid tickets,
registered through the demo's bulk path when a day has too few, and their signed secrets.

A ticket's secret is re-derived, not stored: Ed25519 signatures are deterministic, so signing
its claims again with its key gives the secret it was issued with (what `registration.
ticket_secret` does, one ticket and one query at a time). Here each key is loaded once and the
10-byte body is encoded once per (type, days): about 25 µs a ticket, the signature itself.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from smartexpo.demo.booking import booked_at
from smartexpo.demo.simulator import model as m
from smartexpo.demo.visitors import (
    GIVEN,
    SURNAMES,
    TWIN_FIRST_INDEX,
    demo_profile,
    demo_visitor_indexes,
    resident_id,
)
from smartexpo.exhibitors.models import Tag
from smartexpo.tickets.keys import private_key
from smartexpo.tickets.models import SigningKey, Ticket, TicketStatus, TicketType
from smartexpo.tickets.services.registration_bulk import registrations_bulk_create
from smartexpo.tickets.ticket_secrets import VERSION, TicketClaims, encode_body
from smartexpo.venue.models import Expo

Say = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class TicketPool:
    """The edition's valid tickets of the visitor classes, by id; `cells[(d, c)]` lists the
    positions of the tickets of class c valid on day d (an index into `venue.days`)."""

    ids: np.ndarray
    registrations: np.ndarray  # each ticket's registration id
    serials: list[int]
    kids: list[int]
    type_ids: list[int]
    days: list[tuple[dt.date, ...]]
    cells: dict[tuple[int, int], np.ndarray]

    def available(self, day: int, cls: int) -> int:
        cell = self.cells.get((day, cls))
        return 0 if cell is None else len(cell)


def pool_load(*, expo: Expo, venue: m.Venue) -> TicketPool:
    """Every valid ticket of the venue's visitor classes, in id order."""
    codes = [c.code for c in venue.classes]
    type_ids = dict(TicketType.objects.filter(expo=expo, code__in=codes).values_list("id", "code"))
    cls_of = {tid: codes.index(code) for tid, code in type_ids.items()}
    day_index = {d.isoformat(): i for i, d in enumerate(venue.days)}
    rows = Ticket.objects.filter(
        expo=expo, status=TicketStatus.VALID, ticket_type_id__in=list(type_ids)
    ).order_by("id")
    ids, registrations, serials, kids, types, days = [], [], [], [], [], []
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for position, (tid, registration, serial, kid, type_id, ticket_days) in enumerate(
        rows.values_list(
            "id", "registration_id", "serial", "kid", "ticket_type_id", "days"
        ).iterator(chunk_size=20_000)
    ):
        ids.append(tid)
        registrations.append(registration)
        serials.append(serial)
        kids.append(kid)
        types.append(type_id)
        days.append(tuple(dt.date.fromisoformat(d) for d in ticket_days))
        for d in ticket_days:
            if d in day_index:
                cells[(day_index[d], cls_of[type_id])].append(position)
    return TicketPool(
        ids=np.array(ids, dtype=np.int64),
        registrations=np.array(registrations, dtype=np.int64),
        serials=serials,
        kids=kids,
        type_ids=types,
        days=days,
        cells={k: np.array(v, dtype=np.int64) for k, v in cells.items()},
    )


def _shortfall(venue: m.Venue, plan: np.ndarray, days: range, pool: TicketPool):
    """(class, days to register for, how many) for every cell the pool cannot fill."""
    missing = []
    for c, cls in enumerate(venue.classes):
        if cls.all_days:
            # One pass serves every day it is valid on: the busiest day decides.
            need = max(plan[i, c] - pool.available(d, c) for i, d in enumerate(days))
            if need > 0:
                missing.append((c, list(venue.days), int(need)))
            continue
        for i, d in enumerate(days):
            need = plan[i, c] - pool.available(d, c)
            if need > 0:
                missing.append((c, [venue.days[d]], int(need)))
    return missing


def _rows(expo: Expo, venue: m.Venue, missing, seed: int):
    """Registration rows for the missing visitors: the demo's kind of people, with ID numbers
    from indexes no demo visitor has; and each one's visitor index (their booking instant,
    `demo.booking`, follows from it)."""
    rng = random.Random(f"{seed}:{expo.slug}:twin")
    tags = list(Tag.objects.values_list("code", flat=True))
    # After the twin's earlier visitors: an index names one made-up person, and a new run
    # must not register somebody again (`demo_visitors_seed` tells the seeder's apart by it).
    index = max([TWIN_FIRST_INDEX - 1, *demo_visitor_indexes(expo)]) + 1
    rows, indexes = [], []
    for c, days, count in missing:
        for _ in range(count):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))
            start = rng.randrange(len(tags)) if tags else 0
            rows.append(
                {
                    "ticket_type": venue.classes[c].code,
                    "days": [d.isoformat() for d in days],
                    "name": name,
                    "email": f"visitor{index}@example.cn",
                    "interests": tags[start : start + rng.randint(1, 3)],
                    "language": "zh-hans" if rng.random() < 0.9 else "en",
                    "id_type": "resident",
                    "id_number": resident_id(rng, index),
                    # Their profile, from the hidden interests that draw their booth visits.
                    **demo_profile(index, venue.classes[c].code),
                }
            )
            indexes.append(index)
            index += 1
    return rows, indexes


def tickets_ensure(
    *, expo: Expo, venue: m.Venue, plan: np.ndarray, days: range, seed: int, say: Say
) -> tuple[TicketPool, np.ndarray]:
    """The pool, after registering demo visitors for any day that has fewer valid tickets than
    the plan needs; and the plan, capped where even that fell short (a sold-out quota)."""
    pool = pool_load(expo=expo, venue=venue)
    missing = _shortfall(venue, plan, days, pool)
    if missing:
        total = sum(n for _c, _d, n in missing)
        say(f"Registering {total:,} more demo visitors: the edition has fewer valid tickets.")
        for c, cell_days, n in missing:
            on = "every day" if len(cell_days) > 1 else cell_days[0].isoformat()
            say(f"  {n:,} × {venue.classes[c].code} ({on})")
        rows, indexes = _rows(expo, venue, missing, seed)
        for start in range(0, len(rows), 20_000):
            part = slice(start, start + 20_000)
            registrations_bulk_create(
                expo=expo,
                rows=rows[part],
                source="demo",
                booked_at=booked_at(expo=expo, rows=rows[part], indexes=indexes[part]),
            )
        pool = pool_load(expo=expo, venue=venue)
    capped = plan.copy()
    for i, d in enumerate(days):
        for c in range(len(venue.classes)):
            capped[i, c] = min(plan[i, c], pool.available(d, c))
    if (capped != plan).any():
        for i, d in enumerate(days):
            if capped[i].sum() != plan[i].sum():
                say(
                    f"{venue.days[d]}: only {int(capped[i].sum()):,} of "
                    f"{int(plan[i].sum()):,} visitors have a ticket (quotas are full); "
                    "simulating those."
                )
    return pool, capped


def tickets_choose(
    *,
    pool: TicketPool,
    day: int,
    cls: np.ndarray,
    counts: np.ndarray,
    seed: int,
    first: np.ndarray | None = None,
) -> np.ndarray:
    """The pool position of each visitor's ticket: visitor v of class c holds the k-th of the
    class's tickets drawn for the day, k being v's rank among the day's visitors of class c.
    Tickets at the pool positions `first` (those who reserved a seat at a session of the day)
    are drawn before the others: whoever booked a seat comes that day when the day's visits
    allow."""
    tickets = np.empty(len(cls), dtype=np.int64)
    for c, n in enumerate(counts):
        if n == 0:
            continue
        rng = np.random.default_rng([seed, 7, day, c])
        cell = pool.cells[(day, c)]
        if first is None or not len(first):
            tickets[cls == c] = cell[rng.choice(len(cell), size=int(n), replace=False)]
            continue
        keen = np.isin(cell, first)
        ahead = rng.permutation(cell[keen])[: int(n)]
        rest = cell[~keen]
        more = rest[rng.choice(len(rest), size=int(n) - len(ahead), replace=False)]
        tickets[cls == c] = np.concatenate([ahead, more])
    return tickets


# Secrets signed between two calls of `secrets_for`'s `tick`: about a tenth of a second.
SECRETS_PER_TICK = 2_000


def secrets_for(
    *, expo: Expo, pool: TicketPool, positions: np.ndarray, tick: Callable[[], None] | None = None
):
    """(the distinct pool positions among `positions`, sorted; the secret of each). `tick` is
    called every `SECRETS_PER_TICK` secrets (a day of a big run signs hundreds of thousands)."""
    keys = {r.kid: private_key(record=r) for r in SigningKey.objects.filter(expo=expo)}
    bodies: dict[tuple[int, tuple[dt.date, ...]], bytes] = {}
    unique = np.unique(positions)
    secrets: list[str] = []
    for n, position in enumerate(unique.tolist()):
        if tick is not None and n % SECRETS_PER_TICK == 0:
            tick()
        serial, kid, type_id = pool.serials[position], pool.kids[position], pool.type_ids[position]
        days = pool.days[position]
        body = bodies.get((type_id, days))
        if body is None:
            # The body holds the type and the days only: the serial here is a placeholder.
            body = bodies[(type_id, days)] = encode_body(TicketClaims(1, type_id, days))
        signed = bytes((VERSION, kid)) + serial.to_bytes(8, "big") + body
        secrets.append(
            base64.urlsafe_b64encode(signed + keys[kid].sign(signed)).rstrip(b"=").decode("ascii")
        )
    return unique, secrets
