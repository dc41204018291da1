"""`smartexpo demo clock`: set (local time or with an offset), show, clear; clear refusals; the
ticket code it offers is one the demo scanner admits on the clock's day."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartexpo.demo.login import demo_scanner_token
from smartexpo.demo.seed import demo_seed
from smartexpo.demo.visitors import demo_visitors_seed
from smartexpo.tickets.models import Registration, Ticket
from smartexpo.venue.clock import edition_now
from smartexpo.venue.models import Expo
from tests.conftest import ApiClient
from tests.demo.worlds import demo_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build():
        demo_seed(seed=7)
        expo = Expo.objects.get(slug="sce-2019")
        demo_visitors_seed(expo=expo, count=300, seed=7)
        return expo.pk

    with demo_world(django_db_blocker, build) as pk:
        yield pk


@pytest.fixture
def demo(world):
    return Expo.objects.get(pk=world)


def clock(*args) -> str:
    out = io.StringIO()
    call_command("demo", "clock", *args, stdout=out)
    return out.getvalue()


def reads(expo) -> dt.datetime:
    return edition_now(Expo.objects.get(pk=expo.pk))


def test_a_local_time_is_the_editions_and_the_clock_runs_on_from_it(demo):
    said = clock("2019-08-27T10:00")
    assert "demo clock set; it reads 2019-08-27 10:00:00 (Asia/Shanghai)" in said
    expected = dt.datetime(2019, 8, 27, 10, tzinfo=demo.tz)
    assert dt.timedelta(0) <= reads(demo) - expected < dt.timedelta(seconds=30)
    shown = clock()
    assert re.search(r"demo clock 2019-08-27 10:00:\d\d \(Asia/Shanghai\), not the real", shown)
    assert "smartexpo demo clock --off" in shown


def test_an_instant_with_its_offset_is_read_as_such(demo):
    clock("2019-08-27T10:00+02:00")
    expected = dt.datetime.fromisoformat("2019-08-27T16:00:00+08:00")
    assert dt.timedelta(0) <= reads(demo) - expected < dt.timedelta(seconds=30)


def test_off_goes_back_to_the_real_time(demo):
    clock("2019-08-27 10:00")
    assert "demo clock cleared" in clock("--off")
    assert Expo.objects.get(pk=demo.pk).clock_offset is None
    assert "no demo clock was set" in clock("--off")
    assert "no demo clock; the edition runs on the real time" in clock()


def test_the_ticket_code_it_offers_is_admitted_by_the_demo_scanner(demo):
    said = clock("2019-08-27T10:00")
    code = re.search(r"^  (\S{100,})$", said, re.M).group(1)
    assert "/expos/sce-2019/scanner/" in said and "gate G-N" in said
    serial = int(re.search(r"serial (\d+)", said).group(1))
    ticket = Ticket.objects.get(serial=serial)
    assert ticket.registration.source == "demo"
    scanner = ApiClient(demo_scanner_token())
    body = {"secret": code, "gate": "G-N", "direction": "in", "nonce": "try-1"}
    answer = scanner.post("/api/v1/expos/sce-2019/checkin/scans", body).json()
    assert answer["result"] == "admit", answer
    assert answer["ticket"]["serial"] == serial
    # Inside now: the next offer is somebody else's ticket.
    again = clock("2019-08-27T10:05")
    assert f"serial {serial})" not in again and "serial " in again


def test_no_ticket_is_offered_without_demo_visitors_or_on_a_day_without_the_expo(demo):
    said = clock("2019-09-02T10:00")
    assert "That is not a day of sce-2019" in said and "Try it" not in said
    Registration.objects.filter(expo=demo).delete()
    assert "Try it" not in clock("2019-08-27T10:00")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["tomorrow"],
            r"Could not read 'tomorrow' as a date and time: give it as 2019-08-27T10:00",
        ),
        (["2019-02-30T10:00"], "Could not read '2019-02-30T10:00'"),
        (["2019-08-27T25:00"], "Could not read"),
        (["0001-01-01T00:00"], "The year must be from 1971 to 9998"),
        (
            ["2019-08-27T10:00", "--off"],
            "Give an instant to set the demo clock, or --off, not both",
        ),
        (["--expo", "nope"], "No edition 'nope'"),
        (["2019-08-27T10:00", "--expo", "nope"], "No edition 'nope'"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(demo, args, message):
    with pytest.raises(CommandError, match=message):
        clock(*args)
    assert Expo.objects.get(pk=demo.pk).clock_offset is None


def test_an_unknown_option_is_refused_by_the_parser(demo, capsys):
    with pytest.raises(CommandError, match="unrecognized arguments: --speed"):
        call_command("demo", "clock", "--speed", "2")
