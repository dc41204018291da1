"""When the demo's people registered: a deterministic booking instant for every demo visitor,
relative to the edition's first opening, so that a past edition's registrations carry the
booking dates an attendance forecast learns from.

Most people register ahead, on a ramp that opens `RAMP_DAYS` before the first opening and
accelerates towards it (`BOOKING_RAMP`); a share of each ticket type registers on the expo
days themselves (`ON_SITE`), on a morning before the gates open: a day-ticket holder on the
morning of their day, a pass holder on the morning of one of the edition's days. Nobody's
registration is later than their first possible admission, so a scan never precedes its
ticket.

Visitor i of an edition gets the same instant on every run and whatever else is registered:
the draws are a hash of (edition, visitor index), not a random stream shared by a batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import numpy as np

from smartexpo.venue.models import Expo

# Registration opens this many days before the first opening (the edition is announced with
# its ticket types about three months ahead).
RAMP_DAYS = 90

# The advance bookings' ramp: (days before the first opening, the share of the advance
# bookings made by then), interpolated linearly in between. Trade-show pre-registration is
# late: a slow start after the announcement, then the reminder mailings and the press of the
# last weeks; 62 % of the advance bookings fall in the last three weeks and a quarter in the
# last week. (The shape is the demo's assumption, stated here so the forecast's tests can
# check what it learns against it.)
BOOKING_RAMP: tuple[tuple[float, float], ...] = (
    (90, 0.00),
    (60, 0.06),
    (42, 0.15),
    (28, 0.27),
    (21, 0.38),
    (14, 0.55),
    (7, 0.74),
    (3, 0.88),
    (0, 1.00),
)

# The share of each ticket type's holders who register on an expo day (at a kiosk or on their
# phone in the queue) rather than ahead. Public visitors decide late; professionals mostly
# pre-register for the fast lane; journalists are accredited and guests invited ahead; staff
# passes are issued by their exhibitors before the build-up, a few replaced on the day.
ON_SITE = {
    "public-day": 0.20,
    "professional": 0.10,
    "media": 0.0,
    "vip": 0.0,
    "exhibitor-staff": 0.05,
}
ON_SITE_DEFAULT = 0.10
# On-site registrations fall in this window before the day's opening (the morning queue).
ON_SITE_BEFORE_OPENING = dt.timedelta(hours=3)


def _uniforms(slug: str, indexes: np.ndarray, stream: int) -> np.ndarray:
    """Uniform numbers in [0, 1), one per visitor index: a SplitMix64 hash of the edition, the
    index and the stream, so a visitor's draws do not depend on who else is drawn."""
    key = int.from_bytes(hashlib.sha256(f"{slug}:booking:{stream}".encode()).digest()[:8], "big")
    with np.errstate(over="ignore"):
        z = indexes.astype(np.uint64) + np.uint64(key)
        z = z * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def days_ahead(u: np.ndarray) -> np.ndarray:
    """Days before the first opening of advance bookings at quantiles `u` of the ramp."""
    days = np.array([d for d, _s in BOOKING_RAMP], dtype=np.float64)
    shares = np.array([s for _d, s in BOOKING_RAMP], dtype=np.float64)
    return np.interp(u, shares, days)


def opening_of(expo: Expo, day: dt.date) -> dt.datetime:
    """The aware instant the edition opens on `day`."""
    return dt.datetime.combine(day, expo.opens_at, tzinfo=expo.tz)


def booked_at(*, expo: Expo, rows: Sequence[dict], indexes: Sequence[int]) -> list[dt.datetime]:
    """The booking instant of each registration row (its `ticket_type` code and `days`, ISO
    dates) of demo visitor `indexes[k]`, aware, in UTC (see the module's docstring)."""
    if len(rows) != len(indexes):
        raise ValueError("One visitor index per row.")
    if not rows:
        return []
    index = np.asarray(indexes, dtype=np.int64)
    on_site_draw, ramp_draw, morning_draw, day_draw = (
        _uniforms(expo.slug, index, stream) for stream in range(4)
    )
    first = opening_of(expo, expo.days[0])
    ahead_s = days_ahead(ramp_draw) * 86_400.0
    window_s = ON_SITE_BEFORE_OPENING.total_seconds()
    instants = []
    for k, row in enumerate(rows):
        days = row["days"]
        if on_site_draw[k] < ON_SITE.get(row["ticket_type"], ON_SITE_DEFAULT):
            # A day ticket's holder on their day; a pass holder on one of its days.
            day = days[min(int(day_draw[k] * len(days)), len(days) - 1)]
            opening = opening_of(expo, dt.date.fromisoformat(day))
            at = opening - dt.timedelta(seconds=window_s * (1.0 - morning_draw[k]))
        else:
            at = first - dt.timedelta(seconds=float(ahead_s[k]))
        instants.append(at.astimezone(dt.UTC))
    return instants
