"""`smartexpo deals_import --expo SLUG FILE [--atomic] [--dry-run] [--json]`: import deals
from a CSV or XLSX file (docs/deals-entry.md). Prints the report; exits with status 1 when a
row was refused (or, with --atomic, nothing was kept), 2 when the file itself is unusable."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smartexpo.core.errors import SmartExpoError
from smartexpo.deals.services.imports import deals_import
from smartexpo.venue.models import Expo


class Command(BaseCommand):
    help = "Import deals from a CSV or XLSX file: every bad row is reported by its line."

    def add_arguments(self, parser):
        parser.add_argument("--expo", required=True, help="Edition slug, e.g. sce-2019")
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file, one deal per row")
        parser.add_argument(
            "--atomic", action="store_true", help="keep nothing if any row is refused"
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, keep nothing")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, expo: str, file: str, atomic: bool, dry_run: bool, **options):
        edition = Expo.objects.filter(slug=expo).first()
        if edition is None:
            raise CommandError(f"No edition {expo!r}.")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}.") from None
        try:
            report = deals_import(
                expo=edition, file_name=path.name, data=data, atomic=atomic, dry_run=dry_run
            )
        except SmartExpoError as exc:
            reason = exc.detail.get("fields", {}).get("file", "")
            raise CommandError(f"{file}: {exc.message} {reason}", returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._print(report)
        if report.errors:
            raise SystemExit(1)

    def _print(self, report) -> None:
        for error in report.errors:
            self.stdout.write(f"line {error['line']}: {error['code']}: {error['message']}")
        outcome = (
            "dry run, nothing kept"
            if report.dry_run
            else "nothing kept (--atomic)"
            if not report.kept
            else "kept"
        )
        self.stdout.write(
            f"{report.rows} rows: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.errors)} refused; {outcome}."
        )
