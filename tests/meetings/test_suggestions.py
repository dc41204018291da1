"""Suggested partners come from the recommender's reciprocal scores, never name a pair that
has a request (pending, accepted or declined), and only visitors who opted in; meeting
requests feed the recommender's behaviour."""

from __future__ import annotations

import pytest

from smartexpo.meetings.models import MeetingRequest
from smartexpo.recommend import queries
from smartexpo.recommend.selectors import pair_score
from smartexpo.recommend.services.building import recommender_build
from tests.leads.conftest import visitor
from tests.meetings.conftest import REQUESTS, M, opted_in, ref

pytestmark = pytest.mark.django_db

SUGGESTIONS = M + "/suggestions"


def _people(expo):
    li = opted_in(expo, name="Li Wei", share=("name", "company"))
    shy = visitor(expo, name="Shy Sharer", share=("name", "company"))  # not opted in
    return li, shy


def test_no_suggestions_before_the_recommender_is_built(expo, types):
    li, _shy = _people(expo)
    answer = li.holder.get(SUGGESTIONS)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "no_model"


def test_a_visitor_is_suggested_exhibitors_by_the_pair_score(expo, types):
    li, _shy = _people(expo)
    recommender_build(expo=expo)
    answer = li.holder.get(SUGGESTIONS)
    assert answer.status_code == 200, answer.content
    items = answer.json()["items"]
    assert {i["participant"]["exhibitor"] for i in items} == {
        expo.test_exhibitors["huawei"].pk,
        expo.test_exhibitors["toyota"].pk,
    }
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    for item in items:
        exhibitor = expo.test_exhibitors[item["exhibitor"]["slug"]]
        assert item["score"] == pair_score(
            expo=expo, registration=li.registration, exhibitor=exhibitor
        )
    # Once requested, that exhibitor is no longer suggested.
    li.holder.post(REQUESTS, {"to": ref(expo.test_exhibitors["huawei"]), "priority": "want"})
    after = li.holder.get(SUGGESTIONS).json()["items"]
    assert [i["participant"] for i in after] == [ref(expo.test_exhibitors["toyota"])]


def test_an_exhibitor_is_suggested_only_visitors_who_opted_in(expo, huawei):
    li, shy = _people(expo)
    recommender_build(expo=expo)
    items = huawei.get(SUGGESTIONS).json()["items"]
    assert [i["participant"] for i in items] == [ref(li)]
    assert items[0]["visitor"] == {"name": "Li Wei", "company": "Hidden Robotics Ltd"}
    made = huawei.post(REQUESTS, {"to": ref(li), "priority": "want"}).json()
    li.holder.post(f"{REQUESTS}/{made['id']}/decline")
    assert huawei.get(SUGGESTIONS).json()["items"] == []
    assert shy.registration.pk not in [i["participant"].get("registration") for i in items]


def test_a_meeting_request_is_behaviour_until_declined(expo, huawei, types):
    li, _shy = _people(expo)
    wang = opted_in(expo, name="Wang Fang")
    huawei_id = expo.test_exhibitors["huawei"].pk

    def rows(person):
        return queries.behaviour_rows(expo_id=expo.pk, registration_id=person.registration.pk)

    li.holder.post(REQUESTS, {"to": ref(expo.test_exhibitors["huawei"]), "priority": "want"})
    made = huawei.post(REQUESTS, {"to": ref(wang), "priority": "want"}).json()
    li.holder.post(REQUESTS, {"to": ref(wang), "priority": "want"})  # visitor to visitor: none
    assert rows(li) == [(li.registration.pk, "e", huawei_id, 3.0)]
    assert rows(wang) == [(wang.registration.pk, "e", huawei_id, 3.0)]
    everyone = queries.behaviour_rows(expo_id=expo.pk)
    assert sorted(r for r in everyone if r[1] == "e") == sorted(
        [(li.registration.pk, "e", huawei_id, 3.0), (wang.registration.pk, "e", huawei_id, 3.0)]
    )
    wang.holder.post(f"{REQUESTS}/{made['id']}/decline")
    assert rows(wang) == []
    assert MeetingRequest.objects.filter(status="declined").count() == 1
