"""The recommendation engine on small hand-made catalogues (pure: no database)."""

from __future__ import annotations

import pytest

from smartexpo.recommend.engine import Item, Model, Person, build
from smartexpo.recommend.text import tokens

LABELS = {
    "intelligent-manufacturing": "Intelligent manufacturing 智能制造",
    "biomedicine": "Biomedicine 生物医药",
    "information-technology": "Information technology 信息技术",
    "robotics": "Robotics 机器人",
    "cloud": "Cloud computing 云计算",
    "ai": "Artificial intelligence 人工智能",
}


def catalogue() -> list[Item]:
    return [
        Item(1, "exhibitor", ("intelligent-manufacturing",), ("robotics",),
             "Welding robots for car plants 焊接机器人", "Acme Robotics", "N1"),
        Item(2, "exhibitor", ("biomedicine",), ("ai",),
             "Medical imaging diagnosis 医疗影像诊断", "Medi Corp", "S1"),
        Item(3, "exhibitor", ("information-technology",), ("cloud",),
             "Cloud computing platform 云计算平台", "Cloudy", "N2"),
        # Chinese only, and English only: each language must reach the model on its own.
        Item(4, "exhibitor", ("biomedicine",), ("ai",), "中药饮片 智能煎药 中医药", "草本", "S1"),
        Item(5, "exhibitor", ("information-technology",), ("cloud",),
             "Quantum cryptography appliances", "Qcrypt", "N2"),
        Item(6, "session", ("intelligent-manufacturing",), ("robotics",),
             "Forum: robots on the factory floor 工厂机器人论坛", "", "CC"),
    ]  # fmt: skip


HISTORIES = [{1: 1.0, 6: 1.0}, {1: 1.0, 3: 1.0}, {2: 1.0, 4: 1.0}, {3: 1.0, 5: 1.0}, {2: 1.0}]


@pytest.fixture(scope="module")
def model() -> Model:
    return build(catalogue(), HISTORIES, labels=LABELS)


def bare(key: int, text: str = "", **kw) -> Person:
    return Person(key, kw.pop("sectors", ()), kw.pop("tags", ()), kw.pop("intents", ()), text, **kw)


def test_tokens_cut_chinese_with_jieba_and_lower_latin_words():
    assert tokens("工业机器人 Industrial ROBOTS, 5G") == [
        "工业",
        "机器人",
        "industrial",
        "robots",
        "5g",
    ]
    assert "有限公司" not in tokens("重庆云智软件有限公司")


def test_chinese_only_profile_matches_chinese_only_exhibitor(model):
    ranked = model.recommend(bare(9, "中医药 煎药"), mode="content", limit=3)
    assert ranked[0].key == 4
    assert ranked[0].reasons[0].code == "similar_text"


def test_english_only_profile_matches_english_only_exhibitor(model):
    ranked = model.recommend(bare(9, "quantum cryptography"), mode="content", limit=3)
    assert ranked[0].key == 5


def test_bilingual_item_reached_from_either_language(model):
    assert model.recommend(bare(9, "焊接"), mode="content")[0].key == 1
    assert model.recommend(bare(9, "welding"), mode="content")[0].key == 1


def test_reasons_name_sector_tags_intent_and_behaviour(model):
    buyer = bare(
        9,
        sectors=("intelligent-manufacturing",),
        tags=("robotics",),
        intents=("buy",),
        history={3: 1.0},
    )
    top = model.recommend(buyer, limit=1)[0]
    assert top.key == 1
    codes = {r.code: r.params for r in top.reasons}
    assert codes["same_sector"] == {"sector": "intelligent-manufacturing"}
    assert codes["shared_tags"] == {"tags": "robotics"}
    assert codes["intent_match"] == {"intent": "buy", "sector": "intelligent-manufacturing"}
    assert "visitors_like_you" in codes
    # A stranger with no profile and no visits gets the busiest booth, for that reason only.
    cold = model.recommend(bare(10), limit=1)[0]
    assert cold.key in (1, 2, 3)
    assert [r.code for r in cold.reasons] == ["popular"]


