"""Check-in at a room's door: a session's reservations admit, the venue's state is left alone,
attendance is counted once per session, and an offline scanner knows the session rules.

The programme is `tests.programme.conftest.programme` on 26 August 2019: `keynote` in R1
09:30–10:30 (no reservation), `silk` in R2 11:00–12:00 (3 seats), `ai` in R1 11:30–12:30 (50
seats); the doors are gates D-R1 and D-R2.
"""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.checkin.models import Scan
from smartexpo.checkin.offline import OfflineScanner
from smartexpo.crowd.services import pending_fold
from smartexpo.programme.attendance import attendance_counts
from smartexpo.programme.models import Attendance, Reservation, ReservationStatus
from smartexpo.programme.services.reservations import reservation_cancel, reservation_make
from smartexpo.tickets.models import Ticket
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.checkin.conftest import KEYS, SYNC, issue, result_of, scan, scanner_client
from tests.conftest import error_of
from tests.programme.conftest import at, programme, rooms  # noqa: F401 - fixtures

SETUP = "/api/v1/expos/test-2019/checkin/setup"
DOOR_GATES = ("G1", "D-R1", "D-R2")


def attendance_url(session_id: int, expo: str = "test-2019") -> str:
    return f"/api/v1/expos/{expo}/sessions/{session_id}/attendance"


@pytest.fixture
def forum_pass(expo, types):
    """A pass that lists the forum rooms, beside the day pass (`types["day"]`: venue only)."""
    return ticket_type_create(
        expo=expo,
        code="forum",
        name_en="Forum pass",
        name_zh="论坛票",
        days=["2019-08-26"],
        quota_per_day=100,
        zones=["V", "R1", "R2"],
    )


@pytest.fixture
def door(expo, programme, forum_pass):  # noqa: F811 - the fixture imported above
    return scanner_client(expo, gates=DOOR_GATES, name="Room doors")


def iso(instant: dt.datetime) -> str:
    return instant.isoformat()


def reserved(expo, programme, key="silk", code="day"):  # noqa: F811
    ticket, secret = issue(expo, code=code)
    made, _new = reservation_make(
        registration=ticket.registration, session_id=programme["sessions"][key].pk
    )
    assert made.status == ReservationStatus.CONFIRMED
    return ticket, secret


# --- online ---------------------------------------------------------------------------------


def test_a_reservation_admits_at_the_door_and_none_is_refused_not_reserved(
    expo,
    programme,  # noqa: F811
    door,
):
    _ticket, with_seat = reserved(expo, programme)
    _other, without = issue(expo)
    at_silk = iso(at(26, 11, 5))
    # The day pass lists only the venue: the reservation is what admits into R2.
    assert result_of(scan(door, with_seat, gate="D-R2", at=at_silk)) == ("admit", None)
    assert result_of(scan(door, without, gate="D-R2", at=at_silk)) == ("reject", "not_reserved")
    refused = Scan.objects.get(reason="not_reserved")
    assert refused.zone.code == "R2" and refused.ticket_id is not None


def test_a_place_on_the_waiting_list_is_not_a_reservation(expo, programme, door):  # noqa: F811
    for _ in range(3):
        reserved(expo, programme)
    ticket, secret = issue(expo)
    waiting, _new = reservation_make(
        registration=ticket.registration, session_id=programme["sessions"]["silk"].pk
    )
    assert waiting.status == ReservationStatus.WAITLISTED
    at_silk = iso(at(26, 11, 10))
    assert result_of(scan(door, secret, gate="D-R2", at=at_silk)) == ("reject", "not_reserved")
    # A seat freed goes to the waiting list: then the door admits.
    first = Reservation.objects.filter(status=ReservationStatus.CONFIRMED).first()
    reservation_cancel(registration=first.registration, session_id=first.session_id)
    assert result_of(scan(door, secret, gate="D-R2", at=at_silk)) == ("admit", None)


def test_a_session_without_seats_admits_by_the_ticket_types_zones(
    expo,
    programme,  # noqa: F811
    door,
):
    _day, day_pass = issue(expo)
    _forum, forum = issue(expo, code="forum", days=("2019-08-26",))
    at_keynote = iso(at(26, 10))
    assert result_of(scan(door, day_pass, gate="D-R1", at=at_keynote)) == (
        "reject",
        "zone_not_allowed",
    )
    assert result_of(scan(door, forum, gate="D-R1", at=at_keynote)) == ("admit", None)


