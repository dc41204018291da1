"""Count periods: occupancy starts again from zero after each daily closing time.

A period is named by the local date of the closing that ends it. An instant whose local time
is after `closes_at` belongs to the next day's period, so a period runs from just after one
closing up to and including the next one (docs/api.md: "the movements after the most recent daily
closing time before `at`, up to `at`"). The same rule is applied to single instants and, as
array arithmetic, to millions of movements.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
EPOCH_DAY = dt.date(1970, 1, 1)
DAY_US = 86_400_000_000
MINUTE_US = 60_000_000


def to_us(at: dt.datetime) -> int:
    """Microseconds since the Unix epoch, exactly (no float on the way)."""
    return (at - EPOCH) // dt.timedelta(microseconds=1)


def from_us(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=int(us))


def time_us(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def period_of(at: dt.datetime, *, tz: zoneinfo.ZoneInfo, closes_at: dt.time) -> dt.date:
    """The count period an instant belongs to."""
    local = at.astimezone(tz)
    day = local.date()
    return day + dt.timedelta(days=1) if local.time() > closes_at else day


def closing_instant(period: dt.date, *, tz: zoneinfo.ZoneInfo, closes_at: dt.time) -> dt.datetime:
    """The instant a period ends (its last instant; the count resets after it)."""
    return dt.datetime.combine(period, closes_at, tzinfo=tz).astimezone(dt.UTC)


def day_number(day: dt.date) -> int:
    return (day - EPOCH_DAY).days


def day_of_number(number: int) -> dt.date:
    return EPOCH_DAY + dt.timedelta(days=int(number))


def periods_of(at_us: np.ndarray, *, tz: zoneinfo.ZoneInfo, closes_at: dt.time) -> np.ndarray:
    """The period (as a day number since 1970-01-01) of each instant, vectorised.

    The zone's UTC offset is looked up once per distinct UTC minute (offsets change on minute
    boundaries), so four expo days cost a few thousand lookups whatever the number of
    movements."""
    if not len(at_us):
        return np.empty(0, dtype=np.int64)
    minutes = at_us // MINUTE_US
    low = int(minutes.min())
    if int(minutes.max()) - low < 10_000_000:  # a table of minutes, not a sort
        present = np.flatnonzero(np.bincount(minutes - low))
        lookup = np.zeros(int(present[-1]) + 1, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        distinct, where = present + low, lookup[minutes - low]
    else:
        distinct, where = np.unique(minutes, return_inverse=True)
    offsets = np.fromiter(
        (
            from_us(int(m) * MINUTE_US).astimezone(tz).utcoffset() // dt.timedelta(microseconds=1)
            for m in distinct
        ),
        dtype=np.int64,
        count=len(distinct),
    )
    local = at_us + offsets[where]
    days = local // DAY_US
    return days + (local - days * DAY_US > time_us(closes_at))
