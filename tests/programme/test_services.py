"""The programme's services: editing with warnings, publishing releases, seats and waiting
lists, favourites (the API and the pages are tested in their own files)."""

from __future__ import annotations

import pytest

from smartexpo.core.errors import SmartExpoError
from smartexpo.programme.models import Reservation, SessionSeats
from smartexpo.programme.selectors import agenda_of, published_programme, seats_available
from smartexpo.programme.services.editing import session_create, session_update
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.programme.services.reservations import (
    favourite_add,
    reservation_cancel,
    reservation_make,
)
from tests.conftest import public_day_pass, register
from tests.programme.conftest import at


@pytest.fixture
def people(expo, programme):
    public_day_pass(expo, quota_per_day=100)
    return [register(expo, n).registration for n in range(1, 7)]


def codes(warnings) -> set[str]:
    return {w.code for w in warnings}


def test_the_public_sees_the_published_release_not_the_working_copy(expo, programme):
    session_update(session=programme["sessions"]["keynote"], changes={"title_en": "Renamed"})
    published = published_programme(expo=expo)
    assert published.version == 1
    keynote = published.by_id[programme["sessions"]["keynote"].pk]
    assert keynote["title"] == {"en": "Opening keynote", "zh": "开幕主旨演讲"}
    assert keynote["seats"] is None


def test_a_second_release_lists_what_moved_changed_was_added_and_cancelled(expo, programme):
    s = programme["sessions"]
    session_update(session=s["keynote"], changes={"starts_at": at(26, 9), "ends_at": at(26, 10)})
    session_update(session=s["ai"], changes={"title_en": "AI in factories"})
    session_update(session=s["silk"], changes={"cancelled": True})
    new, _ = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Closing",
        starts_at=at(26, 16),
        ends_at=at(26, 17),
    )
    release = programme_publish(expo=expo, actor="test")
    assert release.version == 2
    assert release.changes["added"] == [new.pk]
    assert release.changes["cancelled"] == [s["silk"].pk]
    assert release.changes["changed"] == [s["ai"].pk]
    assert [m["id"] for m in release.changes["moved"]] == [s["keynote"].pk]
    assert release.changes["moved"][0]["from"]["starts_at"].startswith("2019-08-26T09:30")
    assert published_programme(expo=expo).version == 2


def test_every_warning_is_raised_and_none_blocks_the_save(expo, programme, people):
    s = programme["sessions"]
    # Ada speaks at the keynote; put her in the AI talk's room at the keynote's time.
    clash, warnings = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Clash",
        starts_at=at(26, 10),
        ends_at=at(26, 11),
        speakers=[programme["speakers"]["ada"].pk],
    )
    assert codes(warnings) == {"room_double_booked", "speaker_double_booked"}
    _, warnings = session_update(
        session=clash, changes={"starts_at": at(26, 7), "ends_at": at(26, 8)}
    )
    assert codes(warnings) == {"outside_opening_hours"}
    _, warnings = session_update(session=s["silk"], changes={"seats": 5})
    assert codes(warnings) == {"seats_above_capacity"}
    for registration in people[:3]:
        reservation_make(registration=registration, session_id=s["ai"].pk)
    _, warnings = session_update(session=s["ai"], changes={"seats": 2})
    assert codes(warnings) == {"reservations_above_seats"}


def test_publishing_with_open_warnings_needs_confirmation(expo, programme):
    session_update(session=programme["sessions"]["silk"], changes={"seats": 99})
    with pytest.raises(SmartExpoError) as refused:
        programme_publish(expo=expo, actor="test")
    assert refused.value.code == "unconfirmed_warnings"
    assert refused.value.detail["warnings"][0]["code"] == "seats_above_capacity"
    assert published_programme(expo=expo).version == 1
    release = programme_publish(expo=expo, actor="test", confirm=True)
    assert release.version == 2 and release.warnings


def test_a_full_session_waitlists_and_a_cancelled_seat_goes_to_the_first_in_line(programme, people):
    silk = programme["sessions"]["silk"].pk
    answers = [reservation_make(registration=r, session_id=silk)[0] for r in people[:5]]
    assert [a.status for a in answers] == ["confirmed"] * 3 + ["waitlisted"] * 2
    assert seats_available(session_ids=[silk]) == {silk: 0}
    assert agenda_of(registration=people[4])["reservations"] == [
        {"session": silk, "status": "waitlisted", "position": 2}
    ]
    assert reservation_cancel(registration=people[0], session_id=silk)
    assert Reservation.objects.get(registration=people[3]).status == "confirmed"
    assert agenda_of(registration=people[4])["reservations"][0]["position"] == 1
    assert SessionSeats.objects.get(session_id=silk).confirmed == 3


def test_a_repeat_answers_the_same_reservation_and_refusals_carry_their_codes(programme, people):
    s = programme["sessions"]
    first, created = reservation_make(registration=people[0], session_id=s["silk"].pk)
    again, created_again = reservation_make(registration=people[0], session_id=s["silk"].pk)
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(SmartExpoError) as conflict:
        reservation_make(registration=people[0], session_id=s["ai"].pk)
    assert conflict.value.code == "agenda_conflict"
    assert conflict.value.detail == {"sessions": [s["silk"].pk]}
    forced, _ = reservation_make(registration=people[0], session_id=s["ai"].pk, force=True)
    assert forced.status == "confirmed" and forced.forced
    with pytest.raises(SmartExpoError) as needless:
        reservation_make(registration=people[0], session_id=s["keynote"].pk)
    assert needless.value.code == "reservation_not_needed"
    for r in people[1:3]:
        reservation_make(registration=r, session_id=s["silk"].pk)
    with pytest.raises(SmartExpoError) as full:
        reservation_make(registration=people[3], session_id=s["silk"].pk, waitlist=False)
    assert full.value.code == "session_full"


def test_no_ticket_for_the_sessions_day_is_refused(expo, programme):
    public_day_pass(expo, quota_per_day=10)
    other_day = register(expo, 9, days=["2019-08-27"]).registration
    with pytest.raises(SmartExpoError) as refused:
        reservation_make(registration=other_day, session_id=programme["sessions"]["silk"].pk)
    assert refused.value.code == "no_ticket_for_day"


def test_a_bigger_quota_at_the_next_release_confirms_the_waiting_list(expo, programme, people):
    silk = programme["sessions"]["silk"]
    for r in people[:5]:
        reservation_make(registration=r, session_id=silk.pk)
    session_update(session=silk, changes={"seats": 4})
    programme_publish(expo=expo, actor="test", confirm=True)
    statuses = [Reservation.objects.get(registration=r).status for r in people[:5]]
    assert statuses == ["confirmed"] * 4 + ["waitlisted"]


def test_favourites_are_in_the_agenda_once(programme, people):
    keynote = programme["sessions"]["keynote"].pk
    assert favourite_add(registration=people[0], session_id=keynote)
    assert not favourite_add(registration=people[0], session_id=keynote)
    assert agenda_of(registration=people[0])["favourites"] == [keynote]
