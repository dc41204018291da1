"""Business meetings in a person's data: the export holds the opt-in, busy intervals, requests
(the other side by ref only) and meetings; the erasure deletes them, and the other side of a
published meeting is told its schedule changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from smartexpo.meetings.models import (
    Meeting,
    MeetingNotice,
    MeetingRequest,
    MeetingSession,
    Participant,
)
from smartexpo.privacy.services import personal_data_collect, personal_data_erase
from tests.meetings.conftest import REQUESTS, M, ref

pytestmark = pytest.mark.django_db

NINE = "2019-08-27T09:00:00+08:00"


def _scheduled(expo, request_id: int) -> Meeting:
    starts = dt.datetime.fromisoformat(NINE)
    session = MeetingSession.objects.create(
        expo=expo,
        code="b2b",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        slot_minutes=20,
        tables=3,
        published_at=timezone.now(),
    )
    return Meeting.objects.create(
        request_id=request_id,
        session=session,
        slot=1,
        starts_at=starts + dt.timedelta(minutes=20),
        ends_at=starts + dt.timedelta(minutes=40),
        table=2,
    )


def test_the_export_holds_my_meetings_part(expo, li, wang, huawei):
    li.holder.put(
        M + "/availability", {"busy": [{"from": NINE, "to": "2019-08-27T10:00:00+08:00"}]}
    )
    sent = li.holder.post(
        REQUESTS, {"to": ref(expo.test_exhibitors["huawei"]), "priority": "must", "message": "Hi"}
    ).json()
    huawei.post(f"{REQUESTS}/{sent['id']}/accept")
    received = wang.holder.post(REQUESTS, {"to": ref(li), "priority": "want"}).json()
    _scheduled(expo, sent["id"])
    url = f"/api/v1/expos/test-2019/registrations/{li.registration.pk}/personal-data"
    answer = li.holder.get(url)
    assert answer.status_code == 200, answer.content
    part = answer.json()["meetings"]
    assert part["participant"]["open"] is True and part["participant"]["no_shows"] == 0
    assert part["busy"] == [{"from": "2019-08-27T01:00:00Z", "to": "2019-08-27T02:00:00Z"}]
    assert [(r["id"], r["direction"], r["other"], r["status"]) for r in part["requests"]] == [
        (sent["id"], "sent", ref(expo.test_exhibitors["huawei"]), "accepted"),
        (received["id"], "received", ref(wang), "pending"),
    ]
    # The other side is named by its ref only, never by what it shares.
    assert "Wang" not in str(part)
    assert part["meetings"] == [
        {
            "request": sent["id"],
            "session": "b2b",
            "starts_at": "2019-08-27T01:20:00Z",
            "ends_at": "2019-08-27T01:40:00Z",
            "table": 2,
            "booth": None,
            "checked_in_at": None,
        }
    ]


def test_someone_who_never_took_part_exports_an_empty_part(expo, closed):
    assert personal_data_collect(registration=closed.registration)["meetings"] == {
        "participant": None,
        "busy": [],
        "requests": [],
        "meetings": [],
    }


def test_the_erasure_deletes_my_participant_requests_and_meetings_and_tells_the_other_side(
    expo, li, wang, huawei
):
    sent = li.holder.post(REQUESTS, {"to": ref(expo.test_exhibitors["huawei"]), "priority": "must"})
    huawei.post(f"{REQUESTS}/{sent.json()['id']}/accept")
    li.holder.put(
        M + "/availability", {"busy": [{"from": NINE, "to": "2019-08-27T10:00:00+08:00"}]}
    )
    kept = wang.holder.post(
        REQUESTS, {"to": ref(expo.test_exhibitors["huawei"]), "priority": "want"}
    )
    _scheduled(expo, sent.json()["id"])
    personal_data_erase(registration=li.registration, actor="test", via="api")
    assert not Participant.objects.filter(registration=li.registration).exists()
    assert list(MeetingRequest.objects.values_list("pk", flat=True)) == [kept.json()["id"]]
    assert not Meeting.objects.exists()
    notice = MeetingNotice.objects.get()
    assert notice.participant.exhibitor_id == expo.test_exhibitors["huawei"].pk
    assert notice.kind == "changed"
    assert personal_data_collect(registration=li.registration)["meetings"]["requests"] == []
