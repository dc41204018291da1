"""Business meetings in the back office: sessions are defined there, participants adjusted,
requests and meetings read; a published session's times are read-only; pages in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from smartexpo.meetings.models import MeetingRequest, MeetingSession, Participant
from tests.meetings.conftest import REQUESTS, ref

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(expo, li, huawei):
    li.holder.post(REQUESTS, {"to": ref(expo.test_exhibitors["huawei"]), "priority": "must"})
    starts = dt.datetime(2019, 8, 27, 1, tzinfo=dt.UTC)
    return MeetingSession.objects.create(
        expo=expo,
        code="b2b",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        slot_minutes=20,
        tables=4,
    )


def test_every_meetings_list_and_object_page_opens(staff, world):
    pages = {
        "meetingsession": world.pk,
        "participant": Participant.objects.first().pk,
        "meetingrequest": MeetingRequest.objects.get().pk,
    }
    for model, pk in pages.items():
        assert staff.get(f"/admin/meetings/{model}/").status_code == 200
        assert staff.get(f"/admin/meetings/{model}/{pk}/change/").status_code == 200
    assert staff.get("/admin/meetings/meeting/").status_code == 200
    chinese = staff.get("/zh-hans/admin/meetings/meetingsession/")
    assert "洽谈场次" in chinese.content.decode()


def test_a_published_sessions_times_are_read_only(staff, world):
    url = f"/admin/meetings/meetingsession/{world.pk}/change/"
    assert 'name="slot_minutes"' in staff.get(url).content.decode()
    MeetingSession.objects.filter(pk=world.pk).update(published_at=timezone.now())
    page = staff.get(url).content.decode()
    assert 'name="slot_minutes"' not in page and 'name="tables"' in page


def test_requests_and_participants_are_never_added_by_hand(staff, world):
    assert staff.get("/admin/meetings/meetingrequest/add/").status_code == 403
    assert staff.get("/admin/meetings/participant/add/").status_code == 403
    participant = Participant.objects.first()
    url = f"/admin/meetings/participant/{participant.pk}/delete/"
    assert staff.get(url).status_code == 403


def test_the_sessions_admin_schedules_a_session_and_says_what_it_found(staff, world):
    from smartexpo.meetings.models import Meeting, RequestStatus

    MeetingRequest.objects.update(status=RequestStatus.ACCEPTED)
    response = staff.post(
        "/admin/meetings/meetingsession/",
        {"action": "sessions_solve", "_selected_action": [world.pk]},
        follow=True,
    )
    assert response.status_code == 200
    meeting = Meeting.objects.get()
    assert meeting.session == world and meeting.request == MeetingRequest.objects.get()
    assert (
        "Session b2b: 1 meetings scheduled (optimal, gap 0.00 %, 0 moved"
        in response.content.decode()
    )
    world.refresh_from_db()
    assert world.published_at is not None and world.report["scheduled"] == 1
