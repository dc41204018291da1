"""The twin's show-up process: who of the registered actually comes.

`--visitors N` decides the visits and finds tickets for them; the show-up mode goes the other
way round, as an edition does: every ticket valid on a day (and booked before that day's
opening) is a registered person who may come, and each comes with their ticket type's rate.
A (day, class) cell's visits are then Binomial(valid tickets, rate), and nobody is registered
to fill a day: the visits are the registered tickets that show up.

A demand shock, `{day index: factor}`, multiplies the rates of a day (capped at 1): more
visitors come than the registrations and usual show-up imply (good weather, a celebrity, a
holiday announced late). It is what an attendance forecast learnt from registrations cannot
see coming, and what the crowd alerts must then catch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import numpy as np

from smartexpo.demo.simulator import model as m
from smartexpo.demo.simulator.tickets import TicketPool
from smartexpo.tickets.models import Ticket, TicketStatus
from smartexpo.venue.models import Expo

# The share of a ticket type's holders valid on a day who come that day. Free registration
# for a trade show turns into attendance at 50–70 % (people register "in case"); a public day
# ticket names one day, chosen by its holder: 0.65. A pass is valid every day and its holder
# comes on some: professionals on under half the days (a day or two of meetings), journalists
# on half (the opening and a press day), guests on under half; exhibitors' staff work the stand
# most days, in shifts.
SHOW_UP: dict[str, float] = {
    "public-day": 0.65,
    "professional": 0.40,
    "media": 0.50,
    "vip": 0.40,
    "exhibitor-staff": 0.80,
}
# A ticket type the demo does not know (an organiser's own): the middle of the literature's range.
SHOW_UP_DEFAULT = 0.60
# A mild day effect on every class's rate: the opening day draws a little more (the opening
# ceremony, the press), the last a little less (stands pack up in the afternoon); the days in
# between are as the rates say.
FIRST_DAY_EFFECT = 1.05
LAST_DAY_EFFECT = 0.95
# A shock's factor is at most this (and above 0): ten times the usual show-up is no longer a
# shock but another edition.
MAX_SHOCK = 10.0

Shock = Mapping[int, float]


def day_effect(day_index: int, days: int) -> float:
    """The day effect of the edition's day `day_index` (of `days`)."""
    if days > 1 and day_index == days - 1:
        return LAST_DAY_EFFECT
    if days > 1 and day_index == 0:
        return FIRST_DAY_EFFECT
    return 1.0


def show_up_rate(code: str, day_index: int, days: int, shock: Shock | None = None) -> float:
    """The probability that a holder of a `code` ticket valid on the day comes (capped at 1)."""
    rate = SHOW_UP.get(code, SHOW_UP_DEFAULT) * day_effect(day_index, days)
    return min(1.0, rate * (shock or {}).get(day_index, 1.0))


def shock_check(shock: Shock, days: int) -> None:
    """Refuse a shock on a day the edition does not have or with a factor out of range."""
    for day_index, factor in shock.items():
        if not 0 <= day_index < days:
            raise ValueError(f"A shock on day {day_index + 1}: the edition has {days} days.")
        if not 0 < factor <= MAX_SHOCK:
            raise ValueError(f"A shock's factor must be above 0 and at most {MAX_SHOCK:g}.")


def visits_draw(
    *, venue: m.Venue, pool: TicketPool, days: range, seed: int, shock: Shock | None = None
) -> np.ndarray:
    """Visits per (simulated day, class): each cell Binomial(the class's tickets valid on the
    day, its show-up rate), drawn from its own stream of `seed` (a day draws the same whatever
    other days are simulated); `shock` multiplies a day's rates (see the module)."""
    shock = shock or {}
    shock_check(shock, len(venue.days))
    plan = np.zeros((len(days), len(venue.classes)), dtype=np.int64)
    for i, d in enumerate(days):
        for c, cls in enumerate(venue.classes):
            n = pool.available(d, c)
            rate = show_up_rate(cls.code, d, len(venue.days), shock)
            plan[i, c] = np.random.default_rng([seed, 17, d, c]).binomial(n, rate) if n else 0
    return plan


def pool_booked_by_day(*, expo: Expo, venue: m.Venue, pool: TicketPool) -> TicketPool:
    """The pool whose day cells keep only the tickets booked before the day's opening: a pass
    registered on the third morning cannot have been scanned on the first."""
    ids, created = _created(expo)
    at = np.full(len(pool.ids), np.iinfo(np.int64).max, dtype=np.int64)
    where = np.searchsorted(ids, pool.ids)
    found = (where < len(ids)) & (ids[np.minimum(where, len(ids) - 1)] == pool.ids)
    at[found] = created[where[found]]
    cells = {}
    for (d, c), cell in pool.cells.items():
        opening = dt.datetime.combine(venue.days[d], venue.opens, tzinfo=venue.tz)
        cells[(d, c)] = cell[at[cell] < _us(opening)]
    return dataclasses.replace(pool, cells=cells)


def _us(at: dt.datetime) -> int:
    return round(at.timestamp() * 1_000_000)


def _created(expo: Expo) -> tuple[np.ndarray, np.ndarray]:
    """Ids (sorted) and booking instants (UTC µs) of the edition's valid tickets."""
    rows = (
        Ticket.objects.filter(expo=expo, status=TicketStatus.VALID)
        .order_by("id")
        .values_list("id", "created_at")
    )
    ids, created = [], []
    for pk, at in rows.iterator(chunk_size=20_000):
        ids.append(pk)
        created.append(_us(at))
    return np.array(ids, dtype=np.int64), np.array(created, dtype=np.int64)
