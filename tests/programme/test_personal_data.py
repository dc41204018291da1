"""A registration's seats follow its fate: cancelling gives them to the waiting list, and the
personal-data export and erasure cover the programme's part."""

from __future__ import annotations

import pytest

from smartexpo.privacy.services import personal_data_collect, personal_data_erase
from smartexpo.programme.models import AgendaFeed, Favourite, Reservation, SessionSeats
from smartexpo.programme.services.reservations import (
    agenda_feed_secret,
    favourite_add,
    reservation_make,
)
from smartexpo.tickets.services.cancellation import registration_cancel
from tests.conftest import public_day_pass, register


@pytest.fixture
def people(expo, programme):
    public_day_pass(expo, quota_per_day=100)
    return [register(expo, n).registration for n in range(1, 6)]


def fill_silk(programme, people):
    silk = programme["sessions"]["silk"].pk
    for registration in people[:4]:
        reservation_make(registration=registration, session_id=silk)
    return silk


def test_cancelling_a_registration_gives_its_seat_to_the_first_on_the_waiting_list(
    programme, people
):
    silk = fill_silk(programme, people)
    registration_cancel(registration=people[0])
    assert not Reservation.objects.filter(registration=people[0]).exists()
    assert Reservation.objects.get(registration=people[3]).status == "confirmed"
    assert SessionSeats.objects.get(session_id=silk).confirmed == 3


def test_the_export_lists_reservations_favourites_and_withholds_the_feed_secret(programme, people):
    silk = fill_silk(programme, people)
    favourite_add(registration=people[3], session_id=programme["sessions"]["keynote"].pk)
    secret = agenda_feed_secret(registration=people[3])
    data = personal_data_collect(registration=people[3])["programme"]
    assert [(r["session"], r["status"]) for r in data["reservations"]] == [(silk, "waitlisted")]
    assert data["reservations"][0]["title"]["zh"] == "丝路数字合作"
    assert [f["session"] for f in data["favourites"]] == [programme["sessions"]["keynote"].pk]
    assert data["agenda_feed"] is True
    assert secret not in repr(data)


def test_erasure_frees_the_seat_and_deletes_favourites_and_the_feed(programme, people):
    silk = fill_silk(programme, people)
    favourite_add(registration=people[0], session_id=programme["sessions"]["keynote"].pk)
    agenda_feed_secret(registration=people[0])
    personal_data_erase(registration=people[0], actor="test", via="api")
    assert not Reservation.objects.filter(registration=people[0]).exists()
    assert not Favourite.objects.filter(registration=people[0]).exists()
    assert not AgendaFeed.objects.filter(registration=people[0]).exists()
    assert Reservation.objects.get(registration=people[3]).status == "confirmed"
    assert SessionSeats.objects.get(session_id=silk).confirmed == 3
