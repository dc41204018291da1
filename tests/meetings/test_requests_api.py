"""Meeting requests: either side asks, the other accepts or declines, the asker cancels; the
refusals the issue names (a request to yourself, to a visitor who has not opted in) and the
others (a live or declined pair, a cancelled registration, another edition)."""

from __future__ import annotations

import pytest

from smartexpo.meetings.models import MeetingRequest, Participant
from smartexpo.recommend.models import Dismissal
from smartexpo.tickets.services.cancellation import registration_cancel
from tests.conftest import ApiClient
from tests.meetings.conftest import REQUESTS, exhibitor_client, ref

pytestmark = pytest.mark.django_db


def _ask(client, to, **extra):
    return client.post(REQUESTS, {"to": to, "priority": "want", **extra})


def test_a_visitor_who_opted_in_requests_an_exhibitor_who_accepts(expo, li, huawei):
    made = _ask(li.holder, ref(expo.test_exhibitors["huawei"]), priority="must", message="Hello")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "pending" and body["priority"] == "must"
    assert body["from"] == ref(li) and body["to"] == {
        "exhibitor": expo.test_exhibitors["huawei"].pk
    }
    assert body["parties"]["from"]["name"] == "L* W**"
    assert body["parties"]["to"]["names"] == {"en": "Huawei", "zh": "华为"}
    accepted = huawei.post(f"{REQUESTS}/{body['id']}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted" and accepted.json()["decided_at"]
    # Said again: the same state, 200.
    again = huawei.post(f"{REQUESTS}/{body['id']}/accept")
    assert again.status_code == 200 and again.json()["status"] == "accepted"


def test_an_exhibitor_requests_a_visitor_and_another_exhibitor(expo, li, huawei):
    to_li = _ask(huawei, ref(li))
    assert to_li.status_code == 201, to_li.content
    to_toyota = _ask(huawei, ref(expo.test_exhibitors["toyota"]))
    assert to_toyota.status_code == 201
    assert Participant.objects.get(exhibitor=expo.test_exhibitors["toyota"]).open


def test_a_request_to_yourself_is_refused(expo, li, huawei):
    for client, me in ((li.holder, ref(li)), (huawei, ref(expo.test_exhibitors["huawei"]))):
        refused = _ask(client, me)
        assert refused.status_code == 422, refused.content
        assert "to" in refused.json()["error"]["detail"]["fields"]
    assert not MeetingRequest.objects.exists()


def test_a_request_to_a_visitor_who_has_not_opted_in_is_refused(expo, closed, huawei, li):
    for client in (huawei, li.holder):
        refused = _ask(client, ref(closed))
        assert refused.status_code == 409, refused.content
        error = refused.json()["error"]
        assert error["code"] == "not_open" and error["detail"]["side"] == "to"
    assert not MeetingRequest.objects.exists()
    assert not Participant.objects.filter(registration=closed.registration).exists()


def test_a_visitor_who_has_not_opted_in_cannot_request(expo, closed):
    refused = _ask(closed.holder, ref(expo.test_exhibitors["huawei"]))
    assert refused.status_code == 409
    assert refused.json()["error"]["detail"]["side"] == "from"


def test_a_pair_has_one_live_request_whichever_side_asks(expo, li, huawei):
    first = _ask(li.holder, ref(expo.test_exhibitors["huawei"])).json()
    for client, to in ((li.holder, ref(expo.test_exhibitors["huawei"])), (huawei, ref(li))):
        again = _ask(client, to)
        assert again.status_code == 409
        error = again.json()["error"]
        assert error["code"] == "duplicate_request" and error["detail"]["request"] == first["id"]


def test_a_declined_pair_is_never_requested_again_and_becomes_a_dismissal(expo, li, huawei):
    first = _ask(li.holder, ref(expo.test_exhibitors["huawei"])).json()
    declined = huawei.post(f"{REQUESTS}/{first['id']}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    for client, to in ((li.holder, ref(expo.test_exhibitors["huawei"])), (huawei, ref(li))):
        again = _ask(client, to)
        assert again.status_code == 409 and again.json()["error"]["code"] == "pair_declined"
    dismissal = Dismissal.objects.get()
    assert (dismissal.registration_id, dismissal.exhibitor_id, dismissal.by) == (
        li.registration.pk,
        expo.test_exhibitors["huawei"].pk,
        "exhibitor",
    )
    # A declined request cannot be accepted any more; declined again, the same answer.
    late = huawei.post(f"{REQUESTS}/{first['id']}/accept")
    assert late.status_code == 409 and late.json()["error"]["code"] == "request_declined"
    assert huawei.post(f"{REQUESTS}/{first['id']}/decline").status_code == 200
    assert Dismissal.objects.count() == 1


def test_a_visitor_declining_an_exhibitor_records_its_own_dismissal(expo, li, huawei):
    made = _ask(huawei, ref(li)).json()
    assert li.holder.post(f"{REQUESTS}/{made['id']}/decline").status_code == 200
    assert Dismissal.objects.get().by == "visitor"


def test_declining_between_two_visitors_or_two_exhibitors_records_no_dismissal(
    expo, li, wang, huawei
):
    made = _ask(li.holder, ref(wang)).json()
    assert wang.holder.post(f"{REQUESTS}/{made['id']}/decline").status_code == 200
    made = _ask(huawei, ref(expo.test_exhibitors["toyota"])).json()
    toyota = exhibitor_client(expo, "toyota")
    assert toyota.post(f"{REQUESTS}/{made['id']}/decline").status_code == 200
    assert not Dismissal.objects.exists()


def test_only_the_recipient_answers_and_only_the_requester_cancels(expo, li, wang, huawei):
    made = _ask(li.holder, ref(expo.test_exhibitors["huawei"])).json()
    url = f"{REQUESTS}/{made['id']}"
    mine = li.holder.post(url + "/accept")
    assert mine.status_code == 403 and mine.json()["error"]["code"] == "forbidden"
    assert huawei.post(url + "/cancel").status_code == 403
    # Someone who is no side of it is told it does not exist.
    for stranger in (wang.holder, exhibitor_client(expo, "toyota")):
        assert stranger.post(url + "/accept").status_code == 404
        assert stranger.get(url).status_code == 404
    assert MeetingRequest.objects.get().status == "pending"


def test_the_requester_cancels_and_the_pair_may_ask_again(expo, li, huawei):
    made = _ask(li.holder, ref(expo.test_exhibitors["huawei"])).json()
    huawei.post(f"{REQUESTS}/{made['id']}/accept")
    cancelled = li.holder.post(f"{REQUESTS}/{made['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert li.holder.post(f"{REQUESTS}/{made['id']}/cancel").status_code == 200
    late = huawei.post(f"{REQUESTS}/{made['id']}/accept")
    assert late.status_code == 409 and late.json()["error"]["code"] == "request_cancelled"
    again = _ask(huawei, ref(li))
    assert again.status_code == 201


def test_an_organiser_names_both_sides_and_answers_for_them(expo, organizer, li, huawei):
    body = {"from": ref(li), "to": ref(expo.test_exhibitors["toyota"]), "priority": "must"}
    made = organizer.post(REQUESTS, body)
    assert made.status_code == 201, made.content
    assert made.json()["from"] == ref(li)
    assert organizer.post(f"{REQUESTS}/{made.json()['id']}/accept").json()["status"] == "accepted"
    without = organizer.post(REQUESTS, {"to": ref(li), "priority": "want"})
    assert without.status_code == 422 and "from" in without.json()["error"]["detail"]["fields"]


def test_a_participant_token_cannot_speak_for_someone_else(expo, li, wang, huawei):
    body = {"from": ref(wang), "to": ref(expo.test_exhibitors["huawei"]), "priority": "want"}
    assert li.holder.post(REQUESTS, body).status_code == 403
    assert huawei.post(REQUESTS, {**body, "to": ref(li)}).status_code == 403
    # Naming oneself is fine.
    assert li.holder.post(REQUESTS, {**body, "from": ref(li)}).status_code == 201


def test_cancelled_registrations_take_no_part(expo, li, wang, huawei):
    made = _ask(huawei, ref(wang)).json()
    registration_cancel(registration=wang.registration)
    refused = _ask(huawei, ref(wang))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] in ("participant_inactive", "duplicate_request")
    late = _ask(li.holder, ref(wang))
    assert late.status_code == 409 and late.json()["error"]["code"] == "participant_inactive"
    organizer_accept = wang.holder.post(f"{REQUESTS}/{made['id']}/accept")
    assert organizer_accept.status_code == 409
    assert organizer_accept.json()["error"]["code"] == "participant_inactive"


@pytest.mark.parametrize(
    "to",
    [
        {"exhibitor": 10**9},
        {"registration": 10**9},
        {"exhibitor": 2**60},
    ],
)
def test_unknown_participants_are_not_found(expo, li, to):
    assert _ask(li.holder, to).status_code in (404, 422)


def test_a_pending_exhibitor_and_another_editions_are_not_found(expo, other_expo, li):
    from smartexpo.exhibitors.models import ExhibitorStatus
    from smartexpo.exhibitors.services import exhibitor_create

    assert _ask(li.holder, ref(expo.test_exhibitors["pending"])).status_code == 404
    elsewhere = exhibitor_create(
        expo=other_expo,
        slug="elsewhere",
        name_en="Elsewhere",
        sector=expo.test_exhibitors["huawei"].sector,
        status=ExhibitorStatus.APPROVED,
    )
    assert _ask(li.holder, ref(elsewhere)).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"to": {}, "priority": "want"},
        {"to": {"exhibitor": 1, "registration": 2}, "priority": "want"},
        {"to": {"exhibitor": "1"}, "priority": "want"},
        {"to": {"exhibitor": 1}, "priority": "maybe"},
        {"to": {"exhibitor": 1}, "priority": "want", "message": "x" * 1001},
        {"priority": "want"},
    ],
)
def test_bad_requests_are_invalid(expo, li, body):
    answer = li.holder.post(REQUESTS, body)
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "invalid"


