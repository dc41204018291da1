"""`smartexpo serve`: the production server (granian or gunicorn), static files by WhiteNoise."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve SmartExpo with granian or gunicorn (not Django's development server)."

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
            "--no-folder",
            action="store_true",
            help="Do not fold venue movements into the occupancy history here (another "
            "server or `smartexpo venue fold --watch` does)",
        )
        parser.add_argument(
            "--no-mailer",
            action="store_true",
            help="Do not start the confirmation-email sender beside the web workers",
        )

    def handle(self, *args, host, port, workers, threads, timeout, access_log, **options):
        if not 1 <= port <= 65535:
            raise CommandError("--port must be between 1 and 65535.")
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1.")
        checkpointer = self._start_checkpointer()
        folder = None
        if not options["no_folder"]:
            from smartexpo.crowd.folder import Folder

            # Alerts are raised within a second of their movements even when nobody reads.
            folder = Folder()
            folder.start()
        mailer = None
        if not options["no_mailer"]:
            # The outbox is drained by its own process, so slow PDF rendering and mail servers
            # never hold up a web request.
            mailer = subprocess.Popen([sys.executable, "-m", "smartexpo", "mailer"])
        try:
            if options["server"] == "granian":
                self._serve_granian(host, port, workers, threads or 1, access_log)
            else:
                self._serve(host, port, workers, threads or 2, timeout, access_log)
        finally:
            if mailer is not None:
                mailer.terminate()
                mailer.wait(timeout=10)
            if folder is not None:
                folder.stop()
            if checkpointer is not None:
                checkpointer.stop()

    def _start_checkpointer(self):
        """On SQLite, checkpoint the WAL here instead of in the workers' commits."""
        from django.db import connection

        from smartexpo.core import sqlite_checkpoint

        if connection.vendor != "sqlite" or connection.is_in_memory_db():
            return None
        # Set before the workers start: they read it when they open their connections.
        os.environ[sqlite_checkpoint.ENV] = str(sqlite_checkpoint.WORKER_AUTOCHECKPOINT)
        checkpointer = sqlite_checkpoint.Checkpointer(str(connection.settings_dict["NAME"]))
        checkpointer.start()
        return checkpointer

    def _serve(self, host, port, workers, threads, timeout, access_log):
        from gunicorn.app.base import BaseApplication

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
            "keepalive": 5,
            "accesslog": "-" if access_log else None,
            "errorlog": "-",
            "loglevel": "warning",
            "preload_app": True,
        }

        class SmartExpoServer(BaseApplication):
            def load_config(self):
                for key, value in config.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self):
                return application

        self.stderr.write(f"SmartExpo serving on http://{host}:{port} with {workers} workers")
        SmartExpoServer().run()

    def _serve_granian(self, host, port, workers, threads, access_log):
        workers = workers or multiprocessing.cpu_count()
        command = [
            sys.executable,
            "-m",
            "granian",
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
            "10",
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
        server = subprocess.Popen(command)  # noqa: S603 - our own interpreter and arguments
        # Stopping `smartexpo serve` stops granian too (SIGTERM would otherwise orphan it).
        signal.signal(signal.SIGTERM, lambda *_: server.terminate())
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=20)
