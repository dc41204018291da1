"""The attendance forecast (docs/planning.md, "The attendance forecast"): learned from the
previous edition, with defaults without one, counted and nowcast during the edition."""

from __future__ import annotations

import datetime as dt
import io
import random

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from smartexpo.planning.arrivals import arrivals_read
from smartexpo.planning.forecast import attendance_forecast
from smartexpo.planning.forecast_arrivals import opening_of
from smartexpo.planning.lanes import lane_plan
from smartexpo.planning.selectors import gate_lanes
from smartexpo.tickets.models import Ticket
from tests.planning.forecast_world import (
    DAY_RATE,
    PASS_RATE,
    admit,
    edition_make,
    expected_admissions,
    register,
    world_make,
)

pytestmark = pytest.mark.django_db


def _before(expo, days: float) -> dt.datetime:
    return opening_of(expo, expo.starts_on) - dt.timedelta(days=days)


@pytest.fixture
def world():
    return world_make()


def test_learns_show_up_per_type_and_kind_of_day(world):
    forecast = attendance_forecast(expo=world.edition, as_of=_before(world.edition, 1))
    rates = {(s.ticket_type, s.kind): s for s in forecast.show_up}
    assert {s.basis for s in forecast.show_up} == {"previous"}
    for (code, kind), truth in {
        ("day", "first"): DAY_RATE["first"],
        ("day", "middle"): DAY_RATE["other"],
        ("day", "last"): DAY_RATE["other"],
        ("pass", "first"): PASS_RATE,
    }.items():
        rate = rates[(code, kind)].rate
        assert rate.low < rate.mid < rate.high
        assert abs(rate.mid - truth) < 0.1, (code, kind, rate)


@pytest.mark.parametrize("days_before", [7, 1, 0])
def test_daily_admissions_match_what_the_rates_promise(world, days_before):
    forecast = attendance_forecast(expo=world.edition, as_of=_before(world.edition, days_before))
    assert forecast.notes == []
    assert forecast.previous == world.previous
    for i, day in enumerate(forecast.days):
        truth = expected_admissions(world, i)
        assert day.state == "forecast"
        assert abs(day.admissions.mid - truth) / truth < 0.12, (day, truth)
        assert day.admissions.low < day.admissions.mid < day.admissions.high
        # The registrations still to come are forecast from the booking curve.
        final = world.day_tickets[day.day] + world.passes
        assert abs(day.registered_final.mid - final) / final < 0.1
        assert day.registered <= final


def test_a_week_ahead_sees_fewer_registrations_than_the_day_before(world):
    week = attendance_forecast(expo=world.edition, as_of=_before(world.edition, 7))
    eve = attendance_forecast(expo=world.edition, as_of=_before(world.edition, 1))
    assert sum(d.registered for d in week.days) < sum(d.registered for d in eve.days)
    # The week-ahead interval is wider: more of the final count is still to come.
    width = [d.registered_final.high - d.registered_final.low for d in (week.days[0], eve.days[0])]
    assert width[0] > width[1]


def test_same_inputs_same_forecast(world):
    as_of = _before(world.edition, 3)
    first = attendance_forecast(expo=world.edition, as_of=as_of)
    again = attendance_forecast(expo=world.edition, as_of=as_of)
    assert first.days == again.days and first.arrivals == again.arrivals


def test_arrivals_follow_the_previous_editions_gates_and_feed_the_lane_plan(world):
    forecast = attendance_forecast(expo=world.edition, as_of=_before(world.edition, 1))
    north = sum(i.mid for i in forecast.arrivals["G-N"])
    east = sum(i.mid for i in forecast.arrivals["G-E"])
    assert 1.6 < north / east < 2.5  # the 2:1 split the 2018 scans had
    # Most arrive in the first hours after the opening.
    periods = len(forecast.period_starts) // len(world.edition.days)
    first_day = [forecast.arrivals["G-N"][k].mid for k in range(periods)]
    assert sum(first_day[:8]) > sum(first_day[8:])
    gates = gate_lanes(expo=world.edition)
    starts, expected = arrivals_read(
        forecast.arrivals_csv(), gates=gates, timezone=world.edition.timezone
    )
    assert starts == forecast.period_starts
    plan = lane_plan(
        gates={code: gates[code] for code in expected},
        period_starts=starts,
        expected=expected,
        replications=1,
    )
    assert all(p.lanes <= gates[g.gate] for g in plan.gates for p in g.periods)


