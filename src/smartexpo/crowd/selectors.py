"""Reads of venue intelligence: occupancy at an instant, its history, alerts, footfall.

Every read answers from the folded history (`crowd.fold`); callers fold what is pending first
(`crowd.services.pending_fold`), so an accepted movement is in every answer given after its
own request answered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection

import numpy as np
from django.db.models import Q, QuerySet, Sum

from smartexpo.core.errors import invalid
from smartexpo.core.stamps import READ
from smartexpo.crowd import occupancy_arithmetic
from smartexpo.crowd.frames import frame_at
from smartexpo.crowd.levels import ZoneInfo
from smartexpo.crowd.models import CrowdAlert, OccupancyMinute, ZoneDay
from smartexpo.crowd.periods import (
    MINUTE_US,
    closing_instant,
    day_number,
    from_us,
    period_of,
    periods_of,
    to_us,
)
from smartexpo.crowd.visitors import sketch_estimate, sketch_from_bytes
from smartexpo.crowd.zones import ZoneTable, zone_infos, zone_table
from smartexpo.venue.models import Expo

MAX_POINTS = 10_000
MAX_HISTORY_DAYS = 31


@dataclasses.dataclass(frozen=True)
class ZoneCount:
    zone: ZoneInfo
    count: int
    alert: bool

    def as_dict(self) -> dict:
        zone = self.zone
        return {
            "zone": zone.code,
            "kind": zone.kind,
            "hall": zone.hall,
            "name": {"en": zone.name_en, "zh": zone.name_zh},
            "count": self.count,
            "capacity": zone.capacity,
            "area_m2": float(zone.area_m2),
            "density": zone.density(self.count),
            "level": zone.level(self.count),
            "alert": self.alert,
        }


@dataclasses.dataclass(frozen=True)
class Occupancy:
    """Every zone's count and alert at an instant, as arrays in the zone table's order."""

    at: dt.datetime
    table: ZoneTable
    counts: np.ndarray
    alerts: np.ndarray

    def items(self) -> list[ZoneCount]:
        return [
            ZoneCount(zone, int(c), bool(a))
            for zone, c, a in zip(
                self.table.zones, self.counts.tolist(), self.alerts.tolist(), strict=True
            )
        ]

    def json(self) -> str:
        """The API's answer, serialised (each zone's fixed part comes ready-made)."""
        counts = self.counts.tolist()
        densities = (self.counts / self.table.area).tolist()
        parts = [
            f'{head}"count": {c}, "density": {d!r}, "level": "{lv}", "alert": '
            f"{'true' if a else 'false'}}}"
            for head, c, d, lv, a in zip(
                self.table.heads,
                counts,
                densities,
                self.table.levels(self.counts),
                self.alerts.tolist(),
                strict=True,
            )
        ]
        return f'{{"at": "{self.at.isoformat()}", "zones": [{", ".join(parts)}]}}'


def occupancy(*, expo: Expo, at: dt.datetime, version=READ) -> Occupancy:
    """Every zone's count and alert at an instant (docs/api.md: Venue sensors, occupancy).

    One indexed read: the venue's latest frame of the instant's count period (`crowd.frames`),
    its moves replayed up to the instant when the frame is the instant's own minute."""
    at_us = to_us(at)
    minute = at_us // MINUTE_US
    period = period_of(at, tz=expo.tz, closes_at=expo.closes_at)
    frame = frame_at(expo_id=expo.pk, period=period, minute=minute)
    table = zone_table(expo_id=expo.pk, version=version)
    counts = np.zeros(len(table.zones), dtype=np.int64)
    alerts = np.zeros(len(table.zones), dtype=bool)
    if frame is not None:
        where = np.array([table.index.get(z, -1) for z in frame.zone_ids.tolist()])
        known = where >= 0  # a zone deleted since the frame was made is not listed
        big = np.iinfo(np.int64).max
        raise_at = np.where(known, table.raise_at[where], big)
        clear_at = np.where(known, table.clear_at[where], -1)
        cut = at_us - minute * MINUTE_US if frame.minute == minute else None
        _ids, frame_counts, frame_alerts = frame.state_with(raise_at, clear_at, cut)
        counts[where[known]] = frame_counts[known]
        alerts[where[known]] = frame_alerts[known]
    return Occupancy(at, table, counts, alerts)


def occupancy_at(*, expo: Expo, at: dt.datetime) -> list[ZoneCount]:
    """`occupancy` as one `ZoneCount` per zone."""
    return occupancy(expo=expo, at=at).items()


