"""Read models of check-in for organisers: entries per gate per quarter hour, and the gates'
measured waits per quarter hour."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractHour, ExtractMinute

from smartexpo.checkin import queries
from smartexpo.checkin.models import Reason, Scan, ScanResult
from smartexpo.crowd.slots import zone_slots
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


@dataclasses.dataclass(frozen=True)
class WaitSlot:
    """A gate's queue in one quarter hour; all None where the gate has no queue zone."""

    start: dt.time
    waiting: float | None  # mean number in the queue: person-time ÷ the slot's elapsed length
    left: int | None  # people who left the queue (to the lanes)
    wait_minutes: float | None  # mean wait of those who left, first in first out (None: none)
    queue_end: int | None  # people in the queue at the slot's end


@dataclasses.dataclass(frozen=True)
class GateWaits:
    """One gate's waits on one day: per slot, and the day's mean wait and worst slot."""

    gate: Gate
    measured: bool  # False: the gate has no queue zone, and every figure is None
    slots: list[WaitSlot]
    mean_wait_minutes: float | None  # the day's person-time in the queue ÷ its people out
    worst: WaitSlot | None  # the slot of the longest mean wait


@dataclasses.dataclass(frozen=True)
class WaitsTable:
    """The gates' waits per 15 minutes of one expo day (local time), gates as `entries_per_gate`
    lists them."""

    day: dt.date
    slots: list[dt.time]
    gates: list[GateWaits]


def gate_waits(*, expo: Expo, day: dt.date, at: dt.datetime | None = None) -> WaitsTable:
    """Each gate's queue per quarter hour of `day` (the slots of `entries_per_gate`) up to the
    closing, or up to the minutes ended by `at`, measured by the sensors of its queue zone
    (`Gate.queue_zone`): people counted in at the queue's entry and out at the lanes.

    A slot's mean number waiting is the queue's person-time in it over its length; the mean
    wait of the people who left the queue in it matches the counts first in, first out
    (`crowd.slots.fifo_waits`: Little's law over a quarter hour misleads when people wait
    longer than that). The day's mean wait is Little's law over the day: the whole day's
    person-time (the queue that forms before opening included) over the day's people out,
    exact when the queue is empty at midnight and at closing. Slots run from the first to the
    last in which any queue held or let out anyone."""
    gates = list(Gate.objects.filter(expo=expo).select_related("queue_zone").order_by("code"))
    zones = [g.queue_zone_id for g in gates if g.queue_zone_id is not None]
    found = zone_slots(expo=expo, zone_ids=zones, day=day, slot_minutes=SLOT_MINUTES, at=at)
    starts = [s.start.time() for s in next(iter(found.values()), [])]
    result = []
    for gate in gates:
        if gate.queue_zone_id is None:
            empty = [WaitSlot(t, None, None, None, None) for t in starts]
            result.append(GateWaits(gate, False, empty, None, None))
            continue
        slots = [
            WaitSlot(
                s.start.time(),
                s.person_seconds / (s.minutes * 60),
                s.exits,
                None if s.wait_seconds is None else s.wait_seconds / 60,
                s.count_end,
            )
            for s in found[gate.queue_zone_id]
        ]
        person = sum(s.person_seconds for s in found[gate.queue_zone_id])
        left = sum(s.exits for s in found[gate.queue_zone_id])
        timed = [s for s in slots if s.wait_minutes is not None]
        worst = max(timed, key=lambda s: s.wait_minutes) if timed else None
        result.append(GateWaits(gate, True, slots, person / 60 / left if left else None, worst))
    return WaitsTable(day, starts, result)


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
