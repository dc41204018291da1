"""Real concurrent visitors reserving seats through a live server running the production WSGI
application: confirmed places never exceed the seats, a repeat never takes a second seat, and
freed seats go to the waiting list in its order (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import json

import pytest

from smartexpo.programme.models import Reservation, SessionSeats
from smartexpo.programme.services.editing import session_create
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.programme.services.reservations import reservation_make
from tests.concurrency import call_json, race
from tests.conftest import public_day_pass, register
from tests.programme.conftest import at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seated(expo, rooms):
    """A published session with 20 seats, and 60 holders of a day pass (their manage tokens)."""
    from smartexpo.programme.services.editing import forum_create

    forum_create(expo=expo, code="main", name_en="Main Forum")
    session, _warnings = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Popular talk",
        starts_at=at(26, 14),
        ends_at=at(26, 15),
        seats=20,
    )
    programme_publish(expo=expo, actor="test")
    public_day_pass(expo, quota_per_day=1000)
    issued = [register(expo, n) for n in range(60)]
    return session.pk, issued


def _url(base: str, pk: int) -> str:
    return f"{base}/api/v1/expos/test-2019/sessions/{pk}/reservations"


def test_sixty_visitors_racing_for_twenty_seats_get_exactly_twenty(production_server, seated):
    pk, issued = seated
    url = _url(production_server, pk)
    answers = race([lambda t=i.manage_token: call_json(url, t, method="POST") for i in issued])
    assert {status for status, _body in answers} == {201}, answers
    statuses = [body["status"] for _status, body in answers]
    assert statuses.count("confirmed") == 20 and statuses.count("waitlisted") == 40
    assert all(("position" in body) == (body["status"] == "waitlisted") for _s, body in answers)
    assert all(1 <= body.get("position", 1) <= 40 for _s, body in answers)
    assert Reservation.objects.filter(session_id=pk, status="confirmed").count() == 20
    assert SessionSeats.objects.get(session_id=pk).confirmed == 20
    # Their agendas, read when the race is over, number the waiting list 1 to 40.
    positions = []
    for i in issued:
        _status, agenda = call_json(
            f"{production_server}/api/v1/expos/test-2019/agenda", i.manage_token, method="GET"
        )
        (mine,) = agenda["reservations"]
        if mine["status"] == "waitlisted":
            positions.append(mine["position"])
    assert sorted(positions) == list(range(1, 41))


def test_ten_identical_requests_at_once_take_one_seat(production_server, seated):
    pk, issued = seated
    url = _url(production_server, pk)
    for person in issued[:3]:
        answers = race([lambda t=person.manage_token: call_json(url, t, method="POST")] * 10)
        assert sorted(status for status, _body in answers) == [200] * 9 + [201], answers
        assert {json.dumps(body) for _s, body in answers} == {
            json.dumps({"session": pk, "status": "confirmed"})
        }
        assert Reservation.objects.filter(registration=person.registration).count() == 1
    assert SessionSeats.objects.get(session_id=pk).confirmed == 3


def test_cancellations_and_reservations_at_once_promote_the_waiting_list_in_order(
    production_server, seated
):
    pk, issued = seated
    holders, waiting, newcomers = issued[:20], issued[20:30], issued[30:40]
    for person in holders + waiting:
        reservation_make(registration=person.registration, session_id=pk)
    url = _url(production_server, pk)
    leaving = holders[:8]
    calls = [lambda t=p.manage_token: call_json(url, t, method="DELETE") for p in leaving]
    calls += [lambda t=p.manage_token: call_json(url, t, method="POST") for p in newcomers]
    answers = race(calls)
    assert [status for status, _b in answers[:8]] == [204] * 8
    assert [status for status, _b in answers[8:]] == [201] * 10
    # Newcomers never jump the queue: the eight seats went to the first eight in line.
    confirmed = set(
        Reservation.objects.filter(session_id=pk, status="confirmed").values_list(
            "registration_id", flat=True
        )
    )
    expected = {p.registration.pk for p in holders[8:] + waiting[:8]}
    assert confirmed == expected
    assert SessionSeats.objects.get(session_id=pk).confirmed == 20
    line = list(
        Reservation.objects.filter(session_id=pk, status="waitlisted")
        .order_by("id")
        .values_list("registration_id", flat=True)
    )
    assert line[:2] == [p.registration.pk for p in waiting[8:]]
    assert set(line[2:]) == {p.registration.pk for p in newcomers}


def test_many_cancellations_and_reservations_never_exceed_the_seats(production_server, seated):
    pk, issued = seated
    for person in issued[:30]:
        reservation_make(registration=person.registration, session_id=pk)
    url = _url(production_server, pk)
    # Everyone confirmed leaves, some on the waiting list leave, others arrive, all at once;
    # those who left come back.
    calls = [lambda t=p.manage_token: call_json(url, t, method="DELETE") for p in issued[:25]]
    calls += [lambda t=p.manage_token: call_json(url, t, method="POST") for p in issued[30:60]]
    race(calls)
    calls = [lambda t=p.manage_token: call_json(url, t, method="POST") for p in issued[:25]]
    race(calls)
    seats = SessionSeats.objects.get(session_id=pk)
    confirmed = Reservation.objects.filter(session_id=pk, status="confirmed").count()
    assert confirmed == seats.confirmed == 20
    # Nobody waits while a seat is free, and nobody holds two places.
    assert Reservation.objects.filter(session_id=pk).count() == 60
