"""Nothing acknowledged is lost when a process of `smartexpo serve` dies.

The kill soak (bench/soak.py) serves registrations, scans, syncs and sensor events from a live
`smartexpo serve --workers 2`, kills one worker or the whole server with SIGKILL at random
moments, restarts it, and then holds the database to every acknowledgement and to its own
consistency (quotas, check-in log, tickets' state, occupancy history). On PostgreSQL it uses a
database of its own on the server DATABASE_URL names. `SMARTEXPO_SOAK_KILLS` sets the number of
kills (12 here, to keep `make test` short; `make soak` runs 200), `SMARTEXPO_SOAK_SEED`
replays a run.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("SMARTEXPO_SOAK_KILLS", "12"))

pytestmark = [
    pytest.mark.soak,
    pytest.mark.serial,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)"),
]


def test_nothing_acknowledged_is_lost_when_workers_or_the_whole_server_are_killed(tmp_path):
    report_path = tmp_path / "soak.json"
    soak = str(ROOT / "bench" / "soak.py")
    run = subprocess.run(
        [sys.executable, soak, "--kills", str(KILLS), "--json", str(report_path)],
        env=os.environ,  # DATABASE_URL included: PostgreSQL in the suite's second run
        capture_output=True,
        text=True,
        timeout=600 + 30 * KILLS,
        check=False,
    )
    print(run.stdout[-4000:])  # the soak's figures (pytest -s or -rP shows them)
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-4000:]
    report = json.loads(report_path.read_text())
    assert report["ok"]
    kills = report["kills"]
    assert kills["worker"] + kills["server"] == KILLS
    assert kills["worker"] >= KILLS // 2 >= 1
    assert kills["server"] >= KILLS // 2
    answers = report["answers"]
    for acknowledged in ("registration 201", "cancellation 200", "scan admit", "sync admit"):
        assert answers.get(acknowledged, 0) > 0, acknowledged
    figures = {c["name"]: c["figures"] for c in report["checks"]}
    assert figures["acknowledged sensor events stored exactly once"]["events accepted"] > 0
    # Small quotas: days sell out, so the quota check meets full days too.
    assert figures["acknowledged registrations stored exactly once"].get("refused sold_out", 0)
    # Requests were cut off by the kills and answered when sent again.
    assert sum(report["requests sent again after a kill"].values()) >= KILLS
