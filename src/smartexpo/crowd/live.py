"""Selectors for the live venue page: the instant it shows, every zone's level and colour, the
halls on the site plan, the alerts, and occupancy over the day for its chart.

Built on `crowd.selectors`, whose answers come from the folded history: callers fold what is
pending first (as the API does), so a batch of sensor events is on the page at the next poll
after its request answered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urlencode

from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext_lazy

from smartexpo.core.instants import YEARS, parse_instant
from smartexpo.crowd import predict, selectors
from smartexpo.crowd.api import alert_out, predicted_out
from smartexpo.crowd.levels import LEVEL_BOUNDS, LEVELS
from smartexpo.crowd.models import OccupancyMinute, ReplayClock
from smartexpo.crowd.periods import MINUTE_US, closing_instant, from_us, period_of
from smartexpo.venue import selectors as venue
from smartexpo.venue.clock import demo_clock_on, edition_now
from smartexpo.venue.floorplan import Plan
from smartexpo.venue.models import Expo, Zone, ZoneKind

# The simulator rewrites the replay clock at every tick; a clock not rewritten for this long
# belongs to a simulation that has stopped, and the page goes back to the real clock.
REPLAY_FRESH = dt.timedelta(seconds=30)
CHART_STEP_SECONDS = 300
# Enough to act on; the count says how many more there are (the API lists them all).
ACTIVE_ALERTS_SHOWN = 50
RECENT_ALERTS_SHOWN = 10
BUSIEST_BOOTHS_SHOWN = 10
LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclasses.dataclass(frozen=True)
class Level:
    """A walkway level of service as the page draws it: fill colour, the text colour that
    reads on it, a short description and its density range."""

    letter: str
    colour: str
    ink: str
    label: str
    lower: float | None  # p/m², exclusive; None for A
    upper: float | None  # p/m², inclusive; None for F


# Calm to alarming. Dark ink on the light fills, white on the dark ones: every pair has a
# contrast ratio of at least 4.5 (WCAG AA), so the hall labels stay readable at any level.
_LEVEL_STYLE = {
    "A": ("#3fae49", "#14213d", pgettext_lazy("crowd level", "Free flow")),
    "B": ("#a6d96a", "#14213d", pgettext_lazy("crowd level", "Minor conflicts")),
    "C": ("#fee05c", "#14213d", pgettext_lazy("crowd level", "Some restriction")),
    "D": ("#fd9a44", "#14213d", pgettext_lazy("crowd level", "Restricted")),
    "E": ("#c62828", "#ffffff", pgettext_lazy("crowd level", "Severely restricted")),
    "F": ("#5e1046", "#ffffff", pgettext_lazy("crowd level", "Critical")),
}


def level_list() -> list[Level]:
    """The six levels, A to F, with their colours and density ranges (`crowd.levels`)."""
    uppers = [b / 100 for b in LEVEL_BOUNDS] + [None]
    lowers = [None, *uppers[:-1]]
    return [
        Level(letter, *_LEVEL_STYLE[letter][:2], str(_LEVEL_STYLE[letter][2]), lower, upper)
        for letter, lower, upper in zip(LEVELS, lowers, uppers, strict=True)
    ]


def level_style(letter: str) -> tuple[str, str]:
    """(fill, ink) of a level."""
    colour, ink, _label = _LEVEL_STYLE[letter]
    return colour, ink


def _zh() -> bool:
    return (get_language() or "en").startswith("zh")


def local_text(at: dt.datetime | None, expo: Expo) -> str | None:
    """An instant as the edition's wall-clock time, `YYYY-MM-DD HH:MM:SS`."""
    return at.astimezone(expo.tz).strftime(LOCAL_FORMAT) if at else None


