"""Hostile clients do not stop the others from being served.

`smartexpo serve --workers 2` as users run it (the per-address guard at its default), one
hostile client at a time, and a legitimate client from another address asking every 25 ms:
every one of its questions must be answered, and 99 in 100 within 200 ms (the bound an
organiser can live with; the figures are printed, and bench/RESULTS.md has them).

The hostile clients run in processes of their own at a lower priority: on the 2-core machine
they share with the server they stand for another machine's CPU, which a real attacker's is.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from tests import live_server

pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="runs its own server on SQLite; the guard does not touch the database",
    ),
]

SECONDS = 8.0
P99_BOUND = 0.200


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server.served(tmp_path_factory.mktemp("hostile"), args=["--no-folder"]) as s:
        yield s


class Legitimate:
    """Questions from 127.0.0.2 every 25 ms, on a connection of its own (kept alive, as a
    dashboard or a scanner keeps one), with the time each answer took."""

    def __init__(self, port: int):
        self.port = port
        self.times: list[float] = []
        self.failures: list[str] = []

    def run(self, seconds: float) -> None:
        conn = self._connect()
        paths = ["/api/v1/expos/x-2019", "/api/v1/expos/x-2019/ticket-types"]
        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end:
            started = time.monotonic()
            try:
                conn.request("GET", paths[n % 2])
                answer = conn.getresponse()
                answer.read()
                if answer.status != 200:
                    self.failures.append(f"{paths[n % 2]}: {answer.status}")
            except (OSError, http.client.HTTPException) as exc:
                self.failures.append(f"{paths[n % 2]}: {exc!r}")
                conn.close()
                conn = self._connect()
            self.times.append(time.monotonic() - started)
            n += 1
            time.sleep(max(0.0, 0.025 - (time.monotonic() - started)))
        conn.close()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=("127.0.0.2", 0)
        )

    def p99(self) -> float:
        ordered = sorted(self.times)
        return ordered[int(len(ordered) * 0.99) - 1]


def _hostile(kind: str, port: int) -> subprocess.Popen:
    if kind == "flood":
        command = [
            shutil.which("wrk") or "wrk",
            "-t2",
            "-c64",
            f"-d{int(SECONDS) + 2}s",
            f"http://127.0.0.1:{port}/api/v1/expos",
        ]
    else:
        command = [sys.executable, "-m", "tests.core.hostile_client", kind, str(port)]
        command.append(str(SECONDS + 2))
    return subprocess.Popen(
        [shutil.which("nice") or "nice", "-n", "10", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )


@pytest.mark.parametrize("kind", ["slow-headers", "deep-json", "flood"])
def test_a_legitimate_client_is_served_in_time_while_a_hostile_one_runs(server, kind):
    if kind == "flood" and shutil.which("wrk") is None:
        pytest.fail("wrk is needed for the flood (make system-deps installs it)")
    hostile = _hostile(kind, server.port)
    try:
        time.sleep(1.0)  # the attack is under way
        legitimate = Legitimate(server.port)
        thread = threading.Thread(target=legitimate.run, args=(SECONDS,))
        thread.start()
        thread.join(SECONDS + 30)
    finally:
        hostile.terminate()
        output = hostile.communicate(timeout=30)[0].decode(errors="replace")
    p99 = legitimate.p99()
    print(f"{kind}: {len(legitimate.times)} answers, p99 {p99 * 1000:.1f} ms\n{output[-600:]}")
    assert legitimate.failures == []
    assert len(legitimate.times) > SECONDS * 20
    assert p99 < P99_BOUND, f"p99 {p99 * 1000:.0f} ms"
