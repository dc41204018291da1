"""The dashboard's forum attendance (the programme's attendance counts summed, for the same
instant; the programme of `tests.programme.conftest`: `silk` in R2 11:00–12:00 with 3 seats) and
its business meetings held (`tests.meetings.checkin_world`'s session and meetings)."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.meetings.models import Meeting
from smartexpo.programme.attendance import attendance_counts
from smartexpo.reports import dashboard_cache
from smartexpo.reports.dashboard_cache import dashboard_payload
from tests.checkin.conftest import issue, make_types, result_of, scan, scanner_client
from tests.checkin.test_room_doors import reserved
from tests.meetings import checkin_world
from tests.programme.conftest import at, programme, rooms  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_dashboard():
    dashboard_cache.forget()
    yield
    dashboard_cache.forget()


def test_forum_attendance_and_no_shows_are_the_sessions_attendance_summed(
    expo,
    programme,  # noqa: F811
):
    make_types(expo)
    door = scanner_client(expo, gates=("G1", "D-R1", "D-R2"), name="Room doors")
    seats = [reserved(expo, programme) for _ in range(3)]
    for _ticket, secret in seats[:2]:
        assert result_of(scan(door, secret, gate="D-R2", at=at(26, 11, 5).isoformat()))[0] == (
            "admit"
        )

    during = dashboard_payload(expo=expo, at=at(26, 11, 30))["activity"]["forums"]
    # Silk has not ended: its missing seat is not a no-show yet.
    assert (during["reserved"], during["checked_in"], during["no_shows"]) == (3, 2, 0)
    assert during["ended"] == 1  # the keynote, without reservations

    after = dashboard_payload(expo=expo, at=at(26, 12, 15))["activity"]["forums"]
    counts = attendance_counts(expo=expo, now=at(26, 12, 15)).values()
    assert after["sessions"] == len(counts) == 3
    assert after["reserved"] == sum(c.reserved for c in counts) == 3
    assert after["checked_in"] == sum(c.checked_in for c in counts) == 2
    assert after["no_shows"] == sum(c.no_shows or 0 for c in counts) == 1
    assert after["ended"] == 2


def test_meetings_held_are_those_both_sides_checked_in_at_by_the_instant(expo):
    make_types(expo)
    huawei = checkin_world.participant(expo, exhibitor=expo.test_exhibitors["huawei"])
    toyota = checkin_world.participant(expo, exhibitor=expo.test_exhibitors["toyota"])
    visitors = [
        checkin_world.participant(expo, registration=issue(expo)[0].registration) for _ in range(3)
    ]
    sess = checkin_world.session(expo)  # 20-minute slots from 09:00
    both = checkin_world.meeting(sess, huawei, visitors[0], slot=3, table=1)  # 10:00–10:20
    one = checkin_world.meeting(sess, toyota, visitors[1], slot=3, table=2)
    later = checkin_world.meeting(sess, huawei, visitors[2], slot=5, table=1)  # 10:40–11:00
    came = checkin_world.TEN + dt.timedelta(minutes=2)
    Meeting.objects.filter(pk=both.pk).update(a_checked_in_at=came, b_checked_in_at=came)
    Meeting.objects.filter(pk=one.pk).update(a_checked_in_at=came)
    # Checked in after the instant: not held at it.
    Meeting.objects.filter(pk=later.pk).update(
        a_checked_in_at=checkin_world.TEN + dt.timedelta(minutes=41),
        b_checked_in_at=checkin_world.TEN + dt.timedelta(minutes=41),
    )
    instant = checkin_world.TEN + dt.timedelta(minutes=30)
    section = dashboard_payload(expo=expo, at=instant)["activity"]["meetings"]
    assert section == {"scheduled": 3, "ended": 2, "held": 1, "one_side": 1}
    later_on = dashboard_payload(expo=expo, at=instant + dt.timedelta(hours=1))
    assert later_on["activity"]["meetings"] == {
        "scheduled": 3,
        "ended": 3,
        "held": 2,
        "one_side": 1,
    }
