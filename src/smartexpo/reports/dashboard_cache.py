"""The organiser's dashboard as one payload, built at most once per interval per edition and
language in each process, and served from memory in between (docs/reports.md, "Speed").

Organisers keep the page open and it polls every few seconds; at the scale of 700,000 visitors
one build reads quotas, a million ticket-days, the day's scans and the halls' minutes, far more
than a poll may cost. So a build is kept for `DASHBOARD_CACHE_SECONDS` (10 by default) of real
time and the catalogue stamp it was built under (`core.stamps`: a new gate, hall or ticket type
shows at the next poll). When the kept one is out of date, one request rebuilds it while the
others keep being answered the one before (each payload says the instant it is of); only the
first build of an edition waits. No stamp row (a flushed database) means nothing is kept.

A build that took longer than `DASHBOARD_REBUILD_INLINE_SECONDS` (0.25 by default) is redone on
a thread of its own, the request that found it out of date answered the one before like the
others: `smartexpo serve` runs one request at a time per worker, so a build of seconds (at
700,000 visitors) in a request held every poll queued behind it in that worker for as long
(bench/RESULTS.md, "Reports"). A quick one is redone in the request, as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.db import connection
from django.utils import translation

from smartexpo.core.stamps import stamp_read
from smartexpo.crowd import live, services
from smartexpo.reports import dashboard_activity as activity
from smartexpo.reports import dashboard_sections as sections
from smartexpo.venue.models import Expo

DEFAULT_CACHE_SECONDS = 10
DEFAULT_REBUILD_INLINE_SECONDS = 0.25
logger = logging.getLogger(__name__)


def cache_seconds() -> float:
    """How long a built payload is served (`settings.DASHBOARD_CACHE_SECONDS`, else 10)."""
    return float(getattr(settings, "DASHBOARD_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def rebuild_inline_seconds() -> float:
    """A kept payload whose build took longer is rebuilt on a thread of its own
    (`settings.DASHBOARD_REBUILD_INLINE_SECONDS`, else 0.25)."""
    return float(
        getattr(settings, "DASHBOARD_REBUILD_INLINE_SECONDS", DEFAULT_REBUILD_INLINE_SECONDS)
    )


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
    seconds: float = 0.0  # how long the build took


_kept: dict[tuple[int, str], _Kept] = {}
_building: dict[tuple[int, str], threading.Lock] = {}
_lock = threading.Lock()
_threads: list[threading.Thread] = []


def forget() -> None:
    """Drop every kept payload (tests, whose databases start over)."""
    rebuilds_join()
    with _lock:
        _kept.clear()
    sections.forget_previous()


def dashboard_cached(*, expo: Expo) -> dict:
    """`dashboard_payload` now, from memory while the one kept is recent enough (see the
    module's docstring)."""
    stamp = stamp_read()
    if stamp is None:
        return dashboard_payload(expo=expo)
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = (expo.pk, language)
    with _lock:
        kept = _kept.get(key)
        building = _building.setdefault(key, threading.Lock())
    fresh = kept is not None and kept.stamp == stamp
    if fresh and time.monotonic() - kept.built < cache_seconds():
        return kept.payload
    if fresh and not building.acquire(blocking=False):
        return kept.payload  # another request is rebuilding it: the last one meanwhile
    if fresh and kept.seconds > rebuild_inline_seconds():
        # A slow build: on a thread of its own, which releases `building` when done.
        thread = threading.Thread(
            target=_rebuild,
            args=(expo.pk, key, stamp, language, building),
            name=f"dashboard-rebuild-{expo.pk}",
            daemon=True,
        )
        with _lock:
            _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
        thread.start()
        return kept.payload
    if not fresh:
        building.acquire()
    try:
        with _lock:
            again = _kept.get(key)
        if again is not None and again is not kept and again.stamp == stamp:
            return again.payload  # built by the request this one waited for
        return _build(expo, key, stamp)
    finally:
        building.release()


def _build(expo: Expo, key: tuple[int, str], stamp: int) -> dict:
    started = time.monotonic()
    payload = dashboard_payload(expo=expo)
    with _lock:
        _kept[key] = _Kept(started, stamp, payload, time.monotonic() - started)
    return payload


def _rebuild(expo_id: int, key: tuple[int, str], stamp: int, language: str, building) -> None:
    """A rebuild on its own thread, in the language of the payload it replaces; a failure is
    logged and the kept payload stays (the next poll after the interval tries again)."""
    try:
        with translation.override(language):
            _build(Expo.objects.get(pk=expo_id), key, stamp)
    except Exception:
        logger.exception("the dashboard of edition %s could not be rebuilt", expo_id)
    finally:
        building.release()
        connection.close()  # this thread's own connection


def rebuilds_join(timeout: float | None = None) -> None:
    """Wait for the rebuilds under way on their threads (tests; a process about to stop)."""
    with _lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(timeout)
