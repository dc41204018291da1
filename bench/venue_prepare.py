"""Step 1 of bench/venue.py, and the data dir it leaves: a migrated database with the demo,
the simulator's stream, and the database copied aside so that each import starts from the same
state (`restore`), plus what the later steps read back from that preparation.

The file names below are the data dir's layout, which `--keep` leaves and `--reuse` expects.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import shutil
import sqlite3
import time
from pathlib import Path

import polars as pl
from benchlib import BenchError, cli, run_cli, run_measured
from venue_edition import EXPO

DB_NAME = "smartexpo.sqlite3"
PREPARED = "prepared.sqlite3"
STREAM = "stream.parquet"
SENSORS = "sensors.parquet"
PREPARE_JSON = "prepare.json"
IMPORTED_JSON = "imported.json"  # written once an import into the live database succeeded


def bench_env(data_dir: Path) -> dict[str, str]:
    """The CLI's environment: our data dir, and none of the caller's DATABASE_URL or DEBUG,
    which would send the commands to another database or run them in debug mode."""
    env = {**os.environ, "SMARTEXPO_DATA_DIR": str(data_dir)}
    for name in ("DATABASE_URL", "DEBUG"):
        env.pop(name, None)
    return env


def missing_for_reuse(data_dir: Path) -> list[str]:
    """What a data dir lacks for `--reuse`: the prepared copy, the stream and their figures."""
    needed = [data_dir / n for n in (PREPARED, STREAM, PREPARE_JSON)]
    return [p.name for p in needed if not p.exists()]


def reused_preparation(data_dir: Path) -> dict:
    """The figures `prepare` recorded in a kept data dir, marked as reused for the report."""
    prep = json.loads((data_dir / PREPARE_JSON).read_text())
    prep["reused"] = True
    return prep


def checkpoint(db: Path) -> None:
    """Fold the WAL into the database file, so that one file is the whole database."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        con.close()


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def prepare(args, data_dir: Path, env: dict[str, str]) -> dict:
    """Step 1: a migrated database with the demo, the stream, and the database copied aside."""
    prep: dict = {"visitors": args.visitors, "days": args.days, "seed": args.seed}
    began = time.perf_counter()
    run_cli(["migrate", "--no-input", "-v0"], env, timeout=600)
    prep["migrate_s"] = time.perf_counter() - began
    began = time.perf_counter()
    run_cli(["demo", "seed", "--quiet"], env, timeout=1800)
    prep["seed_s"] = time.perf_counter() - began
    simulate = [
        "simulate",
        "--expo",
        EXPO,
        "--visitors",
        str(args.visitors),
        "--days",
        str(args.days),
        "--seed",
        str(args.seed),
        "--dry-run",
        str(data_dir / STREAM),
        "--quiet",
    ]
    prep["simulate_cmd"] = shlex.join(["smartexpo", *simulate[:-2], STREAM, "--quiet"])
    print(f"preparing: {prep['simulate_cmd']} ...", flush=True)
    out, err = data_dir / "simulate.txt", data_dir / "simulate.err"
    seconds, code, rss = run_measured([*cli(), *simulate], env, out, err)
    if code != 0:
        raise BenchError(f"smartexpo simulate failed ({code}):\n{err.read_text()[-3000:]}")
    prep["simulate_s"], prep["simulate_rss_mib"] = seconds, rss
    prep["simulate_out"] = out.read_text()
    db = data_dir / DB_NAME
    began = time.perf_counter()
    checkpoint(db)
    shutil.copyfile(db, data_dir / PREPARED)
    prep["copy_s"] = time.perf_counter() - began
    prep["date"] = dt.datetime.now(dt.UTC).date().isoformat()
    (data_dir / PREPARE_JSON).write_text(json.dumps(prep, indent=1))
    return prep


def planned_admissions(simulate_out: str) -> dict[str, int]:
    """The simulator's `admissions planned per day: 2019-08-26 190,000, …` as day → count."""
    m = re.search(r"admissions planned per day: (.*?) \(prepared", simulate_out)
    if not m:
        raise BenchError(f"no planned admissions in the simulator's output:\n{simulate_out}")
    return {day: int(n.replace(",", "")) for day, n in re.findall(r"(\S+) ([\d,]+)", m.group(1))}


def stream_facts(path: Path) -> dict:
    """What the stream holds, read lazily (the file has tens of millions of rows)."""
    frame = pl.scan_parquet(path)
    by = frame.group_by("source", "direction").agg(pl.len().alias("n")).collect()
    ends = frame.select(pl.col("at").min().alias("first"), pl.col("at").max().alias("last"))
    first, last = ends.collect().row(0)
    counts = {(s, d): n for s, d, n in by.iter_rows()}
    return {
        "events": sum(counts.values()),
        "sensor": sum(n for (s, _), n in counts.items() if s == "sensor"),
        "scans": sum(n for (s, _), n in counts.items() if s == "scan"),
        "scans_in": counts.get(("scan", "in"), 0),
        "scans_out": counts.get(("scan", "out"), 0),
        "first": first,
        "last": last,
        "mb": path.stat().st_size / 1e6,
    }


def sensor_stream(data_dir: Path) -> Path:
    """The stream's sensor rows in a file of their own, written once per data dir (a kept one
    has it already), for `--sensor-only`."""
    sensors = data_dir / SENSORS
    if not sensors.exists():
        pl.scan_parquet(data_dir / STREAM).filter(pl.col("source") == "sensor").sink_parquet(
            sensors
        )
    return sensors


def restore(data_dir: Path) -> float:
    """The live database back to the prepared copy; seconds it took."""
    began = time.perf_counter()
    (data_dir / IMPORTED_JSON).unlink(missing_ok=True)
    db = data_dir / DB_NAME
    remove_db(db)
    shutil.copyfile(data_dir / PREPARED, db)
    return time.perf_counter() - began
