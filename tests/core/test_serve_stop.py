"""Stopping `smartexpo serve` always finishes within its documented bound, and leaves nothing.

Every scenario runs many times against the real command (`python -m smartexpo serve --workers
2`) on a migrated SQLite copy, because the failures it guards against are races: a second
signal arriving inside the handler of the first, a signal landing in the window before a
handler exists. An iteration fails when `serve` is still running `STOP_BOUND_SECONDS` (plus a
margin for a busy machine) after the first signal, or when any process it started outlives it.

These tests do not depend on the database vendor, so they run once, in the SQLite pass.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from smartexpo.management.commands.serve import GRACE_SECONDS, STOP_BOUND_SECONDS

pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="stopping does not depend on the database vendor"
    ),
]

# Iterations per scenario. Issue 11 asks for 50, but every iteration starts a real server, about
# 3.3 CPU-seconds of imports (Django and the application, in `serve` and in each worker): 50 of
# each scenario took 17 minutes on the 2-core machine next to other work (8 minutes when it was
# quiet), 8 of each about four (one and a half). `make test` runs 4 of each, so that the whole
# suite stays well under 20 minutes; SMARTEXPO_STOP_ITERATIONS=50 runs the full count.
ITERATIONS = int(os.environ.get("SMARTEXPO_STOP_ITERATIONS", "4"))
# gunicorn runs in `serve`'s own process and queues its signals: fewer rounds suffice.
GUNICORN_ITERATIONS = max(2, ITERATIONS // 2)
# Iterations in flight at once: an iteration spends most of its time starting up, so two at a
# time keep both cores busy.
CONCURRENCY = 2
# Every few iterations run the mailer too, as `serve` runs by default.
MAILER_EVERY = 4
# A busy machine may be slow to kill and reap: the bound plus this is still a bound.
MARGIN_SECONDS = 10
STARTUP_TIMEOUT_SECONDS = 180


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A data directory with a migrated database, copied by every iteration."""
    data = tmp_path_factory.mktemp("migrated")
    env = {**os.environ, "SMARTEXPO_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "smartexpo", "migrate", "-v0"], env=env, check=True, timeout=300
    )
    return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    """One `serve` started in a session of its own, and a mark to find all it started by."""

    process: subprocess.Popen
    port: int
    token: str
    log: Path

    @property
    def pgid(self) -> int:
        return self.process.pid

    def answers(self) -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v1/expos", timeout=2).close()
        except OSError:
            return False
        return True

    def wait_until(self, moment) -> str | None:
        """None once `moment(self)` is true; what went wrong when it never is."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not moment(self):
            if self.process.poll() is not None or time.monotonic() > deadline:
                return f"serve never reached {moment.__name__}:\n{self.log_tail()}"
            time.sleep(0.02)
        return None

    def processes(self, named: str) -> int:
        """How many of its processes have `named` in their command line."""
        return sum(named in line for line in self.survivors())

    def survivors(self) -> list[str]:
        """Every live process of `serve`'s group or started by it, wherever it went since."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                environ = (entry / "environ").read_bytes()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:  # gone while we looked
                continue
            state, _ppid, pgid = stat.rsplit(")", 1)[1].split()[:3]
            if state == "Z":
                continue
            if int(pgid) == self.pgid or f"SERVE_STOP_TEST={self.token}".encode() in environ:
                found.append(f"{entry.name} {cmdline}")
        return found

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def kill_everything(self) -> None:
        for line in self.survivors():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line.split()[0]), signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        self.process.wait()


def serve(migrated: Path, workdir: Path, *, server: str = "granian", mailer: bool) -> Served:
    workdir.mkdir()
    for name in ("smartexpo.sqlite3", "secret_key"):
        shutil.copy(migrated / name, workdir / name)
    token = uuid.uuid4().hex
    env = {**os.environ, "SMARTEXPO_DATA_DIR": str(workdir), "SERVE_STOP_TEST": token}
    env.pop("DATABASE_URL", None)
    port = free_port()
    command = [sys.executable, "-m", "smartexpo", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "2", "--server", server]
    if not mailer:
        command.append("--no-mailer")
    log = workdir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Served(process, port, token, log)


