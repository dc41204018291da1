"""Read models of check-in for organisers: entries per gate per quarter hour."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractHour, ExtractMinute

from smartexpo.checkin import queries
from smartexpo.checkin.models import Reason, Scan, ScanResult
from smartexpo.venue.models import Expo, Gate

SLOT_MINUTES = 15


@dataclasses.dataclass(frozen=True)
class EntriesTable:
    """Entries per gate per 15 minutes of one expo day (local time)."""

    day: dt.date
    gates: list[Gate]
    rows: list[tuple[dt.time, list[int], int]]  # slot start, count per gate, row total
    totals: list[int]
    total: int


def entries_per_gate(*, expo: Expo, day: dt.date) -> EntriesTable:
    """Entries — admitted scans `in`, and offline admissions synced as conflicts, which
    happened all the same — per gate and quarter hour of `day` in the edition's time zone."""
    tz = ZoneInfo(expo.timezone)
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    end = start + dt.timedelta(days=1)
    gates = list(Gate.objects.filter(expo=expo).order_by("code"))
    column = {g.pk: i for i, g in enumerate(gates)}
    table: dict[tuple[int, int], list[int]] = {}
    for gate_id, hour, slot, n in _entry_counts(expo, tz, start, end):
        row = table.setdefault((hour, slot), [0] * len(gates))
        row[column[gate_id]] += n
    rows = [
        (dt.time(hour, slot * SLOT_MINUTES), values, sum(values))
        for (hour, slot), values in sorted(table.items())
    ]
    totals = [sum(r[1][i] for r in rows) for i in range(len(gates))]
    return EntriesTable(day, gates, rows, totals, sum(totals))


def _entry_counts(expo: Expo, tz: ZoneInfo, start: dt.datetime, end: dt.datetime):
    """(gate id, local hour, quarter of the hour, entries) of the day from `start` to `end`.

    While the zone's offsets that day are whole quarter hours (every zone's today), each
    quarter hour of local time is one of UTC's, so the database bins the scans by 15 minutes
    from `start` (`checkin.queries.entries_by_period`) and only the bins are put in local time
    here; a repeated hour (a clock put back) folds onto the same local quarter, as before.
    Other offsets (historical local mean times) are extracted row by row."""
    period_s = SLOT_MINUTES * 60
    offsets = {start.utcoffset(), end.utcoffset()}
    if all(o is not None and o.total_seconds() % period_s == 0 for o in offsets):
        origin = start.astimezone(dt.UTC)
        for gate_id, k, n in queries.entries_by_period(
            expo_id=expo.pk, start=start, end=end, period_s=period_s
        ):
            local = (origin + dt.timedelta(seconds=k * period_s)).astimezone(tz)
            yield gate_id, local.hour, local.minute // SLOT_MINUTES, n
        return
    entered = Q(result=ScanResult.ADMIT) | Q(reason="conflict")
    counts = (
        Scan.objects.filter(
            entered,
            expo=expo,
            direction="in",
            gate__isnull=False,
            scanned_at__gte=start,
            scanned_at__lt=end,
        )
        .annotate(
            hour=ExtractHour("scanned_at", tzinfo=tz),
            minute=ExtractMinute("scanned_at", tzinfo=tz),
        )
        .annotate(slot=F("minute") / SLOT_MINUTES)
        .values("gate_id", "hour", "slot")
        .annotate(n=Count("id"))
    )
    for item in counts:
        yield item["gate_id"], item["hour"], item["slot"], item["n"]


def ticket_checkins(*, expo_id: int, tickets: list[dict]) -> dict:
    """The check-in log of these tickets (a person's, for their personal-data export; each
    ticket a dict with its `id`, `serial` and `inside_on`, the day it is inside on or None):
    every scan that named one of them, oldest first, and for each ticket inside the venue now
    the admission that let it in.

    Returns `{"log": [...], "inside": {ticket_id: {...}}}` as JSON values (instants as
    datetimes). The log has no
    index by ticket (every index costs every scan a write): this reads the edition's log, which
    a request a person makes now and then can afford."""
    ids = [t["id"] for t in tickets]
    serials = [t["serial"] for t in tickets]
    if not ids:
        return {"log": [], "inside": {}}
    scans = list(
        Scan.objects.filter(Q(ticket_id__in=ids) | Q(serial__in=serials), expo_id=expo_id)
        .select_related("zone", "device")
        .order_by("scanned_at", "id")
    )
    log = [
        {
            "ticket_serial": s.serial,
            "scanned_at": s.scanned_at,
            "gate": s.gate_code,
            "zone": s.zone.code if s.zone else None,
            "direction": s.direction,
            "result": s.result,
            "reason": s.reason or None,
            "broken_rule": s.rule or None,
            "source": s.source,
            "device": s.device.name,
        }
        for s in scans
    ]
    inside = {}
    for ticket in tickets:
        if ticket["inside_on"] is None:
            continue
        entries = [
            s
            for s in scans
            if s.serial == ticket["serial"]
            and s.direction == "in"
            # Admitted, or admitted offline and synced as a conflict: either way, through.
            and (s.result == ScanResult.ADMIT or s.reason == Reason.CONFLICT)
        ]
        last = entries[-1] if entries else None
        inside[ticket["id"]] = {
            "day": ticket["inside_on"],
            "since": last.scanned_at if last else None,
            "gate": last.gate_code if last else None,
            "zone": last.zone.code if last and last.zone else None,
        }
    return {"log": log, "inside": inside}