@dataclasses.dataclass(frozen=True)
class HistoryPoint:
    at: dt.datetime
    count: int
    alert: bool


def history_window(start: dt.datetime, end: dt.datetime, step_seconds: int) -> int:
    """Check a history request's window; return its number of points."""
    errors = {}
    if end < start:
        errors["to"] = "Must not be before `from`."
    elif end - start > dt.timedelta(days=MAX_HISTORY_DAYS):
        errors["to"] = f"At most {MAX_HISTORY_DAYS} days after `from`."
    if step_seconds < 1:
        errors["step"] = "At least 1 second."
    elif step_seconds > MAX_HISTORY_DAYS * 86_400:
        errors["step"] = f"At most {MAX_HISTORY_DAYS} days ({MAX_HISTORY_DAYS * 86_400:,} s)."
    if errors:
        raise invalid(errors)
    points = int((end - start).total_seconds() // step_seconds) + 1
    if points > MAX_POINTS:
        raise invalid({"step": f"At most {MAX_POINTS:,} points: choose a longer step."})
    return points


def occupancy_history(
    *, expo: Expo, zone: ZoneInfo, start: dt.datetime, end: dt.datetime, step_seconds: int
) -> list[HistoryPoint]:
    """A zone's count and alert at `start`, `start + step`, … up to `end`, each exactly as
    `occupancy_at` would answer it."""
    points = history_window(start, end, step_seconds)
    tz, closes = expo.tz, expo.closes_at
    first = period_of(start, tz=tz, closes_at=closes)
    last = period_of(end, tz=tz, closes_at=closes)
    rows = (
        OccupancyMinute.objects.filter(zone_id=zone.id, period__gte=first, period__lte=last)
        .order_by("period", "minute")
        .values_list("period", "minute", "count_in", "alert_in", "moves")
    )
    samples = to_us(start) + np.arange(points, dtype=np.int64) * step_seconds * 1_000_000
    sample_period = periods_of(samples, tz=tz, closes_at=closes)
    rows = list(rows)
    counts = np.zeros(points, dtype=np.int64)
    alerts = np.zeros(points, dtype=bool)
    if rows:
        at, period, count, alert = _history_path(rows, zone)
        where = np.searchsorted(at, samples, side="right") - 1
        hit = (where >= 0) & (period[np.maximum(where, 0)] == sample_period)
        counts[hit] = count[where[hit]]
        alerts[hit] = alert[where[hit]]
    return [
        HistoryPoint(from_us(int(s)), int(c), bool(a))
        for s, c, a in zip(samples, counts, alerts, strict=True)
    ]


def _history_path(rows, zone: ZoneInfo):
    """Every stored instant of the rows (whole periods) with the count and alert after it."""
    sizes, at, net = occupancy_arithmetic.stored_moves([r[1] for r in rows], [r[4] for r in rows])
    period = np.repeat(np.array([day_number(r[0]) for r in rows], dtype=np.int64), sizes)
    starts = occupancy_arithmetic.segment_starts(period)
    # Each period starts from its first stored minute's count (0: counts start from zero).
    first = np.flatnonzero(starts)
    lengths = np.diff(np.append(first, len(period)))
    row_first = np.flatnonzero(
        occupancy_arithmetic.segment_starts(np.array([day_number(r[0]) for r in rows]))
    )
    count0 = np.repeat(np.array([rows[i][2] for i in row_first], dtype=np.int64), lengths)
    alert0 = np.repeat(np.array([bool(rows[i][3]) for i in row_first], dtype=bool), lengths)
    count = occupancy_arithmetic.clamped_counts(net, starts, count0)
    raise_at = np.full(len(at), zone.raise_at)
    clear_at = np.full(len(at), zone.clear_at)
    alert = occupancy_arithmetic.alert_states(count, starts, raise_at, clear_at, alert0)
    return at, period, count, alert


def zone_for_code(*, expo: Expo, code: str) -> ZoneInfo:
    """One of the edition's zones by code, or a 422 naming the field."""
    for zone in zone_infos(expo_id=expo.pk).values():
        if zone.code == code:
            return zone
    raise invalid({"zone": f"No zone {code!r} in this edition."})


# --- alerts ------------------------------------------------------------------------------


def alert_is_active(alert: CrowdAlert, at: dt.datetime) -> bool:
    """Whether the alert is raised at `at` (the nightly reset ends one at closing time)."""
    if alert.raised_at > at:
        return False
    return at <= alert.ends_at if alert.ended_by_reset else at < alert.ends_at


def alert_list(
    *, expo: Expo, at: dt.datetime, active: bool | None = None, zone: str | None = None
) -> QuerySet[CrowdAlert]:
    """The edition's alerts raised up to `at`, oldest first; `active` keeps only those raised
    (True) or ended (False) at `at`."""
    alerts = CrowdAlert.objects.filter(expo=expo, raised_at__lte=at).select_related("zone")
    if zone:
        alerts = alerts.filter(zone__code=zone)
    running = Q(ends_at__gt=at) | Q(ended_by_reset=True, ends_at=at)
    if active is True:
        alerts = alerts.filter(running)
    elif active is False:
        alerts = alerts.exclude(running)
    return alerts.order_by("raised_at", "id")


# --- footfall ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Footfall:
    """A zone's count period: visits (entries), exits, distinct visitors where sensors tag
    them, the mean dwell (Little's law: person-time ÷ visits), the peak and the drift."""

    zone: ZoneInfo
    day: dt.date
    visits: int
    exits: int
    unique_visitors: int | None
    person_seconds: float
    peak: int
    closing_count: int

    @property
    def mean_dwell_seconds(self) -> float | None:
        return self.person_seconds / self.visits if self.visits else None


def footfall(
    *,
    expo: Expo,
    day: dt.date,
    kinds: list[str] | None = None,
    at: dt.datetime | None = None,
    zone_ids: Collection[int] | None = None,
) -> list[Footfall]:
    """Footfall of the edition's zones (of `kinds`, among `zone_ids` if given) in the count
    period `day`, up to `at` (default: the whole period)."""
    zones = {
        i: z
        for i, z in zone_infos(expo_id=expo.pk).items()
        if (not kinds or z.kind in kinds) and (zone_ids is None or i in zone_ids)
    }
    tz, closes = expo.tz, expo.closes_at
    close = closing_instant(day, tz=tz, closes_at=closes)
    cut_us = to_us(min(at, close)) if at else to_us(close)
    rows = (
        OccupancyMinute.objects.filter(zone_id__in=list(zones), period=day)
        .order_by("zone_id", "minute")
        .values_list("zone_id", "minute", "count_out", "peak", "entries", "exits", "person_us")
    )
    sums = _footfall_sums(rows, cut_us=cut_us, close_us=to_us(close))
    days = {d.zone_id: d for d in ZoneDay.objects.filter(zone_id__in=list(zones), period=day)}
    result = []
    for zone_id, zone in zones.items():
        person_us, peak, visits, exits = sums.get(zone_id, (0, 0, 0, 0))
        record = days.get(zone_id)
        sketch = sketch_from_bytes(record.visitors) if record and record.visitors else None
        result.append(
            Footfall(
                zone,
                day,
                visits,
                exits,
                sketch_estimate(sketch) if sketch is not None else None,
                person_us / 1e6,
                peak,
                record.closing_count if record else 0,
            )
        )
    return result


def _footfall_sums(rows, *, cut_us: int, close_us: int) -> dict[int, tuple[int, int, int, int]]:
    """Per zone, (person-µs, peak, visits, exits) of its stored minutes (`rows` ordered by zone
    and minute) that began by `cut_us`: each minute's own person-time, plus the count it left
    until the zone's next stored minute, closing time or `cut_us`. In numpy: a day of an
    edition's booths is hundreds of thousands of minutes."""
    data = np.array(list(rows.iterator(chunk_size=20_000)), dtype=np.int64).reshape(-1, 7)
    data = data[data[:, 1] * MINUTE_US <= cut_us]
    if not len(data):
        return {}
    zone, start_us = data[:, 0], data[:, 1] * MINUTE_US
    last = np.append(zone[1:] != zone[:-1], True)  # a zone's last stored minute
    following = np.where(last, cut_us, np.append(start_us[1:], cut_us))
    minute_end = np.minimum(start_us + MINUTE_US, close_us)
    held = data[:, 2] * np.maximum(0, np.minimum(following, cut_us) - minute_end)
    starts = np.flatnonzero(np.append(True, zone[1:] != zone[:-1]))
    person = np.add.reduceat(data[:, 6] + held, starts).tolist()
    peak = np.maximum.reduceat(data[:, 3], starts).tolist()
    visits = np.add.reduceat(data[:, 4], starts).tolist()
    exits = np.add.reduceat(data[:, 5], starts).tolist()
    return {
        z: (p, k, v, x)
        for z, p, k, v, x in zip(zone[starts].tolist(), person, peak, visits, exits, strict=True)
    }


def footfall_days(*, expo: Expo) -> list[dt.date]:
    """The count periods with any movement, as days."""
    ids = list(zone_infos(expo_id=expo.pk))
    found = ZoneDay.objects.filter(zone_id__in=ids).values_list("period", flat=True).distinct()
    return sorted(set(found)) or list(expo.days)


def period_today(*, expo: Expo) -> dt.date:
    """The count period the edition is in now."""
    from django.utils import timezone

    return period_of(timezone.now(), tz=expo.tz, closes_at=expo.closes_at)


def booth_owners(*, expo: Expo) -> dict[int, dict]:
    """Booth zones' booth code and exhibitor, by zone id."""
    from smartexpo.venue.models import Booth

    found = {}
    booths = Booth.objects.filter(expo=expo, zone__isnull=False).select_related(
        "assignment__exhibitor"
    )
    for booth in booths:
        assignment = getattr(booth, "assignment", None)
        exhibitor = assignment.exhibitor if assignment else None
        found[booth.zone_id] = {
            "code": booth.code,
            "exhibitor_id": exhibitor.pk if exhibitor else None,
            "exhibitor": {"id": exhibitor.pk, "name": exhibitor.names} if exhibitor else None,
        }
    return found


def booth_zones_of(*, booths: dict[int, dict], exhibitor_id: int) -> list[int]:
    """The zones that count an exhibitor's booths, from `booth_owners`' answer: what the
    exhibitor's footfall is made of (in the API and in its portal alike)."""
    return [zone for zone, booth in booths.items() if booth["exhibitor_id"] == exhibitor_id]


def booth_average_visits(*, expo: Expo, booths: dict[int, dict]) -> dict[dt.date, float]:
    """Per count period, the visits of the edition's average booth: every entry into a booth
    zone that has an exhibitor, over the number of such zones (those nobody entered count as
    none). Read from the zone days the fold keeps, one aggregate query."""
    owned = [zone for zone, booth in booths.items() if booth["exhibitor_id"] is not None]
    if not owned:
        return {}
    totals = (
        ZoneDay.objects.filter(zone_id__in=owned)
        .values("period")
        .annotate(visits=Sum("entries"))
        .values_list("period", "visits")
    )
    return {period: (visits or 0) / len(owned) for period, visits in totals}


@dataclasses.dataclass(frozen=True)
class DaySeries:
    """Some zones over one count period: each hour's visits (entries) and, every `step`, the
    number of people in them together, exactly as `occupancy_history` counts each zone."""

    day: dt.date
    hours: list[tuple[dt.datetime, int]]
    occupancy: list[tuple[dt.datetime, int]]


def day_series(
    *, expo: Expo, day: dt.date, zone_ids: Collection[int], step_seconds: int = 600
) -> DaySeries:
    """The zones' visits per hour and their occupancy over the count period `day`, from the
    daily opening (or the first hour anybody entered, if earlier) to the closing."""
    tz, closes = expo.tz, expo.closes_at
    close = closing_instant(day, tz=tz, closes_at=closes)
    opening = dt.datetime.combine(day, expo.opens_at, tzinfo=tz).astimezone(dt.UTC)
    infos = zone_infos(expo_id=expo.pk)
    zones = [infos[z] for z in zone_ids if z in infos]
    rows = list(
        OccupancyMinute.objects.filter(zone_id__in=[z.id for z in zones], period=day)
        .filter(entries__gt=0)
        .values_list("minute", "entries")
    )
    hour_us = 3_600_000_000
    start_us = to_us(opening)
    if rows:
        first_us = min(minute for minute, _n in rows) * MINUTE_US
        if first_us < start_us:
            start_us -= -((first_us - start_us) // hour_us) * hour_us
    start = from_us(start_us)
    hours = max(1, -(-(to_us(close) - start_us) // hour_us))
    visits = [0] * hours
    for minute, entries in rows:
        slot = (minute * MINUTE_US - start_us) // hour_us
        if 0 <= slot < hours:
            visits[slot] += entries
    counts: np.ndarray | None = None
    instants: list[dt.datetime] = []
    for zone in zones:
        points = occupancy_history(
            expo=expo, zone=zone, start=start, end=close, step_seconds=step_seconds
        )
        instants = [p.at for p in points]
        zone_counts = np.array([p.count for p in points], dtype=np.int64)
        counts = zone_counts if counts is None else counts + zone_counts
    return DaySeries(
        day,
        [(from_us(start_us + i * hour_us), n) for i, n in enumerate(visits)],
        list(zip(instants, [] if counts is None else counts.tolist(), strict=True)),
    )
