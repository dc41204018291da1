"""The attendance forecast and the gate-lane plan against the digital twin (issue 18 §4; a
measurement, not a test: bench/RESULTS.md "Planning" quotes it).

    python bench/eval_planning.py [--data-dir DIR] [--visitors 600000] [--seeds 2019 2020]
        [--shock-seed 2020] [--shock-day 3] [--shock 1.3]
    make eval-planning EVAL_PLANNING_ARGS="--data-dir /tmp/evalplan"

1. A data directory of its own (kept with --data-dir, so a second run skips this): the demo
   seeded with `--visitors` registered 2019 visitors (their booking instants from the demo's
   booking curve) and the 2018 edition's history (`smartexpo demo history`: about 580,000
   visits played by the twin in its show-up mode, the entrance gates' scans stored).
2. The forecast of 2019 as of 7 days, 1 day and 0 days before its opening (the registrations
   booked by then, 2018's booking curve, show-up and arrival curve), timed.
3. For each seed, the twin's 2019 run in show-up mode (nothing stored: its arrays are the
   truth); with `--shock-seed`, that seed's run has `--shock` times the usual show-up on day
   `--shock-day` (30 % more visitors than registered). Per run and instant: the MAPE of daily
   admissions and of 15-minute arrivals per gate (`eval_planning_twin`).
4. The lane plan for the forecast as of the day before (95 % under 10 minutes), timed with the
   forecast (the issue's 10 s), replayed on each run's own arrivals: the gate-periods that meet
   the target, the worst one, the lane-hours against every lane open all day.

Prints a Markdown block for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.benchlib import run_cli  # noqa: E402
from bench.eval_planning_twin import (  # noqa: E402
    ape,
    arrival_errors,
    day_truth,
    replay,
)

AHEAD = (7, 1, 0)
FORECAST_HEAD = " | ".join(
    [
        "| run",
        "as of",
        "admissions per day: forecast / twin (APE)",
        "daily MAPE",
        "15-min arrivals per gate: MAPE (periods ≥ 50), WAPE",
        "against the scans: MAPE, WAPE |",
    ]
)
PLAN_HEAD = " | ".join(
    [
        "| run",
        "gate-periods meeting p95 < 10 min",
        "of those the plan said it can meet",
        "share of arrivals under 10 min",
        "worst period",
        "lane-hours planned / all open (fewer) |",
    ]
)
WAIT_S, WITHIN = 600.0, 0.95


def prepare(data_dir: Path, visitors: int) -> dict:
    """Seed the directory unless a previous run did; seconds per step."""
    env = {**os.environ, "SMARTEXPO_DATA_DIR": str(data_dir)}
    marker = data_dir / "eval-planning.prepared"
    if marker.exists():
        return {"reused": True}
    data_dir.mkdir(parents=True, exist_ok=True)
    steps = {}
    for name, args, timeout in (
        ("migrate", ["migrate", "--no-input"], 600),
        ("seed", ["demo", "seed", "--visitors", str(visitors), "--quiet"], 3600),
        ("history", ["demo", "history", "--quiet"], 3600),
    ):
        began = time.perf_counter()
        print(f"  {name} …", flush=True)
        run_cli(args, env, timeout=timeout)
        steps[name] = time.perf_counter() - began
    marker.write_text("ok\n")
    return steps


def forecasts(expo) -> dict[int, tuple[object, float]]:
    from smartexpo.planning.forecast import attendance_forecast
    from smartexpo.planning.forecast_arrivals import opening_of

    opening = opening_of(expo, expo.starts_on)
    out = {}
    for days in AHEAD:
        began = time.perf_counter()
        forecast = attendance_forecast(expo=expo, as_of=opening - dt.timedelta(days=days))
        out[days] = (forecast, time.perf_counter() - began)
    return out


def twin_run(expo, seed: int, shock: dict[int, float] | None):
    """The twin's 2019 days in show-up mode: each day's truth."""
    from bench.eval_planning_twin import PERIOD_S

    from smartexpo.demo.simulator.stream import day_arrays, run_prepare
    from smartexpo.planning.forecast_arrivals import entrance_gates, opening_of, periods_of

    run = run_prepare(
        expo=expo,
        visitors=None,
        days=range(len(expo.days)),
        seed=seed,
        sensor_miss=0.0,
        say=lambda _text: None,
        booth_visits="area",
        shock=shock,
    )
    gates = [g.code for g in run.venue.gates]
    assert gates == [code for _id, code, _l in entrance_gates(expo)], "gate order"
    periods = periods_of(expo)
    assert PERIOD_S * periods >= 9 * 3600
    truths = []
    for i, day in enumerate(expo.days):
        arrays = day_arrays(run, i)
        truths.append(
            day_truth(arrays, gates=gates, opening=opening_of(expo, day), periods=periods)
        )
    return truths


def plan_for(forecast, expo):
    from smartexpo.planning.lanes import lane_plan
    from smartexpo.planning.pages import forecast_arrivals
    from smartexpo.planning.selectors import gate_lanes

    gates = gate_lanes(expo=expo)
    arrivals, _summary = forecast_arrivals(expo=expo, as_of=forecast.as_of)
    began = time.perf_counter()
    plan = lane_plan(
        gates={code: gates[code] for code in arrivals.expected},
        period_starts=arrivals.period_starts,
        expected=arrivals.expected,
        wait_s=WAIT_S,
        within=WITHIN,
        seed=0,
    )
    return plan, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--visitors", type=int, default=600_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[2019, 2020])
    parser.add_argument("--shock-seed", type=int, default=2020)
    parser.add_argument("--shock-day", type=int, default=3)
    parser.add_argument("--shock", type=float, default=1.3)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="eval-planning-"))
    print(f"Data directory: {data_dir}")
    steps = prepare(data_dir, args.visitors)
    os.environ["SMARTEXPO_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
    import django

    django.setup()
    from smartexpo.planning.forecast_arrivals import periods_of
    from smartexpo.venue.models import Expo

    expo = Expo.objects.get(slug="sce-2019")
    periods = periods_of(expo)
    made = forecasts(expo)
    eve, eve_s = made[1]
    plan, plan_s = plan_for(eve, expo)
    rows, plans = [], []
    for seed in args.seeds:
        shock = {args.shock_day - 1: args.shock} if seed == args.shock_seed else None
        began = time.perf_counter()
        truths = twin_run(expo, seed, shock)
        twin_s = time.perf_counter() - began
        label = f"seed {seed}" + (f", day {args.shock_day} ×{args.shock:g}" if shock else "")
        for days, (forecast, _s) in made.items():
            daily = [
                ape(d.admissions.mid, t.admissions)
                for d, t in zip(forecast.days, truths, strict=True)
            ]
            arrivals = arrival_errors(forecast, truths, periods)
            scans = arrival_errors(forecast, truths, periods, of="entries")
            rows.append(
                (label, days, daily, arrivals, scans, [t.admissions for t in truths], forecast)
            )
        for early in (False, True):
            shown = label + (f", with the {len(plan.early)} early openings" if early else "")
            result = replay(
                plan, truths, periods=periods, wait_s=WAIT_S, within=WITHIN, early=early
            )
            plans.append((shown, result, twin_s))
    report(args, steps, made, eve_s, plan_s, rows, plans, periods)


def report(args, steps, made, eve_s, plan_s, rows, plans, periods) -> None:
    print()
    now = dt.datetime.now(dt.UTC)
    print(f"### The forecast and the lane plan against the twin ({now:%Y-%m-%d %H:%M} UTC)")
    print()
    print(
        f"`python bench/eval_planning.py --visitors {args.visitors:,} --seeds "
        f"{' '.join(map(str, args.seeds))} --shock-seed {args.shock_seed} --shock-day "
        f"{args.shock_day} --shock {args.shock:g}` on {platform.node()} "
        f"({os.cpu_count()} cores); preparation: "
        + (
            "reused"
            if steps.get("reused")
            else ", ".join(f"{k} {v:,.0f} s" for k, v in steps.items())
        )
        + "."
    )
    print()
    print(
        "Forecast computing time: "
        + ", ".join(f"{d} d before {s:.2f} s" for d, (_f, s) in made.items())
    )
    print(
        f"Forecast (the day before) + lane plan: {eve_s:.2f} s + {plan_s:.2f} s = "
        f"{eve_s + plan_s:.2f} s (target < 10 s)."
    )
    print()
    print(FORECAST_HEAD)
    print("|---|---|---|---|---|---|")
    for label, days, daily, arrivals, scans, truth, forecast in rows:
        per_day = "; ".join(
            f"{d.admissions.mid:,.0f} / {t:,} ({e:.1f} %)"
            for d, t, e in zip(forecast.days, truth, daily, strict=True)
        )
        mape = sum(daily) / len(daily)
        print(
            f"| {label} | {days} d before | {per_day} | {mape:.1f} % | "
            f"{arrivals['mape']:.1f} % ({arrivals['periods']}), {arrivals['wape']:.1f} % | "
            f"{scans['mape']:.1f} % ({scans['periods']}), {scans['wape']:.1f} % |"
        )
    print()
    print(PLAN_HEAD)
    print("|---|---|---|---|---|---|")
    for label, r, _twin_s in plans:
        gate, start, wait, lanes = r.worst
        at = start.astimezone(made[1][0].expo.tz)
        worst = f"{gate} {at:%m-%d %H:%M}: p95 {wait / 60:.1f} min with {lanes} lanes"
        fewer = (1 - r.lane_hours / r.all_open_lane_hours) * 100
        print(
            f"| {label} | {r.met} of {r.gate_periods} | {r.promised_met} of {r.promised} | "
            f"{r.share_within:.1%} | {worst} | "
            f"{r.lane_hours:,.2f} / {r.all_open_lane_hours:,.2f} ({fewer:.1f} %) |"
        )


if __name__ == "__main__":
    main()
