"""Booth visits drawn from the visitors' hidden interests (`--booth-visits interests`).

In `area` mode (the twin's first model) a visitor chooses halls and booths by floor area alone.
In `interests` mode, the default, every ticket holder has hidden interests (`demo.interests`:
the same ones their demo profile was declared from), and both the halls they walk into and
the booths they stop at follow the synthetic world's visit model (`recommend.synthetic`):
the interests with a personal taste, the pull of a big stand, and some wandering. The halls are
chosen as before (a weighted sample without replacement, as many as the time allows), with
each visitor's weights the chance that their next visit falls in that hall; a booth visit then
picks among the hall's booths with the same chances.

Nothing is held per visitor and booth for the whole day: chances are computed for a few
thousand visitors at a time, twice (halls, then booths), from the same seeded draws.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np

from smartexpo.demo.interests import hidden_interests
from smartexpo.demo.simulator import model as m
from smartexpo.exhibitors.models import BoothAssignment, Exhibitor
from smartexpo.recommend.engine import Item
from smartexpo.recommend.synthetic import Booths, Interests
from smartexpo.venue.models import Booth, Expo

BOOTH_VISITS = ("interests", "area")
# The visitor tag the twin's sensors report in `interests` mode: the badge is the ticket, so the
# server can attribute a booth visit to a registration (`ticket:` and the serial in decimal).
TICKET_TAG = "ticket:"
# Demo visitors are known by their index (visitor<i>@example.cn); anybody else registered for
# the edition gets hidden interests of an index past every demo one.
OTHERS_FIRST_INDEX = 100_000_000
CHUNK = 4096
# A hall without booths still draws the odd visitor (its aisles, a stage), never many.
EMPTY_HALL_WEIGHT = 1e-3


@dataclasses.dataclass(frozen=True)
class BoothWorld:
    """The venue's booth zones (in `Venue.zone_codes` order, after the halls) as the synthetic
    world's items, with the hall each stands in."""

    booths: Booths
    hall: np.ndarray  # hall index of each booth
    halls: int

    def preferences(self, *, interests: list[Interests], seed: list[int]) -> VisitorPreferences:
        return VisitorPreferences(self, interests, seed)


def booth_world_load(*, expo: Expo, venue: m.Venue) -> BoothWorld:
    """Each booth zone's exhibitor (sector and tags) from the edition; a free booth has none
    and is visited only by the crowd's pull and wandering."""
    codes = [b for h in venue.halls for b in h.booths]
    booth_of_zone = dict(
        Booth.objects.filter(expo=expo, zone__code__in=codes).values_list("zone__code", "id")
    )
    exhibitor_of_booth = dict(
        BoothAssignment.objects.filter(expo=expo).values_list("booth_id", "exhibitor_id")
    )
    sector = dict(Exhibitor.objects.filter(expo=expo).values_list("id", "sector__code"))
    tags: dict[int, list[str]] = defaultdict(list)
    for exhibitor, tag in Exhibitor.tags.through.objects.filter(exhibitor__expo=expo).values_list(
        "exhibitor_id", "tag__code"
    ):
        tags[exhibitor].append(tag)
    items, prior, hall = [], {}, []
    for h, spec in enumerate(venue.halls):
        for code, area in zip(spec.booths, spec.booth_weights, strict=True):
            exhibitor = exhibitor_of_booth.get(booth_of_zone.get(code))
            n = len(items)
            items.append(
                Item(
                    key=n,
                    kind="exhibitor",
                    sectors=(sector[exhibitor],) if exhibitor in sector else (),
                    tags=tuple(sorted(tags.get(exhibitor, ()))),
                    text="",
                )
            )
            prior[n] = float(area)
            hall.append(h)
    return BoothWorld(Booths(items, prior), np.asarray(hall, dtype=np.int64), len(venue.halls))


class VisitorPreferences:
    """A day's visitors' chances over the halls and the booths (rows: the day's visitors)."""

    def __init__(self, world: BoothWorld, interests: list[Interests], seed: list[int]) -> None:
        self.world = world
        self.sectors, self.tags = world.booths.weights(interests)
        self.seed = seed
        self.n = len(interests)

    def _chances(self, start: int, stop: int) -> np.ndarray:
        """(visitors start..stop × booths): the chance of each booth being the next visit."""
        taste = np.random.default_rng([*self.seed, start]).standard_normal(
            (stop - start, len(self.world.hall)), dtype=np.float32
        )
        return self.world.booths.mixture(self.sectors[start:stop], self.tags[start:stop], taste)

    def hall_weights(self) -> np.ndarray:
        """(visitors × halls): the chance of a visit falling in each hall."""
        out = np.empty((self.n, self.world.halls))
        onehot = np.zeros((len(self.world.hall), self.world.halls))
        onehot[np.arange(len(self.world.hall)), self.world.hall] = 1.0
        for start in range(0, self.n, CHUNK):
            stop = min(start + CHUNK, self.n)
            out[start:stop] = self._chances(start, stop) @ onehot
        return np.maximum(out, EMPTY_HALL_WEIGHT)

    def pick(self, visitor: np.ndarray, hall: np.ndarray, draw: np.ndarray) -> np.ndarray:
        """The booth (position among the booths) of each booth visit by `visitor` in `hall`,
        by the uniform `draw` in [0, 1): inverse sampling of the visitor's chances in the hall.
        `visitor` must be sorted (visits come visitor by visitor)."""
        out = np.zeros(len(visitor), dtype=np.int64)
        bounds = np.searchsorted(visitor, np.arange(0, self.n + CHUNK, CHUNK))
        for c, start in enumerate(range(0, self.n, CHUNK)):
            lo, hi = bounds[c], bounds[c + 1]
            if lo == hi:
                continue
            stop = min(start + CHUNK, self.n)
            chances = self._chances(start, stop)
            rows = visitor[lo:hi] - start
            for h in np.unique(hall[lo:hi]):
                at = lo + np.flatnonzero(hall[lo:hi] == h)
                cols = np.flatnonzero(self.world.hall == h)
                # Inverse sampling over the hall's booths alone, a row per visit.
                cumulative = np.cumsum(chances[np.ix_(rows[at - lo], cols)], axis=1)
                target = draw[at] * cumulative[:, -1]
                found = (cumulative <= target[:, None]).sum(axis=1)
                out[at] = cols[np.minimum(found, len(cols) - 1)]
        return out


def interests_of(registrations: np.ndarray, indexes: dict[int, int]) -> list[Interests]:
    """The hidden interests of the holders of these registrations (demo visitors by their
    index, anybody else by their registration id past the demo's indexes)."""
    return [
        hidden_interests(indexes.get(r, OTHERS_FIRST_INDEX + r)) for r in registrations.tolist()
    ]
