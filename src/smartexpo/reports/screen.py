"""The public big screen's figures: what the entrance hall's display shows at one instant.

Everything here is read from the lower apps' own selectors, so that the screen says what the
live venue page, the API and the deals pages say for the same instant:

- the instant is the live venue page's (`crowd.live.live_clock`: a running simulation's replay
  clock, else the edition's demo clock, else the real time), read in the edition's time zone;
- the halls' counts and levels are `crowd.selectors.occupancy` at that instant;
- the forum sessions are the published programme's (`programme.selectors.published_programme`);
- the deals are the public signed tally (`deals.selectors.tally`), as the ceremony screen polls;
- the visitors are counted from the check-in log (`reports.queries.visitors_by_day`): the
  tickets admitted through the entrance gates (`venue.selectors.entrance_gates`, the gates the
  forecast and the twin know as the way in), each once a day.

Nothing personal is read or given: counts, halls, rooms, session titles and the deals' totals.

Every screen of an edition polls the same answer, so `screen_snapshot` keeps it for
`CACHE_SECONDS` per process: a hall of screens costs one computation every few seconds, done
off the request when it is slow (`reports.kept`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from smartexpo.crowd import live
from smartexpo.crowd import selectors as crowd
from smartexpo.crowd import services as crowd_services
from smartexpo.deals import selectors as deals
from smartexpo.deals.pages import grouped
from smartexpo.programme.selectors import published_programme
from smartexpo.reports import queries
from smartexpo.reports.kept import KeptPayloads
from smartexpo.venue import selectors as venue
from smartexpo.venue.models import Expo, ZoneKind

# How long one computation serves every screen of the edition (per process). The screens poll
# every POLL_MS, so a figure is at most CACHE_SECONDS + POLL_MS old on the wall.
CACHE_SECONDS = 5.0
HALLS_SHOWN = 3
SESSIONS_SHOWN = 5


def both(msgid: str) -> dict[str, str]:
    """A msgid in English and in Chinese at once (the English screen shows both)."""
    out = {}
    for key, lang in (("en", "en"), ("zh", "zh-hans")):
        with translation.override(lang):
            out[key] = gettext(msgid)
    return out


def level_names() -> dict[str, dict[str, str]]:
    """Each crowd level's short description (the live page's) in both languages."""
    names: dict[str, dict[str, str]] = {}
    for key, lang in (("en", "en"), ("zh", "zh-hans")):
        with translation.override(lang):
            for level in live.level_list():
                names.setdefault(level.letter, {})[key] = level.label
    return names


def _names(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh or en}


# --- the instant --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ScreenClock:
    """The instant shown, its day in the edition's time zone and whether the doors are open."""

    at: dt.datetime
    source: str  # "now", "demo" or "replay" (`crowd.live.LiveClock`)
    day: dt.date
    open: bool


def screen_clock(*, expo: Expo, now: dt.datetime | None = None) -> ScreenClock:
    """The instant the screen shows: the live venue page's (`crowd.live.live_clock`), to the
    whole second, so that the instant the JSON gives is exactly the one its figures are of."""
    clock = live.live_clock(expo=expo, now=now)
    at = clock.at.replace(microsecond=0)
    local = at.astimezone(expo.tz)
    is_open = clock.running_today and expo.opens_at <= local.time() < expo.closes_at
    return ScreenClock(at, clock.source, local.date(), is_open)


def clock_out(clock: ScreenClock, expo: Expo) -> dict[str, Any]:
    local = clock.at.astimezone(expo.tz)
    return {
        "at": local.isoformat(),
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "timezone": expo.timezone,
        "source": clock.source,
        "open": clock.open,
        "closes": expo.closes_at.strftime("%H:%M"),
    }


# --- visitors -----------------------------------------------------------------------------


def _midnight(day: dt.date, expo: Expo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=expo.tz)


def visitors(*, expo: Expo, at: dt.datetime) -> dict[str, Any]:
    """The visitors admitted on the day of `at` up to `at` (0 on a day without the expo), and
    in total over the edition's days up to `at`: each day's visitors added up (somebody who
    came on two days counts on both, as an expo counts its attendance).

    The days before `at`'s are over: their counts are kept `PAST_DAYS_SECONDS` (`_past_days`),
    so that a computation counts only the day under way's admissions."""
    today = at.astimezone(expo.tz).date()
    days = [d for d in expo.days if d <= today]
    gates = tuple(g.pk for g in venue.entrance_gates(expo=expo))
    past = [d for d in days if d < today]
    counts = _past_days(expo=expo, gates=gates, days=past)
    running = bool(days) and days[-1] == today
    if running:
        bounds = [_midnight(today, expo), at]
        counts += queries.visitors_by_day(expo_id=expo.pk, gate_ids=gates, bounds=bounds)
    return {
        "today": counts[-1] if running else 0,
        "total": sum(counts),
        "day": today.isoformat(),
    }


