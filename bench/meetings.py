"""Benchmark: the meeting optimiser at scale (docs/meeting-scheduling.md, "Scale").

Random instances (`smartexpo.meetings.scheduling.generate.random_instance`, seeded) of 500,
2,000 and 5,000 participants with 4 requests per participant (20,000 at the largest), 18 slots
of 20 minutes, one table per twenty participants, booth meetings allowed; CP-SAT on 2 workers.
For each: the solve time, its status, the gap to the best bound, and the greedy baseline.
The sizes in `--hosted` (2,000 by default) run again on the hosted-buyer profile
(`profile="hosted"`: part-day visitors, staffed booth desks, half `must`), where availability
binds and the order of placement matters.

Targets (issue 16):
1. 5,000 participants scheduled in under 120 s with a proven gap under 2 %;
2. on the 2,000 instance, at least 10 % more `must` + `want` weight than the greedy baseline;
3. a re-solve after 1 % of the requests change (half cancelled, half newly accepted) moves under
   2 % of the published meetings.

With `--db N`, also the real path (bench/meetings_db.py): a seeded SQLite database and
`smartexpo meetings solve`, first and after 1 % of the requests change.

Usage: python bench/meetings.py [--sizes 500,2000,5000] [--hosted 2000] [--time-limit 120]
       [--seed 1] [--db N] [--json F]
Prints a summary and a Markdown block for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from smartexpo.meetings.scheduling import Request, solve
from smartexpo.meetings.scheduling.generate import random_instance
from smartexpo.meetings.scheduling.weights import MUST, request_weight


def counts(instance, placements) -> tuple[int, int]:
    """(`must`, `want`) requests scheduled."""
    must = sum(1 for r in instance.requests if r.id in placements and r.weight >= MUST // 100)
    return must, len(placements) - must


def changed(instance, placements, *, share: float, seed: int):
    """The instance after `share` of its requests changed: half of them cancelled (drawn
    among all accepted requests), as many new ones accepted; the schedule published."""
    rng = random.Random(seed)
    n = max(2, round(len(instance.requests) * share))
    gone = set(rng.sample([r.id for r in instance.requests], n // 2))
    people = list(instance.people)
    seen = {(min(r.a, r.b), max(r.a, r.b)) for r in instance.requests}
    new = []
    while len(new) < n - n // 2:
        a, b = rng.sample(people, 2)
        pair = (min(a, b), max(a, b))
        if pair in seen:
            continue
        seen.add(pair)
        priority = "must" if rng.random() < 0.2 else "want"
        new.append(
            Request(
                id=f"new{len(new)}",
                a=pair[0],
                b=pair[1],
                weight=request_weight(priority, 0),
                score=round(rng.random(), 3),
            )
        )
    return dataclasses.replace(
        instance,
        requests=[r for r in instance.requests if r.id not in gone] + new,
        previous={rid: p for rid, p in placements.items() if rid not in gone},
    ), len(gone)


def run(size: int, args, profile: str = "fair") -> dict:
    t0 = time.perf_counter()
    instance = random_instance(size, size * 4, seed=args.seed, profile=profile)
    generated = time.perf_counter() - t0
    result = solve(instance, time_limit=args.time_limit, workers=2, seed=args.seed)
    must, want = counts(instance, result.placements)
    greedy = solve(instance, method="greedy")
    g_must, g_want = counts(instance, greedy.placements)
    row = {
        "profile": profile,
        "participants": size,
        "requests": len(instance.requests),
        "generate_s": round(generated, 2),
        "status": result.status,
        "seconds": round(result.seconds, 1),
        "build_s": result.details.get("build_seconds"),
        "fallback": result.details.get("fallback"),
        "variables": result.variables,
        "gap_pct": round(result.gap * 100, 3),
        "scheduled": len(result.placements),
        "must": must,
        "want": want,
        "greedy_scheduled": len(greedy.placements),
        "greedy_must": g_must,
        "greedy_want": g_want,
        "weight_gain_pct": round((result.weight / max(1, greedy.weight) - 1) * 100, 2),
        "count_gain_pct": round(
            (len(result.placements) / max(1, len(greedy.placements)) - 1) * 100, 2
        ),
        "idle_gaps": result.idle_gaps,
        "greedy_idle_gaps": greedy.idle_gaps,
    }
    if size in args.resolve and profile == "fair":
        again, cancelled = changed(instance, result.placements, share=0.01, seed=args.seed)
        second = solve(again, time_limit=args.time_limit, workers=2, seed=args.seed)
        published = len(again.previous)
        row["resolve"] = {
            "changed_requests": cancelled * 2,
            "published": published,
            "moved": second.moved,
            "moved_pct": round(second.moved / max(1, published) * 100, 3),
            "status": second.status,
            "seconds": round(second.seconds, 1),
            "gap_pct": round(second.gap * 100, 3),
        }
    return row


def markdown(rows: list[dict], args) -> str:
    lines = [
        f"### Meeting optimiser — {dt.datetime.now(dt.UTC).date().isoformat()}",
        "",
        f"`python bench/meetings.py --sizes {','.join(map(str, args.sizes))} "
        f"--hosted {args.hosted} --time-limit {args.time_limit:g} --seed {args.seed}` "
        f"on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}, CP-SAT 2 workers).",
        "",
        "| profile | participants | requests | status | seconds | gap | scheduled (must/want) "
        "| greedy (must/want) | weight vs greedy | count vs greedy | idle gaps (greedy) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['profile']} | {r['participants']:,} | {r['requests']:,} | {r['status']} "
            f"| {r['seconds']} "
            f"(build {r['build_s']}) | {r['gap_pct']} % | {r['scheduled']:,} "
            f"({r['must']:,}/{r['want']:,}) | {r['greedy_scheduled']:,} "
            f"({r['greedy_must']:,}/{r['greedy_want']:,}) | {r['weight_gain_pct']:+} % "
            f"| {r['count_gain_pct']:+} % | {r['idle_gaps']:,} ({r['greedy_idle_gaps']:,}) |"
        )
    for r in rows:
        if "resolve" in r:
            v = r["resolve"]
            lines.append(
                f"\nRe-solve of the {r['participants']:,} instance after {v['changed_requests']} "
                f"requests changed (1 %): {v['moved']} of {v['published']:,} published meetings "
                f"moved ({v['moved_pct']} %), {v['status']}, {v['seconds']} s, gap "
                f"{v['gap_pct']} %."
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,5000")
    parser.add_argument("--resolve", default="2000", help="Sizes re-solved after 1 %% change")
    parser.add_argument(
        "--hosted", default="2000", help="Sizes also run on the hosted-buyer profile"
    )
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="Write the rows to this file too")
    parser.add_argument(
        "--db", type=int, default=0, help="Also the real path at N participants (SQLite + CLI)"
    )
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.resolve = {int(s) for s in args.resolve.split(",") if s}
    runs = [(size, "fair") for size in args.sizes]
    runs += [(int(s), "hosted") for s in args.hosted.split(",") if s]
    rows = []
    for size, profile in runs:
        row = run(size, args, profile)
        rows.append(row)
        print(json.dumps(row), flush=True)
    real = None
    if args.db:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from meetings_db import real_path

        real = real_path(args.db, time_limit=args.time_limit, seed=args.seed)
        print(json.dumps(real), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "db": real}, indent=2))
    print()
    print(markdown(rows, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
