"""Step 1 of bench/reports.py: a data directory holding a 700,000-visitor edition with everything
the dashboard, the big screen and the post-show report read, built with the project's own
commands (each step timed, and skipped when a kept directory has it already):

1. `smartexpo migrate`;
2. `smartexpo demo seed --visitors 700000` (sce-2019's 843 exhibitors, 16 halls, 1,242 booths,
   the published forum programme with the demo visitors' seat reservations, the solved business
   meetings, the illustrative deals of both editions; 700,000 registrations with booking dates
   from the demo's booking curve);
3. `smartexpo demo history` (sce-2018, the previous edition: its registrations with booking
   dates, and its entrance scans from the twin in show-up mode, no sensor events);
4. `smartexpo simulate --expo sce-2019 --visitors 700000 --days 4 --dry-run stream.parquet`
   (the digital twin: entrance scans, room-door scans of the forum sessions, and every crowd
   sensor movement of the halls and booth zones);
5. `smartexpo venue import stream.parquet` (one transaction; folds the occupancy history);
6. `bench/reports_build.py` inside `smartexpo shell`: leads and meeting check-ins in bulk
   (the twin plays neither; see that file);
7. `smartexpo demo clock --expo sce-2019 <instant on day 3>`: "today" is day 3.

`--from-db FILE` starts from a copy of another data dir's database (eval-planning's keeps one with
the demo seeded and sce-2018's history): steps 2 and 3 then top up what it lacks, which is
quicker than building it all. The layout below is what `--keep` leaves and `--reuse` expects.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import shutil
import sqlite3
import time
from pathlib import Path

from benchlib import BenchError, cli, run_cli, run_measured

EXPO = "sce-2019"
DB_NAME = "smartexpo.sqlite3"
STREAM = "stream.parquet"
PREPARE_JSON = "prepare.json"
HERE = Path(__file__).resolve().parent


def _record(data_dir: Path, prep: dict) -> None:
    (data_dir / PREPARE_JSON).write_text(json.dumps(prep, indent=1))


def recorded(data_dir: Path) -> dict:
    path = data_dir / PREPARE_JSON
    return json.loads(path.read_text()) if path.exists() else {"steps": {}}


def checkpoint(db: Path) -> None:
    """Fold the WAL into the database file (a kept directory is then one file to copy)."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        con.close()


def _step(data_dir: Path, prep: dict, name: str, args: list[str], env, timeout: float) -> None:
    """Run `smartexpo <args>` as a process unless the directory records it done."""
    if name in prep["steps"]:
        print(f"  {name}: done in an earlier run ({prep['steps'][name]['seconds']:.0f} s)")
        return
    print(f"  {name}: smartexpo {shlex.join(args)} …", flush=True)
    out, err = data_dir / f"prepare-{name}.out", data_dir / f"prepare-{name}.err"
    seconds, code, rss = run_measured([*cli(), *args], env, out, err)
    if code != 0:
        raise BenchError(
            f"smartexpo {shlex.join(args)} failed ({code}):\n{err.read_text()[-3000:]}"
        )
    prep["steps"][name] = {
        "command": shlex.join(["smartexpo", *args]),
        "seconds": seconds,
        "rss_mib": rss,
        "output": out.read_text(errors="replace")[-1500:],
    }
    _record(data_dir, prep)
    print(f"    {seconds:.0f} s, peak {rss:,.0f} MiB", flush=True)


def prepare(data_dir: Path, env: dict, *, visitors: int, seed: int, clock: str, from_db) -> dict:
    """Build (or finish building) the data directory; what each step took."""
    data_dir.mkdir(parents=True, exist_ok=True)
    prep = recorded(data_dir)
    if from_db and not (data_dir / DB_NAME).exists():
        began = time.perf_counter()
        shutil.copyfile(from_db, data_dir / DB_NAME)
        prep["from_db"] = {"path": str(from_db), "seconds": time.perf_counter() - began}
        _record(data_dir, prep)
    prep.setdefault("visitors", visitors)
    prep.setdefault("date", dt.datetime.now(dt.UTC).date().isoformat())
    stream = data_dir / STREAM
    _step(data_dir, prep, "migrate", ["migrate", "--no-input", "-v0"], env, 600)
    _step(
        data_dir, prep, "seed", ["demo", "seed", "--visitors", str(visitors), "--quiet"], env, 3600
    )
    _step(data_dir, prep, "history", ["demo", "history", "--quiet"], env, 3600)
    simulate = ["simulate", "--expo", EXPO, "--visitors", str(visitors), "--days", "4"]
    simulate += ["--seed", str(seed), "--dry-run", str(stream), "--quiet"]
    _step(data_dir, prep, "simulate", simulate, env, 3600)
    _step(
        data_dir,
        prep,
        "import",
        ["venue", "import", str(stream), "--expo", EXPO, "--quiet"],
        env,
        3600,
    )
    if "build" not in prep["steps"]:
        print("  build: leads and meeting check-ins (bench/reports_build.py) …", flush=True)
        began = time.perf_counter()
        code = f"import runpy; runpy.run_path({str(HERE / 'reports_build.py')!r}, run_name='b')"
        out = run_cli(["shell", "-c", code], {**env, "BENCH_SEED": str(seed)}, timeout=3600)
        line = next(x for x in out.splitlines() if x.startswith("BENCH-JSON "))
        prep["steps"]["build"] = {
            "command": "smartexpo shell -c <bench/reports_build.py>",
            "seconds": time.perf_counter() - began,
            **json.loads(line.removeprefix("BENCH-JSON ")),
        }
        _record(data_dir, prep)
    # The clock runs on from the instant set: set again at every run, so "now" is on day 3.
    run_cli(["demo", "clock", "--expo", EXPO, clock], env)
    prep["clock"] = clock
    checkpoint(data_dir / DB_NAME)
    _record(data_dir, prep)
    return prep
