"""`smartexpo worker`: only the background work, while this process leads
(`management.background`).

For deployments that keep it apart from the servers that answer requests (`smartexpo serve
--no-background`). Any number may run, on any hosts sharing the database: one leads, the others
stand by and one of them takes over within a second or two of the leader's death.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from smartexpo.core.stopping import StopRequest
from smartexpo.management import background
from smartexpo.management.background import (
    GRACE_SECONDS,
    KILL_AFTER_SECONDS,
    POLL_SECONDS,
    STOP_BOUND_SECONDS,
)


class Command(BaseCommand):
    help = (
        "Run only the background work (the occupancy fold, the mailer and the waiting-list "
        "offers, report jobs and daily report emails), and only while this process holds the "
        "leader lease (a PostgreSQL advisory lock, or a lock file beside the SQLite "
        "database); otherwise stand by and take over when the leader dies. Stops within "
        f"{STOP_BOUND_SECONDS} s of the first SIGTERM or SIGINT: the work in progress gets "
        f"{GRACE_SECONDS} s, then whatever still runs is killed."
    )

    def add_arguments(self, parser):
        background.add_arguments(parser)

    def handle(self, *args, no_folder: bool, no_mailer: bool, no_report_worker: bool, **options):
        # Before anything is started: from here on SIGTERM and SIGINT only record the request,
        # and this thread acts on it.
        stop = StopRequest().install()
        leadership = background.leadership(
            folder=not no_folder,
            mailer=not no_mailer,
            report_worker=not no_report_worker,
            say=lambda message: self.stderr.write(f"smartexpo worker: {message}"),
        )
        if leadership is None:
            raise CommandError("Every part of the background work is left out: nothing to run.")
        leadership.start()
        try:
            while not stop.requested and leadership.is_alive():
                time.sleep(POLL_SECONDS)
        finally:
            leadership.stop(deadline=stop.deadline(KILL_AFTER_SECONDS))