def stops_within_the_bound(served: Served, first_signal_at: float) -> str | None:
    """None when `serve` exits within the bound and leaves no process; else what went wrong."""
    bound = STOP_BOUND_SECONDS + MARGIN_SECONDS
    try:
        served.process.wait(timeout=max(0.0, first_signal_at + bound - time.monotonic()))
    except subprocess.TimeoutExpired:
        left = served.survivors()
        served.kill_everything()
        return f"still running {bound} s after the signal: {left}\n{served.log_tail()}"
    took = time.monotonic() - first_signal_at
    # A process killed with SIGKILL just before `serve` exited may take a moment to go.
    deadline = time.monotonic() + 3
    while (left := served.survivors()) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        served.kill_everything()
        return f"exited after {took:.1f} s but left {left}\n{served.log_tail()}"
    return None


def it_answers(served: Served) -> bool:
    return served.answers()


def stop_once(served: Served, send, *, moment=it_answers) -> str | None:
    """`send(served)` at `moment`, then check that it stops within the bound."""
    try:
        if error := served.wait_until(moment):
            served.kill_everything()
            return error
        first_signal_at = time.monotonic()
        send(served)
        return stops_within_the_bound(served, first_signal_at)
    except BaseException:
        served.kill_everything()
        raise


def run_iterations(tmp_path, scenario, *, count: int = ITERATIONS) -> None:
    """Run `scenario(index, workdir)` `count` times, two at a time, and report every failure."""
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        outcomes = list(pool.map(lambda i: scenario(i, tmp_path / f"run-{i}"), range(count)))
    failures = [f"iteration {i}: {outcome}" for i, outcome in enumerate(outcomes) if outcome]
    assert not failures, f"{len(failures)} of {count} stops failed:\n" + "\n".join(failures[:5])


def mailer_on(index: int) -> bool:
    return index % MAILER_EVERY == MAILER_EVERY - 1


def sigterm_to_the_group(served: Served) -> None:
    """`kill -- -PGID`: every process of `serve`'s process group (which, until granian got a
    session of its own, was every process of the service)."""
    os.killpg(served.pgid, signal.SIGTERM)


def sigterm_to_every_process(served: Served) -> None:
    """What systemd's KillMode=control-group does: every process of the service's cgroup,
    granian in its own session included, gets SIGTERM — and granian gets `serve`'s too."""
    for line in served.survivors():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(line.split()[0]), signal.SIGTERM)


def two_sigterms(served: Served) -> None:
    served.process.send_signal(signal.SIGTERM)
    served.process.send_signal(signal.SIGTERM)


def sigint_and_sigterm(served: Served) -> None:
    served.process.send_signal(signal.SIGINT)
    served.process.send_signal(signal.SIGTERM)


def sigterm(served: Served) -> None:
    served.process.send_signal(signal.SIGTERM)


@pytest.mark.parametrize(
    "send",
    [sigterm_to_the_group, sigterm_to_every_process, two_sigterms, sigint_and_sigterm],
    ids=["group-sigterm", "sigterm-to-every-process", "two-sigterms", "sigint-and-sigterm"],
)
def test_granian_serve_stops_within_the_bound(migrated, tmp_path, send):
    def scenario(index: int, workdir: Path) -> str | None:
        return stop_once(serve(migrated, workdir, mailer=mailer_on(index)), send)

    run_iterations(tmp_path, scenario)


def test_a_group_sigterm_stops_serve_with_gunicorn_within_the_bound(migrated, tmp_path):
    def scenario(index: int, workdir: Path) -> str | None:
        served = serve(migrated, workdir, server="gunicorn", mailer=mailer_on(index))
        return stop_once(served, sigterm_to_the_group)

    run_iterations(tmp_path, scenario, count=GUNICORN_ITERATIONS)


