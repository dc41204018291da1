"""`smartexpo serve`: the production server (granian or gunicorn), static files by WhiteNoise.

Background work. By default `serve` also runs the background work (the occupancy fold, the
mailer, the report worker), but only while it holds the leader lease: of several `serve` and
`smartexpo worker` processes sharing one database, exactly one runs it, and another takes over
within a second or two of its death (`management.background`, `core.leader`). With
`--no-background` it only answers requests. On SQLite it always runs the WAL checkpointer
(`core.sqlite_checkpoint`): that thread serves its own web workers, which leave their
checkpoints to it, and is no background work to be run once.

Stopping. `serve` has exited within `STOP_BOUND_SECONDS` of the first SIGTERM or SIGINT,
however many more arrive and from whom (systemd's control-group kill, `kill -- -PGID`, Ctrl-C,
a second `kill`): requests in progress get `GRACE_SECONDS`, and whatever still runs
`KILL_AFTER_SECONDS` after the first signal is killed with SIGKILL, granian's workers with their
master. How each signal is made harmless is told in `core.stopping` and `core.granian_launcher`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from smartexpo.core.stopping import STOP_SIGNALS, StopRequest, has_exited, kill_group
from smartexpo.management import background
from smartexpo.management.background import (
    GRACE_SECONDS,
    KILL_AFTER_SECONDS,
    POLL_SECONDS,
    STOP_BOUND_SECONDS,
    child_env,
)


class Command(BaseCommand):
    help = (
        "Serve SmartExpo with granian or gunicorn (not Django's development server), and run "
        "the background work (the occupancy fold, the mailer, report jobs) while this process "
        "holds the leader lease: of several serve and worker processes on one database, one "
        "runs it and the others stand by. Stops within "
        f"{STOP_BOUND_SECONDS} s of the first SIGTERM or SIGINT: requests in progress "
        f"get {GRACE_SECONDS} s, then whatever still runs is killed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SMARTEXPO_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("SMARTEXPO_PORT", "8000"))
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("SMARTEXPO_WORKERS", "0")) or None,
            help="Worker processes (default: 2 × cores, at most 8)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("SMARTEXPO_THREADS", "0")) or None,
            help="Threads per worker (default: 1 with granian, 2 with gunicorn)",
        )
        parser.add_argument("--timeout", type=int, default=30)
        parser.add_argument("--access-log", action="store_true", help="Log every request to stderr")
        parser.add_argument(
            "--server",
            choices=["gunicorn", "granian"],
            default=os.environ.get("SMARTEXPO_SERVER", "granian"),
            help=(
                "HTTP server: granian (Rust HTTP, the default: about 1.5 times gunicorn's "
                "registrations per second on 2 cores, see bench/RESULTS.md) or gunicorn"
            ),
        )
        parser.add_argument(
            "--no-background",
            action="store_true",
            help="Only answer requests: run none of the background work here, and do not "
            "compete for its lease (`smartexpo worker` or another serve runs it)",
        )
        background.add_arguments(parser)

    def handle(self, *args, host, port, workers, threads, timeout, access_log, **options):
        if not 1 <= port <= 65535:
            raise CommandError("--port must be between 1 and 65535.")
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1.")
        # Before anything is started: from here on SIGTERM and SIGINT only record the request
        # (no KeyboardInterrupt in the middle of the cleanup below), and this thread acts on it.
        stop = StopRequest().install()
        helpers = _Helpers()
        exit_status = 0
        try:
            helpers.checkpointer = self._start_checkpointer()
            helpers.leadership = background.leadership(
                folder=not (options["no_background"] or options["no_folder"]),
                mailer=not (options["no_background"] or options["no_mailer"]),
                report_worker=not (options["no_background"] or options["no_report_worker"]),
                say=lambda message: self.stderr.write(f"smartexpo serve: {message}"),
            )
            if stop.requested:
                return
            if helpers.leadership is not None:
                helpers.leadership.start()
            if options["server"] == "granian":
                exit_status = self._serve_granian(
                    host, port, workers, threads or 1, access_log, stop, helpers
                )
            else:
                self._serve(host, port, workers, threads or 2, timeout, access_log, stop)
        finally:
            # gunicorn, when it ran, left its own handlers, which feed a queue nobody reads now.
            stop.install()
            helpers.stop(deadline=stop.deadline(KILL_AFTER_SECONDS))
        if exit_status and not stop.requested:
            raise CommandError(f"granian exited with status {exit_status}.")

    def _start_checkpointer(self):
        """On SQLite, checkpoint the WAL here instead of in the workers' commits."""
        from django.db import connection

        from smartexpo.core import sqlite_checkpoint
        from smartexpo.core.db import is_sqlite

        if not is_sqlite() or connection.is_in_memory_db():
            return None
        # Set before the workers start: they read it when they open their connections.
        os.environ[sqlite_checkpoint.ENV] = str(sqlite_checkpoint.WORKER_AUTOCHECKPOINT)
        checkpointer = sqlite_checkpoint.Checkpointer(str(connection.settings_dict["NAME"]))
        checkpointer.start()
        return checkpointer

    def _serve(self, host, port, workers, threads, timeout, access_log, stop):
        from gunicorn.app.base import BaseApplication
        from gunicorn.arbiter import Arbiter

        from smartexpo.wsgi import application

        workers = workers or min(2 * multiprocessing.cpu_count(), 8)
        config = {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "threads": max(1, threads),
            # gthread keeps slow clients from holding a whole process, and keep-alive lets
            # scanners and sensors reuse connections.
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": timeout,
            "graceful_timeout": GRACE_SECONDS,
            "keepalive": 5,
            "accesslog": "-" if access_log else None,
            "errorlog": "-",
            "loglevel": "warning",
            "preload_app": True,
        }

        class StopAwareArbiter(Arbiter):
            """gunicorn's arbiter (it runs in this process), telling `stop` when it is asked
            to stop, so the mailer's deadline counts from the first signal; a stop asked
            before it installed its handlers is replayed to it."""

            def init_signals(self):
                super().init_signals()
                if stop.requested:
                    self.signal(stop.signum, None)

            def signal(self, sig, frame):
                # Like gunicorn's own handler, this only queues: safe to run inside itself.
                if sig in (*STOP_SIGNALS, signal.SIGQUIT):
                    stop(sig)
                super().signal(sig, frame)

        class SmartExpoServer(BaseApplication):
            def load_config(self):
                for key, value in config.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self):
                return application

            def run(self):
                try:
                    StopAwareArbiter(self).run()
                except RuntimeError as exc:  # as BaseApplication.run: a configuration error
                    sys.exit(f"\nError: {exc}\n")

        self.stderr.write(f"SmartExpo serving on http://{host}:{port} with {workers} workers")
        SmartExpoServer().run()

    def _serve_granian(self, host, port, workers, threads, access_log, stop, helpers) -> int:
        """Run granian until it exits, stopping it on `stop`; returns its exit status."""
        workers = workers or multiprocessing.cpu_count()
        command = [
            sys.executable,
            "-m",
            "smartexpo.core.granian_launcher",
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(max(1, threads)),
            "--no-ws",
            "--log-level",
            "warning",
            # Stopping waits for requests in progress, but not forever for an idle client that
            # keeps its connection open.
            "--workers-kill-timeout",
            str(GRACE_SECONDS),
            # A worker that dies (the kernel's OOM killer, a crash in native code) is replaced,
            # as gunicorn replaces its own: without this granian's master stops the whole
            # server when one worker exits. A worker that dies again within 5.5 s of being
            # replaced (one that cannot start) still stops the server: granian's crash-loop
            # guard.
            "--respawn-failed-workers",
            "--respawn-interval",
            "1",
        ]
        if access_log:
            command.append("--access-log")
        command.append("smartexpo.wsgi:application")
        self.stderr.write(f"SmartExpo serving on http://{host}:{port} with {workers} workers")
        # In a session of its own, granian hears only from `serve`, which tells it once, instead
        # of also getting every signal sent to `serve`'s group; its workers share its process
        # group, so one killpg reaches them all. A `serve` killed outright takes granian with
        # it all the same (`die_with_parent` in the launcher).
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env=child_env(), start_new_session=True
        )
        told = killed = False
        while not has_exited(server.pid):
            if stop.requested and not told:
                # os.kill, not server.send_signal: that may reap the process, and its group
                # id with it, before kill_group below.
                os.kill(server.pid, signal.SIGTERM)
                helpers.begin_stop()
                told = True
            if told and not killed and time.monotonic() >= stop.deadline(KILL_AFTER_SECONDS):
                self.stderr.write(
                    f"granian has not stopped {KILL_AFTER_SECONDS} s after the stop signal: "
                    "killing it and its workers"
                )
                kill_group(server.pid)
                killed = True
            time.sleep(POLL_SECONDS)
        # A master that died of something else leaves its workers serving, orphaned: the exited
        # master's zombie still holds the group id, so this reaches exactly them.
        kill_group(server.pid)
        return server.wait()


class _Helpers:
    """What `serve` runs beside the web server: the background work while it leads, and the
    WAL checkpointer on SQLite."""

    def __init__(self) -> None:
        self.leadership = None
        self.checkpointer = None

    def begin_stop(self) -> None:
        """Ask each to stop, without waiting."""
        if self.leadership is not None:
            self.leadership.begin_stop()
        if self.checkpointer is not None:
            self.checkpointer.stop(timeout=0)

    def stop(self, *, deadline: float) -> None:
        """Stop them all by `deadline` (a `time.monotonic()` value): the background work as
        `BackgroundWork.stop` does; the checkpointer is a daemon thread and ends with the
        process at the latest."""
        self.begin_stop()
        if self.leadership is not None:
            self.leadership.stop(deadline=deadline)
        if self.checkpointer is not None:
            self.checkpointer.join(timeout=max(0.0, deadline - time.monotonic()))
