"""The synthetic world and the evaluation protocol: deterministic, honest, small and fast."""

from __future__ import annotations

import pytest

from smartexpo.demo.interests import demo_catalogue, visitor_interests
from smartexpo.recommend.evaluation import evaluate, ranking_metrics, split
from smartexpo.recommend.synthetic import world


@pytest.fixture(scope="module")
def small():
    """A third of the demo catalogue: every sector still there, the runs a few seconds."""
    catalogue = demo_catalogue(2019)
    items = catalogue.items[:280]
    prior = {it.key: catalogue.prior[it.key] for it in items}
    return items, prior, catalogue.labels


def run(small, seed: int) -> dict:
    items, prior, labels = small
    report = evaluate(items, prior=prior, labels=labels, visitors=100, cold=30, seed=seed)
    report.pop("seconds")
    return report


def test_same_seed_same_figures_other_seed_others(small):
    first = run(small, 5)
    assert run(small, 5) == first
    other = run(small, 6)
    assert other["warm"] != first["warm"]
    # The hybrid ranks the held-out visits better than the crowd's favourites.
    assert first["warm"]["hybrid"]["ndcg"] > first["warm"]["popularity"]["ndcg"]
    assert first["warm"]["oracle"]["ndcg"] >= first["warm"]["popularity"]["ndcg"]
    assert first["warm"]["hybrid"]["visitors"] == 100
    assert first["cold"]["content"]["visitors"] == 30


def test_ranking_metrics_by_hand():
    precision, recall, ndcg = ranking_metrics([7, 1, 9, 2], {1, 2, 3}, k=4)
    assert precision == 0.5
    assert recall == pytest.approx(2 / 3)
    # Hits at ranks 2 and 4: (1/log2 3 + 1/log2 5) / (1 + 1/log2 3 + 1/log2 4).
    assert ndcg == pytest.approx((0.63093 + 0.43068) / (1 + 0.63093 + 0.5), abs=1e-4)
    assert ranking_metrics([4, 5], {1}, k=2) == (0.0, 0.0, 0.0)


def test_split_holds_out_a_fifth_at_least_one(small):
    items, prior, labels = small
    for v in world(items, visitors=30, seed=3, prior=prior, labels=labels):
        kept, held = split(v, seed=3)
        assert held and not held & set(kept)
        assert set(kept) | held == set(v.visits)
        assert len(held) == max(1, round(0.2 * len(v.visits)))
        assert split(v, seed=3) == (kept, held)


def test_the_world_is_not_flattering(small):
    """Declared profiles are partial and noisy; visits stray from the hidden interests."""
    items, prior, labels = small
    sector_of = {it.key: it.sectors[0] for it in items}
    people = world(items, visitors=300, seed=11, prior=prior, labels=labels)
    exact = sum(1 for v in people if set(v.profile.sectors) == set(v.interests.sectors))
    assert exact < 0.75 * len(people)
    assert any(not v.profile.sectors for v in people)
    assert any(set(v.profile.sectors) - set(v.interests.sectors) for v in people)
    visits = [(v, key) for v in people for key in v.visits]
    astray = sum(1 for v, key in visits if sector_of[key] not in v.interests.sectors)
    assert 0.15 < astray / len(visits) < 0.6
    assert min(len(v.visits) for v in people) >= 5


def test_demo_visitor_interests_are_deterministic_and_bilingual():
    seen_zh = seen_en = False
    for index in range(40):
        interests, profile = visitor_interests(index)
        assert visitor_interests(index) == (interests, profile)
        assert interests.sectors and interests.intents
        text = profile.company + profile.title
        seen_zh |= any("\u4e00" <= ch <= "\u9fff" for ch in text)
        seen_en |= any(ch.isascii() and ch.isalpha() for ch in text)
    assert seen_zh and seen_en
