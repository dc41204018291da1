"""A plain, slow reading of docs/api.md's occupancy rules, step by step: what the vectorised code
must agree with."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

THRESHOLDS = [("A", "0.31"), ("B", "0.43"), ("C", "0.72"), ("D", "1.08"), ("E", "2.17")]


def period(at: dt.datetime, tz, closes: dt.time) -> dt.date:
    local = at.astimezone(tz)
    return local.date() + dt.timedelta(days=1) if local.time() > closes else local.date()


def level(count: int, area: Decimal) -> str:
    density = Fraction(count) / Fraction(area)
    for letter, bound in THRESHOLDS:
        if density <= Fraction(bound):
            return letter
    return "F"


def raises(count: int, capacity: int, area: Decimal) -> bool:
    return (capacity > 0 and count >= capacity) or Fraction(count) / Fraction(area) > Fraction(
        "1.08"
    )


def clears(count: int, capacity: int, area: Decimal) -> bool:
    within = capacity <= 0 or Fraction(count) <= Fraction(9, 10) * capacity
    return within and Fraction(count) / Fraction(area) <= Fraction("0.97")


def occupancy(movements, at: dt.datetime, *, tz, closes, capacity: int, area: Decimal):
    """(count, alert) of one zone at `at` from `movements`: (instant, ±people) pairs."""
    target = period(at, tz, closes)
    net: dict[dt.datetime, int] = defaultdict(int)
    for instant, delta in movements:
        if instant <= at and period(instant, tz, closes) == target:
            net[instant] += delta
    count, alert = 0, False
    for instant in sorted(net):
        count = max(0, count + net[instant])
        if not alert and raises(count, capacity, area):
            alert = True
        elif alert and clears(count, capacity, area):
            alert = False
    return count, alert
