"""The post-show report of an edition: its figures, section by section (docs/reports.md, "The
post-show report"). `edition_pdf` and `edition_xlsx` draw them; this module only counts.

Every figure is read from the selector that answers it elsewhere, so the report says what the
dashboard, the big screen, the control room's table, the footfall API, the attendance API and
the deals tally say for the same instant: the visitors of a day are the big screen's
(`reports.queries.visitors_by_day`), the arrivals per gate the control room's
(`checkin.selectors.entries_per_gate`) and their waits the gate-waits API's (`gate_waits`), the
halls' peaks and the booths' footfall the footfall
API's (`crowd.selectors.footfall`), the minutes at each level the dashboard's
(`dashboard_sections.level_minutes`), the forums and meetings the dashboard's
(`dashboard_activity`), the deals the tally's breakdowns (`deals.breakdowns`). Each is one
aggregate in the database or a walk over stored minutes, never a loop over visitors.

Names come in both languages (`{"en", "zh"}`): the drawing picks one.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.db.models import Count
from django.utils import translation

from smartexpo.checkin.models import Reason, Scan, ScanSource
from smartexpo.checkin.selectors import SLOT_MINUTES, entries_per_gate, gate_waits
from smartexpo.core.errors import SmartExpoError
from smartexpo.crowd import live, services
from smartexpo.crowd import selectors as crowd
from smartexpo.crowd.levels import LEVELS
from smartexpo.crowd.periods import MINUTE_US, to_us
from smartexpo.deals import breakdowns
from smartexpo.deals.models import DealKind
from smartexpo.deals.pages import sector_names
from smartexpo.planning.forecast import attendance_forecast
from smartexpo.programme.attendance import attendance_counts
from smartexpo.programme.models import Session
from smartexpo.reports import dashboard_activity, queries
from smartexpo.reports.dashboard_sections import level_minutes
from smartexpo.venue import selectors as venue
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Expo, ZoneKind


def _midnight(day: dt.date, expo: Expo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=expo.tz)


def _opening(day: dt.date, expo: Expo) -> dt.datetime:
    return dt.datetime.combine(day, expo.opens_at, tzinfo=expo.tz)


def _closing(day: dt.date, expo: Expo) -> dt.datetime:
    return dt.datetime.combine(day, expo.closes_at, tzinfo=expo.tz)


def report_instant(*, expo: Expo, at: dt.datetime | None = None) -> dt.datetime:
    """The instant a report is of: `at` if given, else the live venue page's instant
    (`crowd.live.live_clock`: the edition's clock, its demo clock or a running replay's), but
    never after the end of the edition's last day (a report asked for later is the whole
    show's)."""
    instant = at if at is not None else live.live_clock(expo=expo).at
    return min(instant, _midnight(expo.ends_on + dt.timedelta(days=1), expo))


def days_begun(expo: Expo, at: dt.datetime) -> list[dt.date]:
    """The edition's days that had begun (local midnight) by `at`."""
    return [d for d in expo.days if _midnight(d, expo) < at]


# --- visitors ------------------------------------------------------------------------------


def visitors_per_day(*, expo: Expo, at: dt.datetime) -> list[int]:
    """The visitors of each day begun by `at`, up to `at`: the big screen's count (tickets
    admitted through the entrance gates, each once a day, offline admissions synced as
    conflicts included), one statement for all the days."""
    days = days_begun(expo, at)
    if not days:
        return []
    gates = [g.pk for g in venue.entrance_gates(expo=expo)]
    end = min(at, _midnight(days[-1] + dt.timedelta(days=1), expo))
    bounds = [_midnight(d, expo) for d in days] + [end]
    return queries.visitors_by_day(expo_id=expo.pk, gate_ids=gates, bounds=bounds)


def forecast_eve(expo: Expo) -> dt.datetime:
    """The instant the report's forecast is of: the end of the eve of the opening (local
    midnight before the first day), when registrations are all but in and nothing is counted."""
    return _midnight(expo.starts_on, expo)


