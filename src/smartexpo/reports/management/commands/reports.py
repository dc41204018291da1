"""An edition's reports at the command line (docs/reports.md, "The post-show report"):

- `smartexpo reports edition --expo SLUG [--pdf FILE] [--xlsx FILE] [--language en|zh-hans]
  [--at INSTANT]`: write the post-show report as a PDF and/or an XLSX workbook, in one
  language (English by default), as of the end of the edition (or `--at`).
- `smartexpo reports run-jobs [--once] [--interval S]`: build the queued report jobs and claim
  the daily report emails that are due (`serve` runs it beside the mailer; this is for
  deployments that serve otherwise)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from smartexpo.reports import edition, edition_pdf, edition_xlsx
from smartexpo.venue.models import Expo

LANGUAGES = ("en", "zh-hans")


class Command(BaseCommand):
    help = "An edition's reports: the post-show report as a PDF and an XLSX workbook."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["edition", "run-jobs"])
        parser.add_argument("--expo", help="Edition slug, e.g. sce-2019 (edition)")
        parser.add_argument("--pdf", help="Write the PDF here")
        parser.add_argument("--xlsx", help="Write the XLSX workbook here")
        parser.add_argument(
            "--language", choices=LANGUAGES, default="en", help="The report's language"
        )
        parser.add_argument(
            "--at",
            help=(
                "The instant the report is of (local date and time, e.g. 2019-08-27T17:00); "
                "default: the edition's clock, at most the end of its last day"
            ),
        )
        parser.add_argument(
            "--once", action="store_true", help="run-jobs: do what is due now, then stop"
        )
        parser.add_argument(
            "--interval", type=float, default=2.0, help="run-jobs: seconds between polls"
        )

    def handle(self, *args, action: str, expo: str | None, **options):
        if action == "run-jobs":
            return self._run_jobs(once=options["once"], interval=options["interval"])
        if not expo:
            raise CommandError("Give --expo SLUG.")
        if not options["pdf"] and not options["xlsx"]:
            raise CommandError("Give --pdf FILE, --xlsx FILE or both.")
        found = Expo.objects.filter(slug=expo).first()
        if found is None:
            raise CommandError(f"No edition {expo!r}.")
        at = self._at(options["at"], found)
        for option in ("pdf", "xlsx"):
            path = options[option]
            if path and not Path(path).resolve().parent.is_dir():
                raise CommandError(f"--{option}: no directory {Path(path).parent}.")
        began = time.perf_counter()
        with translation.override(options["language"]):
            report = edition.edition_report(expo=found, at=at)
            counted = time.perf_counter() - began
            if options["pdf"]:
                Path(options["pdf"]).write_bytes(edition_pdf.report_pdf(report))
            if options["xlsx"]:
                Path(options["xlsx"]).write_bytes(edition_xlsx.report_xlsx(report))
        total = time.perf_counter() - began
        self.stdout.write(
            f"{found.slug}: report as of {report['at']}: {report['visitors']['total']:,} "
            f"visitor-days; figures {counted:.2f} s, files {total - counted:.2f} s."
        )
        for option in ("pdf", "xlsx"):
            if options[option]:
                self.stdout.write(f"  {option}: {options[option]}")

    def _at(self, text: str | None, found: Expo) -> dt.datetime | None:
        if not text:
            return None
        try:
            at = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"--at: {text!r} is not a date and time (2019-08-27T17:00)."
            ) from None
        return at if at.tzinfo else at.replace(tzinfo=found.tz)

    def _run_jobs(self, *, once: bool, interval: float) -> None:
        from django.db import close_old_connections

        from smartexpo.core.stopping import StopRequest, die_with_parent
        from smartexpo.reports.worker import worker_pass

        if interval <= 0:
            raise CommandError("--interval must be above 0.")
        # Any number of stop signals are one request: the job being built goes back to the
        # queue at its next progress call (`serve` kills what overruns its grace, and another
        # worker takes the job up once it is taken as abandoned).
        stop = StopRequest().install()
        die_with_parent()  # started by `serve`: stop with it, even when it is killed outright
        built = 0
        while not stop.requested:
            close_old_connections()
            built += worker_pass(stop=lambda: stop.requested)
            if once:
                break
            wake = time.monotonic() + interval
            while not stop.requested and time.monotonic() < wake:
                time.sleep(min(0.1, interval))
        if once:
            self.stdout.write(f"{built} report jobs built.")