def it_was_started(_served: Served) -> bool:
    """While `serve` itself starts: Python, Django, its handlers."""
    return True


def it_starts_a_child(served: Served) -> bool:
    """As `serve` starts the mailer (or, without it, granian)."""
    return len(served.survivors()) >= 2


def granian_starts(served: Served) -> bool:
    return served.processes("--interface wsgi") >= 1


def granians_workers_start(served: Served) -> bool:
    """Granian's master and both workers exist: the workers import the application."""
    return served.processes("--interface wsgi") >= 3


START_UP_MOMENTS = [it_was_started, it_starts_a_child, granian_starts, granians_workers_start]


def test_a_sigterm_during_start_up_stops_serve_within_the_bound(migrated, tmp_path):
    """The signal lands at each moment of the start-up in turn, with the mailer on for every
    other round of moments. (The moment is seen by polling, a few milliseconds late at most.)"""

    def scenario(index: int, workdir: Path) -> str | None:
        mailer = index // len(START_UP_MOMENTS) % 2 == 1
        served = serve(migrated, workdir, mailer=mailer)
        return stop_once(served, sigterm, moment=START_UP_MOMENTS[index % len(START_UP_MOMENTS)])

    run_iterations(tmp_path, scenario)


def test_a_serve_killed_outright_takes_granian_and_the_mailer_with_it(migrated, tmp_path):
    """SIGKILL leaves `serve` no time to stop anything: its children notice that it died."""
    served = serve(migrated, tmp_path / "run", mailer=True)
    assert served.wait_until(it_answers) is None
    served.process.kill()
    served.process.wait()
    deadline = time.monotonic() + GRACE_SECONDS + MARGIN_SECONDS
    while (left := served.survivors()) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        served.kill_everything()
    assert not left, f"orphaned: {left}"


# Cheap (a tiny application starts in a moment): granian's own handlers hung in about one burst
# in thirty to sixty, two at a time on the busy machine.
BURST_ITERATIONS = 20
TINY_APP = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def test_a_burst_of_sigterms_to_granians_master_and_workers_never_hangs_it(tmp_path):
    """Granian as `serve` runs it gets a hundred SIGTERMs at each of its processes, so that
    handlers run inside one another: granian's own then deadlock in `Event.set`."""
    (tmp_path / "tiny.py").write_text(TINY_APP)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    command = [sys.executable, "-m", "smartexpo.core.granian_launcher", "--interface", "wsgi"]
    command += ["--host", "127.0.0.1", "--workers", "2", "--no-ws", "--log-level", "error"]
    command += ["--workers-kill-timeout", str(GRACE_SECONDS)]

    def scenario(index: int, workdir: Path) -> str | None:
        workdir.mkdir()
        token = uuid.uuid4().hex
        port = free_port()
        log = workdir / "granian.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, "--port", str(port), "tiny:app"],
                env={**env, "SERVE_STOP_TEST": token},
                cwd=tmp_path,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        served = Served(process, port, token, log)

        def burst(served: Served) -> None:
            pids = [int(line.split()[0]) for line in served.survivors()]
            for _ in range(100):
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGTERM)

        def it_answers_on_both_workers(served: Served) -> bool:
            return served.answers() and served.processes("--interface wsgi") >= 3

        return stop_once(served, burst, moment=it_answers_on_both_workers)

    run_iterations(tmp_path, scenario, count=BURST_ITERATIONS)


def test_the_installed_granian_still_has_the_signal_functions_serve_replaces():
    """Should a granian upgrade rename them, its own (deadlock-prone) handlers would run again."""
    check = "from smartexpo.core.granian_launcher import patch_granian; assert patch_granian()"
    subprocess.run([sys.executable, "-c", check], check=True, timeout=60)