def test_without_a_previous_edition_the_defaults_say_so(db):
    expo = edition_make("solo-2019", dt.date(2019, 8, 26), 2)
    register(expo, random.Random(1), 100, 10, 0)
    forecast = attendance_forecast(expo=expo, as_of=_before(expo, 7))
    assert forecast.previous is None
    assert {s.basis for s in forecast.show_up} == {"default"}
    notes = " ".join(forecast.notes)
    assert "default curve" in notes and "default rates" in notes
    assert "arrival curve" in notes
    for day in forecast.days:
        # 110 booked of a final the default curve puts at 110 / 0.8, 60 % of day tickets
        # and 45 % of passes coming.
        assert day.registered_final.mid > day.registered
        assert 0 < day.admissions.low < day.admissions.mid < day.admissions.high
    # Without scans to learn from, the gates share the arrivals by their lanes (4 and 2).
    north = sum(i.mid for i in forecast.arrivals["G-N"])
    east = sum(i.mid for i in forecast.arrivals["G-E"])
    assert 1.7 < north / east < 2.3


def test_nothing_registered_and_no_history_forecasts_nobody(db):
    expo = edition_make("empty-2019", dt.date(2019, 8, 26), 1)
    forecast = attendance_forecast(expo=expo, as_of=_before(expo, 30))
    assert [d.admissions.mid for d in forecast.days] == [0.0]


def test_during_the_edition_days_over_are_counted_and_today_is_nowcast(world):
    edition = world.edition
    first, second = edition.days[0], edition.days[1]
    ahead = attendance_forecast(expo=edition, as_of=_before(edition, 0))
    # Day one came as the rates say; day two, 30 % more than usual, is seen until 11:00.
    at_eleven = dt.datetime.combine(second, dt.time(11), tzinfo=edition.tz)
    admit(edition, random.Random(3), until=at_eleven, boost=1.0)
    day_one = dt.datetime.combine(first, edition.closes_at, tzinfo=edition.tz)
    forecast = attendance_forecast(expo=edition, as_of=day_one + dt.timedelta(hours=1))
    counted = forecast.days[0]
    assert counted.state == "counted"
    assert counted.admissions.low == counted.admissions.mid == counted.admissions.high > 0
    assert forecast.days[1].state == "forecast"
    # Periods over are the counted entries.
    periods = len(forecast.period_starts) // len(edition.days)
    counted_entries = sum(forecast.arrivals["G-N"][k].mid for k in range(periods))
    assert counted_entries == sum(forecast.arrivals["G-N"][k].high for k in range(periods))
    now = attendance_forecast(expo=edition, as_of=at_eleven)
    today = now.days[1]
    assert today.state == "nowcast" and today.admitted_so_far > 0
    assert today.admissions.mid >= today.admitted_so_far
    # Entries like the usual day's keep the day near its forecast.
    usual = ahead.days[1].admissions.mid
    assert abs(today.admissions.mid - usual) / usual < 0.15


def test_a_busier_day_raises_the_nowcast(world):
    edition = world.edition
    second = edition.days[1]
    at_eleven = dt.datetime.combine(second, dt.time(11), tzinfo=edition.tz)
    usual = attendance_forecast(expo=edition, as_of=_before(edition, 0)).days[1].admissions.mid
    admit(edition, random.Random(3), until=at_eleven, boost=1.4)
    today = attendance_forecast(expo=edition, as_of=at_eleven).days[1]
    assert today.admissions.mid > usual * 1.15


