"""The organiser's dashboard as one payload, built at most once per interval per edition and
language in each process, and served from memory in between (docs/reports.md, "Speed").

Organisers keep the page open and it polls every few seconds; at the scale of 700,000 visitors
one build reads quotas, a million ticket-days, the day's scans and the halls' minutes, far more
than a poll may cost. So a build is kept for `DASHBOARD_CACHE_SECONDS` (10 by default) of real
time and the catalogue stamp it was built under (`core.stamps`: a new gate, hall or ticket type
shows at the next poll). No stamp row (a flushed database) means nothing is kept. A build that took
longer than `DASHBOARD_REBUILD_INLINE_SECONDS` (0.25 by default) is redone on a thread of its
own while the polls get the last one (`reports.kept`, shared with the big screen).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import translation

from smartexpo.core.stamps import stamp_read
from smartexpo.crowd import live, services
from smartexpo.reports import dashboard_activity as activity
from smartexpo.reports import dashboard_sections as sections
from smartexpo.reports.kept import KeptPayloads
from smartexpo.venue.models import Expo

DEFAULT_CACHE_SECONDS = 10
DEFAULT_REBUILD_INLINE_SECONDS = 0.25


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


def _payload_of(expo_id: int, language: str) -> dict:
    """A rebuild on its own thread: the edition read again, in the language of the payload it
    replaces."""
    with translation.override(language):
        return dashboard_payload(expo=Expo.objects.get(pk=expo_id))


_payloads = KeptPayloads(
    "dashboard", seconds=lambda: cache_seconds(), inline_seconds=lambda: rebuild_inline_seconds()
)


def forget() -> None:
    """Drop every kept payload (tests, whose databases start over)."""
    _payloads.forget()
    sections.forget_previous()


def dashboard_cached(*, expo: Expo) -> dict:
    """`dashboard_payload` now, from memory while the one kept is recent enough (see the
    module's docstring)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return _payloads.get(
        (expo.pk, language),
        stamp_read(),
        lambda: dashboard_payload(expo=expo),
        rebuild=lambda: _payload_of(expo.pk, language),
    )


def rebuilds_join(timeout: float | None = None) -> None:
    """Wait for the rebuilds under way on their threads (tests; a process about to stop)."""
    _payloads.join(timeout)
