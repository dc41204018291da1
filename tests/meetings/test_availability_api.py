"""Availability: a participant (or the organiser for it) replaces its busy intervals; reserved
forum sessions of the published programme are busy too, read-only."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.meetings import selectors
from smartexpo.meetings.models import Busy, Participant
from smartexpo.meetings.services.availability import BUSY_MAX
from tests.meetings.conftest import M, ref

pytestmark = pytest.mark.django_db

AVAILABILITY = M + "/availability"
NINE, TEN, ELEVEN = (f"2019-08-26T{h}:00:00+08:00" for h in ("09", "10", "11"))


def test_a_participant_replaces_its_own_busy_intervals(expo, li):
    first = li.holder.put(
        AVAILABILITY, {"busy": [{"from": TEN, "to": ELEVEN}, {"from": NINE, "to": TEN}]}
    )
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["participant"] == ref(li)
    assert [(b["from"], b["to"]) for b in body["busy"]] == [
        ("2019-08-26T01:00:00Z", "2019-08-26T02:00:00Z"),
        ("2019-08-26T02:00:00Z", "2019-08-26T03:00:00Z"),
    ]
    replaced = li.holder.put(AVAILABILITY, {"participant": ref(li), "busy": []})
    assert replaced.status_code == 200 and replaced.json()["busy"] == []
    assert not Busy.objects.exists()
    assert li.holder.get(AVAILABILITY).json()["busy"] == []


def test_an_exhibitor_marks_itself_busy_on_first_use(expo, huawei):
    answer = huawei.put(AVAILABILITY, {"busy": [{"from": NINE, "to": TEN}]})
    assert answer.status_code == 200, answer.content
    assert Participant.objects.get(exhibitor=expo.test_exhibitors["huawei"]).busy.count() == 1


def test_the_organiser_sets_anyones_and_a_participant_only_its_own(
    expo, organizer, li, wang, huawei
):
    body = {"participant": ref(wang), "busy": [{"from": NINE, "to": TEN}]}
    assert organizer.put(AVAILABILITY, body).status_code == 200
    assert organizer.get(AVAILABILITY, {"registration": wang.registration.pk}).json()["busy"]
    assert li.holder.put(AVAILABILITY, body).status_code == 403
    assert huawei.put(AVAILABILITY, body).status_code == 403
    assert li.holder.get(AVAILABILITY, {"registration": wang.registration.pk}).status_code == 403
    missing = organizer.put(AVAILABILITY, {"busy": []})
    assert missing.status_code == 422
    assert "participant" in missing.json()["error"]["detail"]["fields"]
    unknown = organizer.put(AVAILABILITY, {"participant": {"registration": 10**9}, "busy": []})
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    "busy",
    [
        [{"from": TEN, "to": NINE}],
        [{"from": TEN, "to": TEN}],
        [{"from": "2019-08-26T09:00:00", "to": TEN}],
        [{"from": "nine o'clock", "to": TEN}],
        [{"from": NINE}],
        [{"from": NINE, "to": TEN}] * (BUSY_MAX + 1),
    ],
)
def test_bad_intervals_are_invalid_and_change_nothing(expo, li, busy):
    li.holder.put(AVAILABILITY, {"busy": [{"from": NINE, "to": ELEVEN}]})
    answer = li.holder.put(AVAILABILITY, {"busy": busy})
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "invalid"
    assert Busy.objects.count() == 1


def test_another_editions_participant_is_not_found(expo, other_expo, organizer, li):
    answer = organizer.put(
        "/api/v1/expos/test-2018/meetings/availability", {"participant": ref(li), "busy": []}
    )
    assert answer.status_code == 404


def test_reserved_forum_sessions_are_busy_read_only(expo, li, wang):
    from smartexpo.programme.services.editing import forum_create, session_create
    from smartexpo.programme.services.publishing import programme_publish
    from smartexpo.programme.services.reservations import reservation_make

    forum_create(expo=expo, code="main", name_en="Main", name_zh="主论坛")
    starts = dt.datetime.fromisoformat("2019-08-26T10:40:00+08:00")
    talks = [
        session_create(
            expo=expo,
            forum="main",
            room="R1",
            title_en=f"Talk {n}",
            starts_at=starts + dt.timedelta(hours=n),
            ends_at=starts + dt.timedelta(hours=n, minutes=50),
            seats=50,
        )[0]
        for n in range(2)
    ]
    programme_publish(expo=expo, actor="test")
    reservation_make(registration=li.registration, session_id=talks[0].pk)
    # Reserved after being made but before its next publish: only the published times count.
    body = li.holder.get(AVAILABILITY).json()
    assert body["programme"] == [
        {"session": talks[0].pk, "from": "2019-08-26T02:40:00Z", "to": "2019-08-26T03:30:00Z"}
    ]
    li.holder.put(AVAILABILITY, {"busy": [{"from": NINE, "to": TEN}]})
    participant = Participant.objects.get(registration=li.registration)
    assert selectors.busy_intervals(participant=participant, expo=expo) == [
        (dt.datetime(2019, 8, 26, 1, tzinfo=dt.UTC), dt.datetime(2019, 8, 26, 2, tzinfo=dt.UTC)),
        (starts, starts + dt.timedelta(minutes=50)),
    ]
    assert wang.holder.get(AVAILABILITY).json()["programme"] == []
    # All at once, as a solve reads them: the same intervals.
    wang.holder.put(AVAILABILITY, {"busy": [{"from": TEN, "to": ELEVEN}]})
    everyone = selectors.busy_by_participant(expo=expo)
    for person in (li, wang):
        participant = Participant.objects.get(registration=person.registration)
        assert everyone[participant.pk] == selectors.busy_intervals(
            participant=participant, expo=expo
        )
    assert len(everyone) == 2
