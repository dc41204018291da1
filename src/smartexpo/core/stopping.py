"""Stopping `smartexpo serve` and its children within a bound, whatever signals arrive.

A service manager or an operator may deliver several stop signals at once, and from several
senders: systemd's `KillMode=control-group` and `kill -- -PGID` signal every process, Ctrl-C
sends SIGINT to the whole foreground group, and `serve` itself forwards its stop to granian.
Python runs a signal handler between two bytecodes of whatever the main thread was doing, so a
handler that takes a lock (`threading.Event.set`, logging, `print`) can be entered a second time
while the first call holds that lock, and then waits for its own thread forever. The handlers
here therefore only assign; the work happens in the main thread (or, for granian, in a thread of
its own: `core.granian_launcher`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# Set by `serve` for the children it starts: the process id they must not outlive.
PARENT_ENV = "SMARTEXPO_STOP_WITH_PARENT"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class StopRequest:
    """The first SIGTERM or SIGINT this process received, and when.

    Installed as the handler of both signals; a call only assigns two attributes, so it is safe
    to run again inside itself, and any number of signals make one request."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.at: float | None = None

    def __call__(self, signum: int, _frame=None) -> None:
        if self.signum is None:
            self.at = time.monotonic()
            self.signum = signum

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def install(self) -> StopRequest:
        """Handle SIGTERM and SIGINT from now on (from the main thread only)."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, self)
        return self

    def deadline(self, seconds: float) -> float:
        """`seconds` after the request (or after now, when nothing was requested)."""
        return (self.at if self.at is not None else time.monotonic()) + seconds


def die_with_parent(signum: int = signal.SIGTERM) -> None:
    """Have the kernel send `signum` here when the process in `PARENT_ENV` dies (Linux).

    A `serve` killed with SIGKILL (or by the OOM killer) runs no cleanup; without this its
    granian and mailer would serve and send on, orphaned, until the machine restarts. Done by
    the child itself rather than in a `preexec_fn`, which is unsafe in a process with threads.
    Without `PARENT_ENV` (started by hand) this does nothing."""
    expected = os.environ.pop(PARENT_ENV, None)
    if expected is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        return  # no such call (an unusual kernel): `serve` still stops its children itself
    if os.getppid() != int(expected):
        # The parent died before prctl: the kernel will never send the signal, so do it.
        os.kill(os.getpid(), signum)


def has_exited(pid: int) -> bool:
    """Whether child `pid` has exited, without reaping it.

    Its zombie keeps the process id, and with it the id of the process group it leads, from
    being reused: `kill_group(pid)` stays safe until the caller reaps it."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def kill_group(pgid: int) -> None:
    """SIGKILL every process of group `pgid` (none left is fine)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
