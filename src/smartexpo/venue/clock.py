"""The edition's time: the real time, or the real time moved by its demo clock.

A demo or a rehearsal plays an edition whose days are not today (the demo's is August 2019):
`smartexpo demo clock 2019-08-27T10:00` gives the edition a clock that reads that instant now
and runs on at the real pace. It is kept as an offset from the real time on the edition
(`Expo.clock_offset`), not as a fixed instant, so that it runs on by itself, in every process,
without a writer; and on the edition, so that every reader that holds the edition (a scan holds
the cached one) has it without asking the database.

`edition_now` is the one answer to "what time is it at this edition": the gate scan and the
sync of a scan sent without its time, the scanner page, the live venue page's clock and the
occupancy API's default instant all read it. A time a device recorded stays the device's.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from smartexpo.core.errors import invalid
from smartexpo.core.instants import parse_instant
from smartexpo.venue.models import Expo


def edition_now(expo: Expo, *, now: dt.datetime | None = None) -> dt.datetime:
    """The edition's current instant: `now` (the real time unless given) plus its demo clock's
    offset, if it has one."""
    now = now or timezone.now()
    offset = expo.clock_offset
    return now if offset is None else now + offset


def instant_or_now(value: str | None, field: str = "at", *, expo: Expo) -> dt.datetime:
    """The instant a query string names, by default the edition's now (its demo clock's, if
    set: the live venue page, the API and the forecast answer for the same instant); a
    malformed one is `invalid`, naming `field`."""
    if value is None or value == "":
        return edition_now(expo)
    parsed = parse_instant(value)
    if parsed is None:
        raise invalid({field: "An ISO 8601 instant with its UTC offset (for example +08:00)."})
    return parsed


def demo_clock_on(expo: Expo) -> bool:
    """Whether the edition runs on a demo clock rather than the real time."""
    return expo.clock_offset is not None


def demo_clock_out(expo: Expo, *, now: dt.datetime | None = None) -> dict | None:
    """The demo clock as scanners and pages read it (None without one): the edition's instant
    now, with its UTC offset in the edition's time zone, and the offset from the real time in
    whole milliseconds, which a device adds to its own clock."""
    if expo.clock_offset is None:
        return None
    at = edition_now(expo, now=now)
    return {
        "now": at.astimezone(expo.tz).isoformat(timespec="seconds"),
        "offset_ms": int(expo.clock_offset / dt.timedelta(milliseconds=1)),
    }
