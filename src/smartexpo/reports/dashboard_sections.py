"""The organiser's dashboard, section by section: each a dict of figures read from the selectors
of the app that owns them, for one instant of the edition (docs/reports.md, "The organiser's
dashboard").

Every section is built from what its owner already answers elsewhere, so a figure here is the
figure of the page or API it links to: the ticket types' quotas (`tickets.selectors`), the
forecast's bookings by day (`planning.queries.bookings`), the control room's entries per gate
(`checkin.selectors.entries_per_gate`) and the gates' measured waits (`gate_waits`, as the API's
`gates/waits` answers them), the live venue page's occupancy, levels and alerts
(`crowd.selectors`, `crowd.live`). Only the minutes each hall spent at each level are new,
counted from the same folded minute history the prediction reads (`crowd.queries`); the
edition's report counts them over each day's opening hours (`level_minutes`).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict

import numpy as np

from smartexpo.checkin.selectors import entries_per_gate, gate_waits
from smartexpo.crowd import live
from smartexpo.crowd import queries as crowd_queries
from smartexpo.crowd import selectors as crowd
from smartexpo.crowd.levels import LEVELS, ZoneInfo, level_of
from smartexpo.crowd.periods import MINUTE_US, closing_instant, period_of, to_us
from smartexpo.planning import queries as planning_queries
from smartexpo.planning.bookings_kept import bookings_kept
from smartexpo.planning.bookings_kept import forget as bookings_kept_forget
from smartexpo.reports.dashboard_chart import booking_chart
from smartexpo.tickets.selectors import ticket_type_list
from smartexpo.venue.models import Expo, ZoneKind

DAY_S = planning_queries.DAY_S

# --- registrations against the quotas ------------------------------------------------------


def registrations(*, expo: Expo) -> dict:
    """Tickets issued per ticket type and day against the day's quota (`DayQuota.sold` and
    `size`, as the ticket types' API and admin show them), with each day's and type's totals."""
    days = expo.days
    rows = []
    day_sold, day_size = [0] * len(days), [0] * len(days)
    for tt in ticket_type_list(expo=expo):
        quotas = {q.day: q for q in tt.quotas.all()}
        cells = []
        for i, day in enumerate(days):
            quota = quotas.get(day)
            if quota is None:
                cells.append(None)  # the type is not valid that day
                continue
            day_sold[i] += quota.sold
            day_size[i] += quota.size
            cells.append(_filled(quota.sold, quota.size))
        sold = sum(c["sold"] for c in cells if c)
        size = sum(c["size"] for c in cells if c)
        rows.append({"code": tt.code, "name": tt.name, "cells": cells, **_filled(sold, size)})
    totals = [_filled(s, z) for s, z in zip(day_sold, day_size, strict=True)]
    return {
        "days": [d.isoformat() for d in days],
        "types": rows,
        "totals": totals,
        "total": _filled(sum(day_sold), sum(day_size)),
    }


def _filled(sold: int, size: int) -> dict:
    return {"sold": sold, "size": size, "percent": round(100 * sold / size) if size else None}


# --- the booking curve ---------------------------------------------------------------------


def opening(expo: Expo) -> dt.datetime:
    """The edition's first opening, from which booking leads are counted (as the forecast)."""
    return dt.datetime.combine(expo.starts_on, expo.opens_at, tzinfo=expo.tz)


def lead_days(first_opening: dt.datetime, at: dt.datetime) -> int:
    """Whole days before `first_opening` an instant is, floored as `planning.queries.bookings`
    floors a booking's (08:59 on the opening day is 0 before a 09:00 opening, 09:00 is −1)."""
    return (int(first_opening.timestamp()) - int(at.timestamp()) - 1) // DAY_S


def by_lead(rows) -> dict[int, int]:
    """Ticket-days by whole days before the opening, from `bookings` rows."""
    counts: dict[int, int] = defaultdict(int)
    for _type, _day, lead, n in rows:
        counts[lead] += n
    return dict(counts)


def booked_by(counts: dict[int, int], lead: int) -> int:
    """Ticket-days booked `lead` or more days before the opening."""
    return sum(n for d, n in counts.items() if d >= lead)


# The previous edition is over: its bookings change only by an import into it, so a process
# reads them once per edition every few minutes instead of at every rebuild of the dashboard.
PREVIOUS_TTL_S = 600
_previous: dict[int, tuple[float, dict[int, int]]] = {}
_previous_lock = threading.Lock()


def previous_bookings(previous: Expo) -> dict[int, int]:
    """The previous edition's ticket-days by days before its own opening (all bookings)."""
    now = time.monotonic()
    with _previous_lock:
        kept = _previous.get(previous.pk)
    if kept is not None and now - kept[0] < PREVIOUS_TTL_S:
        return kept[1]
    counts = by_lead(planning_queries.bookings(expo_id=previous.pk, opening=opening(previous)))
    with _previous_lock:
        _previous[previous.pk] = (now, counts)
    return counts


def forget_previous() -> None:
    """Forget the previous editions' bookings read (tests, whose databases start over)."""
    with _previous_lock:
        _previous.clear()
    bookings_kept_forget()


def booking_curve(*, expo: Expo, at: dt.datetime) -> dict:
    """This edition's ticket-days booked by `at` against the previous edition's booked by the
    same number of days before its opening, and both curves for the chart."""
    first = opening(expo)
    lead = lead_days(first, at)
    mine = by_lead(bookings_kept(expo_id=expo.pk, opening=first, until=at))
    previous = expo.previous
    theirs = previous_bookings(previous) if previous is not None else None
    booked = sum(mine.values())
    then = booked_by(theirs, lead) if theirs is not None else None
    return {
        "lead": lead,
        "booked": booked,
        "previous": (
            {
                "slug": previous.slug,
                "name": previous.name,
                "booked": then,
                "final": sum(theirs.values()),
            }
            if previous is not None
            else None
        ),
        "ratio": round(100 * booked / then) if then else None,
        "chart": booking_chart(mine, theirs, lead),
    }


