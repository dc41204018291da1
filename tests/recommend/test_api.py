"""The recommendations API: a visitor's exhibitors and sessions, the exhibitor's visitors, the
pair score, and "No thanks" from either side (docs/api.md, "Recommendations")."""

from __future__ import annotations

from smartexpo.tickets.models import Registration
from tests.conftest import error_of
from tests.recommend.conftest import build, exhibitor_client, holder

A = "/api/v1/expos/test-2019"


def recs(client, registration, **query):
    return client.get(f"{A}/registrations/{registration.pk}/recommendations", query or None)


def slugs(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return [item["exhibitor"]["slug"] for item in answer.json()["items"]]


def visitors(client) -> list[dict]:
    answer = client.get(f"{A}/recommendations/visitors")
    assert answer.status_code == 200, answer.content
    return [item["visitor"] for item in answer.json()["items"]]


def test_no_model_yet_is_a_clear_409(world, organizer):
    buyer = world.test_people["buyer"]
    for answer in (
        recs(holder(buyer), buyer),
        exhibitor_client(world.test_exhibitors["toyota"]).get(f"{A}/recommendations/visitors"),
        organizer.get(
            f"{A}/recommendations/pair",
            {"registration": buyer.pk, "exhibitor": world.test_exhibitors["toyota"].pk},
        ),
    ):
        assert answer.status_code == 409
        assert error_of(answer)["code"] == "no_model"


def test_a_buyer_of_vehicles_gets_vehicle_makers_first_with_reasons_in_both_languages(world):
    build(world)
    buyer = world.test_people["buyer"]
    answer = recs(holder(buyer), buyer)
    assert set(slugs(answer)[:2]) == {"toyota", "byd"}
    body = answer.json()
    first = body["items"][0]
    assert {
        "en": "same sector: Intelligent connected vehicles",
        "zh": "同一领域：智能网联汽车",
    } in first["reasons"]
    assert body["count"] == len(body["items"]) == 3
    assert 0 < first["score"] <= 1
    assert body["built_at"]


def test_sessions_are_the_published_ones_and_paged(world):
    build(world)
    buyer = world.test_people["buyer"]
    answer = recs(holder(buyer), buyer, kind="session", limit=1)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["count"] == 2 and len(body["items"]) == 1
    first = body["items"][0]["session"]
    assert first["id"] == world.test_sessions["cars"].pk
    assert first["title"] == {"en": "Self-driving cars in cities", "zh": "城市中的自动驾驶汽车"}
    second = recs(holder(buyer), buyer, kind="session", limit=1, offset=1).json()["items"]
    assert second[0]["session"]["id"] == world.test_sessions["radio"].pk


def test_bad_kind_and_bad_limit_are_422(world):
    build(world)
    buyer = world.test_people["buyer"]
    assert recs(holder(buyer), buyer, kind="speaker").status_code == 422
    assert recs(holder(buyer), buyer, limit=0).status_code == 422


def test_own_company_is_never_recommended_by_name_or_staff_pass(world):
    build(world)
    insider = world.test_people["insider"]  # "HUAWEI Technologies Co., Ltd."
    assert "huawei" not in slugs(recs(holder(insider), insider))
    # Nor is the insider suggested to Huawei, though they share and match it well.
    huawei = exhibitor_client(world.test_exhibitors["huawei"])
    assert insider.pk not in [v["registration"] for v in visitors(huawei)]
    # A staff pass names the exhibitor outright, whatever the company field says.
    partner = world.test_people["partner"]
    Registration.objects.filter(pk=partner.pk).update(exhibitor=world.test_exhibitors["huawei"])
    partner.refresh_from_db()
    assert "huawei" not in slugs(recs(holder(partner), partner))
    pair = exhibitor_client(world.test_exhibitors["huawei"]).get(
        f"{A}/recommendations/pair",
        {"registration": partner.pk, "exhibitor": world.test_exhibitors["huawei"].pk},
    )
    assert pair.json()["score"] == 0


def test_a_visitor_no_thanks_excludes_the_pair_both_ways_and_can_be_taken_back(world):
    build(world)
    buyer, toyota = world.test_people["buyer"], world.test_exhibitors["toyota"]
    client = holder(buyer)
    toyota_side = exhibitor_client(toyota)
    assert "toyota" in slugs(recs(client, buyer))
    assert buyer.pk in [v["registration"] for v in visitors(toyota_side)]
    url = f"{A}/registrations/{buyer.pk}/recommendations/dismissals"
    made = client.post(url, {"exhibitor": toyota.pk})
    assert made.status_code == 201, made.content
    assert made.json()["by"] == "visitor"
    assert client.post(url, {"exhibitor": toyota.pk}).status_code == 200  # said before
    assert "toyota" not in slugs(recs(client, buyer))
    assert buyer.pk not in [v["registration"] for v in visitors(toyota_side)]
    pair = client.get(
        f"{A}/recommendations/pair", {"registration": buyer.pk, "exhibitor": toyota.pk}
    )
    assert pair.json()["score"] == 0
    listed = client.get(url).json()
    assert listed["count"] == 1 and listed["items"][0]["exhibitor"] == toyota.pk
    assert client.delete(f"{url}/{toyota.pk}").status_code == 204
    assert client.delete(f"{url}/{toyota.pk}").status_code == 404
    assert "toyota" in slugs(recs(client, buyer))


def test_an_exhibitor_no_thanks_excludes_the_pair_both_ways(world):
    build(world)
    buyer, byd = world.test_people["buyer"], world.test_exhibitors["byd"]
    byd_side = exhibitor_client(byd)
    assert buyer.pk in [v["registration"] for v in visitors(byd_side)]
    made = byd_side.post(f"{A}/recommendations/visitors/dismissals", {"registration": buyer.pk})
    assert made.status_code == 201, made.content
    assert made.json()["by"] == "exhibitor"
    assert buyer.pk not in [v["registration"] for v in visitors(byd_side)]
    assert "byd" not in slugs(recs(holder(buyer), buyer))
    # The visitor cannot take back the exhibitor's "No thanks".
    url = f"{A}/registrations/{buyer.pk}/recommendations/dismissals/{byd.pk}"
    assert holder(buyer).delete(url).status_code == 404
    assert "byd" not in slugs(recs(holder(buyer), buyer))
    # The exhibitor can.
    gone = byd_side.delete(f"{A}/recommendations/visitors/dismissals/{buyer.pk}")
    assert gone.status_code == 204
    assert "byd" in slugs(recs(holder(buyer), buyer))


def test_exhibitors_see_only_visitors_who_share_and_only_what_they_share(world):
    build(world)
    people = world.test_people
    toyota = exhibitor_client(world.test_exhibitors["toyota"])
    found = {v["registration"]: v for v in visitors(toyota)}
    assert people["private"].pk not in found  # shares nothing
    buyer = found[people["buyer"].pk]
    assert buyer == {
        "registration": people["buyer"].pk,
        "name": "Guest 1",
        "company": "Shanghai Fleet Co., Ltd.",
    }
    partner = found[people["partner"].pk]
    assert set(partner) == {"registration", "email"}
    # Narrowing `share` (or the edition's fields) narrows the next answer, without a rebuild.
    Registration.objects.filter(pk=people["buyer"].pk).update(share=["company"])
    world.lead_fields = ["name", "email"]
    world.save(update_fields=["lead_fields"])
    found = {v["registration"]: v for v in visitors(toyota)}
    assert people["buyer"].pk not in found  # company only, which the edition no longer allows
    assert set(found[people["partner"].pk]) == {"registration", "email"}
    # A visitor who stopped sharing cannot be named by the exhibitor either.
    refused = toyota.post(
        f"{A}/recommendations/visitors/dismissals", {"registration": people["private"].pk}
    )
    assert refused.status_code == 404


def test_a_rebuild_is_served_from_the_next_request(world):
    from smartexpo.exhibitors.models import ExhibitorStatus
    from smartexpo.exhibitors.services import exhibitor_create

    first = build(world)
    buyer = world.test_people["buyer"]
    before = recs(holder(buyer), buyer).json()
    assert (
        before["built_at"] == first.built_at.isoformat().replace("+00:00", "Z")
        or before["built_at"]
    )
    sector = world.test_exhibitors["toyota"].sector
    exhibitor_create(
        expo=world,
        slug="nio",
        name_en="NIO",
        name_zh="蔚来",
        sector=sector,
        status=ExhibitorStatus.APPROVED,
    )
    assert "nio" not in slugs(recs(holder(buyer), buyer))  # the loaded model is kept…
    second = build(world)
    answer = recs(holder(buyer), buyer)
    assert "nio" in slugs(answer)  # …until a newer one is built
    assert answer.json()["built_at"] != before["built_at"]
    from smartexpo.recommend.models import RecommenderModel

    assert list(RecommenderModel.objects.values_list("pk", flat=True)) == [second.pk]


def test_pair_score_is_symmetric_and_asked_by_either_side_or_the_organiser(world, organizer):
    build(world)
    buyer, toyota = world.test_people["buyer"], world.test_exhibitors["toyota"]
    query = {"registration": buyer.pk, "exhibitor": toyota.pk}
    url = f"{A}/recommendations/pair"
    scores = {
        who: client.get(url, query)
        for who, client in (
            ("organizer", organizer),
            ("visitor", holder(buyer)),
            ("exhibitor", exhibitor_client(toyota)),
        )
    }
    for answer in scores.values():
        assert answer.status_code == 200, answer.content
    assert len({a.json()["score"] for a in scores.values()}) == 1
    assert 0 < scores["organizer"].json()["score"] <= 1
    # Another exhibitor asks for itself only; another visitor learns nothing.
    byd = exhibitor_client(world.test_exhibitors["byd"])
    assert byd.get(url, query).status_code == 403
    partner = world.test_people["partner"]
    assert holder(partner).get(url, query).status_code == 404
    # An exhibitor cannot score a visitor who shares nothing.
    private = {"registration": world.test_people["private"].pk, "exhibitor": toyota.pk}
    assert exhibitor_client(toyota).get(url, private).status_code == 404
    assert organizer.get(url, {**query, "registration": 2**60}).status_code == 422


def test_another_holder_and_other_roles_are_refused(world, organizer):
    build(world)
    buyer, partner = world.test_people["buyer"], world.test_people["partner"]
    assert recs(holder(partner), buyer).status_code == 404
    assert recs(organizer, buyer).status_code == 200
    toyota = exhibitor_client(world.test_exhibitors["toyota"])
    assert recs(toyota, buyer).status_code == 403
    assert holder(buyer).get(f"{A}/recommendations/visitors").status_code == 401
    assert organizer.get(f"{A}/recommendations/visitors").status_code == 403


def test_a_remembered_ranking_never_outlives_a_change_of_the_visitor(world):
    from smartexpo.programme.services.reservations import favourite_add

    build(world)
    buyer = world.test_people["buyer"]
    client = holder(buyer)
    sessions = recs(client, buyer, kind="session").json()["items"]
    cars = world.test_sessions["cars"].pk
    assert sessions[0]["session"]["id"] == cars
    favourite_add(registration=buyer, session_id=cars)  # now on the agenda
    again = recs(client, buyer, kind="session").json()["items"]
    assert cars not in [i["session"]["id"] for i in again]
    first = slugs(recs(client, buyer))[0]
    assert first in {"toyota", "byd"}
    Registration.objects.filter(pk=buyer.pk).update(
        sectors=["information-technology"], interests=["5g"], intents=["partner"]
    )
    buyer.refresh_from_db()
    assert slugs(recs(client, buyer))[0] == "huawei"


def test_the_visitor_answer_is_the_documented_schema_for_both_kinds(world):
    from smartexpo.recommend.schemas import RecommendationPage

    build(world)
    buyer = world.test_people["buyer"]
    for kind in ("exhibitor", "session"):
        body = recs(holder(buyer), buyer, kind=kind).json()
        checked = RecommendationPage.model_validate(body).model_dump(mode="json", exclude_none=True)
        assert checked == body
