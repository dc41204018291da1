"""Meeting sessions: an organiser defines and changes them, anyone reads them; bad times and
changes that would move published meetings are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from smartexpo.meetings.models import Meeting, MeetingRequest, MeetingSession
from smartexpo.meetings.services.participants import participant_get
from tests.meetings.conftest import SESSIONS

pytestmark = pytest.mark.django_db

BODY = {
    "code": "b2b-1",
    "starts_at": "2019-08-26T09:00:00+08:00",
    "ends_at": "2019-08-26T15:00:00+08:00",
    "slot_minutes": 20,
    "tables": 150,
    "zone": "N1",
}


def test_organiser_defines_a_session_and_anyone_reads_it(expo, organizer, anonymous):
    made = organizer.post(SESSIONS, {**BODY, "name": {"en": "Investment", "zh": "投资洽谈"}})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["code"] == "b2b-1" and body["slots"] == 18 and body["zone"] == "N1"
    assert body["tables"] == 150 and body["booth_meetings"] is False
    assert body["published_at"] is None and body["name"]["zh"] == "投资洽谈"
    listed = anonymous.get(SESSIONS)
    assert listed.status_code == 200
    assert [s["code"] for s in listed.json()["items"]] == ["b2b-1"]
    assert anonymous.get(SESSIONS + "/b2b-1").json()["slot_minutes"] == 20
    assert anonymous.get(SESSIONS + "/nope").status_code == 404


def test_booth_meetings_and_caps_are_extensions(expo, organizer):
    body = {**BODY, "tables": 0, "booth_meetings": True, "cap_visitor": 12, "cap_exhibitor": 30}
    made = organizer.post(SESSIONS, body).json()
    assert (made["booth_meetings"], made["cap_visitor"], made["cap_exhibitor"]) == (True, 12, 30)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2019-08-26T09:00:00+08:00"}, "ends_at"),
        ({"ends_at": "2019-08-26T08:00:00+08:00"}, "ends_at"),
        ({"starts_at": "2019-08-26T09:00:00"}, "starts_at"),
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"slot_minutes": 3}, "slot_minutes"),
        ({"slot_minutes": 20.5}, "slot_minutes"),
        ({"ends_at": "2019-08-26T09:10:00+08:00"}, "slot_minutes"),
        ({"tables": 0}, "tables"),
        ({"tables": -1}, "tables"),
        ({"zone": "nowhere"}, "zone"),
        ({"code": "no spaces"}, "code"),
        ({"cap_visitor": 999}, "cap_visitor"),
    ],
)
def test_bad_sessions_are_refused_as_invalid(expo, organizer, change, field):
    answer = organizer.post(SESSIONS, {**BODY, **change})
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["error"]["detail"]["fields"]
    assert not MeetingSession.objects.exists()


def test_a_code_is_taken_once_per_edition(expo, other_expo, organizer):
    assert organizer.post(SESSIONS, BODY).status_code == 201
    again = organizer.post(SESSIONS, BODY)
    assert again.status_code == 409 and again.json()["error"]["code"] == "session_exists"
    other = organizer.post("/api/v1/expos/test-2018/meetings/sessions", {**BODY, "zone": None})
    assert other.status_code == 201


def test_only_an_organiser_defines_sessions(expo, anonymous, types):
    from tests.meetings.conftest import exhibitor_client

    assert anonymous.post(SESSIONS, BODY).status_code == 401
    assert exhibitor_client(expo, "huawei").post(SESSIONS, BODY).status_code == 403


def test_organiser_changes_a_session_before_it_is_published(expo, organizer):
    organizer.post(SESSIONS, BODY)
    changed = organizer.patch(
        SESSIONS + "/b2b-1",
        {"slot_minutes": 30, "tables": 80, "zone": None, "name": {"en": "B2B", "zh": "洽谈"}},
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["slot_minutes"], body["slots"], body["tables"], body["zone"]) == (30, 12, 80, None)
    bad = organizer.patch(SESSIONS + "/b2b-1", {"ends_at": "2019-08-26T08:00:00+08:00"})
    assert bad.status_code == 422


def _published_with_a_meeting(expo, organizer, *, table=5):
    organizer.post(SESSIONS, {**BODY, "booth_meetings": True})
    session = MeetingSession.objects.get(code="b2b-1")
    a = participant_get(expo=expo, ref={"exhibitor": expo.test_exhibitors["huawei"].pk})
    b = participant_get(expo=expo, ref={"exhibitor": expo.test_exhibitors["toyota"].pk})
    low, high = sorted((a, b), key=lambda p: p.pk)
    request = MeetingRequest.objects.create(
        expo=expo, requester=a, recipient=b, low=low, high=high, priority="want", status="accepted"
    )
    Meeting.objects.create(
        request=request,
        session=session,
        slot=0,
        starts_at=session.starts_at,
        ends_at=session.starts_at + dt.timedelta(minutes=20),
        table=table,
    )
    MeetingSession.objects.filter(pk=session.pk).update(published_at=timezone.now())


def test_a_published_session_keeps_its_times_and_its_tables_in_use(expo, organizer):
    _published_with_a_meeting(expo, organizer)
    for change in ({"starts_at": "2019-08-26T10:00:00+08:00"}, {"slot_minutes": 30}):
        refused = organizer.patch(SESSIONS + "/b2b-1", change)
        assert refused.status_code == 409, refused.content
        assert refused.json()["error"]["code"] == "session_published"
    fewer = organizer.patch(SESSIONS + "/b2b-1", {"tables": 4})
    assert fewer.status_code == 409 and fewer.json()["error"]["detail"]["tables_in_use"] == 5
    fine = organizer.patch(SESSIONS + "/b2b-1", {"tables": 5, "cap_visitor": 6})
    assert fine.status_code == 200 and fine.json()["cap_visitor"] == 6
    # Times given unchanged are no change.
    same = organizer.patch(SESSIONS + "/b2b-1", {"starts_at": BODY["starts_at"]})
    assert same.status_code == 200


@pytest.mark.parametrize("field", ["starts_at", "ends_at", "slot_minutes", "tables", "name"])
def test_null_is_no_value_for_a_sessions_required_fields(expo, organizer, field):
    organizer.post(SESSIONS, BODY)
    answer = organizer.patch(SESSIONS + "/b2b-1", {field: None})
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["error"]["detail"]["fields"]
    cleared = organizer.patch(SESSIONS + "/b2b-1", {"zone": None, "cap_visitor": None})
    assert cleared.status_code == 200 and cleared.json()["zone"] is None


def test_a_nul_in_a_code_is_not_found_or_invalid_not_a_500(expo, organizer, anonymous):
    assert anonymous.get(SESSIONS + "/b%00").status_code == 404
    answer = organizer.post(SESSIONS, {**BODY, "zone": "N\x001"})
    assert answer.status_code == 422


def test_a_name_too_long_is_invalid(expo, organizer):
    answer = organizer.post(SESSIONS, {**BODY, "name": {"en": "x" * 201, "zh": "洽谈"}})
    assert answer.status_code == 422 and "name_en" in answer.json()["error"]["detail"]["fields"]