def test_without_a_session_at_the_door_the_zone_rules_alone_decide(
    expo,
    programme,  # noqa: F811
    door,
):
    _day, day_pass = issue(expo)
    _forum, forum = issue(expo, code="forum", days=("2019-08-26",))
    afternoon = iso(at(26, 15))
    assert result_of(scan(door, day_pass, gate="D-R1", at=afternoon)) == (
        "reject",
        "zone_not_allowed",
    )
    assert result_of(scan(door, forum, gate="D-R1", at=afternoon)) == ("admit", None)
    assert not Attendance.objects.exists()


def test_the_door_opens_thirty_minutes_before_a_seated_session(
    expo,
    programme,  # noqa: F811
    door,
):
    # R1 at 11:05: the keynote is over and `ai` (50 seats) starts within half an hour.
    _forum, forum = issue(expo, code="forum", days=("2019-08-26",))
    assert result_of(scan(door, forum, gate="D-R1", at=iso(at(26, 11, 5)))) == (
        "reject",
        "not_reserved",
    )
    _ticket, seated = reserved(expo, programme, key="ai")
    assert result_of(scan(door, seated, gate="D-R1", at=iso(at(26, 11, 5)))) == ("admit", None)


def test_a_room_door_leaves_the_venue_state_alone(expo, programme, door):  # noqa: F811
    ticket, secret = reserved(expo, programme)
    at_silk = at(26, 11, 1)
    assert result_of(scan(door, secret, gate="G1", at=iso(at(26, 10, 50)))) == ("admit", None)
    # Inside the venue, into the room: no `already_inside`.
    assert result_of(scan(door, secret, gate="D-R2", at=iso(at_silk))) == ("admit", None)
    assert Ticket.objects.get(pk=ticket.pk).inside_day == dt.date(2019, 8, 26)
    # Out of the room: still inside the venue.
    assert result_of(scan(door, secret, gate="D-R2", direction="out", at=iso(at(26, 11, 20)))) == (
        "admit",
        None,
    )
    assert Ticket.objects.get(pk=ticket.pk).inside_day == dt.date(2019, 8, 26)
    assert result_of(scan(door, secret, gate="G1", at=iso(at(26, 11, 21)))) == (
        "reject",
        "already_inside",
    )
    # Back into the room: admitted, counted once.
    assert result_of(scan(door, secret, gate="D-R2", at=iso(at(26, 11, 25)))) == ("admit", None)
    (attended,) = Attendance.objects.all()
    assert attended.ticket_id == ticket.pk and attended.checked_in_at == at_silk
    # A visitor who never scanned in at the venue may still enter a room: its door does not
    # read the venue state (the venue gates keep their own anti-passback).
    _other, outside = reserved(expo, programme)
    assert result_of(scan(door, outside, gate="D-R2", at=iso(at_silk))) == ("admit", None)
    assert result_of(scan(door, outside, gate="G1", at=iso(at(26, 11, 30)))) == ("admit", None)


def test_a_repeated_nonce_at_the_door_counts_nothing_twice(expo, programme, door):  # noqa: F811
    _ticket, secret = reserved(expo, programme)
    first = scan(door, secret, gate="D-R2", at=iso(at(26, 11, 5)), nonce="door-1")
    again = scan(door, secret, gate="D-R2", at=iso(at(26, 11, 5)), nonce="door-1")
    assert first.json() == again.json()
    assert Attendance.objects.count() == 1
    assert Scan.objects.count() == 1


def test_the_room_fills_on_the_live_page_like_any_zone(expo, programme, door):  # noqa: F811
    from smartexpo.crowd import live

    for _ in range(2):
        _ticket, secret = reserved(expo, programme)
        assert result_of(scan(door, secret, gate="D-R2", at=iso(at(26, 11, 2))))[0] == "admit"
    pending_fold(expo=expo)
    state = live.live_state(expo=expo, chosen=at(26, 11, 30))
    room = next(z for z in state.zones if z["zone"] == "R2")
    assert room["count"] == 2
    assert {"R1", "R2"} <= {z["zone"] for z in state.zones}


# --- sync and offline -------------------------------------------------------------------------


def test_synced_door_scans_conflict_without_a_reservation_and_leave_the_venue_alone(
    expo,
    programme,  # noqa: F811
    door,
):
    ticket, with_seat = reserved(expo, programme)
    _other, without = issue(expo)
    at_silk = iso(at(26, 11, 5))
    body = {
        "scans": [
            {
                "secret": with_seat,
                "gate": "D-R2",
                "direction": "in",
                "nonce": "s1",
                "scanned_at": at_silk,
            },
            {
                "secret": without,
                "gate": "D-R2",
                "direction": "in",
                "nonce": "s2",
                "scanned_at": at_silk,
            },
            {
                "secret": with_seat,
                "gate": "G1",
                "direction": "in",
                "nonce": "s3",
                "scanned_at": iso(at(26, 11, 30)),
            },
        ]
    }
    results = door.post(SYNC, body).json()["results"]
    assert [(r["result"], r.get("reason"), r.get("detail")) for r in results] == [
        ("admit", None, None),
        ("reject", "conflict", {"reason": "not_reserved"}),
        # The room's door did not put the ticket inside the venue.
        ("admit", None, None),
    ]
    assert Ticket.objects.get(pk=ticket.pk).inside_day == dt.date(2019, 8, 26)
    # Both went into the room (the conflict too): both are counted.
    counts = attendance_counts(expo=expo, session_ids=[programme["sessions"]["silk"].pk])
    assert counts[programme["sessions"]["silk"].pk].checked_in == 2


