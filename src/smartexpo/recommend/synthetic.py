"""A synthetic world for measuring recommendations: visitors with hidden interests.

The demo has no real behaviour, so the evaluation (and the digital twin's booth visits) draw it
from a model of people that the recommender never sees:

- **Hidden interests** (`draw_interests`): one to three sectors, weighted, and two to four
  technology tags, weighted (mostly tags of those sectors, sometimes any), and one or two intents.
- **The declared profile** (`declare`) is a noisy, partial view of them: some people fill in
  nothing; each true sector is ticked with probability 0.7 and each true tag with 0.5; a wrong
  sector or tag slips in now and then; intents are mostly right; the title and company are free
  text in English or Chinese, which may or may not name what the person cares about.
- **Booth visits** (`Booths.visits`) mix three causes: the hidden interests (with a per-person
  taste no profile records), the booth's pull (its area: big stands draw crowds whatever one's
  interests) and plain wandering (uniform). Only the interest-driven share carries signal.

Nothing here reads the database: the catalogue comes in as `engine.Item`s with a prior per item
(the demo passes booth areas), names of codes as `labels`.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from smartexpo.recommend.engine import INTENTS, Item, Person

# Shares of a visit's cause: the person's interests, the booth's pull, wandering.
MIX = (0.65, 0.25, 0.10)
SHARPNESS = 4.0  # how strongly interests concentrate visits (exp(SHARPNESS × affinity))
TASTE = (
    0.75  # per person and booth unobserved taste (standard deviation), noise no profile explains
)
INTENT_ODDS = {"buy": 0.35, "learn": 0.30, "partner": 0.15, "invest": 0.10, "recruit": 0.10}
TITLES = {
    "buy": [("Procurement manager", "采购经理"), ("Purchasing director", "采购总监")],
    "partner": [("Business development manager", "商务拓展经理"), ("Alliances lead", "合作主管")],
    "invest": [("Investment director", "投资总监"), ("Venture partner", "创投合伙人")],
    "learn": [("Engineer", "工程师"), ("Student", "学生"), ("Researcher", "研究员")],
    "recruit": [("HR manager", "人力资源经理"), ("Talent acquisition lead", "招聘主管")],
}
FORMS = [("Technology Co., Ltd.", "科技有限公司"), ("Group", "集团"), ("Institute", "研究院")]
PLAIN_COMPANIES = [("Chongqing Trading Co., Ltd.", "重庆商贸有限公司"), ("Freelance", "自由职业")]


@dataclass(frozen=True)
class Interests:
    """What a visitor truly cares about (never shown to the recommender)."""

    sectors: dict[str, float]
    tags: dict[str, float]
    intents: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """What the visitor declares: a noisy, partial view of their interests."""

    sectors: tuple[str, ...]
    tags: tuple[str, ...]
    intents: tuple[str, ...]
    company: str
    title: str


@dataclass(frozen=True)
class Visitor:
    key: int
    interests: Interests
    profile: Profile
    visits: tuple[int, ...]  # item keys, in the order visited

    def person(self, history: Sequence[int] = ()) -> Person:
        """The visitor as the engine sees them: the declared profile and the given history."""
        p = self.profile
        return Person(
            key=self.key,
            sectors=p.sectors,
            tags=p.tags,
            intents=p.intents,
            text=f"{p.company} {p.title}".strip(),
            company=p.company,
            history=dict.fromkeys(history, 1.0),
        )


def _dirichlet(rng: random.Random, n: int) -> list[float]:
    # Gamma(1, 1) is the exponential distribution: −log(1 − U).
    draws = [-math.log(1.0 - rng.random()) for _ in range(n)]
    total = sum(draws) or 1.0
    return [d / total for d in draws]


def _pick(rng: random.Random, values: Sequence, cumulative: Sequence[float]):
    """A value drawn with the weights whose running sums are `cumulative`."""
    n = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
    return values[min(n, len(values) - 1)]


class InterestDrawer:
    """Draws hidden interests: sectors as common as their exhibitors, tags mostly of those
    sectors. The tables are prepared once: the twin draws a day's 175,000 visitors."""

    def __init__(
        self, sector_weights: Mapping[str, float], sector_tags: Mapping[str, Sequence[str]]
    ) -> None:
        self.codes = sorted(sector_weights)
        self.cumulative = list(itertools.accumulate(sector_weights[c] for c in self.codes))
        self.sector_tags = {s: tuple(t) for s, t in sector_tags.items()}
        self.every_tag = sorted({t for tags in sector_tags.values() for t in tags})
        self.intents = list(INTENT_ODDS)
        self.intent_cumulative = list(itertools.accumulate(INTENT_ODDS.values()))
        self._own: dict[tuple[str, ...], list[str]] = {}

    def _own_tags(self, chosen: tuple[str, ...]) -> list[str]:
        own = self._own.get(chosen)
        if own is None:
            own = sorted({t for s in chosen for t in self.sector_tags.get(s, ())})
            own = self._own[chosen] = own or self.every_tag
        return own

    def draw(self, rng: random.Random) -> Interests:
        u = rng.random()
        count = 1 if u < 0.6 else 2 if u < 0.9 else 3
        chosen: list[str] = []
        while len(chosen) < min(count, len(self.codes)):
            pick = _pick(rng, self.codes, self.cumulative)
            if pick not in chosen:
                chosen.append(pick)
        sectors = dict(zip(chosen, _dirichlet(rng, len(chosen)), strict=True))
        own = self._own_tags(tuple(chosen))
        tags: list[str] = []
        for _ in range(2 + int(rng.random() * 3)):
            pool = own if rng.random() < 0.85 else self.every_tag
            pick = pool[int(rng.random() * len(pool))]
            if pick not in tags:
                tags.append(pick)
        intents = [_pick(rng, self.intents, self.intent_cumulative)]
        if rng.random() < 0.3:
            other = self.intents[int(rng.random() * len(self.intents))]
            if other not in intents:
                intents.append(other)
        weights = _dirichlet(rng, len(tags))
        return Interests(sectors, dict(zip(tags, weights, strict=True)), tuple(intents))


