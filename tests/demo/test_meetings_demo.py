"""The demo's illustrative business meetings (`demo.meetings`), on a small scale (300 demo
visitors: the buyers and investors among them, with as many exhibitors in proportion, but at
least 20): counts and shares, determinism, idempotency. The full scale (about 3,000
participants, 12,000 requests) is the same code with 50,000 visitors (README, "Demo")."""

from __future__ import annotations

import pytest

from smartexpo.demo.meetings import (
    MIN_EXHIBITORS,
    REQUESTS_PER_PARTICIPANT,
    SESSIONS,
    demo_meetings_plan,
    demo_meetings_seed,
)
from smartexpo.demo.seed import demo_seed
from smartexpo.demo.visitors import demo_visitors_seed
from smartexpo.meetings.models import Busy, Meeting, MeetingRequest, MeetingSession, Participant
from smartexpo.venue.models import Expo

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    demo_seed()
    expo = Expo.objects.get(slug="sce-2019")
    demo_visitors_seed(expo=expo, count=300, seed=2019)
    return expo


def snapshot(expo):
    return {
        "sessions": list(
            MeetingSession.objects.filter(expo=expo).values_list(
                "pk", "code", "starts_at", "ends_at", "tables"
            )
        ),
        "participants": list(
            Participant.objects.filter(expo=expo).values_list(
                "pk", "exhibitor", "registration", "open"
            )
        ),
        "requests": list(
            MeetingRequest.objects.filter(expo=expo).values_list(
                "pk", "low", "high", "requester", "priority", "status", "message"
            )
        ),
        "busy": sorted(
            Busy.objects.filter(participant__expo=expo).values_list(
                "pk", "participant", "starts_at"
            )
        ),
    }


def test_participants_requests_and_sessions(edition):
    report = demo_meetings_seed(expo=edition, solve=False)
    assert report.visitors > 0
    assert report.exhibitors == MIN_EXHIBITORS
    participants = Participant.objects.filter(expo=edition)
    assert participants.count() == report.participants == report.visitors + report.exhibitors
    assert not participants.filter(open=False).exists()
    for p in participants.filter(registration__isnull=False).select_related("registration"):
        assert {"buy", "invest"} & set(p.registration.intents)
        assert p.registration.exhibitor_id is None
    requests = MeetingRequest.objects.filter(expo=edition)
    total = requests.count()
    assert total == report.requests == REQUESTS_PER_PARTICIPANT * report.participants
    shares = {
        s: requests.filter(status=s).count() / total for s in ("accepted", "pending", "declined")
    }
    assert 0.6 < shares["accepted"] < 0.9 and shares["pending"] > 0.05 and shares["declined"] > 0.03
    assert 0.1 < requests.filter(priority="must").count() / total < 0.3
    assert requests.filter(low__registration__isnull=False, high__exhibitor__isnull=False).exists()
    assert not requests.filter(decided_at__isnull=True).exclude(status="pending").exists()
    sessions = MeetingSession.objects.filter(expo=edition)
    assert sorted(sessions.values_list("code", flat=True)) == sorted(s[0] for s in SESSIONS)
    for s in sessions:
        assert (s.slot_count, s.slot_minutes, s.tables, s.booth_meetings) == (18, 20, 150, True)
        assert s.zone.code == "M"
        assert "illustrative" in s.name_en and "示例" in s.name_zh
    assert Busy.objects.filter(participant__expo=edition).exists()


def test_deterministic_and_idempotent(edition):
    first = demo_meetings_plan(edition, seed=2019)
    assert demo_meetings_plan(edition, seed=2019) == first
    assert demo_meetings_plan(edition, seed=7)[2] != first[2]
    demo_meetings_seed(expo=edition, solve=False)
    before = snapshot(edition)
    again = demo_meetings_seed(expo=edition, solve=False)
    assert again.written == 0
    assert snapshot(edition) == before


def test_a_changed_request_is_put_back_and_a_stray_one_removed(edition):
    demo_meetings_seed(expo=edition, solve=False)
    before = snapshot(edition)
    first = MeetingRequest.objects.filter(expo=edition).order_by("pk").first()
    MeetingRequest.objects.filter(pk=first.pk).update(
        status="declined" if first.status != "declined" else "accepted"
    )
    report = demo_meetings_seed(expo=edition, solve=False)
    assert report.written == 1
    assert snapshot(edition) == before


def test_both_sessions_are_solved():
    """The solver (`session_solve`) schedules both demo sessions, once."""
    demo_seed()
    expo = Expo.objects.get(slug="sce-2019")
    demo_visitors_seed(expo=expo, count=300, seed=2019)
    report = demo_meetings_seed(expo=expo, solve_seconds=10)
    assert set(report.solved) == {s[0] for s in SESSIONS}
    assert Meeting.objects.filter(session__expo=expo).count() > 0
    assert (
        not Meeting.objects.filter(session__expo=expo).exclude(request__status="accepted").exists()
    )
    # A second seed changes nothing, so nothing is solved again.
    assert demo_meetings_seed(expo=expo, solve_seconds=10).solved == {}