# A day that is over gains visitors only from an offline admission synced late: its count is
# kept this long (per process), so that the screen's few-second computation reads the day under
# way alone (the demo's 2018 edition: 1.2 s for every day, 0.3 s for its last alone).
PAST_DAYS_SECONDS = 60.0
_past: dict[tuple, tuple[float, list[int]]] = {}


def _past_days(*, expo: Expo, gates: tuple[int, ...], days: list[dt.date]) -> list[int]:
    """The visitors of each of these whole, consecutive days (kept `PAST_DAYS_SECONDS`)."""
    if not days:
        return []
    key = (expo.pk, expo.timezone, gates, days[0], days[-1])
    kept = _past.get(key)
    if kept is not None and time.monotonic() - kept[0] < PAST_DAYS_SECONDS:
        return list(kept[1])
    started = time.monotonic()
    bounds = [_midnight(d, expo) for d in days] + [_midnight(days[-1] + dt.timedelta(days=1), expo)]
    counts = queries.visitors_by_day(expo_id=expo.pk, gate_ids=gates, bounds=bounds)
    with _locks_lock:
        # One entry per edition: the key moves on with the days.
        for old in [k for k in _past if k[0] == expo.pk]:
            del _past[old]
        _past[key] = (started, counts)
    return list(counts)


# --- halls --------------------------------------------------------------------------------


