"""Benchmark: `smartexpo demo seed` on a fresh SQLite database, then again (the idempotent path).

Usage: python bench/seed.py [--runs N]. Prints the wall time of each run; the target of issue 2
is well under 30 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "SMARTEXPO_DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)
        cli = [sys.executable, "-m", "smartexpo"]
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            subprocess.run([*cli, "demo", "seed", "--quiet"], env=env, check=True)
            label = "fresh database" if run == 1 else "re-seed (idempotent)"
            print(f"run {run} ({label}): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
