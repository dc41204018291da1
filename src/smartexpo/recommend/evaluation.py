"""Offline evaluation of the recommender over the synthetic world (`synthetic`).

Protocol (docs/recommendation-quality.md):

1. Draw `visitors` warm visitors and `cold` cold-start visitors over the catalogue.
2. Hold out 20 % of each warm visitor's visits (at least one, chosen at random with the seed).
3. Build the model from the catalogue and the warm visitors' remaining visits only.
4. For each warm visitor, ask each mode for 10 exhibitors (the visits kept are their history and
   are not recommended again); the held-out visits are the relevant items.
   For scale, an "oracle" ranks by the visit probability the hidden interests give (the most any
   recommender could know short of the person's unrecorded taste and chance).
5. For each cold-start visitor (profile, no visits), ask content and popularity (and the hybrid,
   which then has no behaviour to use); all their visits are the relevant items.
6. Report precision@10, recall@10 and nDCG@10 (binary relevance), averaged over visitors.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from smartexpo.recommend.engine import MODES, Item, build
from smartexpo.recommend.synthetic import Booths, Visitor, world

HOLDOUT = 0.2
COLD_MODES = ("popularity", "content", "hybrid")


@dataclass(frozen=True)
class Metrics:
    precision: float
    recall: float
    ndcg: float
    visitors: int


def ranking_metrics(ranked: Sequence[int], relevant: set[int], k: int) -> tuple[float, ...]:
    """Precision@k, recall@k and nDCG@k of one ranking against a set of relevant keys."""
    top = list(ranked)[:k]
    hits = [1.0 if key in relevant else 0.0 for key in top]
    dcg = sum(h / math.log2(n + 2) for n, h in enumerate(hits))
    ideal = sum(1.0 / math.log2(n + 2) for n in range(min(len(relevant), k)))
    found = sum(hits)
    return found / k, found / len(relevant), dcg / ideal if ideal else 0.0


def split(visitor: Visitor, seed: int) -> tuple[list[int], set[int]]:
    """The visits kept as history and the held-out ones (20 %, at least one)."""
    rng = random.Random(f"{seed}:holdout:{visitor.key}")
    visits = list(visitor.visits)
    held = max(1, round(HOLDOUT * len(visits)))
    out = set(rng.sample(visits, held))
    return [v for v in visits if v not in out], out


def _mean(rows: list[tuple[float, ...]]) -> Metrics:
    n = len(rows)
    if not n:
        return Metrics(0.0, 0.0, 0.0, 0)
    return Metrics(*(round(sum(r[i] for r in rows) / n, 4) for i in range(3)), visitors=n)


def evaluate(
    items: Sequence[Item],
    *,
    prior: Mapping[int, float],
    labels: Mapping[str, tuple[str, str]],
    visitors: int,
    cold: int,
    seed: int,
    k: int = 10,
) -> dict:
    """Run the protocol; returns the figures (and the world's size) as plain data."""
    started = time.perf_counter()
    warm = world(items, visitors=visitors, seed=seed, prior=prior, labels=labels)
    cold_ones = world(
        items, visitors=cold, seed=seed, prior=prior, labels=labels, first_key=visitors
    )
    splits = {v.key: split(v, seed) for v in warm}
    drawn = time.perf_counter()
    model = build(
        items,
        (dict.fromkeys(splits[v.key][0], 1.0) for v in warm),
        seed=seed,
        labels={code: f"{en} {zh}" for code, (en, zh) in labels.items()},
    )
    built = time.perf_counter()
    rows: dict[str, list] = {mode: [] for mode in MODES}
    for v in warm:
        history, held = splits[v.key]
        person = v.person(history)
        for mode in MODES:
            ranked = [s.key for s in model.recommend(person, mode=mode, limit=k)]
            rows[mode].append(ranking_metrics(ranked, held, k))
    # The ceiling: a ranking that knows the hidden interests (not the per-person taste nor which
    # booths the crowd or wandering will bring them to). No recommender can expect to beat it.
    booths = Booths([it for it in items if it.kind == "exhibitor"], prior)
    rows["oracle"] = []
    for v in warm:
        history, held = splits[v.key]
        rows["oracle"].append(
            ranking_metrics(booths.expected(v.interests, set(history))[:k], held, k)
        )
    cold_rows: dict[str, list] = {mode: [] for mode in COLD_MODES}
    for v in cold_ones:
        person = v.person()
        for mode in COLD_MODES:
            ranked = [s.key for s in model.recommend(person, mode=mode, limit=k)]
            cold_rows[mode].append(ranking_metrics(ranked, set(v.visits), k))
    done = time.perf_counter()
    warm_figures = {mode: asdict(_mean(r)) for mode, r in rows.items()}
    cold_figures = {mode: asdict(_mean(r)) for mode, r in cold_rows.items()}
    return {
        "seed": seed,
        "k": k,
        "items": len(items),
        "visitors": visitors,
        "cold_visitors": cold,
        "mean_visits": round(sum(len(v.visits) for v in warm) / max(len(warm), 1), 2),
        "declared_nothing": round(
            sum(1 for v in (*warm, *cold_ones) if not v.profile.title) / max(visitors + cold, 1),
            4,
        ),
        "warm": warm_figures,
        "cold": cold_figures,
        "lift": {
            "hybrid_over_popularity_ndcg": _lift(warm_figures, "hybrid", "popularity"),
            "cold_content_over_popularity_ndcg": _lift(cold_figures, "content", "popularity"),
        },
        "seconds": {
            "world": round(drawn - started, 2),
            "build": round(built - drawn, 2),
            "recommend": round(done - built, 2),
        },
    }


def _lift(figures: Mapping[str, Mapping[str, float]], mode: str, base: str) -> float:
    """Relative nDCG gain of `mode` over `base` (0.30 = 30 % better)."""
    b = figures[base]["ndcg"]
    return round(figures[mode]["ndcg"] / b - 1.0, 4) if b else math.inf
