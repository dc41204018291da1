"""Seats, waiting lists, favourites and the agenda through the API, by a registration's manage
token (docs/api.md, "Programme"): every answer and refusal code, every role."""

from __future__ import annotations

import pytest

from smartexpo.programme.models import Favourite, Reservation, SessionSeats
from tests.conftest import ApiClient, error_of, public_day_pass, register

A = "/api/v1/expos/test-2019"


@pytest.fixture
def visitors(expo, programme):
    """Six holders of a day pass for 26 and 27 August, as API clients."""
    public_day_pass(expo, quota_per_day=100)
    return [ApiClient(register(expo, n).manage_token) for n in range(1, 7)]


def reserve(client, pk, body=None):
    return client.post(f"{A}/sessions/{pk}/reservations", body)


def test_a_reservation_is_201_then_200_with_the_same_seat(programme, visitors):
    silk = programme["sessions"]["silk"].pk
    first = reserve(visitors[0], silk)
    assert first.status_code == 201
    assert first.json() == {"session": silk, "status": "confirmed"}
    again = reserve(visitors[0], silk, {"force": True})
    assert again.status_code == 200 and again.json() == first.json()
    assert Reservation.objects.filter(session_id=silk).count() == 1
    assert SessionSeats.objects.get(session_id=silk).confirmed == 1


def test_the_body_may_be_left_out_or_must_be_right(programme, visitors):
    silk = programme["sessions"]["silk"].pk
    url = f"{A}/sessions/{silk}/reservations"
    empty = visitors[0].client.post(
        url, b"", content_type="application/json", headers=visitors[0]._headers(None)
    )
    assert empty.status_code == 201
    bad = reserve(visitors[1], silk, {"waitlist": "please"})
    assert bad.status_code == 422 and "waitlist" in error_of(bad)["detail"]["fields"]
    assert visitors[1].post(url, raw="{").status_code == 400
    assert visitors[1].post(url, raw="[]").status_code == 422


def test_a_full_session_waitlists_with_positions_and_session_full_only_when_asked(
    programme, visitors, anonymous
):
    silk = programme["sessions"]["silk"].pk
    answers = [reserve(v, silk) for v in visitors[:5]]
    assert [a.status_code for a in answers] == [201] * 5
    assert [a.json()["status"] for a in answers] == ["confirmed"] * 3 + ["waitlisted"] * 2
    assert [a.json().get("position") for a in answers] == [None, None, None, 1, 2]
    assert "position" not in answers[0].json()
    full = reserve(visitors[5], silk, {"waitlist": False})
    assert full.status_code == 409 and error_of(full)["code"] == "session_full"
    assert (
        not Reservation.objects.filter(session_id=silk, status="waitlisted")
        .filter(registration__email="g6@example.cn")
        .exists()
    )
    # A repeat by someone waiting answers their place, even with waitlist false.
    repeat = reserve(visitors[4], silk, {"waitlist": False})
    assert repeat.status_code == 200 and repeat.json()["position"] == 2
    assert anonymous.get(f"{A}/sessions/{silk}").json()["available"] == 0


def test_cancelling_gives_the_seat_to_the_first_in_line(programme, visitors, anonymous):
    silk = programme["sessions"]["silk"].pk
    for v in visitors[:5]:
        reserve(v, silk)
    response = visitors[0].delete(f"{A}/sessions/{silk}/reservations")
    assert response.status_code == 204 and response.content == b""
    agenda = visitors[3].get(A + "/agenda").json()
    assert agenda["reservations"] == [{"session": silk, "status": "confirmed"}]
    assert visitors[4].get(A + "/agenda").json()["reservations"] == [
        {"session": silk, "status": "waitlisted", "position": 1}
    ]
    # A repeat changes nothing and is still 204; a place on the waiting list can be given up.
    assert visitors[0].delete(f"{A}/sessions/{silk}/reservations").status_code == 204
    assert visitors[4].delete(f"{A}/sessions/{silk}/reservations").status_code == 204
    assert SessionSeats.objects.get(session_id=silk).confirmed == 3
    assert Reservation.objects.filter(session_id=silk).count() == 3


def test_refusals_carry_their_codes(expo, programme, visitors):
    s = programme["sessions"]
    needless = reserve(visitors[0], s["keynote"].pk)
    assert needless.status_code == 409
    assert error_of(needless)["code"] == "reservation_not_needed"
    reserve(visitors[0], s["silk"].pk)
    conflict = reserve(visitors[0], s["ai"].pk)
    assert conflict.status_code == 409
    error = error_of(conflict)
    assert error["code"] == "agenda_conflict" and error["detail"]["sessions"] == [s["silk"].pk]
    forced = reserve(visitors[0], s["ai"].pk, {"force": True})
    assert forced.status_code == 201 and forced.json()["status"] == "confirmed"
    other_day = ApiClient(register(expo, 40, days=["2019-08-27"]).manage_token)
    refused = reserve(other_day, s["silk"].pk)
    assert refused.status_code == 409 and error_of(refused)["code"] == "no_ticket_for_day"
    assert error_of(refused)["detail"] == {"day": "2019-08-26"}


def test_a_cancelled_registration_has_no_ticket_for_the_day(expo, programme):
    from smartexpo.tickets.services.cancellation import registration_cancel

    public_day_pass(expo, quota_per_day=10)
    issued = register(expo, 50)
    registration_cancel(registration=issued.registration)
    response = reserve(ApiClient(issued.manage_token), programme["sessions"]["silk"].pk)
    assert response.status_code == 409 and error_of(response)["code"] == "no_ticket_for_day"