def draw_interests(
    rng: random.Random,
    sector_weights: Mapping[str, float],
    sector_tags: Mapping[str, Sequence[str]],
) -> Interests:
    """Hidden interests (`InterestDrawer`; for many people, make one drawer and reuse it)."""
    return InterestDrawer(sector_weights, sector_tags).draw(rng)


def declare(
    rng: random.Random,
    interests: Interests,
    labels: Mapping[str, tuple[str, str]],
    sectors: Sequence[str],
    tags: Sequence[str],
) -> Profile:
    """The profile a visitor with these interests fills in: partial, noisy, in either language."""
    zh = rng.random() < 0.6
    if rng.random() < 0.15:  # skipped the optional questions entirely
        return Profile((), (), (), "", "")
    said_s = [s for s in interests.sectors if rng.random() < 0.7]
    if rng.random() < 0.15:
        said_s.append(rng.choice(sorted(sectors)))
    said_t = [t for t in interests.tags if rng.random() < 0.5]
    if rng.random() < 0.2:
        said_t.append(rng.choice(sorted(tags)))
    said_i = [i for i in interests.intents if rng.random() < 0.8]
    if rng.random() < 0.1:
        said_i.append(rng.choice(INTENTS))
    lang = 1 if zh else 0
    title = rng.choice(TITLES[interests.intents[0]])[lang]
    topics = [*interests.tags, *interests.sectors]
    if rng.random() < 0.5:
        title = f"{title} {labels.get(rng.choice(topics), ('', ''))[lang]}".strip()
    if rng.random() < 0.5:
        topic = labels.get(rng.choice(topics), ("", ""))[lang]
        form = rng.choice(FORMS)[lang]
        company = f"重庆{topic}{form}" if zh else f"Chongqing {topic} {form}"
    else:
        company = rng.choice(PLAIN_COMPANIES)[lang]
    return Profile(
        tuple(dict.fromkeys(said_s)),
        tuple(dict.fromkeys(said_t)),
        tuple(dict.fromkeys(said_i)),
        company,
        title,
    )


def visit_count(rng: random.Random, mean: float = 12.0) -> int:
    """How many booths a visitor stops at: at least 5, about `mean` on average."""
    # Knuth's Poisson draw (small means), so a `random.Random` alone decides it.
    limit, k, p = math.exp(-(mean - 5)), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return 5 + k
        k += 1


