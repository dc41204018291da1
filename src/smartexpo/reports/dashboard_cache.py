"""The organiser's dashboard as one payload, built at most once per interval per edition and
language in each process, and served from memory in between (docs/reports.md, "Speed").

Organisers keep the page open and it polls every few seconds; at the scale of 700,000 visitors
one build reads quotas, a million ticket-days, the day's scans and the halls' minutes, far more
than a poll may cost. So a build is kept for `DASHBOARD_CACHE_SECONDS` (10 by default) of real
time and the catalogue stamp it was built under (`core.stamps`: a new gate, hall or ticket type
shows at the next poll). When the kept one is out of date, one request rebuilds it while the
others keep being answered the one before (each payload says the instant it is of); only the
first build of an edition waits. No stamp row (a flushed database) means nothing is kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time

from django.conf import settings
from django.utils import translation

from smartexpo.core.stamps import stamp_read
from smartexpo.crowd import live, services
from smartexpo.reports import dashboard_activity as activity
from smartexpo.reports import dashboard_sections as sections
from smartexpo.venue.models import Expo

DEFAULT_CACHE_SECONDS = 10


def cache_seconds() -> float:
    """How long a built payload is served (`settings.DASHBOARD_CACHE_SECONDS`, else 10)."""
    return float(getattr(settings, "DASHBOARD_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def dashboard_payload(*, expo: Expo, at: dt.datetime | None = None) -> dict:
    """Every section of the dashboard at `at` (by default the instant the live venue page shows:
    the edition's clock, its demo clock or a running simulation's), in the active language.

    Folds the sensors' pending movements first, as the live venue page does, so that the halls'
    figures are the live page's."""
    services.history_refresh(expo=expo)
    clock = live.live_clock(expo=expo, chosen=at)
    at = clock.at
    return {
        "at": at.astimezone(expo.tz).isoformat(),
        "local": live.local_text(at, expo),
        "clock": live.clock_label(clock, expo),
        "timezone": expo.timezone,
        "registrations": sections.registrations(expo=expo),
        "bookings": sections.booking_curve(expo=expo, at=at),
        "admissions": sections.admissions(expo=expo, at=at),
        "halls": sections.halls(expo=expo, at=at),
        "alerts": sections.alerts(expo=expo, at=at),
        "activity": {
            "forums": activity.forums(expo=expo, at=at),
            "meetings": activity.meetings(expo=expo, at=at),
            "leads": activity.leads(expo=expo, at=at),
        },
        "deals": activity.deals_tally(expo=expo),
    }


@dataclasses.dataclass
class _Kept:
    built: float  # time.monotonic() when built
    stamp: int
    payload: dict


_kept: dict[tuple[int, str], _Kept] = {}
_building: dict[tuple[int, str], threading.Lock] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop every kept payload (tests, whose databases start over)."""
    with _lock:
        _kept.clear()
    sections.forget_previous()


def dashboard_cached(*, expo: Expo) -> dict:
    """`dashboard_payload` now, from memory while the one kept is recent enough (see the
    module's docstring)."""
    stamp = stamp_read()
    if stamp is None:
        return dashboard_payload(expo=expo)
    key = (expo.pk, translation.get_language() or settings.LANGUAGE_CODE)
    with _lock:
        kept = _kept.get(key)
        building = _building.setdefault(key, threading.Lock())
    fresh = kept is not None and kept.stamp == stamp
    if fresh and time.monotonic() - kept.built < cache_seconds():
        return kept.payload
    if fresh and not building.acquire(blocking=False):
        return kept.payload  # another request is rebuilding it: the last one meanwhile
    if not fresh:
        building.acquire()
    try:
        with _lock:
            again = _kept.get(key)
        if again is not None and again is not kept and again.stamp == stamp:
            return again.payload  # built by the request this one waited for
        started = time.monotonic()
        payload = dashboard_payload(expo=expo)
        with _lock:
            _kept[key] = _Kept(started, stamp, payload)
        return payload
    finally:
        building.release()
