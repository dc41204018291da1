"""Read models of check-in for organisers: entries per gate per quarter hour."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractHour, ExtractMinute

from smartexpo.checkin.models import Scan, ScanResult
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
    entered = Q(result=ScanResult.ADMIT) | Q(reason="conflict")
    counts = (
        Scan.objects.filter(
            entered,
            expo=expo,
            direction="in",
            gate__isnull=False,
            scanned_at__gte=start,
            scanned_at__lt=start + dt.timedelta(days=1),
        )
        .annotate(
            hour=ExtractHour("scanned_at", tzinfo=tz),
            minute=ExtractMinute("scanned_at", tzinfo=tz),
        )
        .annotate(slot=F("minute") / SLOT_MINUTES)
        .values("gate_id", "hour", "slot")
        .annotate(n=Count("id"))
    )
    gates = list(Gate.objects.filter(expo=expo).order_by("code"))
    column = {g.pk: i for i, g in enumerate(gates)}
    table: dict[tuple[int, int], list[int]] = {}
    for item in counts:
        row = table.setdefault((item["hour"], item["slot"]), [0] * len(gates))
        row[column[item["gate_id"]]] += item["n"]
    rows = [
        (dt.time(hour, slot * SLOT_MINUTES), values, sum(values))
        for (hour, slot), values in sorted(table.items())
    ]
    totals = [sum(r[1][i] for r in rows) for i in range(len(gates))]
    return EntriesTable(day, gates, rows, totals, sum(totals))
