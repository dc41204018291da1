"""How long the lane plan takes for a 4-day, 4-gate edition at the twin's scale (a measurement,
not a test: docs/planning.md quotes it).

    python bench/planning.py [--per-day 175000] [--days 4] [--runs 2]
    make bench-planning PLANNING_BENCH_ARGS="--runs 3"

The twin's arrival curve scaled to `--per-day` admissions over its four gates (24, 24, 12 and
12 lanes, arrivals in proportion to the lanes), 15-minute periods from 08:00 to 18:00: the
plan with its simulation check, then the staff shifts of every gate and day. Prints each run's
timing, then a Markdown block to paste into docs/planning.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.planning.twin_curve import TWIN_GATES, edition  # noqa: E402

from smartexpo.planning.lanes import lane_plan  # noqa: E402
from smartexpo.planning.shifts import staff_shifts  # noqa: E402


def run(days: int, per_day: float) -> dict:
    starts, expected = edition(days, per_day)
    began = time.perf_counter()
    plan = lane_plan(gates=TWIN_GATES, period_starts=starts, expected=expected)
    planned = time.perf_counter()
    shifts = [staff_shifts(period_starts=starts, demand=plan.lanes(code)) for code in TWIN_GATES]
    done = time.perf_counter()
    return {
        "plan_s": planned - began,
        "shifts_s": done - planned,
        "total_s": done - began,
        "plan": plan,
        "shifts": shifts,
        "periods": len(starts) // days,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=float, default=175_000)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    runs = []
    for n in range(args.runs):
        result = run(args.days, args.per_day)
        runs.append(result)
        plan = result["plan"]
        print(
            f"run {n + 1}: lane plan {result['plan_s']:.2f} s, shifts "
            f"({len(TWIN_GATES) * args.days} CP-SAT solves) {result['shifts_s']:.2f} s, "
            f"total {result['total_s']:.2f} s"
        )
    last = runs[-1]
    plan = last["plan"]
    print(
        f"lane-hours {plan.lane_hours:.2f} of {plan.all_open_lane_hours:.2f} "
        f"({plan.saving:.1%} fewer); infeasible periods: {len(plan.infeasible)}"
    )
    print(
        "shifts: "
        + ", ".join(
            f"{code} {s.people} people {s.staff_hours:.1f} h ({s.status})"
            for code, s in zip(TWIN_GATES, last["shifts"], strict=True)
        )
    )
    for code, start in plan.infeasible:
        print(f"  cannot meet the target: {code} {start:%Y-%m-%d %H:%M}")

    def col(key: str) -> str:
        return ", ".join(f"{r[key]:.2f}" for r in runs)

    print(
        f"\n{args.days} days × {len(TWIN_GATES)} gates × {last['periods']} periods, "
        f"{args.per_day:,.0f} admissions a day ({platform.machine()}, Python "
        f"{platform.python_version()}):\n"
    )
    print(f"| step | seconds ({len(runs)} runs) |")
    print("|---|---|")
    print(f"| lane plan with the simulation check | {col('plan_s')} |")
    solves = len(TWIN_GATES) * args.days
    statuses = {s.status for s in last["shifts"]}
    kinds = "/".join(sorted(statuses))
    print(f"| staff shifts ({solves} CP-SAT solves, {kinds}) | {col('shifts_s')} |")
    print(f"| total | {col('total_s')} |")


if __name__ == "__main__":
    main()
