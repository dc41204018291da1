"""Hidden interests for the demo: the 2019 catalogue as the recommender's items, and visitors'
interests and profiles drawn by `recommend.synthetic`.

The same hidden interests drive three things, so that they agree with each other: the demo
visitors' declared profiles (`demo.visitors`), the digital twin's booth visits in `interests`
mode (`demo.simulator`), and the recommendation evaluation (`bench/eval_recs.py`). The catalogue
is planned as the seeder plans it (same seed, same 843 exhibitors, same halls), without a
database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from smartexpo.demo import catalogue_data as data
from smartexpo.demo.hall_plan import allocate_booths
from smartexpo.demo.layout import SIZES
from smartexpo.recommend.engine import Item
from smartexpo.recommend.synthetic import InterestDrawer, Interests, Profile, declare

EDITION = "sce-2019"
EXHIBITORS = 843
# The world the demo's people live in: visitor i has the same hidden interests whatever seed
# the demo or the twin is run with, so the profile they declared and the booths they visit
# always agree.
WORLD_SEED = 2019


@dataclass(frozen=True)
class DemoCatalogue:
    items: list[Item]  # key: the exhibitor's index in the seeder's plan
    slugs: list[str]  # by key
    prior: dict[int, float]  # booth area in cells: a big stand's pull
    labels: dict[str, tuple[str, str]]  # sector and tag codes: (English, Chinese)

    def engine_labels(self) -> dict[str, str]:
        return {code: f"{en} {zh}" for code, (en, zh) in self.labels.items()}


@cache
def demo_catalogue(seed: int = 2019) -> DemoCatalogue:
    """The 2019 edition's exhibitors as the seeder plans them for `seed`, as engine items."""
    # Here, not at the top: the seeder imports the visitors, whose profiles come from here.
    from smartexpo.demo.seed import plan_exhibitors

    planned = plan_exhibitors(random.Random(f"{seed}:{EDITION}"), EXHIBITORS, notable_share=1.0)
    hall = {}
    for spot in allocate_booths(planned):
        if spot.owner is not None:
            hall[spot.owner] = spot.hall
    items = []
    for n, p in enumerate(planned):
        showcase = " ".join(" ".join(row) for row in p.showcase)
        text = f"{p.name_en} {p.name_zh} {p.description_en} {p.description_zh} {showcase}"
        items.append(
            Item(
                key=n,
                kind="exhibitor",
                sectors=(p.sector,),
                tags=tuple(p.tags),
                text=text,
                company=p.name_en,
                hall=hall.get(n, ""),
            )
        )
    labels = {code: (en, zh) for code, en, zh in (*data.SECTORS, *data.TAGS)}
    prior = {n: float(SIZES[p.size]) for n, p in enumerate(planned)}
    return DemoCatalogue(items, [p.slug for p in planned], prior, labels)


@cache
def _world(seed: int) -> tuple[InterestDrawer, list[str], list[str]]:
    """The interest drawer of the catalogue's sectors and tags, and their codes."""
    catalogue = demo_catalogue(seed)
    counts: dict[str, float] = {}
    tags: dict[str, set[str]] = {}
    for it in catalogue.items:
        for s in it.sectors:
            counts[s] = counts.get(s, 0) + 1
            tags.setdefault(s, set()).update(it.tags)
    every = sorted({t for it in catalogue.items for t in it.tags})
    drawer = InterestDrawer(counts, {s: sorted(t) for s, t in tags.items()})
    return drawer, sorted(counts), every


def _rng(seed: int, index: int) -> random.Random:
    # An integer seed: a string's would be hashed with SHA-512, per visitor.
    return random.Random(seed * 10**12 + index)


def visitor_interests(index: int, seed: int = WORLD_SEED) -> tuple[Interests, Profile]:
    """Demo visitor `index`'s hidden interests and the profile they declare (deterministic)."""
    drawer, sectors, tags = _world(seed)
    rng = _rng(seed, index)
    interests = drawer.draw(rng)
    return interests, declare(rng, interests, demo_catalogue(seed).labels, sectors, tags)


def hidden_interests(index: int, seed: int = WORLD_SEED) -> Interests:
    """Visitor `index`'s hidden interests alone (as `visitor_interests` draws them, faster)."""
    return _world(seed)[0].draw(_rng(seed, index))
