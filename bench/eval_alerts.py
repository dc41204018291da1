"""Evaluation: predicted crowd alerts against the digital twin (issue 18, section 4).

For each run (a seed, with or without a demand shock), on SQLite in a temporary data dir:

1. `smartexpo migrate` and `smartexpo demo seed --quiet` (once, in a base dir; each run starts
   from a copy of that database);
2. the twin for sce-2019's four days, `smartexpo simulate --expo sce-2019 --visitors N
   --start-day S --days D --seed K --dry-run seg.parquet --quiet`, one file per segment of the
   run (`demand_segments`), cut into one file per local day (`day_files`: the whole stream
   is too much for one import on SQLite), and `smartexpo venue import seg-DAY.parquet --expo
   sce-2019 --quiet` for each, in order; the segments' event-id prefixes (a digest of the
   options) must differ;
3. in a child process on that database (bench/eval_alerts_db.py), through the product's code:
   every live alert of a hall (`crowd.selectors.alert_list`, what the live page and the API
   list), every predicted alert (`crowd.predict.predicted_alerts(expo=, day=)` for each day),
   and `crowd.predict.predicted_at(expo=, at=)` timed at every minute of the opening hours of
   days 1 and 4;
4. the matching (bench/eval_alerts_match.py, whose docstring states the rules): the share of
   live hall alerts predicted at least 10 minutes ahead (target ≥ 80 %), the share of
   predicted alerts that never came (target ≤ 20 %), the median lead; per run, per day and
   over all runs, with the missed alerts listed for the diagnosis;
5. on the first run's database, `smartexpo serve --workers 2 --no-mailer` and `wrk --latency`
   on `GET /api/v1/expos/sce-2019/venue/alerts/predicted?at=` a different minute of the opening
   hours per request, with an organiser token (every answer must be 200 with a body; the
   counts at a few instants must equal `predicted_at`'s). Target: under 50 ms.

The demand shock: 30 % more visitors than planned on one day. Today's twin expresses it by
simulating the days in segments, the shocked day alone with 1.3 × its planned share of the
visits (`demand_segments`, the one function to change once `simulate` takes a shock itself).

Usage: make eval-alerts [EVAL_ALERTS_ARGS="..."], or python bench/eval_alerts.py
[--visits N] [--run SEED[:DAY=FACTOR]]... [--time-days 1,4] [--duration S] [--no-api]
[--keep] [--base DIR] [--json FILE] [--from-json FILE]. `--base DIR` (a base data dir kept by
`--keep`) skips the migration and the demo's seeding; `--from-json FILE` prints the figures
again from a file written by `--json`, without running anything.

Default runs: 2019 (as planned) and 2020:3=1.3 (day 3 at 1.3 ×), 700,000 visits. Prints the
figures and a Markdown block for bench/RESULTS.md. Exits 1 when a command fails or a check
breaks; a missed target is only reported.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
from benchlib import (
    BenchError,
    cli,
    free_port,
    print_failure,
    run_cli,
    run_measured,
    start_server,
    stop,
    wait_until_up,
)
from eval_alerts_report import evaluate, report
from venue_edition import API, EXPO
from venue_endpoints import LOG_PATTERNS, get_json, scenario, warm_up
from venue_import import import_once
from venue_prepare import DB_NAME, bench_env, checkpoint, planned_admissions

HERE = Path(__file__).resolve().parent
DB_SCRIPT = HERE / "eval_alerts_db.py"
SEEDED = "seeded.sqlite3"


@dataclasses.dataclass(frozen=True)
class RunSpec:
    """One run: the twin's seed, and the shocked day (from 1) and its factor, if any."""

    seed: int
    shock_day: int | None = None
    shock_factor: float = 1.0

    @property
    def label(self) -> str:
        if self.shock_day is None:
            return f"seed {self.seed}, as planned"
        return f"seed {self.seed}, day {self.shock_day} × {self.shock_factor:g}"

    @classmethod
    def parse(cls, text: str) -> RunSpec:
        """`2019` or `2020:3=1.3` (seed 2020, day 3 at 1.3 × its planned visits)."""
        seed, _, shock = text.partition(":")
        try:
            if not shock:
                return cls(int(seed))
            day, _, factor = shock.partition("=")
            spec = cls(int(seed), int(day), float(factor))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: SEED or SEED:DAY=FACTOR") from None
        if not spec.shock_factor > 0:
            raise argparse.ArgumentTypeError(f"{text!r}: the factor must be above 0")
        return spec


