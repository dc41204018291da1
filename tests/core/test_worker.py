"""The background work runs in exactly one process: real `smartexpo worker` processes on the
test's own database (SQLite's file and its lock file, or PostgreSQL's test database and its
advisory lock under scripts/with-postgres.sh), one killed outright mid-work.

- Two workers: exactly one leads; the other stands by.
- The leader is killed with SIGKILL while it sends: the other leads within 10 s.
- Every confirmation email, from before and after the kill, is sent exactly once, and each
  registration was claimed once.
- The occupancy fold runs before and after the takeover, without any reader folding for it,
  and the counts are exact.
- A `serve --no-background` runs none of the background work and leaves the lease alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from smartexpo.core.leader import FileLease
from smartexpo.crowd.models import PendingMovement
from smartexpo.devices.services import device_create
from smartexpo.management.background import STOP_BOUND_SECONDS
from smartexpo.tickets.models import Registration
from smartexpo.tickets.services.registration import registration_create
from tests.conftest import ApiClient, day_ticket, registration_body
from tests.core.test_leader import lease_holders

pytestmark = [pytest.mark.serial, pytest.mark.django_db(transaction=True)]

TAKEOVER_SECONDS = 10  # the bound
STARTUP_SECONDS = 240  # three Django processes a worker, on a busy two-core machine
MARGIN_SECONDS = 10
EVENTS = "/api/v1/expos/test-2019/venue/events"
OCCUPANCY = "/api/v1/expos/test-2019/venue/occupancy"
LEADING = re.compile(r"^smartexpo (?:worker|serve): leading: .*\(pid (\d+)\)$", re.M)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = quote(db["HOST"] or "localhost", safe="")
    return f"postgres://{db['USER']}@{host}:{db['PORT']}/{db['NAME']}"


class Processes:
    """Processes started with one mark in their environment, so that everything they start
    is found again, however it was orphaned."""

    def __init__(self, data: Path):
        self.data = data
        self.token = uuid.uuid4().hex
        self.started: dict[str, tuple[subprocess.Popen, Path]] = {}

    def start(self, name: str, *command: str) -> subprocess.Popen:
        env = {
            **os.environ,
            # The test's own: its secret key decrypts the ticket-signing keys it made.
            "SMARTEXPO_DATA_DIR": str(settings.DATA_DIR),
            "DATABASE_URL": _database_url(),
            "SMARTEXPO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "smartexpo.settings",
            "WORKER_TEST": self.token,
        }
        log = self.data / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "smartexpo", *command],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started[name] = (process, log)
        return process

    def log(self, name: str) -> str:
        return self.started[name][1].read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(self.log(name) for name in self.started)

    def leaders(self) -> dict[str, int]:
        """Each process that said it leads, and the pid it gave."""
        return {
            name: int(found[-1])
            for name in self.started
            if (found := LEADING.findall(self.log(name)))
        }

    def survivors(self) -> list[str]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                environ = (entry / "environ").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if state != "Z" and f"WORKER_TEST={self.token}".encode() in environ:
                found.append(f"{entry.name} {cmdline}")
        return found

    def kill_everything(self) -> None:
        for line in self.survivors():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line.split()[0]), signal.SIGKILL)
        for process, _log in self.started.values():
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait()


def _until(condition, timeout: float, processes: Processes, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s:\n{processes.logs()[-4000:]}")
        time.sleep(0.1)


def _lease_path() -> Path:
    return Path(connection.settings_dict["NAME"] + ".background.lock")


def _holder_is(pid: int) -> bool:
    if connection.vendor == "postgresql":
        return [h.rsplit(":", 1)[1] for h in lease_holders()] == [str(pid)]
    return _lease_path().read_text().strip().endswith(f":{pid}")


def _register(expo, numbers) -> None:
    for n in numbers:
        registration_create(expo=expo, **registration_body(n, ticket_type="day"))


def _recipients(logs: str) -> list[str]:
    return re.findall(r"^To: (\S+)$", logs, re.M)


def test_one_worker_leads_and_another_takes_over_within_10_s_when_it_is_killed(
    expo, organizer, tmp_path
):
    day_ticket(expo, quota_per_day=1000)
    _device, sensor_token = device_create(expo=expo, name="s", kind="sensor", zones=["N1", "S1"])
    sensor = ApiClient(sensor_token)
    _register(expo, range(1, 9))
    connection.close()  # the database is the workers' too now
    processes = Processes(tmp_path)
    try:
        processes.start("first", "worker")
        processes.start("second", "worker")
        _until(lambda: processes.leaders(), STARTUP_SECONDS, processes, "nobody led")
        (leader_name, leader_pid), *others = processes.leaders().items()
        assert others == [], processes.leaders()
        leader = processes.started[leader_name][0]
        assert leader_pid == leader.pid
        standby_name = "second" if leader_name == "first" else "first"
        _until(
            lambda: "standing by" in processes.log(standby_name),
            STARTUP_SECONDS,
            processes,
            "the second worker never stood by",
        )
        assert _holder_is(leader.pid)

        # The fold runs in the leader, with no reader to fold for it.
        _post(sensor, [("N1", "enter", "10:00:00", 5), ("S1", "enter", "10:00:00", 2)])
        _until(
            lambda: not PendingMovement.objects.exists(), 60, processes, "the leader never folded"
        )
        # Killed outright while its mailer sends the first emails.
        _until(
            lambda: Registration.objects.filter(confirmation_sent_at__isnull=False).exists(),
            STARTUP_SECONDS,
            processes,
            "the leader's mailer sent nothing",
        )
        leader.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        leader.wait()
        _until(
            lambda: standby_name in processes.leaders(),
            killed_at + TAKEOVER_SECONDS - time.monotonic(),
            processes,
            "no takeover",
        )
        _register(expo, range(9, 17))
        assert processes.leaders()[standby_name] == processes.started[standby_name][0].pid
        assert _holder_is(processes.started[standby_name][0].pid)

        _post(sensor, [("N1", "enter", "10:05:00", 4), ("N1", "exit", "10:06:00", 1)])
        _until(
            lambda: not PendingMovement.objects.exists(),
            60,
            processes,
            "the new leader never folded",
        )
        _until(
            lambda: not Registration.objects.filter(confirmation_sent_at__isnull=True).exists(),
            STARTUP_SECONDS,
            processes,
            "emails were left unsent",
        )
        time.sleep(3)  # a mailer pass or two more: nothing is sent again
        survivor = processes.started[standby_name][0]
        survivor.send_signal(signal.SIGTERM)
        survivor.wait(timeout=STOP_BOUND_SECONDS + MARGIN_SECONDS)
        _until(lambda: not processes.survivors(), MARGIN_SECONDS, processes, "processes left")
    finally:
        processes.kill_everything()

    registrations = Registration.objects.order_by("id")
    assert registrations.count() == 16
    assert {r.confirmation_attempts for r in registrations} == {1}
    sent = _recipients(processes.logs())
    assert sorted(sent) == sorted(f"g{n}@example.cn" for n in range(1, 17)), sent
    occupancy = organizer.get(OCCUPANCY, {"at": "2019-08-26T10:30:00+08:00"}).json()
    zones = {z["zone"]: z["count"] for z in occupancy["zones"]}
    assert (zones["N1"], zones["S1"]) == (8, 2)


def _post(sensor: ApiClient, movements) -> None:
    events = [
        {
            "id": uuid.uuid4().hex,
            "zone": zone,
            "kind": kind,
            "at": f"2019-08-26T{clock}+08:00",
            "count": count,
        }
        for zone, kind, clock, count in movements
    ]
    response = sensor.post(EVENTS, {"events": events})
    assert response.status_code == 200, response.content
    assert not response.json()["rejected"]


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the lock file is SQLite's lease (the advisory lock is shown by the test above)",
)
def test_serve_without_background_runs_none_of_it_and_leaves_the_lease(tmp_path):
    connection.close()
    processes = Processes(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        server = processes.start(
            "serve", "serve", "--no-background", "--workers", "1", "--port", str(port)
        )
        _until(
            lambda: "serving on" in processes.log("serve"),
            STARTUP_SECONDS,
            processes,
            "serve never started",
        )
        time.sleep(2)  # had it competed, it would have led by now
        assert "lease" not in processes.log("serve")
        commands = " ".join(processes.survivors())
        assert "mailer" not in commands and "run-jobs" not in commands
        lease = FileLease(_lease_path())
        assert lease.acquire()
        lease.release()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=STOP_BOUND_SECONDS + MARGIN_SECONDS)
    finally:
        processes.kill_everything()
