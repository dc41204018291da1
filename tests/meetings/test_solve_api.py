"""Solving a meeting session through the API and the service: what is written, what is not,
who may ask, and two solves of one session at once (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.exhibitors.models import BoothAssignment
from smartexpo.meetings.models import (
    Busy,
    Meeting,
    MeetingNotice,
    MeetingRequest,
    MeetingSession,
    Participant,
)
from smartexpo.meetings.services import solving
from smartexpo.meetings.services.solving import session_solve
from tests.checkin.conftest import make_types
from tests.concurrency import call_json, race
from tests.conftest import ApiClient, error_of
from tests.leads.conftest import visitor

A = "/api/v1/expos/test-2019/meetings/sessions"
T0 = dt.datetime(2019, 8, 26, 1, 0, tzinfo=dt.UTC)
SLOT = dt.timedelta(minutes=20)


def make_session(expo, code="b2b", *, slots=6, tables=2, **extra) -> MeetingSession:
    return MeetingSession.objects.create(
        expo=expo,
        code=code,
        starts_at=T0,
        ends_at=T0 + slots * SLOT,
        slot_minutes=20,
        tables=tables,
        **extra,
    )


def exhibitor_participant(expo, slug) -> Participant:
    return Participant.objects.create(expo=expo, exhibitor=expo.test_exhibitors[slug])


def visitor_participant(expo) -> tuple[Participant, ApiClient]:
    v = visitor(expo)
    return Participant.objects.create(expo=expo, registration=v.registration, open=True), v.holder


def ask(expo, p, q, *, priority="want", status="accepted") -> MeetingRequest:
    low, high = sorted([p, q], key=lambda x: x.pk)
    return MeetingRequest.objects.create(
        expo=expo, requester=p, recipient=q, low=low, high=high, priority=priority, status=status
    )


@pytest.fixture
def types(expo):
    return make_types(expo)


@pytest.fixture
def world(expo, types):
    """Huawei and Toyota (with booths) and four open visitors, each visitor asking both."""
    huawei = exhibitor_participant(expo, "huawei")
    toyota = exhibitor_participant(expo, "toyota")
    visitors = [visitor_participant(expo) for _ in range(4)]
    requests = [ask(expo, v, e) for v, _ in visitors for e in (huawei, toyota)]
    return {"huawei": huawei, "toyota": toyota, "visitors": visitors, "requests": requests}


def assert_contract(session: MeetingSession) -> list[Meeting]:
    """Every meeting an accepted request; nobody twice in a slot; no table twice in a slot;
    no meeting in a busy interval or outside the session."""
    meetings = list(Meeting.objects.filter(session=session).select_related("request"))
    seen = Counter()
    for m in meetings:
        assert m.request.status == "accepted"
        assert session.starts_at <= m.starts_at < m.ends_at <= session.ends_at
        assert m.ends_at - m.starts_at == SLOT
        for pid in (m.request.low_id, m.request.high_id):
            seen[(pid, m.slot)] += 1
            assert not Busy.objects.filter(
                participant_id=pid, starts_at__lt=m.ends_at, ends_at__gt=m.starts_at
            ).exists()
        if m.table is not None:
            seen[("table", m.slot, m.table)] += 1
            assert 1 <= m.table <= session.tables
    assert all(n == 1 for n in seen.values()), seen
    return meetings


def test_the_organiser_solves_a_session_and_every_accepted_request_is_scheduled(
    expo, world, organizer
):
    session = make_session(expo)
    r = organizer.post(f"{A}/b2b/solve?time_limit=10")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "optimal"
    assert body["scheduled"] == 8
    assert body["bound"] >= body["objective"] > 0
    assert {"gap", "moved", "method", "greedy_objective", "seconds"} <= set(body)
    meetings = assert_contract(session)
    assert len(meetings) == 8
    session.refresh_from_db()
    assert session.published_at is not None
    assert session.report["scheduled"] == 8
    assert session.solving_until is None
    # Everyone is told once: their first schedule of the session.
    notices = Counter(MeetingNotice.objects.values_list("participant_id", "kind"))
    assert set(notices.values()) == {1}
    assert {kind for _pid, kind in notices} == {"published"}
    assert len(notices) == 6


def test_only_accepted_requests_not_scheduled_elsewhere_are_scheduled(expo, world, organizer):
    v, _ = visitor_participant(expo)
    pending = ask(expo, v, world["huawei"], status="pending")
    declined = ask(expo, v, world["toyota"], status="declined")
    other = make_session(expo, "other")
    elsewhere = world["requests"][0]
    Meeting.objects.create(
        request=elsewhere, session=other, slot=0, starts_at=T0, ends_at=T0 + SLOT, table=1
    )
    session = make_session(expo)
    report = session_solve(session=session, time_limit=10)
    assert report["scheduled"] == 7
    scheduled = set(Meeting.objects.filter(session=session).values_list("request_id", flat=True))
    assert scheduled.isdisjoint({pending.pk, declined.pk, elsewhere.pk})
    assert Meeting.objects.get(request=elsewhere).session == other


def test_busy_intervals_are_respected_and_a_meeting_outside_them_is_never_produced(
    expo, world, organizer
):
    session = make_session(expo)
    v0, _ = world["visitors"][0]
    v1, _ = world["visitors"][1]
    # v0 is busy for all but the last slot; v1 for the whole session.
    Busy.objects.create(participant=v0, starts_at=T0 - SLOT, ends_at=T0 + 5 * SLOT)
    Busy.objects.create(participant=v1, starts_at=T0, ends_at=T0 + 6 * SLOT)
    report = session_solve(session=session, time_limit=10)
    meetings = assert_contract(session)
    of_v0 = [m for m in meetings if v0.pk in (m.request.low_id, m.request.high_id)]
    assert [m.slot for m in of_v0] == [5]
    assert not [m for m in meetings if v1.pk in (m.request.low_id, m.request.high_id)]
    assert report["scheduled"] == 5


def test_caps_hold_the_participants_own_over_its_type(expo, world, organizer):
    session = make_session(expo, cap_exhibitor=1)
    Participant.objects.filter(pk=world["toyota"].pk).update(cap=3)
    session_solve(session=session, time_limit=10)
    meetings = assert_contract(session)
    count = Counter(p for m in meetings for p in (m.request.low_id, m.request.high_id))
    assert count[world["huawei"].pk] == 1
    assert count[world["toyota"].pk] == 3


def test_booth_meetings_take_the_exhibitors_booth_and_no_table(expo, world, organizer):
    session = make_session(expo, tables=0, booth_meetings=True)
    session_solve(session=session, time_limit=10)
    meetings = assert_contract(session)
    assert len(meetings) == 8
    assert all(m.table is None and m.booth_id is not None for m in meetings)
    huawei_booth = BoothAssignment.objects.get(exhibitor=expo.test_exhibitors["huawei"]).booth
    toyota_booth = BoothAssignment.objects.get(exhibitor=expo.test_exhibitors["toyota"]).booth
    assert Counter(m.booth_id for m in meetings) == {huawei_booth.pk: 4, toyota_booth.pk: 4}


def test_a_resolve_keeps_published_meetings_and_tells_only_who_changed(expo, world, organizer):
    session = make_session(expo, slots=8)
    session_solve(session=session, time_limit=10)
    before = {m.request_id: (m.slot, m.table, m.booth_id, m.version) for m in Meeting.objects.all()}
    MeetingNotice.objects.update(sent_at=T0)
    cancelled = world["requests"][0]
    MeetingRequest.objects.filter(pk=cancelled.pk).update(status="cancelled")
    newcomer, _ = visitor_participant(expo)
    added = ask(expo, newcomer, world["huawei"])
    report = session_solve(session=session, time_limit=10)
    assert report["moved"] == 0
    after = {m.request_id: (m.slot, m.table, m.booth_id, m.version) for m in Meeting.objects.all()}
    assert cancelled.pk not in after and added.pk in after
    for rid, place in before.items():
        if rid != cancelled.pk:
            assert after[rid] == place
    fresh = Counter(
        MeetingNotice.objects.filter(sent_at__isnull=True).values_list("participant_id", "kind")
    )
    assert fresh == Counter(
        {
            (newcomer.pk, "published"): 1,
            (world["huawei"].pk, "changed"): 1,
            (
                cancelled.low_id if cancelled.low_id != world["huawei"].pk else cancelled.high_id,
                "changed",
            ): 1,
        }
    )


def test_a_dry_run_writes_nothing(expo, world, organizer):
    session = make_session(expo)
    r = organizer.post(f"{A}/b2b/solve?dry_run=true&time_limit=5")
    assert r.status_code == 200
    assert r.json()["scheduled"] == 8 and r.json()["dry_run"] is True
    assert not Meeting.objects.exists() and not MeetingNotice.objects.exists()
    session.refresh_from_db()
    assert session.published_at is None


def test_a_session_with_nothing_to_schedule_has_the_empty_optimal_schedule(expo, organizer):
    make_session(expo)
    r = organizer.post(f"{A}/b2b/solve")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["scheduled"], r.json()["objective"]) == ("optimal", 0, 0)


def test_only_the_organiser_may_solve(expo, world, organizer, exhibitor, anonymous):
    make_session(expo)
    assert error_of(exhibitor.post(f"{A}/b2b/solve"))["code"] == "forbidden"
    holder = world["visitors"][0][1]
    assert holder.post(f"{A}/b2b/solve").status_code == 401
    assert anonymous.post(f"{A}/b2b/solve").status_code == 401
    assert organizer.post(f"{A}/nope/solve").status_code == 404
    assert error_of(organizer.post(f"{A}/b2b/solve?time_limit=100000"))["code"] == "invalid"
    assert not Meeting.objects.exists()


def test_a_session_being_solved_refuses_a_second_solve(expo, world, organizer):
    session = make_session(expo)
    MeetingSession.objects.filter(pk=session.pk).update(
        solving_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    )
    r = organizer.post(f"{A}/b2b/solve")
    assert r.status_code == 409
    assert error_of(r)["code"] == "solve_running"
    # An expired lease (a crashed solve) does not hold the session.
    MeetingSession.objects.filter(pk=session.pk).update(
        solving_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    assert organizer.post(f"{A}/b2b/solve").status_code == 200


def test_meetings_list_the_organiser_sees_all_a_participant_its_own(
    expo, world, organizer, exhibitor, other_exhibitor, anonymous
):
    session = make_session(expo)
    session_solve(session=session, time_limit=10)
    everyone = organizer.get(f"{A}/b2b/meetings").json()
    assert everyone["count"] == 8
    item = everyone["items"][0]
    assert {"request", "a", "b", "starts_at", "ends_at", "table"} <= set(item)
    assert set(item["a"]) <= {"exhibitor", "registration"}
    huawei_id = expo.test_exhibitors["huawei"].pk
    own = exhibitor.get(f"{A}/b2b/meetings").json()
    assert own["count"] == 4
    assert all({"exhibitor": huawei_id} in (m["a"], m["b"]) for m in own["items"])
    participant, holder = world["visitors"][0]
    mine = holder.get(f"{A}/b2b/meetings").json()
    assert mine["count"] == 2
    assert all(participant.ref in (m["a"], m["b"]) for m in mine["items"])
    stranger = visitor(expo).holder
    assert stranger.get(f"{A}/b2b/meetings").json()["count"] == 0
    assert anonymous.get(f"{A}/b2b/meetings").status_code == 401
    assert organizer.get(f"{A}/nope/meetings").status_code == 404
    _t, raw = token_create(role=Role.DEVICE, name="Gate", expo=expo)
    assert ApiClient(raw).get(f"{A}/b2b/meetings").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_solves_of_one_session_at_once_one_runs_the_other_is_refused(
    production_server, expo, types, monkeypatch
):
    huawei = exhibitor_participant(expo, "huawei")
    for _ in range(3):
        ask(expo, visitor_participant(expo)[0], huawei)
    make_session(expo)
    real = solving.solve

    def slow(*args, **kwargs):
        # Long enough that every racing call arrives while the first one holds the session.
        time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(solving, "solve", slow)
    _t, raw = token_create(role=Role.ORGANIZER, name="Organiser")
    url = f"{production_server}{A}/b2b/solve?time_limit=5"
    results = race([lambda: call_json(url, raw) for _ in range(4)])
    statuses = sorted(status for status, _body in results)
    assert statuses == [200, 409, 409, 409], results
    assert {b["error"]["code"] for s, b in results if s == 409} == {"solve_running"}
    assert Meeting.objects.count() == 3
    assert MeetingSession.objects.get(code="b2b").solving_until is None


def test_a_reserved_seat_at_a_published_forum_session_counts_as_busy(expo, world, organizer):
    from smartexpo.programme.services.editing import forum_create, session_create
    from smartexpo.programme.services.publishing import programme_publish
    from smartexpo.programme.services.reservations import reservation_make

    session = make_session(expo)
    v0, _ = world["visitors"][0]
    forum_create(expo=expo, code="main", name_en="Main Forum", name_zh="主论坛")
    # A talk covering every slot but the last two (slots 0–3).
    talk, _warnings = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Keynote",
        starts_at=T0,
        ends_at=T0 + 4 * SLOT,
        seats=10,
    )
    programme_publish(expo=expo, actor="test")
    reservation_make(registration=v0.registration, session_id=talk.pk)
    session_solve(session=session, time_limit=10)
    meetings = assert_contract(session)
    slots = sorted(m.slot for m in meetings if v0.pk in (m.request.low_id, m.request.high_id))
    assert slots and all(s >= 4 for s in slots)
