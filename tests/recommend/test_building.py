"""Building an edition's recommender: the command, the admin, what it reads, what it keeps."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from smartexpo.recommend.companies import company_key, same_company
from smartexpo.recommend.models import RecommenderModel
from smartexpo.recommend.selectors import served_model
from smartexpo.recommend.services.building import people_loads
from tests.conftest import superuser_client


def test_the_command_builds_an_edition_and_reports_its_counts(world):
    out = io.StringIO()
    call_command("recs", "build", "--expo", "test-2019", "--quiet", stdout=out)
    row = RecommenderModel.objects.get()
    assert (row.exhibitors, row.sessions, row.visitors, row.opted_in) == (3, 2, 4, 3)
    assert "test-2019: built in" in out.getvalue()
    assert "3 exhibitors, 2 sessions, 4 visitors (3 sharing)" in out.getvalue()
    # Only those who share are kept for the exhibitors' side, with nothing they did not share
    # (the profile the engine needs: interests, intents, company key, title words).
    kept = people_loads(row.people)
    assert sorted(p.key for p in kept) == sorted(
        world.test_people[k].pk for k in ("buyer", "partner", "insider")
    )
    assert not any("13800000001" in p.text or "@" in p.text for p in kept)
    with pytest.raises(CommandError):
        call_command("recs", "build", "--expo", "nope", "--quiet")


def test_the_admin_builds_and_builds_again(world):
    client = superuser_client()
    add = client.post("/admin/recommend/recommendermodel/add/", {"expo": world.pk})
    assert add.status_code == 302, add.content
    first = RecommenderModel.objects.get()
    assert first.exhibitors == 3
    changelist = client.get("/admin/recommend/recommendermodel/")
    assert changelist.status_code == 200
    again = client.post(
        "/admin/recommend/recommendermodel/",
        {"action": "build_again", "_selected_action": [first.pk]},
    )
    assert again.status_code == 302
    second = RecommenderModel.objects.get()
    assert second.pk != first.pk and second.built_at >= first.built_at
    assert client.get(f"/admin/recommend/recommendermodel/{second.pk}/change/").status_code == 200


def test_the_served_model_is_loaded_once_and_replaced_after_a_rebuild(
    world, django_assert_max_num_queries
):
    from smartexpo.recommend.services.building import recommender_build

    recommender_build(expo=world)
    first = served_model(expo=world)
    with django_assert_max_num_queries(1):
        assert served_model(expo=world) is first  # one indexed query confirms it
    recommender_build(expo=world)
    second = served_model(expo=world)
    assert second is not first and second.built_at >= first.built_at


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Huawei", "HUAWEI Technologies Co., Ltd.", True),
        ("华为", "华为技术有限公司", True),
        ("BYD", "BYD Auto", True),
        ("China Mobile", "China Unicom", False),
        ("Tesla", "Teslamotors", False),
        ("", "Huawei", False),
        ("华", "华为", False),
    ],
)
def test_company_names_are_compared_by_leading_words(a, b, same):
    assert same_company(company_key(a), company_key(b)) is same