def test_the_set_up_carries_the_session_rules_of_the_devices_rooms_only(
    expo,
    programme,  # noqa: F811
    forum_pass,
):
    ticket, _secret = reserved(expo, programme)
    waiting_list = [reserved(expo, programme) for _ in range(2)]
    _late, _ = issue(expo)
    reservation_make(registration=_late.registration, session_id=programme["sessions"]["silk"].pk)
    setup = scanner_client(expo, gates=("G1", "D-R2")).get(SETUP).json()
    assert [(g["code"], g["room"]) for g in setup["gates"]] == [("D-R2", True), ("G1", False)]
    assert setup["doors_open_before"] == 1800
    assert setup["programme_version"] == 1
    (silk,) = setup["sessions"]
    assert silk["id"] == programme["sessions"]["silk"].pk
    assert silk["room"] == "R2" and silk["reservation"] is True
    assert silk["starts_at"] == "2019-08-26T11:00:00+08:00"
    # The confirmed seats' serials; the one on the waiting list is not there.
    assert silk["reserved"] == sorted([ticket.serial] + [t.serial for t, _s in waiting_list])
    # A venue gate's device gets no sessions at all.
    assert scanner_client(expo, gates=("G1",), name="Gate").get(SETUP).json()["sessions"] == []
    r1 = scanner_client(expo, gates=("D-R1",), name="R1 door").get(SETUP).json()["sessions"]
    assert [(s["room"], s["reservation"], s["reserved"]) for s in r1] == [
        ("R1", False, []),
        ("R1", True, []),
    ]


def test_the_offline_scanner_decides_at_the_door_as_the_server(
    expo,
    programme,  # noqa: F811
    door,
):
    _ticket, with_seat = reserved(expo, programme)
    _other, without = issue(expo)
    _forum, forum = issue(expo, code="forum", days=("2019-08-26",))
    offline = OfflineScanner(door.get(KEYS).json(), door.get(SETUP).json())
    cases = [
        (with_seat, "D-R2", at(26, 11, 5)),
        (without, "D-R2", at(26, 11, 5)),
        (forum, "D-R2", at(26, 11, 6)),
        (forum, "D-R1", at(26, 10)),
        (without, "D-R1", at(26, 10)),
        (forum, "D-R1", at(26, 11, 5)),
        (forum, "D-R1", at(26, 15)),
        (with_seat, "G1", at(26, 11, 30)),
    ]
    online = [result_of(scan(door, s, gate=g, at=iso(t))) for s, g, t in cases]
    alone = [
        (v.result, v.reason)
        for v in (offline.scan(s, gate=g, direction="in", at=t) for s, g, t in cases)
    ]
    assert alone == online
    assert online[:3] == [("admit", None), ("reject", "not_reserved"), ("reject", "not_reserved")]
    # Admissions at the door are not remembered as inside the venue.
    assert list(offline.inside) == [Ticket.objects.get(registration=_ticket.registration).serial]


# --- attendance -------------------------------------------------------------------------------


def test_attendance_counts_reserved_checked_in_and_no_shows_once_ended(
    expo,
    programme,  # noqa: F811
    door,
):
    silk = programme["sessions"]["silk"].pk
    came = [reserved(expo, programme) for _ in range(2)]
    reserved(expo, programme)  # never comes
    for _ticket, secret in came:
        assert result_of(scan(door, secret, gate="D-R2", at=iso(at(26, 11, 3))))[0] == "admit"
    during = attendance_counts(expo=expo, session_ids=[silk], now=at(26, 11, 30))[silk]
    assert (during.reserved, during.checked_in, during.no_shows, during.ended) == (
        3,
        2,
        None,
        False,
    )
    after = attendance_counts(expo=expo, session_ids=[silk], now=at(26, 12))[silk]
    assert (after.reserved, after.checked_in, after.no_shows, after.ended) == (3, 2, 1, True)
    # Every session of the edition when none is named; the keynote had nobody.
    everything = attendance_counts(expo=expo, now=at(26, 13))
    keynote = everything[programme["sessions"]["keynote"].pk]
    assert (keynote.reserved, keynote.checked_in, keynote.no_shows) == (0, 0, 0)


