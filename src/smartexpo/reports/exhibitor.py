"""The exhibitor report's figures (docs/reports.md, "The exhibitor report"): for one exhibitor,
its booths' footfall against the averages of its hall and its sector, its leads with ratings, its
business meetings held and the forum sessions its people gave. `exhibitor_pdf` draws them.

An edition has some 850 exhibitors and the organiser builds all their reports at once, so the
edition-wide figures are read once (`exhibitor_context`): every booth's footfall per day (the
footfall API's `crowd.selectors.footfall`), every booth's visits per hour (one grouped
statement over the stored minutes), the leads, meetings and sessions grouped by exhibitor (one
statement each). `exhibitor_report` then only picks one exhibitor's share out of them, with
no query of its own.

Another exhibitor is never named: the hall's and the sector's averages are numbers, and an
average over fewer than `MIN_GROUP` booths or exhibitors is withheld (with two, the other's
figure would be the average's arithmetic).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Sum

from smartexpo.crowd import selectors as crowd
from smartexpo.crowd import services
from smartexpo.crowd.models import OccupancyMinute
from smartexpo.crowd.periods import MINUTE_US, from_us, to_us
from smartexpo.exhibitors.models import Exhibitor, ExhibitorStatus
from smartexpo.leads.models import MAX_RATING, Lead
from smartexpo.leads.selectors import holder as lead_holder
from smartexpo.meetings.models import Meeting, RequestStatus
from smartexpo.programme.attendance import attendance_counts
from smartexpo.programme.selectors import published_programme
from smartexpo.reports.edition import days_begun, report_instant
from smartexpo.venue.models import Booth, Expo

# The fewest booths (or exhibitors) an average is shown over: with two, an exhibitor could
# work the other's figure out of the average and its own.
MIN_GROUP = 3
RATINGS = range(MAX_RATING + 1)  # a lead's rating: 0 to 5, or none


@dataclass
class BoothFigures:
    """One booth zone's footfall over the days begun by the instant."""

    code: str
    hall_id: int
    exhibitor_id: int
    days: dict[dt.date, tuple[int, int | None, float, int]] = field(default_factory=dict)
    hours: Counter = field(default_factory=Counter)  # local hour of the day → visits

    @property
    def visits(self) -> int:
        return sum(v for v, _u, _s, _p in self.days.values())

    @property
    def person_seconds(self) -> float:
        return sum(s for _v, _u, s, _p in self.days.values())


@dataclass
class ExhibitorContext:
    """The edition-wide figures every exhibitor's report is drawn from (`exhibitor_context`)."""

    expo: Expo
    at: dt.datetime
    days: list[dt.date]
    exhibitors: list[Exhibitor]
    booths: dict[int, list[dict]]  # exhibitor id → its booths (code, hall, counted zone)
    counted: dict[int, BoothFigures]  # booth zone id → figures
    halls: dict[int, dict]  # hall zone id → code and names
    leads: dict[int, Counter]  # exhibitor id → rating (None: unrated) → leads
    lead_rows: dict[int, list[dict]]  # exhibitor id → its leads as its staff see them
    meetings: dict[int, Counter]  # exhibitor id → scheduled / held / missed
    sessions: dict[int, list[dict]]  # exhibitor id → sessions its people gave
    # The averages of a hall or a sector, worked out for its first exhibitor and kept for the
    # others: every report would otherwise walk every booth again.
    averages: dict[tuple[str, int], dict] = field(default_factory=dict)