def visitors(*, expo: Expo, at: dt.datetime) -> dict:
    """Each day's visitors against the attendance forecast made on the eve of the opening
    (`planning.forecast.attendance_forecast`: its expected admissions and 80 % interval) and
    against the previous edition's visitors on its day of the same number (day 1 with day 1)."""
    counted = visitors_per_day(expo=expo, at=at)
    notes: list[str] = []
    try:
        forecast = attendance_forecast(expo=expo, as_of=forecast_eve(expo))
        predicted = {d.day: d.admissions for d in forecast.days}
        notes = list(forecast.notes)
    except SmartExpoError as exc:
        predicted, notes = {}, [exc.message]
    previous = expo.previous
    # The previous edition is over: all of its days, to the midnight after its last.
    theirs = (
        visitors_per_day(
            expo=previous, at=_midnight(previous.ends_on + dt.timedelta(days=1), previous)
        )
        if previous is not None
        else []
    )
    rows = []
    for i, day in enumerate(expo.days):
        interval = predicted.get(day)
        rows.append(
            {
                "day": day.isoformat(),
                "number": i + 1,
                "visitors": counted[i] if i < len(counted) else None,
                "forecast": round(interval.mid) if interval else None,
                "forecast_low": round(interval.low) if interval else None,
                "forecast_high": round(interval.high) if interval else None,
                "previous": theirs[i] if i < len(theirs) else None,
            }
        )
    return {
        "days": rows,
        "total": sum(counted),
        "forecast_total": sum(r["forecast"] or 0 for r in rows) if predicted else None,
        "previous_total": sum(theirs) if previous is not None else None,
        "previous": {"slug": previous.slug, "name": previous.names} if previous else None,
        "forecast_as_of": forecast_eve(expo).isoformat(),
        "forecast_notes": notes,
    }


# --- arrivals per gate ---------------------------------------------------------------------


def gates(*, expo: Expo, at: dt.datetime) -> dict:
    """Admissions per gate and day (the control room's entries per gate and quarter hour,
    `checkin.selectors.entries_per_gate`, summed) and each gate's busiest quarter hour."""
    found: dict[int, dict] = {}
    days = days_begun(expo, at)
    for day in days:
        table = entries_per_gate(expo=expo, day=day)
        for i, gate in enumerate(table.gates):
            row = found.setdefault(
                gate.pk,
                {
                    "code": gate.code,
                    "name": gate.names,
                    "days": [0] * len(days),
                    "total": 0,
                    "peak": 0,
                    "peak_at": None,
                },
            )
            row["days"][days.index(day)] = table.totals[i]
            row["total"] += table.totals[i]
            for start, counts, _total in table.rows:
                if counts[i] > row["peak"]:
                    row["peak"] = counts[i]
                    row["peak_at"] = f"{day.isoformat()} {start:%H:%M}"
    rows = sorted(found.values(), key=lambda r: r["code"])
    return {
        "days": [d.isoformat() for d in days],
        "gates": rows,
        "totals": [sum(r["days"][i] for r in rows) for i in range(len(days))],
        "total": sum(r["total"] for r in rows),
        "slot_minutes": SLOT_MINUTES,
        **gate_wait_rows(expo=expo, at=at, days=days),
    }


def gate_wait_rows(*, expo: Expo, at: dt.datetime, days: list[dt.date]) -> dict:
    """Per gate with a queue zone and day, the mean wait and the longest quarter hour's mean
    wait with its start (`checkin.selectors.gate_waits`, the gate-waits API's, up to `at`), and
    the entrance gates whose queue is not counted (they have no queue zone)."""
    waits = []
    for day in days:
        for g in gate_waits(expo=expo, day=day, at=at).gates:
            if g.measured:
                waits.append(
                    {
                        "code": g.gate.code,
                        "day": day.isoformat(),
                        "mean_minutes": g.mean_wait_minutes,
                        "worst_minutes": g.worst.wait_minutes if g.worst else None,
                        "worst_at": f"{g.worst.start:%H:%M}" if g.worst else None,
                        "left": sum(s.left for s in g.slots),
                    }
                )
    waits.sort(key=lambda w: (w["code"], w["day"]))
    entrances = venue_selectors.entrance_gates(expo=expo)
    return {
        "waits": waits,
        "unmeasured": sorted(g.code for g in entrances if g.queue_zone_id is None),
    }


# --- halls, footfall and drift --------------------------------------------------------------


def footfall_by_day(*, expo: Expo, at: dt.datetime) -> dict[dt.date, list]:
    """Every zone's footfall (`crowd.selectors.footfall`, the footfall API's) for each day
    begun by `at`, up to `at`."""
    return {day: crowd.footfall(expo=expo, day=day, at=at) for day in days_begun(expo, at)}