def test_tokens_of_other_editions_and_devices_are_forbidden(expo, other_expo, li, types):
    from smartexpo.devices.services import device_create

    _device, scanner = device_create(expo=expo, name="Gate", kind="scanner", gates=["G1"])
    answer = _ask(ApiClient(scanner), ref(li))
    assert answer.status_code == 403
    assert ApiClient().post(REQUESTS, {"to": ref(li), "priority": "want"}).status_code == 401
    assert li.holder.get("/api/v1/expos/test-2018/meetings/requests").status_code == 403


def test_lists_show_a_participants_own_requests_and_an_organiser_all(
    expo, organizer, li, wang, huawei
):
    a = _ask(li.holder, ref(expo.test_exhibitors["huawei"])).json()["id"]
    b = _ask(huawei, ref(wang)).json()["id"]
    c = _ask(wang.holder, ref(li)).json()["id"]
    huawei.post(f"{REQUESTS}/{a}/accept")

    def ids(client, **query):
        answer = client.get(REQUESTS, query)
        assert answer.status_code == 200, answer.content
        return [r["id"] for r in answer.json()["items"]]

    assert ids(organizer) == [a, b, c]
    assert ids(huawei) == [a, b]
    assert ids(huawei, direction="sent") == [b]
    assert ids(huawei, direction="received") == [a]
    assert ids(li.holder) == [a, c]
    assert ids(li.holder, status="accepted") == [a]
    assert ids(organizer, registration=wang.registration.pk) == [b, c]
    assert ids(organizer, registration=wang.registration.pk, direction="sent") == [c]
    assert ids(organizer, limit=1, offset=1) == [b]
    assert organizer.get(REQUESTS, {"limit": 0}).status_code == 422
    assert li.holder.get(REQUESTS, {"registration": wang.registration.pk}).status_code == 403
    assert organizer.get(f"{REQUESTS}/{b}").json()["to"] == ref(wang)


def test_a_nul_in_a_message_is_invalid_not_a_500(expo, li):
    body = {"to": ref(expo.test_exhibitors["huawei"]), "priority": "want", "message": "a\x00b"}
    answer = li.holder.post(REQUESTS, body)
    assert answer.status_code == 422 and "message" in answer.json()["error"]["detail"]["fields"]
