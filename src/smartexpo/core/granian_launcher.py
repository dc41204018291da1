"""`python -m smartexpo.core.granian_launcher ARGS…`: granian's command line, as `serve` runs it.

Before granian starts, three things are added that its master and WSGI workers lack:

1. Signal handlers that cannot deadlock. Granian's master sets a `threading.Event` inside its
   SIGTERM/SIGINT handler (`signal_handler_interrupt`), and its WSGI workers do the same
   through their shutdown callback. Python runs a handler between two bytecodes of the main
   thread, which may be inside `Event.set` of the handler the previous signal started, holding
   the Event's lock: the new handler then waits for a lock its own thread holds, forever, and so
   does every later signal (a stack dump of a master hung in the field showed exactly this).
   Two signals in quick succession are ordinary: systemd's control-group kill reaches the
   master and `serve` forwards one too. Here the Python-level handler does nothing; the C
   signal handler writes the signal's number to a pipe (`signal.set_wakeup_fd`, no lock
   involved) and a thread of its own reads it and calls granian's handler, so no lock is ever
   taken in signal context.
2. Workers that stop when told, while they start (`dispatch_in_thread`) and when told more
   than once (`_set_sync_signals`).
3. Death with `serve` (`stopping.die_with_parent`): a `serve` killed with SIGKILL takes granian
   with it instead of leaving it serving, orphaned.

The first two go through granian's module attributes, looked up when granian starts. Should a
later granian rename them, its own handlers run and `serve`'s SIGKILL after the stop bound
still holds; `tests/core/test_serve_stop.py` notices the rename.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from functools import partial

from smartexpo.core.stopping import STOP_SIGNALS, die_with_parent

logger = logging.getLogger("smartexpo.serve")


def _do_nothing(_signum, _frame) -> None:
    """A Python-level handler, so that the C handler runs and writes to the wakeup pipe."""


def dispatch_in_thread(handlers: dict[int, Callable[[], object]]) -> None:
    """Run `handlers[signum]()` in a dedicated thread for each of these signals received.

    Call from the main thread. A process forked afterwards (granian's workers) has no wakeup
    pipe, so that it never writes into this process's, and SIGTERM and SIGINT take their
    default action until it installs handlers of its own: a worker stopped while it still
    imports the application just ends. (Granian's own handlers, copied into a worker, set a
    flag nobody reads there, and the worker served on until the master killed it ten seconds
    later.) Both signals are blocked across the fork, so that one arriving before the child
    has forgotten this process's handlers waits for it to have done so. Its other signals keep
    doing nothing, as they did."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)  # the C handler must never block

    def dispatch() -> None:
        while received := os.read(read_fd, 64):
            for signum in received:
                handler = handlers.get(signum)
                if handler is None:
                    continue
                try:
                    handler()
                except Exception:  # the next signal must still be dispatched
                    logger.exception("Handling signal %s failed", signum)

    threading.Thread(target=dispatch, name="signal-dispatch", daemon=True).start()
    # The pipe first: a signal between the two steps takes the old action, it is not lost.
    signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    for signum in handlers:
        signal.signal(signum, _do_nothing)

    stops = {signum for signum in STOP_SIGNALS if signum in handlers}
    mask_before_fork: set[int] = set()
    # The hooks stay registered in the children too: they act only for this process's forks.
    owner = os.getpid()
    forked_by = [0]

    def block_stops() -> None:
        forked_by[0] = os.getpid()
        if forked_by[0] == owner:
            mask_before_fork.clear()
            mask_before_fork.update(signal.pthread_sigmask(signal.SIG_BLOCK, stops))

    def unblock_stops() -> None:
        if os.getpid() == owner:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask_before_fork)

    def forget_in_child() -> None:
        if forked_by[0] != owner:
            return
        signal.set_wakeup_fd(-1)
        os.close(read_fd)
        os.close(write_fd)
        for signum in stops:
            signal.signal(signum, signal.SIG_DFL)
        # A stop that came meanwhile now ends the child.
        signal.pthread_sigmask(signal.SIG_SETMASK, mask_before_fork)

    os.register_at_fork(
        before=block_stops, after_in_parent=unblock_stops, after_in_child=forget_in_child
    )


def _set_main_signals(interrupt_handler, reload_handler=None) -> None:
    """granian's `set_main_signals` (the master's), its handlers run by `dispatch_in_thread`."""
    handlers = {signum: partial(interrupt_handler, signum, None) for signum in STOP_SIGNALS}
    if reload_handler is not None:
        handlers[signal.SIGHUP] = partial(reload_handler, signal.SIGHUP, None)
    dispatch_in_thread(handlers)


def _set_sync_signals():
    """granian's `set_sync_signals` (a WSGI worker's), with its event set by a thread, once.

    Once: `WorkerSignal.set` sends on a channel that holds one message, blocking while it
    holds the GIL, and the worker's server reads that channel once. Another `set` after the
    first (granian's own handler calls it for every signal) can block for good, and the
    thread that would finish the worker's shutdown waits for the GIL: the worker hangs until
    the master kills it ten seconds later (seen under bursts of signals: the dispatcher in
    `set`, a runtime thread waiting for the GIL)."""
    from granian._granian import WorkerSignal

    signal_event = WorkerSignal()
    told = False

    def stop() -> None:
        nonlocal told  # only the dispatcher thread calls this: no race on the flag
        if not told:
            told = True
            signal_event.set()

    dispatch_in_thread(dict.fromkeys(STOP_SIGNALS, stop))
    return signal_event


def patch_granian() -> bool:
    """Route granian's master and WSGI worker signals through `dispatch_in_thread`.

    Returns whether granian still has both functions it replaces (granian 2.8 does)."""
    from granian import _signals
    from granian.server import common

    if not (
        callable(getattr(common, "set_main_signals", None))
        and callable(getattr(_signals, "set_sync_signals", None))
    ):
        return False
    common.set_main_signals = _set_main_signals
    # The workers import it from the module when they start, so the attribute is enough.
    _signals.set_sync_signals = _set_sync_signals
    return True


def main() -> None:
    die_with_parent()
    patch_granian()
    from granian.cli import entrypoint

    entrypoint()


if __name__ == "__main__":
    main()
