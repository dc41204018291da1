"""Entries per gate per quarter hour counted in the database's 15-minute bins equal the count of
each scan's local quarter hour, on ordinary days, a day the clocks go back, a zone whose offset
is not a whole hour, and a historical offset that is not a whole quarter hour (counted row by
row)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from smartexpo.checkin.models import Direction, Reason, Scan, ScanResult, ScanSource
from smartexpo.checkin.selectors import SLOT_MINUTES, entries_per_gate
from smartexpo.devices.services import device_create
from smartexpo.venue.models import Gate

CASES = [
    ("Asia/Shanghai", dt.date(2030, 9, 17)),
    ("Europe/Berlin", dt.date(2030, 10, 27)),  # 03:00 back to 02:00: a 25-hour day
    ("Europe/Berlin", dt.date(2030, 3, 31)),  # 02:00 on to 03:00: a 23-hour day
    ("Asia/Kathmandu", dt.date(2030, 9, 17)),  # +05:45
    ("Asia/Shanghai", dt.date(1899, 6, 1)),  # local mean time, +08:05:43
]


def _expected(scans: list[Scan], tz: ZoneInfo, day: dt.date) -> Counter:
    counted: Counter = Counter()
    for s in scans:
        local = s.scanned_at.astimezone(tz)
        entered = s.result == ScanResult.ADMIT or s.reason == Reason.CONFLICT
        if local.date() == day and s.direction == Direction.IN and s.gate_id and entered:
            counted[(s.gate_id, local.hour, local.minute // SLOT_MINUTES)] += 1
    return counted


@pytest.mark.parametrize(("zone", "day"), CASES)
def test_entries_per_gate_bins_each_scan_in_its_local_quarter_hour(expo, zone, day):
    expo.timezone = zone
    expo.save(update_fields=["timezone"])
    tz = ZoneInfo(zone)
    gates = list(Gate.objects.filter(expo=expo).order_by("code"))
    device, _token = device_create(
        expo=expo, name="s", kind="scanner", gates=[g.code for g in gates]
    )
    rng = random.Random(f"{zone}{day}")
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    outcomes = [
        (ScanResult.ADMIT, ""),
        (ScanResult.ADMIT, Reason.CONFLICT),
        ("refuse", Reason.CONFLICT),
        ("refuse", "revoked"),
    ]
    scans = []
    for n in range(600):
        # From two hours before the day to two hours after, some on a quarter hour's edge.
        seconds = rng.choice([rng.uniform(-7200, 97200), 900 * rng.randint(-8, 108)])
        result, reason = rng.choice(outcomes)
        gate = rng.choice([*gates, None])
        scans.append(
            Scan(
                expo=expo,
                device=device,
                gate=gate,
                gate_code=gate.code if gate else "X",
                direction=rng.choice([Direction.IN, Direction.IN, Direction.OUT]),
                nonce=f"n{n}",
                scanned_at=midnight + dt.timedelta(seconds=seconds),
                received_at=midnight,
                result=result,
                reason=reason,
                source=ScanSource.SYNC,
            )
        )
    Scan.objects.bulk_create(scans)

    table = entries_per_gate(expo=expo, day=day)

    found = Counter()
    for start, counts, total in table.rows:
        assert total == sum(counts)
        for gate, n in zip(table.gates, counts, strict=True):
            if n:
                found[(gate.pk, start.hour, start.minute // SLOT_MINUTES)] += n
    expected = _expected(scans, tz, day)
    assert expected, "the draw left the day empty"
    assert found == expected
    assert table.total == sum(expected.values())
