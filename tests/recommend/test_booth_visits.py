"""Booth visits: a badge read at a booth (`visitor` tag `ticket:<serial>` on an `enter` at a
booth zone) is recorded once per ticket, zone and day by the sensors' ingest path, becomes
behaviour of the recommendations, and is the holder's personal data."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.crowd.ingest import badge_serial
from smartexpo.crowd.models import BoothVisit
from smartexpo.privacy.services import personal_data_collect, personal_data_erase
from smartexpo.recommend.selectors import person_now
from smartexpo.venue.models import Booth, Zone
from tests.crowd.conftest import at, ev, post
from tests.recommend.conftest import build, holder

A = "/api/v1/expos/test-2019"


@pytest.fixture
def booth_zone(world):
    """Huawei's booth N1-001 is counted by the booth zone N1-B."""
    zone = Zone.objects.get(expo=world, code="N1-B")
    Booth.objects.filter(expo=world, code="N1-001").update(zone=zone)
    return zone


def serial_of(registration) -> int:
    return registration.tickets.get().serial


def test_badge_tags_are_read_strictly():
    assert badge_serial("ticket:123") == 123
    for tag in (
        None,
        "",
        "v1",
        "ticket:",
        "ticket:12a",
        "ticket:-1",
        "TICKET:1",
        "ticket:" + "9" * 19,
    ):
        assert badge_serial(tag) is None, tag


def test_badge_reads_at_a_booth_are_visits_once_a_day_and_other_tags_are_not(
    world, booth_zone, sensor
):
    buyer, partner = world.test_people["buyer"], world.test_people["partner"]
    mine = f"ticket:{serial_of(buyer)}"
    post(
        sensor,
        [
            ev("N1-B", "enter", at("10:00:00"), visitor=mine),
            ev("N1-B", "enter", at("11:00:00"), visitor=mine),  # the same day: one visit
            ev("N1-B", "exit", at("11:05:00"), visitor=mine),  # an exit is no visit
            ev("N1-B", "enter", at("10:00:00", "2019-08-27"), visitor=mine),  # another day
            ev("N1-B", "enter", at("10:00:00"), visitor="v-anonymous"),  # not a badge
            ev("N1", "enter", at("10:00:00"), visitor=f"ticket:{serial_of(partner)}"),  # a hall
            ev("N1-B", "enter", at("10:00:00")),  # no tag at all
        ],
    )
    visits = list(BoothVisit.objects.order_by("day").values_list("serial", "zone_id", "day"))
    assert visits == [
        (serial_of(buyer), booth_zone.pk, dt.date(2019, 8, 26)),
        (serial_of(buyer), booth_zone.pk, dt.date(2019, 8, 27)),
    ]
    # The local day of the edition, not UTC's: 07:30 in Shanghai is the evening before in UTC.
    post(sensor, [ev("N1-B", "enter", at("07:30:00", "2019-08-28"), visitor=mine)])
    assert BoothVisit.objects.filter(day=dt.date(2019, 8, 28)).exists()


def test_a_resent_batch_records_nothing_twice(world, booth_zone, sensor):
    mine = f"ticket:{serial_of(world.test_people['buyer'])}"
    batch = [ev("N1-B", "enter", at("10:00:00"), visitor=mine)]
    post(sensor, batch)
    again = post(sensor, batch)
    assert again["duplicates"] == 1
    assert BoothVisit.objects.count() == 1


def test_visits_are_behaviour_and_personal_data(world, booth_zone, sensor):
    buyer = world.test_people["buyer"]
    huawei = world.test_exhibitors["huawei"]
    mine = f"ticket:{serial_of(buyer)}"
    post(
        sensor,
        [
            ev("N1-B", "enter", at("10:00:00"), visitor=mine),
            ev("N1-B", "enter", at("10:00:00", "2019-08-27"), visitor=mine),
        ],
    )
    _person, history = person_now(buyer)
    assert history == {huawei.pk: 2.0}
    build(world)
    # A visited exhibitor is not recommended again; its hall is a reason for the others there.
    answer = holder(buyer).get(f"{A}/registrations/{buyer.pk}/recommendations")
    assert "huawei" not in [i["exhibitor"]["slug"] for i in answer.json()["items"]]

    data = personal_data_collect(registration=buyer)["recommendations"]
    assert [(v["ticket"], v["zone"], v["day"]) for v in data["booth_visits"]] == [
        (serial_of(buyer), "N1-B", "2019-08-26"),
        (serial_of(buyer), "N1-B", "2019-08-27"),
    ]
    personal_data_erase(registration=buyer, actor="test", via="api")
    assert not BoothVisit.objects.exists()


def test_a_lead_is_behaviour_until_the_visitor_withdraws(world):
    from smartexpo.leads.selectors import Capturer
    from smartexpo.leads.services.capture import lead_capture
    from smartexpo.leads.services.consent import lead_withdraw
    from smartexpo.tickets.issuing import ticket_secret

    buyer, byd = world.test_people["buyer"], world.test_exhibitors["byd"]
    lead, _new = lead_capture(
        expo=world, capturer=Capturer(byd), secret=ticket_secret(buyer.tickets.get())
    )
    assert person_now(buyer)[1] == {byd.pk: 3.0}
    lead_withdraw(registration=buyer, pk=lead.pk)
    assert person_now(buyer)[1] == {}
