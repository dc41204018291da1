"""Benchmark: the venue's batch path at full scale, and the occupancy endpoint on that data.

The digital twin's whole expo (700,000 visits over 4 days: about 21.2 M sensor events and
1.4 M gate scans) is imported through the batch path, then `smartexpo serve --workers 2
--no-mailer` (granian, as users run it) answers the venue endpoints under wrk, all on SQLite in
a temporary data directory:

1. Preparation (timed, not part of the target): `smartexpo migrate`, `smartexpo demo seed
   --quiet` (50,000 registered visitors), `smartexpo simulate --visitors N --days D --seed S
   --dry-run stream.parquet --quiet` (which registers the demo visitors the stream's tickets
   need, ~100 s the first time). The database is checkpointed and copied aside
   (`prepared.sqlite3`) so that each import starts from the same state.
2. The target: `smartexpo venue import stream.parquet --expo sce-2019 --quiet`, the wall clock
   of the process (`--runs` times, each from the prepared copy). Its report is parsed: events
   stored, duplicates, rejected, scans by result, minutes written, alerts, seconds per phase.
   The whole stream is the target. `--sensor-only` also imports the stream's sensor rows
   alone (a file of their own, on a fresh copy), which shows what the gate scans add.
3. Invariants, read from the database with sqlite3: sensor-event rows and check-in log rows
   (all `admit`) equal the stream's; no pending movement left; occupancy minutes written; the
   venue zone's admissions per day equal the simulator's plan; and, through the API, every
   zone's count is 0 just after each day's closing (the nightly reset) and every zone's count
   at one instant a day equals the sum of its raw movements (sensor events and gate scans) in
   the database.
4. After a warm-up (`--warmup` seconds of `occupancy?at=` from two threads, a new connection
   per request, so both workers read the history once before anything is timed), the
   endpoints under `wrk --latency`, `--duration` seconds each, with an organiser token:
   `GET …/venue/occupancy?at=` with a different instant per request (the days' opening hours,
   shuffled, `--seed`) at 1, 2 and 4 connections; `occupancy` now and at the latest simulated
   instant, `occupancy/history?zone=N1` over one day's opening hours at `step=60`, and `alerts`
   at the end, at 1 connection. Every answer must be 200 with a body of the expected size.
   Each worker's CPU time is read from /proc: granian places each keep-alive connection on
   one worker and does not balance, so 2 connections may share one worker.

Usage: make bench-venue [VENUE_BENCH_ARGS="..."], or python bench/venue.py [--visitors N]
[--days D] [--seed S] [--runs N] [--duration S] [--warmup S] [--sensor-only] [--keep]
[--reuse DIR].
`--reuse DIR` (a data dir kept with `--keep`) skips step 1, and step 2 as well when DIR's
database already holds an import (give `--runs N` to import again). Prints a summary and a
Markdown block for bench/RESULTS.md. Exits 1 when an invariant breaks or a command fails; a
missed target is only reported.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import (
    BenchError,
    fmt_answers,
    free_port,
    print_failure,
    process_tree,
    run_cli,
    start_server,
    stop,
    wait_until_up,
)
from venue_checks import api_checks, db_counts, db_facts, invariants, probe_instants
from venue_edition import EXPO, expo_facts
from venue_endpoints import (
    LOG_PATTERNS,
    balance_note,
    endpoint_specs,
    instant_paths,
    scenario,
    warm_up,
    workers_cpu,
)
from venue_import import import_once
from venue_prepare import (
    DB_NAME,
    IMPORTED_JSON,
    PREPARED,
    STREAM,
    bench_env,
    missing_for_reuse,
    planned_admissions,
    prepare,
    restore,
    reused_preparation,
    sensor_stream,
    stream_facts,
)
from venue_report import report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=700_000, help="visits (700,000)")
    parser.add_argument("--days", type=int, default=4, help="days simulated (4)")
    parser.add_argument("--seed", type=int, default=2019, help="simulator and instants (2019)")
    parser.add_argument("--runs", type=int, default=None, help="imports, each from the copy (1)")
    parser.add_argument("--duration", type=int, default=20, help="wrk seconds per run (20)")
    parser.add_argument(
        "--warmup", type=float, default=5, help="seconds of requests before the timed runs (5)"
    )
    parser.add_argument(
        "--sensor-only",
        action="store_true",
        help="also import the stream's sensor events alone, to time that part directly",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        type=Path,
        help="a data dir kept by --keep: skip the preparation (and the import if done)",
    )
    args = parser.parse_args()
    if args.runs is not None and args.runs < 0:
        parser.error("--runs must be 0 or more")
    wrk = shutil.which("wrk")
    if wrk is None:
        parser.error("wrk is not installed (make bench-venue installs it from Debian)")

    def on_sigterm(signum, frame):
        print("SIGTERM received", file=sys.stderr)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    t_start = time.perf_counter()
    if args.reuse:
        data_dir = args.reuse.resolve()
        if missing := missing_for_reuse(data_dir):
            parser.error(f"--reuse {data_dir}: missing {', '.join(missing)} (kept by --keep)")
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="smartexpo-bench-venue-"))
    env = bench_env(data_dir)
    server: subprocess.Popen | None = None
    log_path = data_dir / "server.log"
    db = data_dir / DB_NAME
    failed = False
    try:
        print(f"data dir {data_dir}", flush=True)
        if args.reuse:
            prep = reused_preparation(data_dir)
            print(f"preparation reused ({prep['simulate_cmd']}, {prep['date']})")
        else:
            prep = prepare(args, data_dir, env)
        planned = planned_admissions(prep["simulate_out"])
        days = list(planned)
        stream = stream_facts(data_dir / STREAM)
        print(
            f"stream: {stream['events']:,} events ({stream['sensor']:,} sensor events, "
            f"{stream['scans']:,} scans), {stream['mb']:,.1f} MB; planned admissions "
            + ", ".join(f"{d} {n:,}" for d, n in planned.items()),
            flush=True,
        )
        expo = expo_facts(data_dir / PREPARED)
        before = db_counts(data_dir / PREPARED, expo["id"])

        imported = data_dir / IMPORTED_JSON
        runs_wanted = args.runs
        if runs_wanted is None:
            runs_wanted = 0 if args.reuse and imported.exists() and db.exists() else 1
        sensor_only = None
        if args.sensor_only:
            sensors = sensor_stream(data_dir)
            print(f"restored the prepared database in {restore(data_dir):.1f} s", flush=True)
            sensor_only = import_once(data_dir, env, sensors, "import-sensors-only")
            if runs_wanted == 0:
                runs_wanted = 1  # the live database must hold the whole stream again
        runs = []
        for n in range(1, runs_wanted + 1):
            print(f"restored the prepared database in {restore(data_dir):.1f} s", flush=True)
            runs.append(import_once(data_dir, env, data_dir / STREAM, f"import-{n}"))
            imported.write_text(json.dumps(runs[-1]))
        reused_run = None
        if not runs:
            if not imported.exists():
                raise BenchError("--runs 0 needs a database imported by an earlier run")
            reused_run = json.loads(imported.read_text())
            print(f"import reused: {reused_run['wall_s']:.1f} s in the run that made it")

        # Step 3: the database, then (with the server) the same instants through the API.
        probes, closing_before = probe_instants(expo, days, args.seed)
        print("reading the database ...", flush=True)
        began = time.perf_counter()
        facts = db_facts(db, expo, probes, closing_before)
        print(f"  {time.perf_counter() - began:.1f} s", flush=True)

        # Step 4: the server, as users run it.
        token = run_cli(["token", "create", "--role", "organizer", "--name", "bench"], env)
        token = token.strip()
        port = free_port()
        serve = [
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-mailer",
        ]
        server = start_server(serve, env, log_path, "ab")
        up = wait_until_up(port, server, log_path, f"/api/v1/expos/{EXPO}")
        print(f"server up on 127.0.0.1:{port} after {up:.1f} s: smartexpo {shlex.join(serve)}")
        end = stream["last"].astimezone(expo["tz"])
        api = api_checks(port, token, expo, days, probes, end)

        specs = endpoint_specs(expo, days, api, end, args.seed)
        if args.warmup > 0:
            tree = process_tree(server.pid)
            warm = warm_up(port, token, instant_paths(expo, days, args.seed + 1), args.warmup)
            cpu = balance_note(workers_cpu(tree, process_tree(server.pid)), 2)
            print(
                f"warm-up: {args.warmup:g} s of occupancy ?at=, a new connection per request "
                f"({fmt_answers(warm)}); worker CPU s {cpu}",
                flush=True,
            )
            if set(warm) != {"200"}:
                raise BenchError(f"warm-up answers: {fmt_answers(warm)}")
            api["warm"] = f"{args.warmup:g} s ({sum(warm.values()):,} requests; worker CPU s {cpu})"

        results = []
        for spec in specs:
            spec = {"threads": 1, "connections": 1, "target": False, **spec}
            spec["duration"] = args.duration
            results.append(scenario(wrk, port, data_dir, token, server.pid, log_path, spec))
        stop(server)
        server = None
        checks = invariants(stream, expo, before, facts, planned, api, runs, sensor_only, results)
        failed = not all(checks.values())
        report(
            args,
            prep,
            stream,
            expo,
            runs,
            reused_run,
            sensor_only,
            facts,
            api,
            results,
            checks,
            serve,
        )
        print(f"total run time {time.perf_counter() - t_start:.0f} s")
    except BenchError as exc:
        print_failure(exc, log_path, LOG_PATTERNS)
        failed = True
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not skip this
            signal.signal(signum, signal.SIG_IGN)
        stop(server)
        if args.keep or args.reuse:
            print(f"kept {data_dir} (server log: {log_path}; again with --reuse {data_dir})")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
