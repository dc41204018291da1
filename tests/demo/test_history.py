"""`smartexpo demo history`: the 2018 edition's registrations with their booking dates and its
admissions at the entrance gates, made once (on a small scale: 2,000 visits)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartexpo.checkin.models import Scan, ScanResult
from smartexpo.crowd.models import SensorEvent
from smartexpo.demo.booking import opening_of
from smartexpo.demo.history import history_sizes, visits_per_registration
from smartexpo.demo.seed import demo_seed
from smartexpo.demo.simulator.showup import SHOW_UP
from smartexpo.tickets.models import DayQuota, Registration, Ticket
from smartexpo.venue.models import Expo, ZoneKind
from tests.conftest import make_expo
from tests.demo.worlds import demo_world

pytestmark = pytest.mark.django_db
VISITS = 2_000


def history(*args) -> str:
    out = StringIO()
    call_command("demo", "history", "--visits", VISITS, *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build():
        demo_seed(seed=7)
        said = history("--quiet")
        return Expo.objects.get(slug="sce-2018").pk, said

    with demo_world(django_db_blocker, build) as built:
        yield built


@pytest.fixture
def edition(world):
    return Expo.objects.get(pk=world[0])


def test_the_history_registers_enough_people_for_the_expected_visits(world, edition):
    registrations, sizes = history_sizes(days=3, visits=VISITS)
    assert Registration.objects.filter(expo=edition, source="demo").count() == registrations
    # The quotas hold them and were sized from the visits (a public day's at least its third).
    for quota in DayQuota.objects.filter(ticket_type__expo=edition).select_related("ticket_type"):
        assert quota.sold <= quota.size
        assert quota.size >= sizes[quota.ticket_type.code]
    # About the visits asked for: registrations × show-up.
    admitted = Scan.objects.filter(expo=edition, direction="in", result=ScanResult.ADMIT).count()
    assert abs(admitted - VISITS) < 0.05 * VISITS
    assert f"{admitted:,} visits" in world[1]


def test_the_scans_are_admissions_at_the_entrance_gates_on_the_editions_days(edition):
    scans = Scan.objects.filter(expo=edition).select_related("gate__zone")
    assert scans.exists()
    assert {s.gate.zone.kind for s in scans} == {ZoneKind.VENUE}
    assert {s.result for s in scans} == {ScanResult.ADMIT}
    assert all(s.ticket_id is not None and s.gate_code == s.gate.code for s in scans)
    directions = Counter(s.direction for s in scans)
    assert directions["in"] == directions["out"]
    days = Counter(s.scanned_at.astimezone(edition.tz).date() for s in scans if s.direction == "in")
    assert sorted(days) == edition.days
    for s in scans:
        local = s.scanned_at.astimezone(edition.tz)
        assert edition.opens_at <= local.time() <= edition.closes_at
    # No sensor event and no forum door's scan: the history is admissions.
    assert not SensorEvent.objects.filter(expo=edition).exists()


def test_every_admission_was_booked_before_its_day(edition):
    booked = dict(Ticket.objects.filter(expo=edition).values_list("id", "created_at"))
    for ticket_id, at in Scan.objects.filter(expo=edition, direction="in").values_list(
        "ticket_id", "scanned_at"
    ):
        assert booked[ticket_id] < opening_of(edition, at.astimezone(edition.tz).date())


def test_registrations_carry_their_booking_dates(edition):
    first = opening_of(edition, edition.days[0])
    tickets = Ticket.objects.filter(expo=edition).select_related("registration")
    assert tickets.count() == Registration.objects.filter(expo=edition).count()
    ahead = []
    for ticket in tickets:
        booked = ticket.registration.created_at
        days = [dt.date.fromisoformat(d) for d in ticket.days]
        # A day ticket's holder registered by the morning of their day, a pass's by the last.
        assert booked < opening_of(edition, days[-1])
        assert booked >= first - dt.timedelta(days=90)
        assert ticket.created_at == booked
        if booked < first:
            ahead.append((first - booked).days)
    assert len(set(ahead)) > 60 and sum(d < 21 for d in ahead) > len(ahead) / 2


def test_a_second_run_finds_the_history_and_does_nothing(edition):
    scans, registrations = Scan.objects.count(), Registration.objects.count()
    said = history()
    assert "the history is there" in said and "nothing to do" in said
    assert Scan.objects.count() == scans and Registration.objects.count() == registrations


def test_bad_options_are_refused(edition):
    with pytest.raises(CommandError, match="--visits must be from 1"):
        call_command("demo", "history", "--visits", "0")
    with pytest.raises(CommandError, match="No edition 'nope'"):
        call_command("demo", "history", "--expo", "nope")
    bare = make_expo(slug="bare-2018")
    with pytest.raises(CommandError, match="no entrance gate"):
        call_command("demo", "history", "--expo", "bare-2018", "--visits", "10")
    assert not Registration.objects.filter(expo=bare).exists()


def test_the_sizes_follow_the_show_up_rates():
    # One registration's expected visits: a day ticket its rate, a staff pass most days.
    assert visits_per_registration("public-day", False, 3) == pytest.approx(SHOW_UP["public-day"])
    assert (
        2.0 < visits_per_registration("exhibitor-staff", True, 3) < 3 * SHOW_UP["exhibitor-staff"]
    )
    registrations, sizes = history_sizes(days=3, visits=580_000)
    assert 700_000 < registrations < 850_000
    assert sizes["public-day"] * 3 > 0.85 * registrations
