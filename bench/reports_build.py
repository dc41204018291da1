"""The reports benchmark's business activity, built inside Django (`bench/reports_prepare.py`
runs it through `smartexpo shell`) once the twin's stream is imported: what the twin does not
play but the dashboard and the report count. Prints one `BENCH-JSON {...}` line.

- **Leads.** The demo has none and the twin captures none, so each of the edition's exhibitors
  with a booth gets `BENCH_LEADS_PER_EXHIBITOR` leads (200 by default: 168,600 for 843), each a
  visitor the check-in log admitted through an entrance gate, captured at a random moment of the
  opening hours of that visitor's day after their entry. Written in bulk (`bulk_create`), not
  through `leads.services.capture.lead_capture`, which verifies one ticket secret per call
  (about 170,000 calls): what the readers count is the same rows.
- **Meeting check-ins.** The demo solves and publishes the business meetings but nobody checks
  in at a table: of the meetings, 80 % get both sides checked in a few minutes after the start,
  10 % one side, 10 % none (`bulk_update` of the two instants).

Deterministic for `BENCH_SEED`; run again, it changes nothing (the leads and check-ins are there).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time

import numpy as np
from django.db import transaction

from smartexpo.checkin.models import Direction, Scan, ScanResult
from smartexpo.exhibitors.models import BoothAssignment
from smartexpo.leads.models import Lead
from smartexpo.meetings.models import Meeting
from smartexpo.venue.models import Expo
from smartexpo.venue.selectors import entrance_gates

CHUNK = 5_000


def admitted(expo: Expo) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every entrance admission of the edition: registration ids, serials, POSIX seconds."""
    gates = [g.pk for g in entrance_gates(expo=expo)]
    rows = (
        Scan.objects.filter(
            expo=expo,
            gate_id__in=gates,
            direction=Direction.IN,
            result=ScanResult.ADMIT,
            ticket__isnull=False,
        )
        .order_by("pk")
        .values_list("ticket__registration_id", "ticket__serial", "scanned_at")
    )
    regs, serials, ats = [], [], []
    for reg, serial, at in rows.iterator(chunk_size=20_000):
        regs.append(reg)
        serials.append(serial)
        ats.append(at.timestamp())
    return np.array(regs), np.array(serials), np.array(ats)


def grow_leads(expo: Expo, per_exhibitor: int, seed: int) -> dict:
    began = time.perf_counter()
    have = Lead.objects.filter(expo=expo).count()
    exhibitors = sorted(
        set(BoothAssignment.objects.filter(booth__expo=expo).values_list("exhibitor_id", flat=True))
    )
    if have:
        return {"created": 0, "had": have, "exhibitors": len(exhibitors), "seconds": 0.0}
    regs, serials, ats = admitted(expo)
    if not len(regs):
        raise SystemExit("no entrance admissions: import the twin's stream first")
    rng = np.random.default_rng(seed)
    closing = {
        day: dt.datetime.combine(day, expo.closes_at, tzinfo=expo.tz).timestamp()
        for day in expo.days
    }
    day_of = np.array([dt.datetime.fromtimestamp(a, expo.tz).date() for a in ats])
    close_s = np.array([closing[d] for d in day_of])
    created = 0
    batch: list[Lead] = []
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        for exhibitor in exhibitors:
            # Distinct visitors per exhibitor (one lead per exhibitor and visitor).
            picks = rng.choice(len(regs), size=min(per_exhibitor * 2, len(regs)), replace=False)
            _, first = np.unique(regs[picks], return_index=True)
            picks = picks[np.sort(first)][:per_exhibitor]
            spans = np.maximum(close_s[picks] - ats[picks], 60)
            captured = ats[picks] + rng.uniform(0, 1, len(picks)) * spans
            for i, at in zip(picks.tolist(), captured.tolist(), strict=True):
                batch.append(
                    Lead(
                        expo=expo,
                        exhibitor_id=exhibitor,
                        registration_id=int(regs[i]),
                        serial=int(serials[i]),
                        captured_at=dt.datetime.fromtimestamp(at, dt.UTC),
                        updated_at=now,
                        rating=int(rng.integers(0, 6)),
                    )
                )
            if len(batch) >= CHUNK:
                Lead.objects.bulk_create(batch, batch_size=CHUNK)
                created += len(batch)
                batch = []
        Lead.objects.bulk_create(batch, batch_size=CHUNK)
        created += len(batch)
    return {
        "created": created,
        "had": 0,
        "exhibitors": len(exhibitors),
        "seconds": time.perf_counter() - began,
    }


def meeting_checkins(expo: Expo, seed: int) -> dict:
    began = time.perf_counter()
    meetings = list(Meeting.objects.filter(session__expo=expo).order_by("pk"))
    if any(m.a_checked_in_at or m.b_checked_in_at for m in meetings):
        return {"meetings": len(meetings), "updated": 0, "seconds": 0.0}
    rng = np.random.default_rng(seed + 1)
    draw = rng.uniform(0, 1, len(meetings))
    late = rng.integers(0, 5 * 60, (len(meetings), 2))
    for m, u, (a, b) in zip(meetings, draw.tolist(), late.tolist(), strict=True):
        if u < 0.9:
            m.a_checked_in_at = m.starts_at + dt.timedelta(seconds=a)
        if u < 0.8:
            m.b_checked_in_at = m.starts_at + dt.timedelta(seconds=b)
    with transaction.atomic():
        Meeting.objects.bulk_update(
            meetings, ["a_checked_in_at", "b_checked_in_at"], batch_size=1_000
        )
    return {
        "meetings": len(meetings),
        "updated": len(meetings),
        "seconds": time.perf_counter() - began,
    }


def main() -> None:
    expo = Expo.objects.get(slug=os.environ.get("BENCH_EXPO", "sce-2019"))
    seed = int(os.environ.get("BENCH_SEED", "2019"))
    leads = grow_leads(expo, int(os.environ.get("BENCH_LEADS_PER_EXHIBITOR", "200")), seed)
    meetings = meeting_checkins(expo, seed)
    print("BENCH-JSON " + json.dumps({"leads": leads, "meetings": meetings}))


main()
