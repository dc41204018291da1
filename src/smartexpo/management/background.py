"""The background work, run by one process of a deployment at a time: the rule `smartexpo serve`
and `smartexpo worker` share.

The background work is the occupancy fold (a thread: alerts are raised within a second of their
movements even when nobody reads), the mailer (a child process: confirmations, waiting-list
offers and their expiry, ticket links, the registered outboxes) and the report worker (a child
process: report jobs and the daily report emails). Whichever process holds the leader lease
(`core.leader`) runs it; the others stand by and take over within a poll or two of the leader's
death.

Stopping: every process that runs it has exited within `STOP_BOUND_SECONDS` of its first
SIGTERM or SIGINT (`core.stopping`): the mailer's batch and the report being built get
`GRACE_SECONDS`, and whatever still runs `KILL_AFTER_SECONDS` after the first signal is killed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

from smartexpo.core.leader import Leadership, lease_for_database
from smartexpo.core.stopping import PARENT_ENV

# Requests in progress get this long once a stop is asked for (granian's
# --workers-kill-timeout, gunicorn's graceful_timeout), and so does the mailer's current batch.
GRACE_SECONDS = 10
# Whatever still runs this long after the first stop signal is killed: the grace period, and
# two seconds for granian's own kill of a worker that overran it and its master's exit.
KILL_AFTER_SECONDS = 12
# What `serve --help`, `worker --help` and the README promise: three more seconds for the kill,
# the reaping and the interpreter's exit on a busy machine.
STOP_BOUND_SECONDS = 15
# How often a main thread looks at its stop flag (and `serve`'s at granian). It must never
# block in one long system call: a signal delivered to another of its threads, or one whose
# handler was installed with SA_RESTART (polars installs one for SIGINT), does not interrupt
# that call, and the Python handler would only run once the call returned.
POLL_SECONDS = 0.1


def add_arguments(parser) -> None:
    """The flags that leave part of the background work out (`serve` and `worker`)."""
    parser.add_argument(
        "--no-folder",
        action="store_true",
        help="Do not fold venue movements into the occupancy history here (another "
        "process or `smartexpo venue fold --watch` does)",
    )
    parser.add_argument(
        "--no-mailer",
        action="store_true",
        help="Do not send the visitors' emails here (another process or `smartexpo mailer` does)",
    )
    parser.add_argument(
        "--no-report-worker",
        action="store_true",
        help="Do not build report jobs and daily report emails here (another process or "
        "`smartexpo reports run-jobs` does)",
    )


class BackgroundWork:
    """The background work one leader runs: the folder thread and the mailer and report worker
    processes, each unless left out."""

    def __init__(self) -> None:
        self.mailer: subprocess.Popen | None = None
        self.report_worker: subprocess.Popen | None = None
        self.folder = None
        self._stopping = False

    @classmethod
    def start(cls, *, folder: bool, mailer: bool, report_worker: bool) -> BackgroundWork:
        """Start the parts asked for; the processes die with this one (`core.stopping`)."""
        work = cls()
        if folder:
            from smartexpo.crowd.folder import Folder

            work.folder = Folder()
            work.folder.start()
        # In processes of their own, so slow PDF rendering, mail servers and reports of
        # seconds never hold up a web request, the fold, or one another.
        if mailer:
            work.mailer = _child("mailer")
        if report_worker:
            work.report_worker = _child("reports", "run-jobs")
        return work

    def begin_stop(self) -> None:
        """Ask each part to stop, without waiting (once; later calls do nothing)."""
        if self._stopping:
            return
        self._stopping = True
        for child in (self.mailer, self.report_worker):
            if child is not None and child.poll() is None:
                child.terminate()
        if self.folder is not None:
            self.folder.stop(timeout=0)

    def stop(self, *, deadline: float) -> None:
        """Stop every part by `deadline` (a `time.monotonic()` value): a mailer still sending
        then is killed (its claimed email is sent again once the claim's lease runs out), and
        so is a report worker still building (its job is taken up again once it is taken as
        abandoned); the folder is a daemon thread and ends with the process at the latest."""
        self.begin_stop()
        for child in (self.mailer, self.report_worker):
            if child is None:
                continue
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self.folder is not None:
            self.folder.join(timeout=max(0.0, deadline - time.monotonic()))


def leadership(
    *, folder: bool, mailer: bool, report_worker: bool, say: Callable[[str], None]
) -> Leadership | None:
    """The thread that runs the parts asked for while this process holds the lease (not yet
    started), or None when no part is asked for: such a process does not compete for it."""
    if not (folder or mailer or report_worker):
        return None
    return Leadership(
        lease_for_database(),
        lambda: BackgroundWork.start(folder=folder, mailer=mailer, report_worker=report_worker),
        grace=GRACE_SECONDS,
        say=say,
    )


def child_env() -> dict[str, str]:
    """The environment of the processes `serve` and `worker` start: they must not outlive the
    process that started them."""
    return {**os.environ, PARENT_ENV: str(os.getpid())}


def _child(*command: str) -> subprocess.Popen:
    # Started by the leadership thread: the kernel's parent-death signal (`die_with_parent`)
    # follows that thread, which outlives the child, as it stops its work before it ends.
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "smartexpo", *command], env=child_env()
    )