def utc_offset_text(at: dt.datetime, expo: Expo) -> str:
    """The edition's UTC offset at an instant, `+08:00`."""
    minutes = int(at.astimezone(expo.tz).utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# --- the instant shown --------------------------------------------------------------------


def instant_parse(value: str | None, *, expo: Expo, local: bool) -> dt.datetime | None:
    """An instant from a query string: ISO 8601 with its UTC offset, or (if `local`) the
    edition's wall-clock time as a `datetime-local` input sends it (`2019-08-26T10:00`).
    None if it cannot be read."""
    if not isinstance(value, str) or not value.strip():
        return None
    instant = parse_instant(value)
    if instant is None and local:
        try:
            naive = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if naive.tzinfo is not None:  # an offset of a form parse_instant refused
            return None
        # A wall-clock time that occurs twice (a DST fold) is read as its first occurrence.
        instant = naive.replace(tzinfo=expo.tz)
    # Years at the ends of the calendar overflow once moved to UTC or to the next day's
    # count period; no expo is held then.
    if instant is None or not YEARS[0] <= instant.year <= YEARS[1]:
        return None
    return instant


@dataclasses.dataclass(frozen=True)
class LiveClock:
    """The instant the page shows and where it comes from: an organiser's choice
    (`chosen`), the simulator's replay clock while it runs (`replay`), the edition's demo clock
    (`demo`, `venue.clock`), or the real clock (`now`)."""

    at: dt.datetime
    source: str
    speed: float | None  # the speed the replay achieves, as far as its run measured it
    running_today: bool
    asked: float | None = None  # the speed the replay was asked to keep

    @property
    def idle(self) -> bool:
        """Whether the page follows the edition's clock (real or demo) on a day without the
        expo: empty halls."""
        return self.source in ("now", "demo") and not self.running_today


def live_clock(
    *, expo: Expo, chosen: dt.datetime | None = None, now: dt.datetime | None = None
) -> LiveClock:
    """The instant the page shows: the chosen one, else a fresh replay clock's, else the
    edition's now (`venue.clock.edition_now`: its demo clock's instant if it has one).

    A simulation's replay clock comes before the demo clock: while the twin plays, the page
    shows what it plays (the demo clock goes on dating the gates' scans), and it is back on
    the demo clock once the run stops renewing its own. `running_today` is on the edition's
    clock too: a demo clock set to an expo day makes it a running day."""
    real = now or timezone.now()
    now = edition_now(expo, now=real)
    today = now.astimezone(expo.tz).date()
    running = expo.starts_on <= today <= expo.ends_on
    if chosen is not None:
        return LiveClock(chosen, "chosen", None, running)
    replay = ReplayClock.objects.filter(expo=expo).first()
    # Freshness is a matter of real seconds: the simulator renews on the real clock.
    if replay is not None and real - replay.updated_at <= REPLAY_FRESH:
        # The simulated instant itself, not extrapolated by its speed: the simulator sets the
        # clock once a tick's movements are in, so later instants are not reported yet.
        achieved = replay.achieved_speed if replay.achieved_speed is not None else replay.speed
        return LiveClock(replay.at, "replay", achieved, running, asked=replay.speed)
    return LiveClock(now, "demo" if demo_clock_on(expo) else "now", None, running)


# A run within this fraction of the speed asked is said to keep it (its measure wobbles with
# the work of each tick); a slower one shows both speeds.
SPEED_KEPT = 0.95


def speed_text(speed: float) -> str:
    """A speed as the header shows it: whole above 10 (`600`, `75`, `1,200`), else to two
    significant digits (`2.5`, `0.5`)."""
    return f"{speed:,.0f}" if speed >= 10 else f"{speed:.2g}"


def clock_label(clock: LiveClock, expo: Expo) -> str:
    """What the page says about the instant it shows; a simulation that cannot keep the
    speed asked shows the speed it achieves, and the one asked beside it."""
    time = local_text(clock.at, expo)
    if clock.source == "replay":
        values = {"time": time, "speed": speed_text(clock.speed)}
        if clock.asked is not None and clock.speed < SPEED_KEPT * clock.asked:
            values["asked"] = speed_text(clock.asked)
            return gettext("Simulated time %(time)s (×%(speed)s, asked ×%(asked)s)") % values
        return gettext("Simulated time %(time)s (×%(speed)s)") % values
    if clock.source == "chosen":
        return gettext("Chosen instant %(time)s") % {"time": time}
    if clock.source == "demo":
        # Never to be taken for the real time: the page's header says so in words.
        return gettext("Demo clock %(time)s (not the real time)") % {"time": time}
    return gettext("Now %(time)s") % {"time": time}


def latest_movement_at(*, expo: Expo) -> dt.datetime | None:
    """The end of the latest minute with movements in any of the edition's zones (at most
    its count period's closing time, after which the count starts again), or None.

    One statement: per zone, an index seek for its latest stored minute (the unique index on
    zone, period, minute), then the greatest of those."""
    rows = OccupancyMinute.objects.filter(zone_id=OuterRef("pk")).order_by("-period", "-minute")
    found = (
        Zone.objects.filter(expo=expo)
        .annotate(
            latest=Subquery(rows.values("minute")[:1]), period=Subquery(rows.values("period")[:1])
        )
        .filter(latest__isnull=False)
        .order_by("-latest")
        .values_list("latest", "period")
        .first()
    )
    if found is None:
        return None
    minute, period = found
    closing = closing_instant(period, tz=expo.tz, closes_at=expo.closes_at)
    return min(from_us((int(minute) + 1) * MINUTE_US - 1), closing)


def page_url(*, expo: Expo, at: dt.datetime | None = None) -> str:
    """The live page's address, at a chosen instant (given with its offset) or live."""
    url = reverse("crowd:live", kwargs={"expo": expo.slug})
    if at is None:
        return url
    return f"{url}?{urlencode({'at': at.astimezone(expo.tz).isoformat()})}"


def picker_value(clock: LiveClock, expo: Expo, latest: dt.datetime | None) -> str:
    """The date and time the page's picker starts from: the shown instant if it falls on an
    expo day, else the latest movements or the first opening (the picker offers expo days)."""
    at = clock.at
    if not expo.starts_on <= at.astimezone(expo.tz).date() <= expo.ends_on:
        at = latest or dt.datetime.combine(expo.starts_on, expo.opens_at, tzinfo=expo.tz)
    return at.astimezone(expo.tz).strftime("%Y-%m-%dT%H:%M")


def clock_out(clock: LiveClock, expo: Expo) -> dict:
    """The clock as the page's script reads it."""
    latest = latest_movement_at(expo=expo) if clock.idle else None
    return {
        "at": clock.at.astimezone(expo.tz).isoformat(),
        "local": local_text(clock.at, expo),
        "input": picker_value(clock, expo, latest),
        "utc_offset": utc_offset_text(clock.at, expo),
        "timezone": expo.timezone,
        "source": clock.source,
        "speed": clock.speed,
        "asked": clock.asked,
        "label": clock_label(clock, expo),
        "running_today": clock.running_today,
        "idle": clock.idle,
        "latest": (
            {"local": local_text(latest, expo), "url": page_url(expo=expo, at=latest)}
            if latest
            else None
        ),
    }


# --- zones and the plan -------------------------------------------------------------------


def zone_out(zone_count: selectors.ZoneCount) -> dict:
    """A zone's occupancy as the API gives it, plus its name in the active language and
    its level's colours."""
    row = zone_count.as_dict()
    row["label"] = row["name"]["zh"] if _zh() else row["name"]["en"]
    row["kind_label"] = str(ZoneKind(row["kind"]).label)
    row["colour"], row["ink"] = level_style(row["level"])
    return row


@dataclasses.dataclass
class LiveHallShape:
    """A hall on the live site plan: its rectangle in metres and where its three lines of
    text go (code, count over capacity, density and level)."""

    zone: str
    name: str
    x: float
    y: float
    width: float
    depth: float
    font: float
    row: dict | None = None

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    # The code at `font`, then two lines at `small`: a block 2.5 fonts high, centred.
    @property
    def small(self) -> float:
        return self.font * 0.6

    @property
    def code_y(self) -> float:
        return self.y + self.depth / 2 - self.font * 0.7

    @property
    def count_y(self) -> float:
        return self.code_y + self.font * 0.95

    @property
    def density_y(self) -> float:
        return self.count_y + self.font * 0.75

    @property
    def flag_x(self) -> float:
        return self.x + self.width - self.small * 0.9

    @property
    def flag_y(self) -> float:
        return self.y + self.small * 1.2

    def as_dict(self) -> dict:
        return {
            "zone": self.zone,
            "x": self.x,
            "y": self.y,
            "width": self.width,
            "depth": self.depth,
        }


def live_plan(*, expo: Expo) -> Plan:
    """Every hall with a place on the site plan, to scale, as the live page draws it."""
    halls = [h for h in venue.hall_list(expo=expo) if h.has_plan]
    width = max((float(h.plan_x + h.plan_width) for h in halls), default=100)
    depth = max((float(h.plan_y + h.plan_depth) for h in halls), default=100)
    plan = Plan(width=width, depth=depth, margin=4)
    for hall in halls:
        w, d = float(hall.plan_width), float(hall.plan_depth)
        plan.shapes.append(
            LiveHallShape(
                zone=hall.code,
                name=hall.name,
                x=float(hall.plan_x),
                y=float(hall.plan_y),
                width=w,
                depth=d,
                # The widest line, "12,345 / 20,000" at 0.6 of the font, is about 5 fonts
                # wide; the three lines are 2.5 fonts high.
                font=max(2.0, min(w / 5.5, d / 3, 30.0)),
            )
        )
    return plan


# --- alerts -------------------------------------------------------------------------------


def alert_row(alert, *, at: dt.datetime, expo: Expo) -> dict:
    """An alert as the API gives it (`crowd.api.alert_out`, so that the page and integrations
    read an alert alike), with the zone's name, the reason in words, times in the edition's
    time zone and the address that acknowledges it."""
    row = alert_out(alert, at)
    row["label"] = alert.zone.name
    row["reason_label"] = str(alert.get_reason_display())
    row["raised_local"] = local_text(alert.raised_at, expo)
    cleared = alert.ends_at if row["cleared_at"] else None
    row["cleared_local"] = local_text(cleared, expo)
    row["acknowledged_local"] = local_text(alert.acknowledged_at, expo)
    row["acknowledge_url"] = reverse(
        "crowd:acknowledge", kwargs={"expo": expo.slug, "alert_id": alert.pk}
    )
    return row


def alerts_out(*, expo: Expo, at: dt.datetime) -> dict:
    """The alerts raised at `at`, newest first, and the latest that had ended by then in the
    same count period (the day being watched, not every earlier day of the edition)."""
    active = selectors.alert_list(expo=expo, at=at, active=True)
    period = period_of(at, tz=expo.tz, closes_at=expo.closes_at)
    ended = selectors.alert_list(expo=expo, at=at, active=False).filter(period=period)
    # Halls, rooms and the venue first: a crowded hall matters more than a crowded booth, and
    # a busy floor can have hundreds of booth alerts at once.
    booths_last = Case(
        When(zone__kind=ZoneKind.BOOTH, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return {
        "active_count": active.count(),
        "active": [
            alert_row(a, at=at, expo=expo)
            for a in active.order_by(booths_last, "-raised_at", "-id")[:ACTIVE_ALERTS_SHOWN]
        ],
        "recent": [
            alert_row(a, at=at, expo=expo)
            for a in ended.order_by("-ends_at", "-id")[:RECENT_ALERTS_SHOWN]
        ],
    }


# --- predicted alerts ---------------------------------------------------------------------

_BASIS = {
    predict.BASIS_EDITION: pgettext_lazy(
        "crowd prediction", "Recent trend and this edition's earlier days"
    ),
    predict.BASIS_PREVIOUS: pgettext_lazy(
        "crowd prediction", "Recent trend and the previous edition's days"
    ),
    predict.BASIS_TREND: pgettext_lazy("crowd prediction", "Recent trend only"),
}


def predicted_row(alert: predict.PredictedAlert, *, expo: Expo) -> dict:
    """A predicted alert as the API gives it (`crowd.api.predicted_out`), with the hall's name,
    what its forecast is based on in words and times in the edition's time zone."""
    row = predicted_out(alert)
    row["label"] = alert.zone.name_zh if _zh() else alert.zone.name_en
    row["basis_label"] = str(_BASIS[alert.basis])
    row["raised_local"] = local_text(alert.raised_at, expo)
    row["expected_local"] = local_text(alert.expected_at, expo)
    row["cleared_local"] = local_text(alert.cleared_at, expo)
    return row


def predicted_alerts_out(*, expo: Expo, at: dt.datetime) -> dict:
    """The predicted alerts active at `at` (soonest threshold first) and the latest of the day
    that had ended by then (`crowd.predict`). Never mixed with the live alerts."""
    alerts = predict.predicted_at(expo=expo, at=at)
    active = [a for a in alerts if a.active]
    soon = 10**9  # a forecast no longer reaching the threshold comes after those that do
    active.sort(
        key=lambda a: (
            a.minutes_to_threshold if a.minutes_to_threshold is not None else soon,
            a.zone.code,
        )
    )
    ended = sorted((a for a in alerts if not a.active), key=lambda a: a.cleared_at, reverse=True)
    return {
        "horizon_minutes": predict.HORIZON_MINUTES,
        "active_count": len(active),
        "active": [predicted_row(a, expo=expo) for a in active],
        "recent": [predicted_row(a, expo=expo) for a in ended[:RECENT_ALERTS_SHOWN]],
    }


# --- the page's data ----------------------------------------------------------------------


@dataclasses.dataclass
class LiveState:
    """Everything the page shows at one instant: `data` is what data.json answers, `plan`
    the halls to draw (each with its zone's row) and `zones` the rows of the zone table."""

    clock: LiveClock
    data: dict
    plan: Plan
    zones: list[dict]


def live_state(
    *, expo: Expo, chosen: dt.datetime | None = None, now: dt.datetime | None = None
) -> LiveState:
    """The page at the instant it shows (`live_clock`): every zone but the booths with its
    count, density, level and colour, the halls on the plan, the busiest booths, the
    alerts, the predicted alerts (each hall's `predicted` flag) and the clock."""
    clock = live_clock(expo=expo, chosen=chosen, now=now)
    counts = selectors.occupancy_at(expo=expo, at=clock.at)
    rows = [zone_out(c) for c in counts]
    # Booth zones are hundreds on a real floor: the page lists only the busiest, by density.
    booths = [r for r in rows if r["kind"] == ZoneKind.BOOTH]
    zones = [r for r in rows if r["kind"] != ZoneKind.BOOTH]
    busiest = sorted((r for r in booths if r["count"]), key=lambda r: (-r["density"], r["zone"]))[
        :BUSIEST_BOOTHS_SHOWN
    ]
    predicted = predicted_alerts_out(expo=expo, at=clock.at)
    expected = {a["zone"] for a in predicted["active"]}
    for row in zones:
        row["predicted"] = row["zone"] in expected
    plan = live_plan(expo=expo)
    by_code = {r["zone"]: r for r in zones}
    for shape in plan.shapes:
        shape.row = by_code.get(shape.zone)
    data = {
        "at": clock.at.astimezone(expo.tz).isoformat(),
        "clock": clock_out(clock, expo),
        "zones": zones,
        "plan": {"view_box": plan.view_box, "halls": [s.as_dict() for s in plan.shapes]},
        "booths": {"count": len(booths), "busiest": busiest},
        "alerts": alerts_out(expo=expo, at=clock.at),
        "predicted": predicted,
    }
    return LiveState(clock=clock, data=data, plan=plan, zones=zones)


def occupancy_over_day(
    *, expo: Expo, chosen: dt.datetime | None = None, now: dt.datetime | None = None
) -> dict:
    """Each hall's count every five minutes of the shown instant's day, from its opening
    time up to the instant, and at the instant itself: the chart's lines. Times are the
    edition's wall-clock times, so the chart reads in the expo's time zone wherever the
    browser is."""
    clock = live_clock(expo=expo, chosen=chosen, now=now)
    at = clock.at
    day = at.astimezone(expo.tz).date()
    opening = dt.datetime.combine(day, expo.opens_at, tzinfo=expo.tz)
    start = min(opening, at)
    halls = [z for z in selectors.zone_infos(expo_id=expo.pk).values() if z.kind == ZoneKind.HALL]
    final = {c.zone.id: c.count for c in selectors.occupancy_at(expo=expo, at=at)}
    series, times = [], None
    for hall in halls:
        points = selectors.occupancy_history(
            expo=expo, zone=hall, start=start, end=at, step_seconds=CHART_STEP_SECONDS
        )
        counts = [p.count for p in points]
        if times is None:
            times = [p.at for p in points]
        if not times or times[-1] != at:
            counts.append(final.get(hall.id, 0))
        series.append(
            {
                "zone": hall.code,
                "label": hall.name_zh if _zh() else hall.name_en,
                "capacity": hall.capacity,
                "counts": counts,
            }
        )
    times = times or []
    if not times or times[-1] != at:
        times.append(at)
    return {
        "at": at.astimezone(expo.tz).isoformat(),
        "day": day.isoformat(),
        "step": CHART_STEP_SECONDS,
        "timezone": expo.timezone,
        "times": [local_text(t, expo) for t in times],
        "series": series,
    }