def test_unknown_unpublished_or_huge_session_ids_are_404(programme, visitors, organizer):
    draft = organizer.post(
        A + "/sessions",
        {
            "forum": "main",
            "title": {"en": "Draft", "zh": ""},
            "starts_at": "2019-08-26T16:00:00+08:00",
            "ends_at": "2019-08-26T17:00:00+08:00",
            "room": "R1",
            "seats": 10,
        },
    ).json()
    for pk in (draft["id"], 999_999, 2**62):
        for method, path in [
            ("post", "/reservations"),
            ("delete", "/reservations"),
            ("put", "/favourite"),
            ("delete", "/favourite"),
        ]:
            client = visitors[0]
            url = f"{A}/sessions/{pk}{path}"
            response = client.post(url) if method == "post" else getattr(client, method)(url)
            assert response.status_code == 404, (pk, method, path, response.content)
            assert error_of(response)["code"] == "not_found"


VISITOR_ONLY = [
    ("post", "/sessions/{silk}/reservations"),
    ("delete", "/sessions/{silk}/reservations"),
    ("put", "/sessions/{silk}/favourite"),
    ("delete", "/sessions/{silk}/favourite"),
    ("get", "/agenda"),
]


def _ask(client, method, path, programme, expo_slug="test-2019"):
    url = f"/api/v1/expos/{expo_slug}" + path.format(silk=programme["sessions"]["silk"].pk)
    return client.post(url) if method == "post" else getattr(client, method)(url)


@pytest.mark.parametrize(("method", "path"), VISITOR_ONLY)
def test_visitor_endpoints_refuse_api_tokens_strangers_and_other_editions(
    expo, other_expo, programme, organizer, exhibitor, device, anonymous, method, path
):
    from smartexpo.tickets.services.ticket_types import ticket_type_create

    ticket_type_create(
        expo=other_expo, code="day", name_en="Day", days=["2018-08-23"], quota_per_day=5
    )
    elsewhere = ApiClient(
        register(other_expo, 60, ticket_type="day", days=["2018-08-23"]).manage_token
    )
    before = Reservation.objects.count(), Favourite.objects.count()
    for client, status in [
        (anonymous, 401),
        (ApiClient("sxm_not-a-real-token"), 401),
        (ApiClient("sxo_not-a-real-token"), 401),
        (organizer, 403),
        (exhibitor, 403),
        (device, 403),
        (elsewhere, 403),
    ]:
        response = _ask(client, method, path, programme)
        assert response.status_code == status, (client.token, response.content)
        assert error_of(response)["code"] == {401: "unauthenticated", 403: "forbidden"}[status]
    assert (Reservation.objects.count(), Favourite.objects.count()) == before


@pytest.mark.parametrize(("method", "path"), VISITOR_ONLY)
def test_visitor_endpoints_answer_the_holder(programme, visitors, method, path):
    response = _ask(visitors[0], method, path, programme)
    assert response.status_code in (200, 201, 204), response.content


def test_favourites_and_reservations_make_the_agenda_with_its_feed(expo, programme, visitors):
    s = programme["sessions"]
    me = visitors[0]
    assert me.put(f"{A}/sessions/{s['keynote'].pk}/favourite").status_code == 204
    assert me.put(f"{A}/sessions/{s['keynote'].pk}/favourite").status_code == 204
    assert me.put(f"{A}/sessions/{s['ai'].pk}/favourite").status_code == 204
    reserve(me, s["silk"].pk)
    agenda = me.get(A + "/agenda").json()
    assert agenda["reservations"] == [{"session": s["silk"].pk, "status": "confirmed"}]
    assert agenda["favourites"] == [s["keynote"].pk, s["ai"].pk]
    assert agenda["feed"].startswith("/expos/test-2019/agenda/")
    assert agenda["feed"].endswith(".ics")
    assert me.get(A + "/agenda").json()["feed"] == agenda["feed"]
    assert visitors[1].get(A + "/agenda").json()["feed"] != agenda["feed"]
    assert me.delete(f"{A}/sessions/{s['ai'].pk}/favourite").status_code == 204
    assert me.delete(f"{A}/sessions/{s['ai'].pk}/favourite").status_code == 204
    assert me.get(A + "/agenda").json()["favourites"] == [s["keynote"].pk]
    assert visitors[1].get(A + "/agenda").json() == {
        "reservations": [],
        "favourites": [],
        "feed": visitors[1].get(A + "/agenda").json()["feed"],
    }


def test_a_reservation_at_a_session_cancelled_later_can_still_be_given_up(
    expo, programme, visitors, organizer
):
    silk = programme["sessions"]["silk"].pk
    reserve(visitors[0], silk)
    organizer.patch(f"{A}/sessions/{silk}", {"cancelled": True})
    organizer.post(A + "/programme/publish")
    assert visitors[0].delete(f"{A}/sessions/{silk}/reservations").status_code == 204
    assert visitors[0].delete(f"{A}/sessions/{silk}/reservations").status_code == 404
    assert not Reservation.objects.filter(session_id=silk).exists()


def test_reservations_held_reads_a_whole_days_registrations_at_once(programme, visitors):
    """`venue import` asks for a day's stream: far more registrations than a statement may
    name. The answer is the same as for a few."""
    from smartexpo.programme.attendance import reservations_held

    silk = programme["sessions"]["silk"].pk
    for v in visitors[:4]:
        reserve(v, silk)
    held = dict(
        Reservation.objects.filter(status="confirmed").values_list("registration_id", "session_id")
    )
    assert len(held) == 3
    first = next(iter(held))
    few = reservations_held(registration_ids=[first], session_ids=[silk])
    many = reservations_held(
        registration_ids=[*held, *range(10**8, 10**8 + 300_000)], session_ids=[silk]
    )
    assert few == {(first, silk)}
    assert many == {(r, silk) for r in held}