def hall_out(count: crowd.ZoneCount, names: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A hall as the screen shows it: its count over its capacity, and its level."""
    zone = count.zone
    level = zone.level(count.count)
    colour, ink = live.level_style(level)
    return {
        "zone": zone.code,
        "name": _names(zone.name_en, zone.name_zh),
        "count": count.count,
        "capacity": zone.capacity,
        "share": count.count / zone.capacity,
        "percent": round(100 * count.count / zone.capacity),
        "level": level,
        "level_name": names[level],
        "colour": colour,
        "ink": ink,
    }


def halls(*, expo: Expo, at: dt.datetime) -> dict[str, Any]:
    """The fullest and the emptiest halls at `at` by their share of their safe capacity
    (`HALLS_SHOWN` each, never the same hall twice: of fewer halls, the fuller half and the
    rest): where not to go and where to. A hall without a capacity (0: none set) has no share
    and is left out."""
    counted = [
        c
        for c in crowd.occupancy(expo=expo, at=at).items()
        if c.zone.kind == ZoneKind.HALL and c.zone.capacity > 0
    ]
    names = level_names()
    # The busier of two halls equally full is the one with more people in it; then by code,
    # so that the order holds still between polls.
    busiest = sorted(counted, key=lambda c: (-c.count / c.zone.capacity, -c.count, c.zone.code))
    top = busiest[: min(HALLS_SHOWN, (len(counted) + 1) // 2)]
    taken = {c.zone.id for c in top}
    rest = [c for c in counted if c.zone.id not in taken]
    quietest = sorted(rest, key=lambda c: (c.count / c.zone.capacity, c.count, c.zone.code))
    return {
        "counted": len(counted),
        "busiest": [hall_out(c, names) for c in top],
        "quietest": [hall_out(c, names) for c in quietest[:HALLS_SHOWN]],
    }


# --- forum sessions -----------------------------------------------------------------------


def sessions(*, expo: Expo, at: dt.datetime) -> list[dict[str, Any]]:
    """The next `SESSIONS_SHOWN` published sessions to start at or after `at`, soonest first:
    title, forum, room and start in the edition's time zone (no speakers, no seats)."""
    published = published_programme(expo=expo)
    coming = [s for s in published.sessions if published.starts[s["id"]] >= at]
    coming.sort(key=lambda s: (published.starts[s["id"]], s["room"], s["id"]))
    today = at.astimezone(expo.tz).date()
    out = []
    for s in coming[:SESSIONS_SHOWN]:
        starts = published.starts[s["id"]].astimezone(expo.tz)
        out.append(
            {
                "id": s["id"],
                "title": _names(s["title"]["en"], s["title"]["zh"]),
                "forum": _names(s["forum_name"]["en"], s["forum_name"]["zh"]),
                "room": s["room"],
                "room_name": _names(s["room_name"]["en"], s["room_name"]["zh"]),
                "starts_at": starts.isoformat(),
                "date": starts.date().isoformat(),
                "time": starts.strftime("%H:%M"),
                "today": starts.date() == today,
            }
        )
    return out


# --- deals --------------------------------------------------------------------------------


def deals_out(*, expo: Expo) -> dict[str, Any]:
    """The deals' public tally (`deals.selectors.tally`, signed, what the deals API and the
    ceremony screen give): projects, yuan and those signed at the expo."""
    tally = deals.tally(expo=expo)
    return {
        "projects": tally["projects"],
        "amount": tally["amount"],
        "amount_text": grouped(tally["amount"]),
        "currency": tally["currency"],
        "at_expo": tally["at_expo"],
        "as_of": tally["as_of"],
    }


# --- the whole answer ---------------------------------------------------------------------


def screen_data(*, expo: Expo, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the screen shows at the edition's instant now (`screen_clock`), as the
    page's JSON answers it (docs/reports.md, "The public big screen"). Reads the folded
    occupancy history as it stands: `screen_snapshot` folds what is pending first."""
    clock = screen_clock(expo=expo, now=now)
    return {
        "expo": expo.slug,
        "clock": clock_out(clock, expo),
        "visitors": visitors(expo=expo, at=clock.at),
        "halls": halls(expo=expo, at=clock.at),
        "sessions": sessions(expo=expo, at=clock.at),
        "deals": deals_out(expo=expo),
        "cached_seconds": CACHE_SECONDS,
    }


_locks_lock = threading.Lock()


def rebuild_inline_seconds() -> float:
    """A kept answer whose computation took longer is computed again on a thread of its own
    (`settings.SCREEN_REBUILD_INLINE_SECONDS`, else 0.25)."""
    return float(getattr(settings, "SCREEN_REBUILD_INLINE_SECONDS", 0.25))


def _computed(expo: Expo) -> dict[str, Any]:
    crowd_services.history_refresh(expo=expo)
    return screen_data(expo=expo)


_answers = KeptPayloads(
    "screen", seconds=lambda: CACHE_SECONDS, inline_seconds=lambda: rebuild_inline_seconds()
)


def forget() -> None:
    """Drop the kept answers (tests rebuild the database under them)."""
    _answers.forget()
    with _locks_lock:
        _past.clear()


def rebuilds_join(timeout: float | None = None) -> None:
    """Wait for the computations under way on their threads (tests; a process about to stop)."""
    _answers.join(timeout)


def screen_snapshot(*, expo: Expo) -> dict[str, Any]:
    """`screen_data` as every screen of the edition reads it: computed at most once every
    `CACHE_SECONDS` per process, after folding the movements accepted so far
    (`crowd.services.history_refresh`, as every reader of occupancy does). One request
    computes while those arriving meanwhile get the answer before; a computation that took
    long is done on a thread of its own, every request answered the one before meanwhile
    (`reports.kept`, as the dashboard's).

    The answer is keyed by the edition's demo clock too: setting or clearing it shows at once.
    Anything else the screen shows is at most `CACHE_SECONDS` older than the answer."""
    version = (expo.clock_offset, expo.timezone)
    return _answers.get(expo.pk, version, lambda: _computed(expo))


# The texts the page and its script show, as msgids; `labels` gives them in both languages.
LABELS = {
    "title": gettext_noop("Live at the expo"),
    "visitors_today": gettext_noop("Visitors today"),
    "visitors_total": gettext_noop("Visitors since the opening"),
    "busiest": gettext_noop("Busiest halls now"),
    "quietest": gettext_noop("Quietest halls now: more room to see"),
    "sessions": gettext_noop("Next forum sessions"),
    "no_sessions": gettext_noop("No more forum sessions are scheduled."),
    "no_halls": gettext_noop("No hall is counted yet."),
    "deals": gettext_noop("Projects signed"),
    "amount": gettext_noop("Total amount (yuan)"),
    "at_expo": gettext_noop("Signed at the expo"),
    "open_until": gettext_noop("Open until %(time)s"),
    "closed": gettext_noop("The halls are closed now"),
    "demo": gettext_noop("Demo clock (not the real time)"),
    "replay": gettext_noop("Simulated time (not the real time)"),
    "offline": gettext_noop("Offline since %(time)s"),
}


def labels() -> dict[str, dict[str, str]]:
    """Every text of the screen in English and Chinese."""
    return {key: both(msgid) for key, msgid in LABELS.items()}