def exhibitor_context(*, expo: Expo, at: dt.datetime | None = None) -> ExhibitorContext:
    """The figures of every approved exhibitor of the edition at `at` (`report_instant`: the
    live venue page's instant, at most the end of the last day), read once: a constant number
    of statements whatever the number of exhibitors (the footfall and the hours: a few per day).

    Folds the sensors' pending movements first, as every reader of occupancy does."""
    services.history_refresh(expo=expo)
    at = report_instant(expo=expo, at=at)
    days = days_begun(expo, at)
    exhibitors = list(
        Exhibitor.objects.filter(expo=expo, status=ExhibitorStatus.APPROVED)
        .select_related("sector")
        .defer("search_text", "description_en", "description_zh")
        .order_by("name_en", "pk")
    )
    booths: dict[int, list[dict]] = defaultdict(list)
    halls: dict[int, dict] = {}
    counted: dict[int, BoothFigures] = {}
    rows = (
        Booth.objects.filter(expo=expo, assignment__isnull=False)
        .select_related("hall")
        .values_list(
            "code", "zone_id", "hall_id", "hall__code", "hall__name_en", "hall__name_zh",
            "assignment__exhibitor_id",
        )
        .order_by("code")
    )  # fmt: skip
    for code, zone_id, hall_id, hall_code, hall_en, hall_zh, exhibitor_id in rows:
        halls[hall_id] = {"code": hall_code, "name": {"en": hall_en, "zh": hall_zh or hall_en}}
        booths[exhibitor_id].append({"code": code, "hall": hall_id, "zone": zone_id})
        if zone_id is not None:
            counted[zone_id] = BoothFigures(code, hall_id, exhibitor_id)
    for day in days:
        for item in crowd.footfall(expo=expo, day=day, at=at, zone_ids=set(counted)):
            counted[item.zone.id].days[day] = (
                item.visits,
                item.unique_visitors,
                item.person_seconds,
                item.peak,
            )
    _hours(expo=expo, at=at, days=days, counted=counted)
    return ExhibitorContext(
        expo=expo,
        at=at,
        days=days,
        exhibitors=exhibitors,
        booths=dict(booths),
        counted=counted,
        halls=halls,
        leads=_leads(expo=expo, at=at),
        lead_rows=_lead_rows(expo=expo, at=at),
        meetings=_meetings(expo=expo, at=at),
        sessions=_sessions(expo=expo, at=at, exhibitors=exhibitors),
    )


def _hours(*, expo: Expo, at: dt.datetime, days: list[dt.date], counted: dict) -> None:
    """Each booth's visits per local hour of the day, all days together: the entries of its
    stored minutes that began by `at` (as the footfall counts them), one grouped statement."""
    if not days or not counted:
        return
    hour = F("minute") / 60  # whole minutes since the epoch → whole hours (UTC)
    rows = (
        OccupancyMinute.objects.filter(
            zone_id__in=list(counted), period__in=days, minute__lte=to_us(at) // MINUTE_US
        )
        .order_by()
        .annotate(hour=hour)
        .values("zone_id", "hour")
        .annotate(visits=Sum("entries"))
        .values_list("zone_id", "hour", "visits")
    )
    local: dict[int, int] = {}
    for zone_id, utc_hour, visits in rows:
        if not visits:
            continue
        if utc_hour not in local:
            local[utc_hour] = from_us(utc_hour * 3_600_000_000).astimezone(expo.tz).hour
        counted[zone_id].hours[local[utc_hour]] += visits


def _leads(*, expo: Expo, at: dt.datetime) -> dict[int, Counter]:
    """The leads captured by `at`, per exhibitor and rating (the leads list's leads: every lead
    the exhibitor holds, counted)."""
    found: dict[int, Counter] = defaultdict(Counter)
    rows = (
        Lead.objects.filter(expo=expo, captured_at__lte=at)
        .order_by()
        .values("exhibitor_id", "rating")
        .annotate(n=Count("id"))
        .values_list("exhibitor_id", "rating", "n")
    )
    for exhibitor_id, rating, n in rows:
        found[exhibitor_id][rating] += n
    return dict(found)


def _lead_rows(*, expo: Expo, at: dt.datetime) -> dict[int, list[dict]]:
    """Each exhibitor's leads captured by `at`, as every member of its staff sees them in the
    portal's list: the ticket serial, the visitor's masked name (`leads.selectors.holder`, none
    after a withdrawal or an erasure), the rating and when it was captured. Nothing the visitor
    shares beyond that, and no note: a PDF is a copy a later withdrawal cannot reach. Best rated
    first, then in the order captured."""
    found: dict[int, list[dict]] = defaultdict(list)
    leads = (
        Lead.objects.filter(expo=expo, captured_at__lte=at)
        .select_related("registration")
        .only(
            "exhibitor_id",
            "serial",
            "rating",
            "captured_at",
            "withdrawn_at",
            "registration__name",
            "registration__erased_at",
        )
        .order_by("id")
    )
    for lead in leads.iterator(chunk_size=5000):
        found[lead.exhibitor_id].append(
            {
                "serial": lead.serial,
                "visitor": lead_holder(lead),
                "rating": lead.rating,
                "captured_at": lead.captured_at.astimezone(expo.tz).strftime("%Y-%m-%d %H:%M"),
            }
        )
    for rows in found.values():
        rows.sort(key=lambda r: -1 if r["rating"] is None else -r["rating"])
    return dict(found)