# --- today's admissions ----------------------------------------------------------------------


def admissions(*, expo: Expo, at: dt.datetime) -> dict:
    """Today's entries per gate per quarter hour, as the control room's admin table counts
    them (`checkin.selectors.entries_per_gate`), today being the edition's day at `at`."""
    day = at.astimezone(expo.tz).date()
    table = entries_per_gate(expo=expo, day=day)
    return {
        "day": day.isoformat(),
        "gates": [{"id": g.pk, "code": g.code, "name": g.name} for g in table.gates],
        "rows": [
            {"slot": f"{start:%H:%M}", "counts": counts, "total": total}
            for start, counts, total in table.rows
        ],
        "totals": table.totals,
        "total": table.total,
        "waits": waits(expo=expo, day=day, at=at),
    }


def waits(*, expo: Expo, day: dt.date, at: dt.datetime) -> dict:
    """Each gate's mean wait per quarter hour of `day` up to `at`, measured by its queue zone
    (`checkin.selectors.gate_waits`, the API's `gates/waits`): minutes, None where nobody left
    the queue in the slot, and every cell None for a gate without a queue zone."""
    table = gate_waits(expo=expo, day=day, at=at)
    return {
        "measured": any(g.measured for g in table.gates),
        "gates": [{"code": g.gate.code, "measured": g.measured} for g in table.gates],
        "rows": [
            {
                "slot": f"{start:%H:%M}",
                "minutes": [g.slots[i].wait_minutes for g in table.gates],
                "queues": [g.slots[i].queue_end for g in table.gates],
            }
            for i, start in enumerate(table.slots)
        ],
        "means": [g.mean_wait_minutes for g in table.gates],
        "worst": [
            {"slot": f"{g.worst.start:%H:%M}", "minutes": g.worst.wait_minutes} if g.worst else None
            for g in table.gates
        ],
    }


# --- halls -----------------------------------------------------------------------------------


def hall_level_minutes(*, expo: Expo, at: dt.datetime, halls: list[ZoneInfo]) -> dict[int, dict]:
    """Per hall id, the whole minutes of the count period under way at `at` (those ended by
    `at`) at each level A–F (the dashboard shows E and F): `level_minutes` from the period's
    start."""
    period = period_of(at, tz=expo.tz, closes_at=expo.closes_at)
    before = closing_instant(period - dt.timedelta(days=1), tz=expo.tz, closes_at=expo.closes_at)
    start = to_us(before) // MINUTE_US + 1
    return level_minutes(period=period, start=start, end=to_us(at) // MINUTE_US, halls=halls)


def level_minutes(
    *, period: dt.date, start: int, end: int, halls: list[ZoneInfo]
) -> dict[int, dict[str, int]]:
    """Per hall id, how many of the minutes `start` ≤ m < `end` (minutes since the epoch, all
    in the count period `period`) the hall spent at each level A–F, judged by its count at
    each minute's end (`count_out`).

    A minute without movements has no stored row and keeps the count of the row before it, so
    each stored minute's `count_out` holds until the next stored minute (or `end`); before the
    period's first stored minute the hall held nobody (the count period starts from 0)."""
    found = {h.id: dict.fromkeys(LEVELS, 0) for h in halls}
    if end <= start or not halls:
        return found
    rows = np.array(
        crowd_queries.minute_counts([h.id for h in halls], period, end), dtype=np.int64
    ).reshape(-1, 3)
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    for hall in halls:
        lo, hi = np.searchsorted(rows[:, 0], [hall.id, hall.id + 1])
        minutes, counts = rows[lo:hi, 1], rows[lo:hi, 2]
        first = int(minutes[0]) if len(minutes) else end
        found[hall.id][level_of(0, hall.area10)] += max(0, min(first, end) - start)
        begins = np.maximum(minutes, start)
        ends = np.append(minutes[1:], end)
        spans = np.maximum(ends - begins, 0)
        for count, span in zip(counts.tolist(), spans.tolist(), strict=True):
            found[hall.id][level_of(count, hall.area10)] += span
    return found


def halls(*, expo: Expo, at: dt.datetime) -> dict:
    """Every hall's count, density and level at `at` (as the live venue page shows them) and its
    minutes at levels E and F so far in the day."""
    counts = [c for c in crowd.occupancy_at(expo=expo, at=at) if c.zone.kind == ZoneKind.HALL]
    minutes = hall_level_minutes(expo=expo, at=at, halls=[c.zone for c in counts])
    rows = []
    for c in counts:
        row = live.zone_out(c)
        row["minutes_e"] = minutes[c.zone.id]["E"]
        row["minutes_f"] = minutes[c.zone.id]["F"]
        rows.append(row)
    return {"halls": rows}


# --- alerts ----------------------------------------------------------------------------------


def alerts(*, expo: Expo, at: dt.datetime) -> dict:
    """The live alerts and the predicted alerts at `at`, kept apart as the live venue page keeps
    them (`crowd.live.alerts_out`, `crowd.live.predicted_alerts_out`)."""
    return {
        "live": live.alerts_out(expo=expo, at=at),
        "predicted": live.predicted_alerts_out(expo=expo, at=at),
    }