@dataclasses.dataclass(frozen=True)
class Segment:
    """One `smartexpo simulate` invocation of a run: days `start` … `start + days − 1`."""

    start: int
    days: int
    visits: int
    extra: tuple[str, ...] = ()


def demand_segments(spec: RunSpec, planned: list[int]) -> list[Segment]:
    """The twin's invocations for a run, from the planned visits per day. As planned: one
    invocation for every day. With a shock: the days before, the shocked day alone with its
    planned visits times the factor, the days after. (Once `simulate` takes the shock itself,
    this returns a single segment with its option in `extra`.)"""
    if spec.shock_day is None:
        return [Segment(1, len(planned), sum(planned))]
    day = spec.shock_day
    if not 1 <= day <= len(planned):
        raise BenchError(f"shock day {day}: the edition has days 1 to {len(planned)}")
    segments = []
    if day > 1:
        segments.append(Segment(1, day - 1, sum(planned[: day - 1])))
    segments.append(Segment(day, 1, round(planned[day - 1] * spec.shock_factor)))
    if day < len(planned):
        segments.append(Segment(day + 1, len(planned) - day, sum(planned[day:])))
    return segments


def db_child(args: list[str], env: dict[str, str], timeout: float) -> str:
    """bench/eval_alerts_db.py in a child process on the data dir of `env`."""
    done = subprocess.run(
        [sys.executable, str(DB_SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"eval_alerts_db.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def seed_base(base: Path) -> dict:
    """A migrated database with the demo, checkpointed into one file each run copies."""
    env = bench_env(base)
    facts: dict = {}
    began = time.perf_counter()
    run_cli(["migrate", "--no-input", "-v0"], env, timeout=600)
    print("seeding the demo ...", flush=True)
    run_cli(["demo", "seed", "--quiet"], env, timeout=1800)
    facts["seed_s"] = time.perf_counter() - began
    checkpoint(base / DB_NAME)
    shutil.copyfile(base / DB_NAME, base / SEEDED)
    return facts


def simulate(run_dir: Path, env: dict, spec: RunSpec, seg: Segment, n: int) -> dict:
    out = run_dir / f"segment-{n}.parquet"
    cmd = [
        "simulate",
        "--expo",
        EXPO,
        "--visitors",
        str(seg.visits),
        "--start-day",
        str(seg.start),
        "--days",
        str(seg.days),
        "--seed",
        str(spec.seed),
        *seg.extra,
        "--dry-run",
        str(out),
        "--quiet",
    ]
    shown = shlex.join(["smartexpo", *cmd[:-2], out.name, "--quiet"])
    print(f"  {shown} ...", flush=True)
    stdout, stderr = run_dir / f"simulate-{n}.txt", run_dir / f"simulate-{n}.err"
    seconds, code, rss = run_measured([*cli(), *cmd], env, stdout, stderr)
    if code != 0:
        raise BenchError(f"smartexpo simulate failed ({code}):\n{stderr.read_text()[-3000:]}")
    text = stdout.read_text()
    first = pl.scan_parquet(out).select(pl.col("id").first()).collect().item()
    return {
        "cmd": shown,
        "path": out,
        "seconds": seconds,
        "rss_mib": rss,
        "planned": planned_admissions(text),
        "prefix": first.rsplit("-", 1)[0] + "-",
        "events": pl.scan_parquet(out).select(pl.len()).collect().item(),
    }


def day_files(stream: Path, tz: str) -> list[tuple[str, Path]]:
    """A segment's stream cut into one file per local day, in order. The whole 4-day stream
    at 700,000 visits cannot be imported at once on SQLite: the gate scans' check of seat
    reservations (`programme.attendance.reservations_held`) binds every registration id of
    the file to one query, beyond SQLite's limit on variables ("too many SQL variables"). A
    day at a time stays under it, and the history is the same: the days are imported in
    order, and check-in reads the earlier days' scans from the database."""
    day = pl.col("at").dt.convert_time_zone(tz).dt.date().alias("day")
    days = pl.scan_parquet(stream).select(day.unique().sort()).collect()["day"].to_list()
    out = []
    for d in days:
        path = stream.with_name(f"{stream.stem}-{d}.parquet")
        pl.scan_parquet(stream).filter(day == d).sink_parquet(path)
        out.append((str(d), path))
    return out


def one_run(
    run_dir: Path, base: Path, spec: RunSpec, planned: list[int], time_days: str, tz: str
) -> dict:
    """Steps 2 and 3 of a run, in a data dir of its own."""
    # The base dir's files with the seeded database: its secret key among them, which the
    # ticket keys in the database are encrypted with.
    shutil.copytree(
        base, run_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(f"{DB_NAME}*", SEEDED)
    )
    shutil.copyfile(base / SEEDED, run_dir / DB_NAME)
    env = bench_env(run_dir)
    print(f"{spec.label}: data dir {run_dir}", flush=True)
    run: dict = {"label": spec.label, "spec": dataclasses.asdict(spec), "segments": []}
    for n, seg in enumerate(demand_segments(spec, planned), 1):
        run["segments"].append(simulate(run_dir, env, spec, seg, n))
    prefixes = [s["prefix"] for s in run["segments"]]
    if len(set(prefixes)) != len(prefixes):
        raise BenchError(f"the segments' event ids share a prefix: {prefixes}")
    run["imports"] = []
    for n, seg in enumerate(run["segments"], 1):
        for day, path in day_files(seg["path"], tz):
            run["imports"].append(import_once(run_dir, env, path, f"import-{n}-{day}"))
            path.unlink()  # the stream is in the database now; keep the disk free
        seg["path"].unlink()
    began = time.perf_counter()
    db_child(
        ["measure", "--out", str(run_dir / "measure.json"), "--time-days", time_days],
        env,
        timeout=3600,
    )
    run["measure_s"] = time.perf_counter() - began
    run["db"] = json.loads((run_dir / "measure.json").read_text())
    for seg in run["segments"]:
        seg["path"] = seg["path"].name
    return run


def api_timing(run_dir: Path, db: dict, duration: int, seed: int) -> dict:
    """Step 5: the predicted alerts' endpoint under wrk, on a run's database."""
    env = bench_env(run_dir)
    token = run_cli(["token", "create", "--role", "organizer", "--name", "bench"], env).strip()
    port = free_port()
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--no-mailer"]
    log_path = run_dir / "server.log"
    server = start_server(serve, env, log_path, "ab")
    try:
        up = wait_until_up(port, server, log_path, f"/api/v1/expos/{EXPO}")
        print(f"server up after {up:.1f} s: smartexpo {shlex.join(serve)}", flush=True)
        found = {"serve": shlex.join(["smartexpo", *serve]), "probes": {}}
        for at, expected in db["probes"].items():
            _, body, size = get_json(port, f"{API}/alerts/predicted?at={q_text(at)}", token)
            found["probes"][at] = (body["count"], expected, size)
        paths = [f"{API}/alerts/predicted?at={q_text(at)}" for at in minute_instants(db)]
        random.Random(seed).shuffle(paths)
        warm = warm_up(port, token, paths, 5)
        if set(warm) != {"200"}:
            raise BenchError(f"warm-up answers: {warm}")
        found["runs"] = []
        for threads, connections in ((1, 1), (2, 2)):
            spec = {
                "key": f"predicted-c{connections}",
                "label": f"alerts/predicted ?at= a different minute, {connections} connection(s)",
                "paths": paths,
                "threads": threads,
                "connections": connections,
                "duration": duration,
            }
            found["runs"].append(scenario("wrk", port, run_dir, token, server.pid, log_path, spec))
        return found
    finally:
        stop(server)


def q_text(at: str) -> str:
    return at.replace("+", "%2B")


def minute_instants(db: dict) -> list[str]:
    """Every minute of every day's opening hours, as ISO instants with the edition's offset."""
    tz = ZoneInfo(db["tz"])
    opens, closes = dt.time.fromisoformat(db["opens"]), dt.time.fromisoformat(db["closes"])
    out = []
    for day in db["days"]:
        at = dt.datetime.combine(dt.date.fromisoformat(day), opens, tzinfo=tz)
        last = dt.datetime.combine(dt.date.fromisoformat(day), closes, tzinfo=tz)
        while at <= last:
            out.append(at.isoformat())
            at += dt.timedelta(minutes=1)
    return out


def rerender(args) -> int:
    """The figures and the Markdown block again from the measures of a `--json` file."""
    kept = json.loads(args.from_json.read_text())
    runs = kept["runs"]
    planned = kept.get("planned")
    if planned is None:  # files from before they were kept: the as-planned run's segment
        whole = next(r for r in runs if len(r["segments"]) == 1)["segments"][0]["planned"]
        planned = {"days": list(whole), "visits": list(whole.values())}
    args.visits = kept.get("visits", sum(planned["visits"]))
    facts = kept.get("facts", {"seed_s": None})
    ok = report(args, facts, planned, runs, evaluate(runs), kept["api"])
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=700_000, help="planned visits (700,000)")
    parser.add_argument(
        "--run",
        dest="runs",
        action="append",
        type=RunSpec.parse,
        metavar="SEED[:DAY=FACTOR]",
        help="a run (repeatable; default: 2019 and 2020:3=1.3)",
    )
    parser.add_argument("--time-days", default="1,4", help="days timed minute by minute (1,4)")
    parser.add_argument("--duration", type=int, default=20, help="wrk seconds per run (20)")
    parser.add_argument("--no-api", action="store_true", help="skip the server and wrk")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dirs")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--base", type=Path, help="a base data dir kept by --keep: the demo is seeded there"
    )
    parser.add_argument(
        "--from-json", type=Path, help="no run: the figures again from a --json file's measures"
    )
    args = parser.parse_args()
    if args.from_json:
        return rerender(args)
    runs_wanted = args.runs or [RunSpec(2019), RunSpec(2020, 3, 1.3)]
    if not 1 <= args.visits <= 2_000_000:
        parser.error("--visits must be from 1 to 2,000,000")
    if not args.no_api and shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk), or give --no-api")

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    started = time.perf_counter()
    if args.base and not (args.base / SEEDED).exists():
        parser.error(f"--base {args.base}: no {SEEDED} there (kept by --keep)")
    base = args.base or Path(tempfile.mkdtemp(prefix="smartexpo-eval-alerts-base-"))
    dirs = [] if args.base else [base]
    failed = False
    try:
        print(f"base data dir {base}", flush=True)
        facts = {"seed_s": None} if args.base else seed_base(base)
        planned = json.loads(db_child(["plan", "--visits", str(args.visits)], bench_env(base), 600))
        print(
            "planned visits per day: "
            + ", ".join(
                f"{d} {n:,}" for d, n in zip(planned["days"], planned["visits"], strict=True)
            ),
            flush=True,
        )
        runs, api = [], None
        for n, spec in enumerate(runs_wanted):
            run_dir = Path(tempfile.mkdtemp(prefix=f"smartexpo-eval-alerts-{spec.seed}-"))
            dirs.append(run_dir)
            run = one_run(run_dir, base, spec, planned["visits"], args.time_days, planned["tz"])
            runs.append(run)
            if n == 0 and not args.no_api:
                api = api_timing(run_dir, run["db"], args.duration, spec.seed)
            if not args.keep:
                shutil.rmtree(run_dir, ignore_errors=True)
        if args.json:  # the measurements first: a report that fails loses nothing
            kept = {"runs": runs, "api": api, "planned": planned, "facts": facts}
            args.json.write_text(json.dumps({**kept, "visits": args.visits}, default=str))
        figures = evaluate(runs)
        failed = not report(args, facts, planned, runs, figures, api)
        if args.json:
            kept.update(figures=figures)
            args.json.write_text(json.dumps({**kept, "visits": args.visits}, default=str))
        print(f"total run time {time.perf_counter() - started:.0f} s")
    except BenchError as exc:
        print_failure(exc, dirs[-1] / "server.log", LOG_PATTERNS)
        failed = True
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        for d in dirs:
            if args.keep:
                print(f"kept {d}")
            else:
                shutil.rmtree(d, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