def _meetings(*, expo: Expo, at: dt.datetime) -> dict[int, Counter]:
    """Per exhibitor, its business meetings whose request still stands (accepted: a meeting
    cancelled after it was placed is nobody's): scheduled, held (both sides checked in at the
    table by `at`, the dashboard's rule) and missed (ended by `at` without both sides)."""
    found: dict[int, Counter] = defaultdict(Counter)
    rows = Meeting.objects.filter(
        session__expo=expo, request__status=RequestStatus.ACCEPTED
    ).values_list(
        "request__low__exhibitor_id",
        "request__high__exhibitor_id",
        "a_checked_in_at",
        "b_checked_in_at",
        "ends_at",
    )
    for low, high, a_at, b_at, ends_at in rows:
        held = a_at is not None and b_at is not None and a_at <= at and b_at <= at
        for side in {low, high} - {None}:
            found[side]["scheduled"] += 1
            if held:
                found[side]["held"] += 1
            elif ends_at <= at:
                found[side]["missed"] += 1
    return dict(found)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _sessions(*, expo: Expo, at: dt.datetime, exhibitors: list[Exhibitor]) -> dict[int, list]:
    """The published programme's sessions (`programme.selectors.published_programme`, what the
    API lists) that have a speaker whose affiliation is an exhibitor's name (English or
    Chinese, ignoring case and spacing): a speaker is linked to a company by nothing else.
    With the tickets admitted at the room door (`attendance_counts`, the attendance API's)."""
    names: dict[str, set[int]] = defaultdict(set)
    for exhibitor in exhibitors:
        for name in (exhibitor.name_en, exhibitor.name_zh):
            if name.strip():
                names[_key(name)].add(exhibitor.pk)
    found: dict[int, list] = defaultdict(list)
    published = published_programme(expo=expo).sessions
    given = []
    for s in published:
        people: dict[int, list] = defaultdict(list)
        for speaker in s["speakers"]:
            for pk in set().union(
                *(names.get(_key(a), set()) for a in speaker["affiliation"].values())
            ):
                people[pk].append(speaker["name"])
        if people:
            given.append((s, people))
    counts = attendance_counts(expo=expo, session_ids=[s["id"] for s, _p in given], now=at)
    for s, people in given:
        count = counts.get(s["id"])
        for pk, speakers in people.items():
            found[pk].append(
                {
                    "title": s["title"],
                    "starts_at": s["starts_at"][:16].replace("T", " "),
                    "room": s["room"],
                    "speakers": speakers,
                    "admitted": count.checked_in if count else None,
                }
            )
    return dict(found)


# --- one exhibitor ---------------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if len(values) >= MIN_GROUP else None


def _dwell(visits: int, seconds: float) -> float | None:
    return round(seconds / visits / 60, 1) if visits else None


def _average(group: list[tuple[int, float]], size: int) -> dict:
    """The mean visits and mean dwell (minutes) of `group`'s members ((visits, person-seconds)
    each), or None for each when the group is smaller than MIN_GROUP."""
    dwells = [s / v / 60 for v, s in group if v]
    mean_visits = _mean([v for v, _s in group])
    return {
        "members": size,
        "visits": None if mean_visits is None else round(mean_visits, 1),
        "mean_dwell_minutes": (
            round(sum(dwells) / len(dwells), 1) if size >= MIN_GROUP and dwells else None
        ),
    }


