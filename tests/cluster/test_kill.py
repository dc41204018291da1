"""A server killed under load (SIGKILL, the whole `serve`): HAProxy takes it out of the pool
within 5 s, only requests that were in flight on it fail, and every registration that was
acknowledged is in the database. The server is started again afterwards, for the other tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time

import pytest

from tests.cluster.conftest import register

pytestmark = pytest.mark.cluster

CLIENTS = 6
VICTIM = "web2"
OUT_WITHIN_SECONDS = 5


def test_a_killed_server_is_out_within_5_s_and_no_acknowledged_registration_is_lost(cluster):
    state = json.loads((cluster.root / "state.json").read_text())
    victim = state["processes"][VICTIM]
    assert cluster.server_states()[VICTIM] == "UP"
    done = threading.Event()
    answers: list[tuple[float, float, int | str, str]] = []

    def client(k: int) -> None:
        n = 0
        while not done.is_set():
            person = 5000 + n * CLIENTS + k
            # Each registration from an address of its own: the load is many visitors.
            source = f"127.{10 + k}.{n // 250}.{n % 250 + 1}"
            started = time.monotonic()
            try:
                status, body = register(cluster, "open", person, source=source, timeout=30)
            except OSError as failed:
                status, body = f"{type(failed).__name__}", {}
            answers.append((started, time.monotonic(), status, body.get("email", "")))
            n += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        killed_at = time.monotonic()
        os.killpg(victim["pid"], signal.SIGKILL)
        out_at = None
        while time.monotonic() < killed_at + 30:
            if cluster.server_states()[VICTIM].startswith("DOWN"):
                out_at = time.monotonic()
                break
            time.sleep(0.05)
        time.sleep(3)
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=60)
    try:
        assert out_at is not None, "HAProxy never took the killed server out"
        assert out_at - killed_at < OUT_WITHIN_SECONDS
        before = [a for a in answers if a[1] < killed_at]
        after = [a for a in answers if a[0] >= out_at]
        assert before and after
        assert {status for _s, _e, status, _m in before + after} == {201}
        # Between the kill and HAProxy's verdict, only what the dead server had taken in
        # fails (HAProxy's 502 for a POST it will not send twice); a refused connection goes
        # to another server.
        failed = [a for a in answers if a[2] != 201]
        assert len(failed) <= CLIENTS, failed
        assert {status for _s, _e, status, _m in failed} <= {502}, failed
        acknowledged = {email for _s, _e, status, email in answers if status == 201}
        assert len(acknowledged) == len([a for a in answers if a[2] == 201])
        stored = set(cluster.world("count", "open")["emails"])
        assert acknowledged <= stored
    finally:
        _start_again(cluster, state, VICTIM)


def _start_again(cluster, state: dict, name: str) -> None:
    """The server started again as scripts/cluster.py started it; back in HAProxy's pool."""
    with (cluster.root / "logs" / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            state["processes"][name]["command"],
            env=cluster.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    state["processes"][name]["pid"] = process.pid
    (cluster.root / "state.json").write_text(json.dumps(state, indent=2) + "\n")
    deadline = time.monotonic() + 120
    while cluster.server_states()[name] != "UP":
        assert time.monotonic() < deadline, f"{name} not back in the pool"
        time.sleep(0.2)