def test_visited_hall_reason(model):
    ranked = model.recommend(bare(9, history={3: 1.0}), limit=5)
    by_key = {s.key: s for s in ranked}
    assert {"code": "visited_hall", "params": {"hall": "N2"}} in [
        {"code": r.code, "params": r.params} for r in by_key[5].reasons
    ]


def test_a_buyer_ranks_the_seller_of_their_sector_above_others(model):
    buyer = bare(9, sectors=("biomedicine",), intents=("buy",))
    keys = [s.key for s in model.recommend(buyer, limit=5)]
    assert set(keys[:2]) == {2, 4}


def test_exclusions_seen_excluded_and_own_company(model):
    p = bare(9, "cloud computing", company="  CLOUDY ", history={1: 1.0})
    keys = [s.key for s in model.recommend(p, limit=10, exclude=frozenset({2}))]
    assert 3 not in keys  # own company, whatever the spelling's case and spaces
    assert 1 not in keys  # already visited
    assert 2 not in keys  # declined
    assert 1 in [s.key for s in model.recommend(p, limit=10, exclude_seen=False)]
    assert [s.key for s in model.recommend(p, kind="session")] == [6]


def test_rank_people_only_opted_in_not_excluded_not_own_staff(model):
    people = [
        bare(1, "robots", sectors=("intelligent-manufacturing",), intents=("buy",), opted_in=True),
        bare(
            2, "robots", sectors=("intelligent-manufacturing",), intents=("learn",), opted_in=True
        ),
        bare(3, "robots", sectors=("intelligent-manufacturing",), intents=("buy",)),
        bare(4, "robots", company="acme robotics", opted_in=True),
        bare(5, "robots", opted_in=True),
        bare(6, "medical", sectors=("biomedicine",), opted_in=True),
    ]
    ranked = model.rank_people(1, people, limit=10, exclude=frozenset({5}))
    keys = [s.key for s in ranked]
    assert keys[:2] == [1, 2]  # the buyer before the learner
    assert 3 not in keys and 4 not in keys and 5 not in keys
    assert keys[-1] == 6
    assert ranked[0].reasons[0].code in {"same_sector", "intent_match"}


def test_reciprocal_is_one_symmetric_pair_score(model):
    people = [
        bare(1, "云计算", sectors=("information-technology",), intents=("partner",), opted_in=True),
        bare(2, "robots", intents=("learn",), history={1: 1.0}, opted_in=True),
    ]
    for item in (1, 3, 5):
        from_item = {s.key: s.score for s in model.rank_people(item, people)}
        for p in people:
            pair = model.reciprocal(p, item)
            assert pair == pytest.approx(from_item[p.key], abs=1e-6)
            forward = {s.key: s.score for s in model.recommend(p, limit=10, exclude_seen=False)}
            # The harmonic mean lies between the two sides and never above the larger.
            assert 0 <= pair <= max(forward[item], 1.0)
    assert model.reciprocal(people[0], 999) == 0.0


def test_dumps_loads_round_trip_gives_equal_results(model):
    data = model.dumps()
    again = Model.loads(data)
    people = [
        bare(1, "中医药", sectors=("biomedicine",), intents=("buy",), history={2: 1.0}),
        bare(2, "cloud", tags=("cloud",), opted_in=True),
    ]
    for p in people:
        for mode in ("hybrid", "content", "behaviour", "popularity"):
            assert again.recommend(p, mode=mode) == model.recommend(p, mode=mode)
        assert again.reciprocal(p, 3) == model.reciprocal(p, 3)
    assert again.rank_people(3, people) == model.rank_people(3, people)
    assert again.dumps() == data


def test_behaviour_follows_co_visits(model):
    # Those who saw 3 saw 1 and 5: a visitor of 3 is sent to them by behaviour alone.
    keys = [s.key for s in model.recommend(bare(9, history={3: 1.0}), mode="behaviour", limit=2)]
    assert set(keys) == {1, 5}


def test_empty_texts_and_no_histories_still_build():
    m = build([Item(1, "exhibitor", ("a",), (), ""), Item(2, "exhibitor", ("b",), (), "")], [])
    ranked = m.recommend(bare(9, sectors=("b",)), limit=2)
    assert [s.key for s in ranked] == [2, 1]


def test_unknown_mode_refused(model):
    with pytest.raises(ValueError, match="mode"):
        model.recommend(bare(9), mode="magic")
