"""The real path of the meeting optimiser, for bench/meetings.py `--db N`: a fresh SQLite
database (`smartexpo migrate` in a temporary data directory) seeded from the random instance of
N participants — every participant an exhibitor (exhibitor ↔ exhibitor requests are allowed),
a third with a booth in one of two halls, their caps, their busy slots as `Busy` rows, 4 N
accepted requests — then `smartexpo meetings solve` as users run it, timed at the command line,
and again after 1 % of the requests change (half cancelled, as many newly accepted)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

SLOT = dt.timedelta(minutes=20)
T0 = dt.datetime(2019, 8, 26, 1, 0, tzinfo=dt.UTC)


def _cli(args: list[str], env: dict) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "smartexpo", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"smartexpo {' '.join(args)} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - t0, done.stdout


def _seed(n: int, seed: int) -> None:
    from smartexpo.exhibitors.models import BoothAssignment, Exhibitor, Sector
    from smartexpo.meetings.models import Busy, MeetingRequest, MeetingSession, Participant
    from smartexpo.meetings.scheduling.generate import random_instance
    from smartexpo.meetings.scheduling.weights import MUST
    from smartexpo.venue.models import Booth, Expo, Zone, ZoneKind

    inst = random_instance(n, 4 * n, seed=seed, halls=2)
    expo = Expo.objects.create(
        slug="bench",
        name_en="Bench",
        name_zh="基准",
        starts_on=dt.date(2019, 8, 26),
        ends_on=dt.date(2019, 8, 29),
        venue_en="V",
        venue_zh="V",
        expected_visitors=1000,
    )
    halls = [
        Zone.objects.create(
            expo=expo,
            code=f"H{i}",
            kind=ZoneKind.HALL,
            name_en=f"H{i}",
            name_zh=f"H{i}",
            area_m2=Decimal(10000),
            capacity=5000,
            position=i,
        )
        for i in range(2)
    ]
    sector = Sector.objects.create(code="it", name_en="IT", name_zh="IT")
    exhibitors = Exhibitor.objects.bulk_create(
        [
            Exhibitor(expo=expo, slug=f"e{p}", name_en=f"E{p}", name_zh=f"E{p}", sector=sector)
            for p in inst.people
        ]
    )
    by_person = dict(zip(inst.people, exhibitors, strict=True))
    booths = {}
    for key, zone in inst.booth_zone.items():
        booths[key] = Booth(
            expo=expo,
            hall=halls[zone],
            code=key.lower(),
            x=Decimal(0),
            y=Decimal(0),
            width=Decimal(3),
            depth=Decimal(3),
        )
    Booth.objects.bulk_create(booths.values())
    BoothAssignment.objects.bulk_create(
        [
            BoothAssignment(expo=expo, booth=booths[f"B{p}"], exhibitor=by_person[p])
            for p in inst.people
            if f"B{p}" in booths
        ]
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(expo=expo, exhibitor=by_person[p], cap=person.cap, open=True)
            for p, person in inst.people.items()
        ]
    )
    part = dict(zip(inst.people, participants, strict=True))
    busy = []
    for p, person in inst.people.items():
        if person.available is not None:
            for s in range(inst.n_slots):
                if s not in person.available:
                    busy.append(
                        Busy(
                            participant=part[p],
                            starts_at=T0 + s * SLOT,
                            ends_at=T0 + (s + 1) * SLOT,
                        )
                    )
    Busy.objects.bulk_create(busy, batch_size=2000)
    MeetingRequest.objects.bulk_create(
        [
            MeetingRequest(
                expo=expo,
                requester=part[r.a],
                recipient=part[r.b],
                low=part[r.a],
                high=part[r.b],
                priority="must" if r.weight >= MUST else "want",
                status="accepted",
            )
            for r in inst.requests
        ],
        batch_size=2000,
    )
    MeetingSession.objects.create(
        expo=expo,
        code="b2b",
        starts_at=T0,
        ends_at=T0 + inst.n_slots * SLOT,
        slot_minutes=20,
        tables=inst.tables[0],
        zone=halls[0],
        booth_meetings=True,
    )


def _change(share: float, seed: int) -> int:
    from smartexpo.meetings.models import MeetingRequest, Participant

    rng = random.Random(seed)
    live = list(MeetingRequest.objects.filter(status="accepted").values_list("pk", flat=True))
    k = max(1, round(len(live) * share / 2))
    MeetingRequest.objects.filter(pk__in=rng.sample(live, k)).update(status="cancelled")
    pairs = set(MeetingRequest.objects.values_list("low_id", "high_id"))
    people = list(Participant.objects.order_by("pk"))
    new = []
    while len(new) < k:
        a, b = sorted(rng.sample(people, 2), key=lambda p: p.pk)
        if (a.pk, b.pk) in pairs:
            continue
        pairs.add((a.pk, b.pk))
        new.append(
            MeetingRequest(
                expo_id=a.expo_id,
                requester=a,
                recipient=b,
                low=a,
                high=b,
                priority="want",
                status="accepted",
            )
        )
    MeetingRequest.objects.bulk_create(new)
    return 2 * k


def real_path(n: int, *, time_limit: float, seed: int, keep: bool = False) -> dict:
    data = tempfile.mkdtemp(prefix="smartexpo-bench-meetings-")
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {
        **os.environ,
        "SMARTEXPO_DATA_DIR": data,
        "DJANGO_SETTINGS_MODULE": "smartexpo.settings",
        # This checkout's code, not whichever copy the interpreter has installed.
        "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DATABASE_URL", None)
    try:
        _cli(["migrate", "--noinput"], env)
        os.environ.update(
            {"SMARTEXPO_DATA_DIR": data, "DJANGO_SETTINGS_MODULE": "smartexpo.settings"}
        )
        os.environ.pop("DATABASE_URL", None)
        import django

        django.setup()
        t0 = time.perf_counter()
        _seed(n, seed)
        seeded = time.perf_counter() - t0
        args = ["meetings", "solve", "bench", "b2b", "--time-limit", f"{time_limit:g}", "--json"]
        wall, out = _cli(args, env)
        first = json.loads(out.strip().splitlines()[-1])
        changed = _change(0.01, seed)
        wall2, out2 = _cli(args, env)
        second = json.loads(out2.strip().splitlines()[-1])
        return {
            "participants": n,
            "seed_s": round(seeded, 1),
            "first": {**first, "wall_s": round(wall, 1)},
            "changed_requests": changed,
            "second": {**second, "wall_s": round(wall2, 1)},
        }
    finally:
        if not keep:
            shutil.rmtree(data, ignore_errors=True)
