"""The demo's forum programme: its size and shape, rooms and doors, the illustrative marks, an
idempotent seed, the demo visitors' reservations and stars, and the bulk services they use."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command

from smartexpo.demo import editions as facts
from smartexpo.demo.programme import demo_audience_seed
from smartexpo.demo.seed import demo_seed
from smartexpo.demo.visitors import demo_visitors_seed
from smartexpo.exhibitors.models import Sector, Tag
from smartexpo.programme.models import (
    Favourite,
    Forum,
    Release,
    Reservation,
    ReservationStatus,
    Session,
    SessionFormat,
    SessionSeats,
    Speaker,
)
from smartexpo.programme.selectors import published_programme
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.programme.services.reservations import reservations_import
from smartexpo.programme.warnings import programme_warnings
from smartexpo.tickets.models import Registration, Ticket, TicketStatus, TicketType
from smartexpo.venue.models import Expo, Gate, Zone, ZoneKind
from tests.demo.worlds import demo_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build():
        demo_seed(seed=7)
        return Expo.objects.get(slug="sce-2019").pk

    with demo_world(django_db_blocker, build) as pk:
        yield pk


@pytest.fixture
def expo(world):
    return Expo.objects.get(pk=world)


def counts(expo) -> dict[str, int]:
    return {
        "forums": Forum.objects.filter(expo=expo).count(),
        "sessions": Session.objects.filter(expo=expo).count(),
        "speakers": Speaker.objects.filter(expo=expo).count(),
        "releases": Release.objects.filter(expo=expo).count(),
        "reservations": Reservation.objects.filter(session__expo=expo).count(),
        "favourites": Favourite.objects.filter(session__expo=expo).count(),
    }


def test_the_programme_has_a_main_forum_twenty_sub_forums_and_its_size(expo):
    sessions = Session.objects.filter(expo=expo)
    assert Forum.objects.filter(expo=expo).count() == 21
    assert Forum.objects.filter(expo=expo, name_en__startswith="Main Forum").count() == 1
    silk = Forum.objects.get(expo=expo, code="silk-road")
    assert "Silk Road" in silk.name_en and "丝路" in silk.name_zh
    assert silk.sessions.count() >= 6
    assert 140 <= sessions.count() <= 160
    assert 280 <= Speaker.objects.filter(expo=expo).count() <= 320
    # Speakers appear in more than one session, and every one speaks somewhere.
    talks = Counter(sessions.values_list("speaker_links__speaker", flat=True))
    talks.pop(None, None)
    assert len(talks) == Speaker.objects.filter(expo=expo).count()
    assert max(talks.values()) >= 2
    assert {s.format for s in sessions} == set(SessionFormat.values)
    # Some sessions by reservation, most not; quotas within their rooms.
    seated = sessions.filter(reservation_required=True)
    assert 10 <= seated.count() < sessions.count() / 2
    assert all(s.seats <= s.room.capacity for s in seated.select_related("room"))
    # Over the four days, within the opening hours (no warnings says so too).
    local_days = {s.starts_at.astimezone(expo.tz).date() for s in sessions}
    assert local_days == set(expo.days)
    assert programme_warnings(expo=expo) == []
    tags = set(Tag.objects.values_list("code", flat=True))
    sectors = set(Sector.objects.values_list("code", flat=True))
    assert set(sessions.values_list("tags__code", flat=True)) - {None} <= tags
    assert set(sessions.values_list("sectors__code", flat=True)) - {None} <= sectors


def test_rooms_in_the_multi_function_hall_and_the_conference_centre_each_with_a_door(expo):
    rooms = Zone.objects.filter(expo=expo, kind=ZoneKind.ROOM).select_related("hall")
    in_m = {r.code for r in rooms if r.hall and r.hall.code == facts.MULTI_HALL["code"]}
    in_cc = {r.code for r in rooms if r.hall is None}
    assert in_m == {code for code, *_rest in facts.HALL_ROOMS}
    assert in_cc == {code for code, *_rest in facts.FORUM_ROOMS}
    used = set(Session.objects.filter(expo=expo).values_list("room__code", flat=True))
    assert used & in_m and used & in_cc
    doors = dict(
        Gate.objects.filter(expo=expo, zone__kind=ZoneKind.ROOM).values_list("zone__code", "code")
    )
    assert doors == {r.code: f"D-{r.code}" for r in rooms}


def test_ticket_types_admit_to_the_rooms_they_should(expo):
    demo_visitors_seed(expo=expo, count=10, seed=7)
    zones = {
        t.code: {z.code for z in t.zones.all()}
        for t in TicketType.objects.filter(expo=expo).prefetch_related("zones")
    }
    rooms = set(Zone.objects.filter(expo=expo, kind=ZoneKind.ROOM).values_list("code", flat=True))
    hall_rooms = {code for code, *_rest in facts.HALL_ROOMS}
    assert zones["public-day"] & rooms == hall_rooms | {"R-MAIN"}
    assert "M" not in zones["public-day"]
    for code in ("professional", "media", "vip"):
        assert rooms <= zones[code]
    assert not zones["exhibitor-staff"] & rooms


def test_what_is_illustrative_says_so_in_both_languages(expo):
    for forum in Forum.objects.filter(expo=expo):
        assert forum.description_en.startswith("Illustrative programme for the demo")
        assert forum.description_zh.startswith("示例议程")
    for speaker in Speaker.objects.filter(expo=expo):
        assert speaker.bio_en.startswith("Illustrative speaker: a fictional person")
        assert speaker.bio_zh.startswith("示例讲者")
    for record in published_programme(expo=expo).sessions:
        assert record["abstract"]["en"].startswith("Illustrative")
        assert record["abstract"]["zh"].startswith("示例")


def test_a_second_seed_changes_nothing_and_publishes_no_second_release(expo):
    demo_visitors_seed(expo=expo, count=800, seed=7)
    demo_audience_seed(expo=expo, seed=7)
    before = counts(expo)
    ids = sorted(Session.objects.filter(expo=expo).values_list("id", flat=True))
    assert before["releases"] == 1 and before["reservations"] > 0 and before["favourites"] > 0
    demo_seed(seed=7)
    again = demo_audience_seed(expo=expo, seed=7)
    assert again["confirmed"] == again["waitlisted"] == again["favourites"] == 0
    assert counts(expo) == before
    assert sorted(Session.objects.filter(expo=expo).values_list("id", flat=True)) == ids
    assert published_programme(expo=expo).version == 1


def test_a_programme_that_differs_from_the_plan_is_put_back_and_published_once(expo):
    session = Session.objects.filter(expo=expo, format="talk").first()
    Session.objects.filter(pk=session.pk).update(title_en="Changed by hand")
    programme_publish(expo=expo, actor="someone")
    demo_seed(seed=7)
    assert Session.objects.get(pk=session.pk).title_en != "Changed by hand"
    release = Release.objects.filter(expo=expo).order_by("-version").first()
    assert release.version == 3 and release.changes["changed"] == [session.pk]
    demo_seed(seed=7)
    assert published_programme(expo=expo).version == 3


def test_visitors_reserve_within_seats_on_their_ticket_days_and_rooms(expo):
    demo_visitors_seed(expo=expo, count=1_500, seed=7)
    result = demo_audience_seed(expo=expo, seed=7)
    assert result["confirmed"] > 0 and result["favourites"] > 0
    published = published_programme(expo=expo)
    confirmed = Counter(
        Reservation.objects.filter(status=ReservationStatus.CONFIRMED).values_list(
            "session_id", flat=True
        )
    )
    for seats in SessionSeats.objects.filter(session__expo=expo):
        assert seats.confirmed == confirmed.get(seats.session_id, 0)
        assert seats.seats is None or seats.confirmed <= seats.seats
    tickets = {
        t.registration_id: t
        for t in Ticket.objects.filter(expo=expo, status=TicketStatus.VALID).select_related(
            "ticket_type"
        )
    }
    admits = {
        t.pk: {z.code for z in t.zones.all()}
        for t in TicketType.objects.filter(expo=expo).prefetch_related("zones")
    }
    held = Reservation.objects.filter(session__expo=expo).values_list(
        "registration_id", "session_id"
    )
    by_registration: dict[int, list[int]] = {}
    for registration_id, session_id in held:
        record = published.by_id[session_id]
        ticket = tickets[registration_id]
        assert record["day"] in ticket.days
        assert record["room"] in admits[ticket.ticket_type_id]
        assert record["seats"] is not None
        by_registration.setdefault(registration_id, []).append(session_id)
    for registration_id, sessions in by_registration.items():
        for s in sessions:
            assert published.overlapping(s, sessions) == []
        interests = set(Registration.objects.get(pk=registration_id).interests)
        assert all(interests & set(published.by_id[s]["tags"]) for s in sessions)


def test_fewer_visitors_free_the_seats_of_those_removed(expo):
    demo_visitors_seed(expo=expo, count=1_500, seed=7)
    demo_audience_seed(expo=expo, seed=7)
    taken = sum(SessionSeats.objects.values_list("confirmed", flat=True))
    demo_visitors_seed(expo=expo, count=300, seed=7)
    left = Reservation.objects.filter(status=ReservationStatus.CONFIRMED).count()
    assert left < taken
    assert sum(SessionSeats.objects.values_list("confirmed", flat=True)) == left


def test_the_bulk_import_never_exceeds_the_seats_and_waitlists_the_rest(expo):
    demo_visitors_seed(expo=expo, count=600, seed=7)
    published = published_programme(expo=expo)
    record = next(s for s in published.sessions if s["seats"] is not None)
    session = Session.objects.get(pk=record["id"])
    Session.objects.filter(pk=session.pk).update(seat_quota=5)
    SessionSeats.objects.filter(session=session).update(seats=5)
    day = record["day"]
    holders = [
        t.registration_id
        for t in Ticket.objects.filter(expo=expo, status=TicketStatus.VALID).order_by("id")
        if day in t.days
    ]
    other_day = next(
        t.registration_id
        for t in Ticket.objects.filter(expo=expo, status=TicketStatus.VALID)
        if day not in t.days
    )
    rows = [(r, session.pk) for r in holders[:9]] + [(other_day, session.pk), (holders[0], 10**9)]
    result = reservations_import(expo=expo, rows=rows)
    assert result == {"confirmed": 5, "waitlisted": 4, "skipped": 2}
    assert SessionSeats.objects.get(session=session).confirmed == 5
    confirmed = Reservation.objects.filter(session=session, status=ReservationStatus.CONFIRMED)
    assert sorted(confirmed.values_list("registration_id", flat=True)) == sorted(holders[:5])
    # Again: nothing new, no seat beyond the five.
    assert reservations_import(expo=expo, rows=rows)["confirmed"] == 0
    assert SessionSeats.objects.get(session=session).confirmed == 5


def test_the_demo_door_scanner_serves_every_room_door_and_keeps_its_token(
    expo, settings, tmp_path, capsys
):
    from smartexpo.devices.models import Device

    settings.DATA_DIR = tmp_path

    def door_token():
        call_command("demo", "login")
        return capsys.readouterr().out.split("Room door token")[1].split()[0]

    first = door_token()
    assert door_token() == first
    assert (tmp_path / "demo-door-scanner-token").stat().st_mode & 0o777 == 0o600
    device = Device.objects.get(name__startswith="Demo door scanner", revoked_at__isnull=True)
    doors = set(
        Gate.objects.filter(expo=expo, zone__kind=ZoneKind.ROOM).values_list("code", flat=True)
    )
    assert {g.code for g in device.gates.all()} == doors and len(doors) == 12
    # The gate scanner's token is another device's, kept apart.
    assert (
        Device.objects.filter(name__startswith="Demo scanner", revoked_at__isnull=True).count() == 1
    )
