"""An edition's reports at the command line (docs/reports.md, "The post-show report"):

- `smartexpo reports edition --expo SLUG [--pdf FILE] [--xlsx FILE] [--language en|zh-hans]
  [--at INSTANT]`: write the post-show report as a PDF (bilingual, or in `--language` only)
  and/or an XLSX workbook (in `--language`, English by default), as of the end of the edition
  (or `--at`).
- `smartexpo reports exhibitors --expo SLUG [--zip FILE] [--exhibitor ID --pdf FILE]
  [--at INSTANT]`: write every approved exhibitor's report (one bilingual PDF each) into a
  ZIP, and/or one exhibitor's PDF (docs/reports.md, "The exhibitor report").
- `smartexpo reports run-jobs [--once] [--interval S]`: build the queued report jobs and claim
  the daily report emails that are due, and keep the dashboards that organisers watch built
  for every web worker (`reports.dashboard_shared`; `serve` runs it beside the mailer; this is
  for deployments that serve otherwise)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from smartexpo.exhibitors.models import Exhibitor
from smartexpo.reports import edition, edition_pdf, edition_xlsx, exhibitor, exhibitor_pdf
from smartexpo.reports.exhibitor_bundle import exhibitors_zip
from smartexpo.venue.models import Expo

LANGUAGES = ("en", "zh-hans")


class Command(BaseCommand):
    help = (
        "An edition's reports: the post-show report as a PDF and an XLSX workbook (edition); "
        "the exhibitors' reports as PDFs in a ZIP (exhibitors)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["edition", "exhibitors", "run-jobs"])
        parser.add_argument("--expo", help="Edition slug, e.g. sce-2019 (edition, exhibitors)")
        parser.add_argument("--pdf", help="Write the PDF here")
        parser.add_argument("--xlsx", help="Write the XLSX workbook here")
        parser.add_argument("--zip", help="exhibitors: write every exhibitor's PDF into this ZIP")
        parser.add_argument(
            "--exhibitor", type=int, help="exhibitors: the exhibitor (id) whose PDF --pdf gets"
        )
        parser.add_argument(
            "--language",
            choices=LANGUAGES,
            help="Only this language (default: the PDF in both, the workbook in English)",
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
        found = Expo.objects.filter(slug=expo).first()
        if found is None:
            raise CommandError(f"No edition {expo!r}.")
        at = self._at(options["at"], found)
        for option in ("pdf", "xlsx", "zip"):
            path = options[option]
            if path and not Path(path).resolve().parent.is_dir():
                raise CommandError(f"--{option}: no directory {Path(path).parent}.")
        if action == "exhibitors":
            self._exhibitors(found, at, options)
            return
        if not options["pdf"] and not options["xlsx"]:
            raise CommandError("Give --pdf FILE, --xlsx FILE or both.")
        began = time.perf_counter()
        only = options["language"]
        with translation.override(only or "en"):
            report = edition.edition_report(expo=found, at=at)
            counted = time.perf_counter() - began
            if options["pdf"]:
                languages = (only,) if only else edition_pdf.LANGUAGES
                pdf = edition_pdf.report_pdf(report, languages=languages)
                Path(options["pdf"]).write_bytes(pdf)
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

    def _exhibitors(self, found: Expo, at: dt.datetime | None, options) -> None:
        if options["xlsx"]:
            raise CommandError("exhibitors: there is no workbook; give --zip and/or --pdf.")
        if not options["zip"] and not options["pdf"]:
            raise CommandError("exhibitors: give --zip FILE, or --exhibitor ID --pdf FILE.")
        if bool(options["pdf"]) != (options["exhibitor"] is not None):
            raise CommandError("exhibitors: --pdf and --exhibitor go together.")
        if options["pdf"]:
            firm = Exhibitor.objects.filter(expo=found, pk=options["exhibitor"]).first()
            if firm is None:
                raise CommandError(f"No exhibitor {options['exhibitor']} in {found.slug}.")
            began = time.perf_counter()
            context = exhibitor.exhibitor_context(expo=found, at=at)
            counted = time.perf_counter() - began
            report = exhibitor.exhibitor_report(context=context, exhibitor=firm)
            Path(options["pdf"]).write_bytes(exhibitor_pdf.exhibitor_pdf(report))
            self.stdout.write(
                f"{found.slug}: report of {firm.name_en} as of {report['at']}: figures "
                f"{counted:.2f} s, PDF {time.perf_counter() - began - counted:.2f} s."
            )
            self.stdout.write(f"  pdf: {options['pdf']}")
        if options["zip"]:
            began = time.perf_counter()
            done = {"n": 0}

            def progress(n: int, total: int) -> None:
                done["n"], done["total"] = n, total

            body = exhibitors_zip(expo=found, at=at, progress=progress)
            Path(options["zip"]).write_bytes(body)
            took = time.perf_counter() - began
            per = took / done["n"] if done["n"] else 0
            self.stdout.write(
                f"{found.slug}: {done['n']:,} exhibitor reports in {took:.1f} s "
                f"({per * 1000:.0f} ms each, figures included); {len(body):,} bytes."
            )
            self.stdout.write(f"  zip: {options['zip']}")

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
        from smartexpo.reports import dashboard_shared
        from smartexpo.reports.worker import worker_pass

        if interval <= 0:
            raise CommandError("--interval must be above 0.")
        # Any number of stop signals are one request: the job being built goes back to the
        # queue at its next progress call (`serve` kills what overruns its grace, and another
        # worker takes the job up once it is taken as abandoned).
        stop = StopRequest().install()
        die_with_parent()  # started by `serve`: stop with it, even when it is killed outright
        built = 0
        # The dashboards are rebuilt beside the jobs, not after them: a job takes minutes.
        refresher = None if once else dashboard_shared.Refresher()
        if refresher is not None:
            refresher.start()
        try:
            while not stop.requested:
                close_old_connections()
                built += worker_pass(stop=lambda: stop.requested)
                if once:
                    dashboard_shared.refresh_pass()
                    break
                wake = time.monotonic() + interval
                while not stop.requested and time.monotonic() < wake:
                    time.sleep(min(0.1, interval))
        finally:
            if refresher is not None:
                refresher.stop(timeout=5)
        if once:
            self.stdout.write(f"{built} report jobs built.")
