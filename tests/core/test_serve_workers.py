"""`smartexpo serve` outlives its workers: a worker that dies is replaced, as users expect of a
production server (the kill soak in tests/soak found granian stopping the whole server)."""

import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from tests import live_server

# Each test serves a fresh SQLite database of its own, whichever database the suite runs on.
pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")), reason="serves its own SQLite database"
    ),
]


def children(pid: int) -> list[int]:
    """Live child processes of `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def answers(base: str) -> bool:
    try:
        urllib.request.urlopen(f"{base}/api/v1/expos", timeout=2).close()
        return True
    except OSError:
        return False


def wait_for(condition, limit: float = 60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    return None


def granian_master(server: int) -> int | None:
    """The child of `serve` that has two workers of its own: granian's master (the report
    worker, `serve`'s other child here, has none)."""
    return next((pid for pid in children(server) if len(children(pid)) == 2), None)


def two_workers(master: int, without: int | None = None) -> list[int] | None:
    workers = children(master)
    return workers if len(workers) == 2 and without not in workers else None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_killed_granian_worker_is_replaced_and_the_server_serves_on(tmp_path):
    with live_server.served(tmp_path, args=["--no-folder"]) as served:
        server = served.process
        master = wait_for(lambda: granian_master(server.pid))
        assert master, "serve did not start granian"
        workers = wait_for(lambda: two_workers(master))
        assert workers, "granian did not start two workers"

        os.kill(workers[0], signal.SIGKILL)

        replaced = wait_for(
            lambda: two_workers(master, without=workers[0]) or server.poll() is not None
        )
        assert server.poll() is None, "the server stopped when one worker died"
        assert replaced, "the killed worker was not replaced"
        assert workers[1] in replaced
        assert wait_for(lambda: answers(served.base))
