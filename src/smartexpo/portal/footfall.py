"""The booth's footfall as its exhibitor's portal shows it: a row per day of the edition, and
the chosen day's visits per hour and occupancy. Reads only; the numbers are crowd's
(`crowd.selectors`: the same footfall the API answers), put together for one exhibitor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from smartexpo.crowd import selectors as crowd
from smartexpo.crowd import services as crowd_services
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.venue.models import Expo


@dataclass(frozen=True)
class DayRow:
    """One day of the exhibitor's booths together (several booths' numbers are summed; the
    distinct visitors of several booths are each booth's, summed, so a person who visited two
    booths counts twice; the peak is the highest of any booth)."""

    day: dt.date
    visits: int
    unique_visitors: int | None
    person_seconds: float
    peak: int
    average_booth: float | None

    @property
    def dwell_minutes(self) -> float | None:
        return self.person_seconds / self.visits / 60 if self.visits else None

    @property
    def versus_average(self) -> float | None:
        """The booth's visits as a multiple of the edition's average booth's."""
        if not self.average_booth:
            return None
        return self.visits / self.average_booth


@dataclass(frozen=True)
class BoothFootfall:
    """What the footfall page shows. `counted`: the exhibitor's booths that sensors count
    (booth codes); `uncounted`: its booths without a counting zone."""

    counted: list[str]
    uncounted: list[str]
    days: list[DayRow]
    chosen: dt.date | None
    series: crowd.DaySeries | None

    @property
    def has_data(self) -> bool:
        return any(row.visits for row in self.days)

    @property
    def chosen_has_data(self) -> bool:
        """Whether anybody was counted in the booths on the chosen day."""
        series = self.series
        return series is not None and (
            any(n for _at, n in series.hours) or any(n for _at, n in series.occupancy)
        )


def day_choice(value: str | None, days: list[dt.date]) -> dt.date | None:
    """The `?day=` asked for if it is one of the edition's days, else None."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if day in days else None


def booth_footfall(
    *, expo: Expo, exhibitor: Exhibitor, day: dt.date | None = None
) -> BoothFootfall:
    """The exhibitor's footfall over every day of the edition, and the series of `day` (by
    default the latest day anybody visited, or the edition's first day)."""
    # Readers fold what accepted requests queued first, as the API does.
    crowd_services.history_refresh(expo=expo)
    booths = crowd.booth_owners(expo=expo)
    zone_ids = crowd.booth_zones_of(booths=booths, exhibitor_id=exhibitor.pk)
    counted = sorted(booths[z]["code"] for z in zone_ids)
    uncounted = sorted(
        a.booth.code
        for a in exhibitor.booth_assignments.select_related("booth")
        if a.booth.zone_id is None
    )
    days = list(expo.days)
    if not zone_ids:
        return BoothFootfall(counted, uncounted, [], None, None)
    averages = crowd.booth_average_visits(expo=expo, booths=booths)
    rows = []
    for each in days:
        items = crowd.footfall(expo=expo, day=each, kinds=None, zone_ids=zone_ids)
        uniques = [i.unique_visitors for i in items if i.unique_visitors is not None]
        rows.append(
            DayRow(
                each,
                sum(i.visits for i in items),
                sum(uniques) if uniques else None,
                sum(i.person_seconds for i in items),
                max((i.peak for i in items), default=0),
                averages.get(each),
            )
        )
    if day is None:
        visited = [r.day for r in rows if r.visits]
        day = visited[-1] if visited else days[0]
    series = crowd.day_series(expo=expo, day=day, zone_ids=zone_ids)
    return BoothFootfall(counted, uncounted, rows, day, series)