class Booths:
    """Draws booth visits from hidden interests, booth pull and wandering (see the module doc)."""

    def __init__(self, items: Sequence[Item], prior: Mapping[int, float]) -> None:
        self.keys = np.asarray([it.key for it in items], dtype=np.int64)
        sectors = sorted({s for it in items for s in it.sectors})
        tags = sorted({t for it in items for t in it.tags})
        self.sector_ix = {s: n for n, s in enumerate(sectors)}
        self.tag_ix = {t: n for n, t in enumerate(tags)}
        self.S = np.zeros((len(items), len(sectors)))
        self.T = np.zeros((len(items), len(tags)))
        for n, it in enumerate(items):
            for s in it.sectors:
                self.S[n, self.sector_ix[s]] = 1.0
            for t in it.tags:
                self.T[n, self.tag_ix[t]] = 1.0 / len(it.tags)
        pull = np.asarray([max(float(prior.get(it.key, 1.0)), 1e-9) for it in items])
        self.pull = pull / pull.sum()
        self.pull_sqrt = np.sqrt(pull)

    def weights(self, people: Sequence[Interests]) -> tuple[np.ndarray, np.ndarray]:
        """The people's sector and tag weights as matrices (people × sectors, people × tags)."""
        s = np.zeros((len(people), self.S.shape[1]))
        t = np.zeros((len(people), self.T.shape[1]))
        for row, interests in enumerate(people):
            for code, w in interests.sectors.items():
                if code in self.sector_ix:
                    s[row, self.sector_ix[code]] = w
            for code, w in interests.tags.items():
                if code in self.tag_ix:
                    t[row, self.tag_ix[code]] = w
        return s, t

    def mixture(
        self, sectors: np.ndarray, tags: np.ndarray, taste: np.ndarray | None = None
    ) -> np.ndarray:
        """Each item's chance of being the next visit, for people given as weight matrices
        (rows: people): interests (with `taste`, a standard normal draw per person and item, if
        given),
        the booth's pull and wandering, mixed as `MIX` says."""
        logits = SHARPNESS * (sectors @ self.S.T + tags @ self.T.T)
        if taste is not None:
            logits = logits + TASTE * taste
        liked = self.pull_sqrt * np.exp(logits - logits.max(axis=1, keepdims=True))
        liked /= liked.sum(axis=1, keepdims=True)
        uniform = 1.0 / len(self.keys)
        return MIX[0] * liked + MIX[1] * self.pull + MIX[2] * uniform

    def probabilities(self, interests: Interests) -> np.ndarray:
        """Each item's chance of being the next visit, taste aside (the mixture of causes)."""
        return self.mixture(*self.weights([interests]))[0]

    def expected(self, interests: Interests, seen: set[int]) -> list[int]:
        """Item keys by expected visit probability, highest first, without those `seen`."""
        p = self.probabilities(interests)
        order = np.lexsort((self.keys, -p))
        return [int(self.keys[n]) for n in order if int(self.keys[n]) not in seen]

    def visits(self, rng: random.Random, interests: Interests, count: int) -> list[int]:
        """`count` distinct item keys visited, in order, by a person with these interests."""
        taste = np.random.default_rng(rng.getrandbits(64)).standard_normal((1, len(self.keys)))
        s, t = self.weights([interests])
        logits = SHARPNESS * (s @ self.S.T + t @ self.T.T)[0] + TASTE * taste[0]
        liked = self.pull_sqrt * np.exp(logits - logits.max())
        liked /= liked.sum()
        uniform = np.full(len(self.keys), 1.0 / len(self.keys))
        cumulative = [np.cumsum(p) for p in (liked, self.pull, uniform)]
        seen: list[int] = []
        chosen: set[int] = set()
        tries = 0
        while len(seen) < min(count, len(self.keys)) and tries < 50 * count:
            tries += 1
            cause = rng.choices(range(3), weights=MIX)[0]
            cum = cumulative[cause]
            n = min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), len(cum) - 1)
            if n not in chosen:
                chosen.add(n)
                seen.append(int(self.keys[n]))
        return seen


def world(
    items: Sequence[Item],
    *,
    visitors: int,
    seed: int,
    prior: Mapping[int, float],
    labels: Mapping[str, tuple[str, str]],
    first_key: int = 0,
) -> list[Visitor]:
    """`visitors` synthetic visitors over the catalogue `items`, deterministic for `seed`."""
    counts: dict[str, float] = {}
    sector_tags: dict[str, set[str]] = {}
    for it in items:
        for s in it.sectors:
            counts[s] = counts.get(s, 0) + 1
            sector_tags.setdefault(s, set()).update(it.tags)
    tags_by_sector = {s: sorted(t) for s, t in sector_tags.items()}
    all_tags = sorted({t for it in items for t in it.tags})
    booths = Booths([it for it in items if it.kind == "exhibitor"], prior)
    drawer = InterestDrawer(counts, tags_by_sector)
    out = []
    for n in range(first_key, first_key + visitors):
        rng = random.Random(f"{seed}:visitor:{n}")
        interests = drawer.draw(rng)
        profile = declare(rng, interests, labels, sorted(counts), all_tags)
        visits = booths.visits(rng, interests, visit_count(rng))
        out.append(Visitor(n, interests, profile, tuple(visits)))
    return out