def exhibitor_report(*, context: ExhibitorContext, exhibitor: Exhibitor) -> dict:
    """One exhibitor's report out of `context` (no query): its booths, their footfall per day
    (several booths summed; a day's distinct visitors are each booth's estimate, summed), the
    peak hour, the averages of its halls and its sector, its leads with ratings, its meetings and
    the sessions its people gave. Names come in both languages (`{"en", "zh"}`)."""
    expo = context.expo
    booths = context.booths.get(exhibitor.pk, [])
    mine = [context.counted[b["zone"]] for b in booths if b["zone"] in context.counted]
    days = []
    for day in context.days:
        figures = [b.days[day] for b in mine if day in b.days]
        uniques = [u for _v, u, _s, _p in figures if u is not None]
        visits = sum(v for v, _u, _s, _p in figures)
        days.append(
            {
                "day": day.isoformat(),
                "visits": visits,
                "unique_visitors": sum(uniques) if uniques else None,
                "mean_dwell_minutes": _dwell(visits, sum(s for _v, _u, s, _p in figures)),
                "peak": max((p for _v, _u, _s, p in figures), default=0),
            }
        )
    hours: Counter = Counter()
    for booth in mine:
        hours.update(booth.hours)
    visits = sum(b.visits for b in mine)
    peak_hour = min(hours, key=lambda h: (-hours[h], h)) if any(hours.values()) else None
    return {
        "expo": {"slug": expo.slug, "name": expo.names, "timezone": expo.timezone},
        "at": context.at.astimezone(expo.tz).isoformat(),
        "exhibitor": {"id": exhibitor.pk, "name": exhibitor.names},
        "booths": [
            {
                "code": b["code"],
                "hall": context.halls[b["hall"]]["code"],
                "counted": b["zone"] is not None,
            }
            for b in booths
        ],
        "footfall": {
            "counted": bool(mine),
            "days": days,
            "visits": visits,
            "mean_dwell_minutes": _dwell(visits, sum(b.person_seconds for b in mine)),
            "peak": max((d["peak"] for d in days), default=0),
            "hours": {h: hours[h] for h in sorted(hours)},
            "peak_hour": peak_hour,
            "peak_hour_visits": hours[peak_hour] if peak_hour is not None else 0,
        },
        "halls": _hall_averages(context, booths),
        "sector": _sector_average(context, exhibitor),
        "leads": _leads_of(context, exhibitor.pk),
        "meetings": {k: context.meetings.get(exhibitor.pk, Counter())[k] for k in MEETING_KEYS},
        "sessions": context.sessions.get(exhibitor.pk, []),
    }


MEETING_KEYS = ("scheduled", "held", "missed")


def _hall_averages(context: ExhibitorContext, booths: list[dict]) -> list[dict]:
    """For each hall the exhibitor has a counted booth in: the average booth with an exhibitor
    there (every such booth, whoever's, this one's too)."""
    out = []
    for hall_id in sorted({b["hall"] for b in booths if b["zone"] is not None}):
        key = ("hall", hall_id)
        if key not in context.averages:
            group = [
                (b.visits, b.person_seconds)
                for b in context.counted.values()
                if b.hall_id == hall_id
            ]
            hall = context.halls[hall_id]
            context.averages[key] = {
                "code": hall["code"],
                "name": hall["name"],
                **_average(group, len(group)),
            }
        out.append(context.averages[key])
    return out


def _sector_average(context: ExhibitorContext, exhibitor: Exhibitor) -> dict:
    """The average exhibitor of the sector: footfall over those with a counted booth (their
    booths summed), leads and meetings held over all of them."""
    key = ("sector", exhibitor.sector_id)
    if key not in context.averages:
        context.averages[key] = _sector_figures(context, exhibitor)
    return context.averages[key]


def _sector_figures(context: ExhibitorContext, exhibitor: Exhibitor) -> dict:
    sector = {e.pk for e in context.exhibitors if e.sector_id == exhibitor.sector_id}
    totals: dict[int, list] = {}
    for booth in context.counted.values():
        if booth.exhibitor_id in sector:
            row = totals.setdefault(booth.exhibitor_id, [0, 0.0])
            row[0] += booth.visits
            row[1] += booth.person_seconds
    leads = _mean([sum(context.leads.get(pk, Counter()).values()) for pk in sector])
    held = _mean([context.meetings.get(pk, Counter())["held"] for pk in sector])
    return {
        "name": exhibitor.sector.names,
        "exhibitors": len(sector),
        "footfall": _average([tuple(r) for r in totals.values()], len(totals)),
        "leads": None if leads is None else round(leads, 1),
        "meetings_held": None if held is None else round(held, 1),
    }


def _leads_of(context: ExhibitorContext, exhibitor_id: int) -> dict:
    counts = context.leads.get(exhibitor_id, Counter())
    rated = [(r, n) for r, n in counts.items() if r is not None]
    n_rated = sum(n for _r, n in rated)
    return {
        "total": sum(counts.values()),
        "by_rating": [{"rating": r, "leads": counts[r]} for r in RATINGS],
        "unrated": counts[None],
        "rows": context.lead_rows.get(exhibitor_id, []),
        "mean_rating": round(sum(r * n for r, n in rated) / n_rated, 1) if n_rated else None,
    }