@pytest.fixture
def organizer_client(db):
    from smartexpo.core.models import Role
    from smartexpo.core.tokens import token_create
    from tests.conftest import ApiClient

    _token, raw = token_create(role=Role.ORGANIZER, name="Programme organiser")
    return ApiClient(raw)


def test_organisers_read_a_sessions_attendance_through_the_api(
    expo,
    programme,  # noqa: F811
    door,
    organizer_client,
    anonymous,
    exhibitor,
    other_expo,
):
    silk = programme["sessions"]["silk"].pk
    _ticket, secret = reserved(expo, programme)
    assert result_of(scan(door, secret, gate="D-R2", at=iso(at(26, 11, 3))))[0] == "admit"
    answer = organizer_client.get(attendance_url(silk))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["session"], body["reserved"], body["checked_in"]) == (silk, 1, 1)
    assert set(body) == {"session", "reserved", "checked_in", "no_shows", "ended"}
    assert anonymous.get(attendance_url(silk)).status_code == 401
    assert exhibitor.get(attendance_url(silk)).status_code == 403
    assert door.get(attendance_url(silk)).status_code == 403
    assert error_of(organizer_client.get(attendance_url(999_999)))["code"] == "not_found"
    # Past the database's integers (the fuzzer's 2^63 was a 500): still no such session.
    for huge in (2**53, 2**63, 2**64):
        assert error_of(organizer_client.get(attendance_url(huge)))["code"] == "not_found"
    # Another edition's address does not reach this edition's session.
    assert organizer_client.get(attendance_url(silk, expo=other_expo.slug)).status_code == 404


def test_a_door_scan_never_answers_500_for_a_door_without_a_programme(expo, rooms, types):  # noqa: F811
    # No release yet: the door has no session, the zones decide.
    client = scanner_client(expo, gates=("D-R1",))
    _ticket, secret = issue(expo)
    assert result_of(scan(client, secret, gate="D-R1")) == ("reject", "zone_not_allowed")
    assert client.get(SETUP).json()["sessions"] == []


def test_the_bulk_import_decides_the_door_as_the_sync_and_counts_attendance(
    expo,
    programme,  # noqa: F811
    forum_pass,
):
    import polars as pl

    from smartexpo.checkin.services.bulk_sync import (
        scans_facts,
        scans_sync_apply,
        scans_sync_plan,
    )
    from smartexpo.devices.auth import Scanner
    from smartexpo.devices.services import device_create

    device, _token = device_create(expo=expo, name="Doors", kind="scanner", gates=list(DOOR_GATES))
    scanners = {"Doors": Scanner(device.pk, expo.pk, "Doors", frozenset(DOOR_GATES))}
    ticket, with_seat = reserved(expo, programme)
    _other, without = issue(expo)
    rows = [
        (with_seat, "G1", "in", at(26, 10, 55)),
        (with_seat, "D-R2", "in", at(26, 11, 5)),
        (without, "D-R2", "in", at(26, 11, 6)),
        (with_seat, "D-R2", "out", at(26, 11, 40)),
        (with_seat, "D-R2", "in", at(26, 11, 45)),
    ]
    frame = pl.DataFrame(
        {
            "device": ["Doors"] * len(rows),
            "secret": [r[0] for r in rows],
            "gate": [r[1] for r in rows],
            "direction": [r[2] for r in rows],
            "nonce": [f"b{i}" for i in range(len(rows))],
            "at": [r[3] for r in rows],
        },
        schema_overrides={"at": pl.Datetime("us", "UTC")},
    )
    facts = scans_facts(expo=expo, scanners=scanners, frame=frame)
    plan = scans_sync_plan(expo=expo, scanners=scanners, facts=facts)
    scans_sync_apply(plan)
    assert list(Scan.objects.order_by("scanned_at").values_list("result", "reason", "rule")) == [
        ("admit", "", ""),
        ("admit", "", ""),
        ("reject", "conflict", "not_reserved"),
        ("admit", "", ""),
        ("admit", "", ""),
    ]
    # The room's exit did not take the ticket out of the venue.
    assert Ticket.objects.get(pk=ticket.pk).inside_day == dt.date(2019, 8, 26)
    silk = programme["sessions"]["silk"].pk
    assert sorted(Attendance.objects.values_list("session_id", "checked_in_at")) == [
        (silk, at(26, 11, 5)),
        (silk, at(26, 11, 6)),
    ]
