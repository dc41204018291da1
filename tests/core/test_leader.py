"""The background work's lease (`core.leader`): one holder at a time, released when its holder
goes, lost when its connection is; and the leadership thread that starts and stops the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection

from smartexpo.core.leader import (
    LEASE_KEY,
    AdvisoryLease,
    FileLease,
    Leadership,
    lease_for_database,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's"
)


# --- the lock file (SQLite) --------------------------------------------------------------------


def test_one_file_lease_at_a_time(tmp_path):
    path = tmp_path / "db.sqlite3.background.lock"
    first, second = FileLease(path), FileLease(path)
    assert first.acquire()
    assert first.held() and first.acquire()  # asking again keeps it
    assert not second.acquire()
    assert not second.held()
    first.release()
    assert not first.held()
    assert second.acquire()
    assert not first.acquire()
    second.release()


def test_a_removed_lock_file_is_a_lost_file_lease(tmp_path):
    path = tmp_path / "x.lock"
    lease = FileLease(path)
    assert lease.acquire()
    path.unlink()
    # Another process could now lock a new file at the same path: this one must give way.
    assert not lease.held()
    other = FileLease(path)
    assert other.acquire()
    assert not lease.acquire()
    other.release()


def test_the_kernel_frees_the_file_lease_of_a_process_killed_outright(tmp_path):
    path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from smartexpo.core.leader import FileLease\n"
            f"assert FileLease({str(path)!r}).acquire()\n"
            "print('held', flush=True)\n"
            "time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert holder.stdout.readline() == b"held\n"
        lease = FileLease(path)
        assert not lease.acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        assert lease.acquire()
        assert str(holder.pid) not in path.read_text()
        lease.release()
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite lease")
def test_on_sqlite_the_lease_is_a_file_beside_the_database():
    lease = lease_for_database()
    assert isinstance(lease, FileLease)
    assert lease.path.name.endswith(".background.lock")


# --- the advisory lock (PostgreSQL) ------------------------------------------------------------


def lease_holders() -> list[str]:
    """PostgreSQL: the application names of the sessions holding the lease."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s "
            "AND l.objsubid = 2 AND l.granted",
            list(LEASE_KEY),
        )
        return [row[0] for row in cursor.fetchall()]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_one_advisory_lease_at_a_time_on_a_connection_of_its_own():
    assert isinstance(lease_for_database(), AdvisoryLease)
    first, second = AdvisoryLease(), AdvisoryLease()
    try:
        assert first.acquire()
        assert not second.acquire()
        assert first.held() and first.acquire()
        # Django's own connections come and go; the lease's session is not one of them.
        connection.close()
        assert first.held()
        assert lease_holders() == [
            f"smartexpo background lease {os.uname().nodename}:{os.getpid()}"
        ]
        first.release()
        assert not first.held()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()
    assert lease_holders() == []


@postgresql_only
@pytest.mark.django_db
def test_a_lost_connection_is_a_lost_advisory_lease_for_good():
    leader, standby = AdvisoryLease(), AdvisoryLease()
    try:
        assert leader.acquire()
        pid = leader.session_pid()
        with connection.cursor() as cursor:  # as a database restart or a network loss would
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while lease_holders() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not leader.held()
        assert standby.acquire()
        # The lost session is not silently replaced by a new one that holds nothing.
        assert not leader.held()
        assert not leader.acquire()
    finally:
        leader.release()
        standby.release()


@postgresql_only
@pytest.mark.django_db
def test_an_unreachable_database_is_a_refusal_not_an_error():
    lease = AdvisoryLease()
    original = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = "1"  # nobody listens there
    try:
        assert not lease.acquire()
        assert not lease.held()
    finally:
        connection.settings_dict["PORT"] = original


# --- the leadership thread ---------------------------------------------------------------------


class ToggledLease:
    """A lease a test hands out and takes back."""

    def __init__(self):
        self.free = True
        self.mine = False
        self.released = 0

    def acquire(self) -> bool:
        if not self.mine and self.free:
            self.mine, self.free = True, False
        return self.mine

    def held(self) -> bool:
        return self.mine

    def release(self) -> None:
        if self.mine:
            self.mine, self.free = False, True
        self.released += 1

    def take_away(self) -> None:
        self.mine = False


class RecordedWork:
    def __init__(self, log: list[str], n: int):
        self.log, self.n = log, n
        log.append(f"start {n}")

    def begin_stop(self) -> None:
        self.log.append(f"begin_stop {self.n}")

    def stop(self, *, deadline: float) -> None:
        self.log.append(f"stop {self.n}")


def _until(condition, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_leader_runs_the_work_stops_it_when_the_lease_is_lost_and_leads_again():
    log: list[str] = []
    said: list[str] = []
    counter = iter(range(1, 100))
    lease = ToggledLease()
    lease.free = False  # someone else leads at first
    leadership = Leadership(
        lease, lambda: RecordedWork(log, next(counter)), grace=1, say=said.append, interval=0.01
    )
    leadership.start()
    try:
        assert _until(lambda: said)
        time.sleep(0.1)
        assert log == [] and not leadership.leading  # standing by
        lease.free = True  # the other leader died
        assert _until(lambda: log == ["start 1"])
        assert leadership.leading
        lease.take_away()  # its connection broke
        assert _until(lambda: "stop 1" in log)
        lease.free = True
        assert _until(lambda: "start 2" in log)
    finally:
        leadership.stop(deadline=time.monotonic() + 5)
    assert not leadership.is_alive()
    assert log == ["start 1", "stop 1", "start 2", "begin_stop 2", "stop 2"]
    assert lease.free and not lease.mine
    assert [s.split(":")[0] for s in said].count("leading") == 2
    assert any(s.startswith("lost") for s in said)


def test_a_stop_reaches_the_work_even_when_the_thread_is_stuck():
    log: list[str] = []
    stuck = threading.Event()

    class StuckLease(ToggledLease):
        def held(self) -> bool:  # a check waiting on a dead connection
            stuck.wait(30)
            return True

    leadership = Leadership(
        StuckLease(), lambda: RecordedWork(log, 1), grace=1, say=lambda _: None, interval=0.01
    )
    leadership.start()
    try:
        assert _until(lambda: log == ["start 1"])
        time.sleep(0.05)  # now in held()
        leadership.stop(deadline=time.monotonic() + 0.5)
        assert log[:3] == ["start 1", "begin_stop 1", "stop 1"]
    finally:
        stuck.set()
        leadership.join(timeout=10)