def _run(*args) -> str:
    out = io.StringIO()
    call_command("planning", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_forecast_and_writes_the_arrivals(world, tmp_path):
    path = tmp_path / "arrivals.csv"
    text = _run(
        "forecast", "--expo", "w-2019", "--as-of", "2019-08-19", "--arrivals-csv", str(path)
    )
    assert "as of 2019-08-19 09:00 (learned from: w-2018)" in text
    assert "2019-08-26" in text and "forecast" in text
    assert "day                first" in text
    starts, expected = arrivals_read(
        path.read_text(), gates=gate_lanes(expo=world.edition), timezone="Asia/Shanghai"
    )
    assert set(expected) == {"G-N", "G-E"} and len(starts) == 4 * 36


def test_command_plans_lanes_for_the_forecast(world):
    text = _run("lanes", "--expo", "w-2019", "--forecast", "2019-08-25T09:00")
    assert "learned from: w-2018" in text
    assert "Gate G-N (4 lanes installed)" in text and "Lane-hours:" in text


@pytest.mark.parametrize("when", ["yesterday", "2019-13-01", "2019-08-26T25:00"])
def test_command_refuses_a_bad_instant(world, when):
    with pytest.raises(CommandError, match="--as-of"):
        _run("forecast", "--expo", "w-2019", "--as-of", when)


def test_command_refuses_an_unknown_edition(db):
    with pytest.raises(CommandError, match="No edition 'nope'"):
        _run("forecast", "--expo", "nope")


def test_bookings_still_to_come_fall_on_the_days_they_belong_to(db):
    """Day tickets are booked up to their day's morning: at the opening, the first day's are
    all in and the later days' morning registrations are still to come. The previous
    edition's days say how many; the first day gets none of them."""
    rng = random.Random(5)
    previous = edition_make("m-2018", dt.date(2018, 8, 23), 3)
    edition = edition_make("m-2019", dt.date(2019, 8, 26), 3, previous=previous)
    for expo, per_day in ((previous, 200), (edition, 300)):
        ids = register(expo, rng, per_day, 0, 0)
        tickets = list(Ticket.objects.filter(pk__in=ids))
        for ticket in tickets[::2]:
            # Half of each day's registrations are made on its own morning, at the gate.
            day = dt.date.fromisoformat(ticket.days[0])
            ticket.created_at = opening_of(expo, day) - dt.timedelta(hours=1)
        Ticket.objects.bulk_update(tickets, ["created_at"])
        admit(expo, rng)
    forecast = attendance_forecast(expo=edition, as_of=opening_of(edition, edition.starts_on))
    first, second, third = forecast.days
    assert first.registered == 300 and first.registered_final.mid == 300
    for later in (second, third):
        assert 140 <= later.registered <= 160  # the advance half
        assert abs(later.registered_final.mid - 300) < 30, later.registered_final


def test_an_arrival_curve_at_the_lanes_capacity_is_spread_again():
    from smartexpo.planning.forecast_arrivals import uncensored

    # One gate of 2 lanes (330 a period): the first four periods ran at capacity.
    counts = np.array([[330, 330, 330, 330, 200, 100, 80, 60]], dtype=float)
    spread = uncensored(counts, np.array([330.0]))
    # The run and the period after it keep their total, now front-loaded; the rest is kept.
    assert spread[0, :5].sum() == counts[0, :5].sum()
    assert (spread[0, 5:] == counts[0, 5:]).all()
    # The first period takes those who waited for the opening too: about twice the next.
    assert spread[0, 0] > 330 and spread[0, 0] > 1.9 * spread[0, 1]
    assert min(spread[0, 1:4]) > spread[0, 4]
    # A gate never at capacity is learned as scanned.
    quiet = np.array([[100, 120, 90, 80, 60, 50, 40, 30]], dtype=float)
    assert (uncensored(quiet, np.array([330.0])) == quiet).all()


def test_the_lanes_are_planned_for_the_upper_end_unless_told(world):
    forecast = attendance_forecast(expo=world.edition, as_of=_before(world.edition, 1))
    gates = gate_lanes(expo=world.edition)
    _s, high = arrivals_read(forecast.arrivals_csv(), gates=gates, timezone="Asia/Shanghai")
    _s, expected = arrivals_read(
        forecast.arrivals_csv("expected"), gates=gates, timezone="Asia/Shanghai"
    )
    assert sum(high["G-N"]) > sum(expected["G-N"])
    assert all(h >= e for h, e in zip(high["G-N"], expected["G-N"], strict=True))
    with pytest.raises(ValueError, match="plan_for"):
        forecast.arrivals_csv("low")
    text = _run("lanes", "--expo", "w-2019", "--forecast", "2019-08-25", "--plan-for", "expected")
    assert "learned from: w-2018" in text and "Lane-hours:" in text
    with pytest.raises(CommandError, match="invalid choice"):
        _run("lanes", "--expo", "w-2019", "--forecast", "--plan-for", "low")


def test_the_previous_editions_history_is_kept_until_what_it_was_read_from_changes(
    world, monkeypatch
):
    """A second forecast reuses the previous edition's history; a refund there, a scan erased
    there or a gate's lanes changed there are each read again at the next forecast."""
    from smartexpo.checkin.models import Scan
    from smartexpo.planning import forecast as module
    from smartexpo.tickets.models import TicketDay
    from smartexpo.venue.models import Gate

    reads = []
    real = module.history_read
    monkeypatch.setattr(module, "history_read", lambda previous: reads.append(1) or real(previous))
    module._histories.forget()
    as_of = _before(world.edition, 1)
    first = attendance_forecast(expo=world.edition, as_of=as_of)
    again = attendance_forecast(expo=world.edition, as_of=as_of)
    assert len(reads) == 1 and again.days == first.days

    day = TicketDay.objects.filter(expo=world.previous, valid=True).first()
    TicketDay.objects.filter(pk=day.pk).update(valid=False)
    attendance_forecast(expo=world.edition, as_of=as_of)
    assert len(reads) == 2

    # A scan erased there (no catalogue change: only the scans' count tells).
    Scan.objects.filter(pk=Scan.objects.filter(expo=world.previous).first().pk).delete()
    attendance_forecast(expo=world.edition, as_of=as_of)
    assert len(reads) == 3
    gate = Gate.objects.filter(expo=world.previous).first()
    Gate.objects.filter(pk=gate.pk).update(lanes=gate.lanes + 1)
    attendance_forecast(expo=world.edition, as_of=as_of)
    assert len(reads) == 4
    attendance_forecast(expo=world.edition, as_of=as_of)
    assert len(reads) == 4
