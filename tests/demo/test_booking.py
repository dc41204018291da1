"""The demo's booking curve: deterministic instants, a ramp that accelerates towards the
opening, on-site registrations on a morning no later than the visitor's first possible day."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from smartexpo.demo import booking
from smartexpo.venue.models import Expo

DAYS = ["2018-08-23", "2018-08-24", "2018-08-25"]


@pytest.fixture
def edition():
    # Unsaved: the curve reads only the slug, the days, the hours and the time zone.
    return Expo(
        slug="sce-2018",
        starts_on=dt.date(2018, 8, 23),
        ends_on=dt.date(2018, 8, 25),
        opens_at=dt.time(9, 0),
        timezone="Asia/Shanghai",
    )


def rows(code: str, n: int, days=None):
    return [{"ticket_type": code, "days": days or [DAYS[i % 3]]} for i in range(n)]


def first_opening(expo):
    return dt.datetime(2018, 8, 23, 9, 0, tzinfo=expo.tz)


def test_a_visitor_gets_the_same_instant_whoever_else_is_drawn(edition):
    every = booking.booked_at(expo=edition, rows=rows("public-day", 300), indexes=range(300))
    some = booking.booked_at(
        expo=edition, rows=rows("public-day", 300)[100:150], indexes=range(100, 150)
    )
    assert some == every[100:150]
    assert all(at.tzinfo is not None for at in every)
    other = Expo(**{f: getattr(edition, f) for f in ("starts_on", "ends_on", "opens_at")})
    other.slug, other.timezone = "sce-2017", edition.timezone
    assert booking.booked_at(expo=other, rows=rows("public-day", 300), indexes=range(300)) != every


def test_advance_bookings_follow_the_ramp(edition):
    n = 40_000
    # Guests register only ahead: the ramp alone.
    at = booking.booked_at(expo=edition, rows=rows("vip", n, DAYS), indexes=range(n))
    before = np.array([(first_opening(edition) - a).total_seconds() / 86_400 for a in at])
    assert before.min() > 0 and before.max() <= booking.RAMP_DAYS
    for days, share in booking.BOOKING_RAMP:
        # The share booked by `days` before the opening: those at least that far ahead.
        assert (before >= days).mean() == pytest.approx(share, abs=0.01)
    # It accelerates: most in the last three weeks, the last week busier than any before.
    assert (before < 21).mean() > 0.5
    weekly = np.histogram(before, bins=np.arange(0, 92, 7))[0]
    assert weekly[0] == weekly.max()


def test_on_site_registrations_fall_on_a_morning_before_the_gates_open(edition):
    n = 30_000
    day_rows = rows("public-day", n)
    at = booking.booked_at(expo=edition, rows=day_rows, indexes=range(n))
    later_days = on_site = 0
    for row, instant in zip(day_rows, at, strict=True):
        day = dt.date.fromisoformat(row["days"][0])
        opening = dt.datetime.combine(day, edition.opens_at, tzinfo=edition.tz)
        # At the latest on the morning of their day, before it opens.
        assert instant < opening
        if day == edition.days[0]:
            continue  # the first day's on-site mornings and the ramp's end overlap
        later_days += 1
        if instant > first_opening(edition):
            on_site += 1
            assert opening - booking.ON_SITE_BEFORE_OPENING <= instant
    assert on_site / later_days == pytest.approx(booking.ON_SITE["public-day"], abs=0.015)


def test_a_pass_holder_registers_at_the_latest_on_the_last_morning(edition):
    n = 20_000
    at = booking.booked_at(expo=edition, rows=rows("professional", n, DAYS), indexes=range(n))
    last = dt.datetime(2018, 8, 25, 9, 0, tzinfo=edition.tz)
    assert max(at) < last
    on_days = {a.astimezone(edition.tz).date() for a in at if a > first_opening(edition)}
    assert on_days == {dt.date(2018, 8, 24), dt.date(2018, 8, 25)}


def test_one_index_per_row(edition):
    with pytest.raises(ValueError, match="One visitor index per row"):
        booking.booked_at(expo=edition, rows=rows("vip", 2), indexes=[1])
