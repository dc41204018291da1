"""Step 2 of bench/venue.py: one `smartexpo venue import` process, timed as a whole, and the
figures of the report it prints (stored, duplicates, rejected, scans by result, minutes written,
alerts, seconds per phase).
"""

from __future__ import annotations

import re
from pathlib import Path

from benchlib import BenchError, cli, run_measured
from venue_edition import EXPO

# The gate scans' own phases (their secrets are authenticated beside the sensor events'
# check, inside "checking sensor events and gate scans").
SCAN_PHASES = ("deciding gate scans", "recording gate scans")


def parse_import(out: str) -> dict:
    """The figures of `smartexpo venue import`'s report."""

    def number(text: str) -> int:
        return int(text.replace(",", ""))

    found: dict = {"phases": {}}
    if m := re.search(r"([\d,]+) rows$", out, re.M):
        found["rows"] = number(m.group(1))
    if m := re.search(
        r"sensor events: ([\d,]+) stored, ([\d,]+) duplicates, rejected: (.*)$", out, re.M
    ):
        found["stored"], found["duplicates"] = number(m.group(1)), number(m.group(2))
        found["rejected"] = m.group(3).strip()
    if m := re.search(r"gate scans: ([\d,]+) \((.*)\)$", out, re.M):
        found["scans"] = number(m.group(1))
        found["scan_results"] = {k: number(v) for k, v in re.findall(r"(\w+) ([\d,]+)", m.group(2))}
    if m := re.search(
        r"occupancy: ([\d,]+) movements folded into ([\d,]+) zone-minutes, ([\d,]+) alerts", out
    ):
        found["movements"], found["minutes"] = number(m.group(1)), number(m.group(2))
        found["alerts"] = number(m.group(3))
    if m := re.search(r"seconds: (.*)$", out, re.M):
        for part in m.group(1).split(", "):
            label, _, sec = part.rpartition(" ")
            found["phases"][label] = float(sec)
    if m := re.search(r"Imported in ([\d.]+) s", out):
        found["reported_s"] = float(m.group(1))
    missing = [k for k in ("stored", "scans", "movements", "reported_s") if k not in found]
    if missing or not all(p in found["phases"] for p in SCAN_PHASES):
        raise BenchError(f"cannot read the import's report ({missing}):\n{out[-2000:]}")
    return found


def import_once(data_dir: Path, env: dict[str, str], stream: Path, name: str) -> dict:
    """One `smartexpo venue import` process, timed as a whole."""
    cmd = [*cli(), "venue", "import", str(stream), "--expo", EXPO, "--quiet"]
    out, err = data_dir / f"{name}.txt", data_dir / f"{name}.err"
    print(f"{name}: smartexpo venue import {stream.name} --expo {EXPO} --quiet ...", flush=True)
    cpu: dict[str, float] = {}
    seconds, code, rss = run_measured(cmd, env, out, err, cpu)
    if code != 0:
        raise BenchError(
            f"smartexpo venue import failed ({code}) after {seconds:.1f} s:\n"
            f"{err.read_text()[-3000:]}\n{out.read_text()[-1000:]}"
        )
    run = parse_import(out.read_text())
    run["wall_s"], run["rss_mib"] = seconds, rss
    run.update(cpu)
    run["scans_s"] = sum(run["phases"][p] for p in SCAN_PHASES)
    print(
        f"  {seconds:.1f} s (gate scans decided and recorded in {run['scans_s']:.1f} s), "
        f"peak {rss / 1024:.1f} GiB",
        flush=True,
    )
    return run
