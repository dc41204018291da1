"""How long the lane plan takes for a 4-day, 4-gate edition at the twin's scale (a measurement,
not a test: docs/planning.md quotes it).

    PYTHONPATH=src python -m tests.planning.speed [--per-day 175000] [--days 4]

The twin's arrival curve scaled to `--per-day` admissions over its four gates (24, 24, 12 and
12 lanes, arrivals in proportion to the lanes), 15-minute periods from 08:00 to 18:00: the
plan with its simulation check, then the staff shifts of every gate and day.
"""

from __future__ import annotations

import argparse
import time

from smartexpo.planning.lanes import lane_plan
from smartexpo.planning.shifts import staff_shifts

from .twin_curve import TWIN_GATES, edition


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-day", type=float, default=175_000)
    parser.add_argument("--days", type=int, default=4)
    args = parser.parse_args()
    starts, expected = edition(args.days, args.per_day)
    began = time.perf_counter()
    plan = lane_plan(gates=TWIN_GATES, period_starts=starts, expected=expected)
    planned = time.perf_counter()
    shifts = [staff_shifts(period_starts=starts, demand=plan.lanes(code)) for code in TWIN_GATES]
    done = time.perf_counter()
    print(
        f"{args.days} days × {len(TWIN_GATES)} gates × {len(starts) // args.days} periods, "
        f"{args.per_day:,.0f} admissions a day"
    )
    print(f"lane plan with simulation check: {planned - began:.2f} s")
    print(f"staff shifts (CP-SAT, {len(TWIN_GATES) * args.days} solves): {done - planned:.2f} s")
    print(f"total: {done - began:.2f} s")
    print(
        f"lane-hours {plan.lane_hours:.2f} of {plan.all_open_lane_hours:.2f} "
        f"({plan.saving:.1%} fewer); infeasible periods: {len(plan.infeasible)}"
    )
    print(
        "shifts: "
        + ", ".join(
            f"{code} {s.people} people {s.staff_hours:.1f} h ({s.status})"
            for code, s in zip(TWIN_GATES, shifts, strict=True)
        )
    )
    for code, start in plan.infeasible:
        print(f"  cannot meet the target: {code} {start:%Y-%m-%d %H:%M}")


if __name__ == "__main__":
    main()