def halls(*, expo: Expo, at: dt.datetime, footfall: dict[dt.date, list]) -> dict:
    """Each hall's peak occupancy (the footfall API's `peak`) and the day of it, its visits,
    and the minutes of the days' opening hours (up to `at`) it spent at each level A–F."""
    zones = [z for z in crowd.zone_infos(expo_id=expo.pk).values() if z.kind == ZoneKind.HALL]
    zones.sort(key=lambda z: z.code)
    rows = {
        z.id: {
            "code": z.code,
            "name": {"en": z.name_en, "zh": z.name_zh or z.name_en},
            "capacity": z.capacity,
            "peak": 0,
            "peak_day": None,
            "visits": 0,
            "minutes": dict.fromkeys(LEVELS, 0),
        }
        for z in zones
    }
    end_minute = to_us(at) // MINUTE_US
    for day, items in footfall.items():
        for item in items:
            row = rows.get(item.zone.id)
            if row is None:
                continue
            row["visits"] += item.visits
            if item.peak > row["peak"]:
                row["peak"], row["peak_day"] = item.peak, day.isoformat()
        start = to_us(_opening(day, expo)) // MINUTE_US
        end = min(to_us(_closing(day, expo)) // MINUTE_US, end_minute)
        for zone_id, minutes in level_minutes(
            period=day, start=start, end=end, halls=zones
        ).items():
            for letter, n in minutes.items():
                rows[zone_id]["minutes"][letter] += n
    return {"halls": list(rows.values()), "levels": list(LEVELS)}


def exhibitor_footfall(*, expo: Expo, footfall: dict[dt.date, list]) -> dict:
    """The footfall of each booth zone that has an exhibitor (the footfall API's figures per
    day, added up): visits per day and in all, the mean dwell over the days (person-time over
    visits), the peak. Busiest booths first."""
    owners = crowd.booth_owners(expo=expo)
    days = list(footfall)
    rows: dict[int, dict] = {}
    for i, (_day, items) in enumerate(footfall.items()):
        for item in items:
            owner = owners.get(item.zone.id)
            if owner is None or owner["exhibitor"] is None:
                continue
            row = rows.setdefault(
                item.zone.id,
                {
                    "exhibitor": owner["exhibitor"]["name"],
                    "booth": owner["code"],
                    "zone": item.zone.code,
                    "days": [0] * len(days),
                    "visits": 0,
                    "person_seconds": 0.0,
                    "peak": 0,
                },
            )
            row["days"][i] = item.visits
            row["visits"] += item.visits
            row["person_seconds"] += item.person_seconds
            row["peak"] = max(row["peak"], item.peak)
    out = []
    for row in rows.values():
        seconds = row.pop("person_seconds")
        row["mean_dwell_minutes"] = (
            round(seconds / row["visits"] / 60, 1) if row["visits"] else None
        )
        out.append(row)
    out.sort(key=lambda r: (-r["visits"], r["booth"]))
    return {"days": [d.isoformat() for d in days], "booths": out}


def drift(*, footfall: dict[dt.date, list]) -> dict:
    """The sensors' drift: the count each zone was left with at closing (the footfall API's
    `closing_count`, which the nightly reset drops), for the zones and days where it was not
    zero, largest first."""
    rows = [
        {
            "day": day.isoformat(),
            "zone": item.zone.code,
            "kind": item.zone.kind,
            "name": {"en": item.zone.name_en, "zh": item.zone.name_zh or item.zone.name_en},
            "closing_count": item.closing_count,
        }
        for day, items in footfall.items()
        for item in items
        if item.closing_count
    ]
    rows.sort(key=lambda r: (-abs(r["closing_count"]), r["day"], r["zone"]))
    return {
        "zone_days": sum(len(items) for items in footfall.values()),
        "drifting": len(rows),
        "people": sum(abs(r["closing_count"]) for r in rows),
        "rows": rows,
    }


def sync_conflicts(*, expo: Expo, at: dt.datetime) -> dict:
    """Scans made before `at` and recorded through the sync path (an offline scanner's upload,
    or an imported recording, which takes the same path), whenever they arrived (a late sync
    is in the next report), and those the server would have refused (`conflict`, kept and
    counted as admissions), by the rule they broke."""
    scans = Scan.objects.filter(expo=expo, scanned_at__lt=at)
    synced = scans.filter(source=ScanSource.SYNC).count()
    by_rule = dict(
        scans.filter(reason=Reason.CONFLICT)
        .values_list("rule")
        .annotate(n=Count("id"))
        .values_list("rule", "n")
    )
    rules = dict(Reason.choices)
    return {
        "synced": synced,
        "conflicts": sum(by_rule.values()),
        "by_rule": [
            {"rule": rule, "label": str(rules.get(rule, rule)), "count": n}
            for rule, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


# --- forums, meetings, deals ---------------------------------------------------------------


def forums(*, expo: Expo, at: dt.datetime) -> dict:
    """Each session's seats reserved, tickets admitted at the door and no-shows (the
    attendance API's `programme.attendance.attendance_counts`), with the dashboard's sums."""
    counts = attendance_counts(expo=expo, now=at)
    sessions = Session.objects.filter(pk__in=list(counts)).select_related("room")
    rows = []
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.pk)):
        c = counts[session.pk]
        rows.append(
            {
                "id": session.pk,
                "title": {"en": session.title_en, "zh": session.title_zh or session.title_en},
                "starts_at": session.starts_at.astimezone(expo.tz).strftime("%Y-%m-%d %H:%M"),
                "room": session.room.code if session.room_id else "",
                "reserved": c.reserved,
                "checked_in": c.checked_in,
                "no_shows": c.no_shows,
            }
        )
    # The dashboard's sums (`dashboard_activity.forums`), of the counts read once above.
    return {"sessions": rows, "totals": dashboard_activity.forum_totals(counts.values())}


def deals(*, expo: Expo) -> dict:
    """The tally's breakdowns by sector and by kind (`deals.breakdowns.breakdown`: deals not
    cancelled, at the ledger's head; an amount a single confidential deal would give away is
    withheld, None)."""
    tally = breakdowns.breakdown(expo=expo)
    sectors = sector_names()
    kinds = dict(DealKind.choices)
    return {
        "projects": tally["projects"],
        "amount": tally["amount"],
        "at_expo": tally["at_expo"],
        "confidential": tally["confidential"],
        "by_sector": [
            {**g, "name": sectors.get(g["code"], {"en": g["code"], "zh": g["code"]})}
            for g in tally["by_sector"]
        ],
        "by_kind": [{**g, "label": str(kinds.get(g["code"], g["code"]))} for g in tally["by_kind"]],
        "chain_seq": tally["chain_seq"],
    }


# --- the whole report ----------------------------------------------------------------------


def edition_report(*, expo: Expo, at: dt.datetime | None = None) -> dict:
    """Every section of the post-show report at `at` (`report_instant`), in the active
    language where a label is translated (names come in both).

    Folds the sensors' pending movements first, as every reader of occupancy does."""
    services.history_refresh(expo=expo)
    at = report_instant(expo=expo, at=at)
    with ThreadPoolExecutor(max_workers=1) as beside:
        # The visitors against the forecast are a third of the report's time at 700,000
        # visitors, most of it SQL over the two editions' tickets and scans, which runs outside
        # the interpreter's lock: on a connection of its own, beside the other sections.
        # Inside a transaction (tests) another connection would not see its writes.
        own = not transaction.get_connection().in_atomic_block
        language = translation.get_language()
        counted = beside.submit(_visitors_beside, expo, at, language) if own else None
        footfall = footfall_by_day(expo=expo, at=at)
        report = {
            "gates": gates(expo=expo, at=at),
            "halls": halls(expo=expo, at=at, footfall=footfall),
            "footfall": exhibitor_footfall(expo=expo, footfall=footfall),
            "forums": forums(expo=expo, at=at),
            "meetings": dashboard_activity.meetings(expo=expo, at=at),
            "deals": deals(expo=expo),
            "quality": {
                "drift": drift(footfall=footfall),
                "sync": sync_conflicts(expo=expo, at=at),
            },
        }
        counts = counted.result() if counted is not None else visitors(expo=expo, at=at)
    return {
        "expo": {"slug": expo.slug, "name": expo.names, "timezone": expo.timezone},
        "at": at.astimezone(expo.tz).isoformat(),
        "days": [d.isoformat() for d in expo.days],
        "visitors": counts,
        **report,
    }


def _visitors_beside(expo: Expo, at: dt.datetime, language: str | None) -> dict:
    """`visitors` on this thread's own connection, in the caller's language (a thread has its
    own), the connection closed when done."""
    try:
        with translation.override(language):
            return visitors(expo=expo, at=at)
    finally:
        connection.close()
