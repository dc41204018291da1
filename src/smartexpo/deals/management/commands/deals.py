"""The deals ledger at the command line (docs/deals-ledger.md, docs/deals-entry.md):

- `smartexpo deals verify --expo SLUG [--url BASE] [--json]`: recompute an edition's chain,
  check its tally's signature and totals, locally or against a server's public endpoints.
  Exit status 0 when the ledger holds, 1 when it does not.
- `smartexpo deals import --expo SLUG FILE [--atomic] [--dry-run] [--json]`: import deals from
  a CSV or XLSX file; every bad row is reported by its line. Exit status 1 when a row was
  refused (or, with --atomic, nothing was kept), 2 when the file itself is unusable.
- `smartexpo deals rotate-key --expo SLUG`: sign the tally with a new key from now on."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smartexpo.core.errors import SmartExpoError
from smartexpo.deals import verify
from smartexpo.deals.services.imports import deals_import
from smartexpo.deals.services.keys import deals_key_rotate
from smartexpo.venue.models import Expo


class Command(BaseCommand):
    help = "The deals ledger: verify an edition's chain and tally, import deals, rotate its key."
    # A verification reads the ledger and nothing else: the system checks would import every
    # app's views and admin first (seconds of a command a journalist may run in a loop).
    requires_system_checks = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # `deals import --expo SLUG FILE`: the file may come after the options.
        parser.parse_args = parser.parse_intermixed_args
        return parser

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "import", "rotate-key"])
        parser.add_argument("file", nargs="?", help="import: a .csv (UTF-8) or .xlsx file")
        parser.add_argument("--expo", required=True, help="Edition slug, e.g. sce-2019")
        parser.add_argument(
            "--url", help="verify: a server's base URL, checked through its public API"
        )
        parser.add_argument(
            "--atomic", action="store_true", help="import: keep nothing if any row is refused"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="import: check every row, keep nothing"
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")

    def _edition(self, slug: str) -> Expo:
        expo = Expo.objects.filter(slug=slug).first()
        if expo is None:
            raise CommandError(f"No edition {slug!r}.")
        return expo

    def handle(self, *args, action: str, expo: str, **options):
        if action == "rotate-key":
            key = deals_key_rotate(expo=self._edition(expo))
            self.stdout.write(f"{expo}: the tally is now signed with deals key {key.kid}.")
        elif action == "import":
            self._import(expo, **options)
        else:
            self._verify(expo, **options)

    # --- verify --------------------------------------------------------------------------------

    def _verify(self, expo: str, **options) -> None:
        began = time.perf_counter()
        if options["url"]:
            report = verify.remote_check(options["url"], expo)
            where = options["url"]
        else:
            report = verify.local_check(expo=self._edition(expo))
            where = "this database"
        seconds = time.perf_counter() - began
        if options["json"]:
            payload = {
                "ok": report.ok,
                "entries": report.entries,
                "deals": report.deals,
                "projects": report.projects,
                "amount": report.amount,
                "chain_head": report.head,
                "problems": report.problems,
                "seconds": round(seconds, 3),
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, sort_keys=True))
        elif report.ok:
            self.stdout.write(
                f"{expo} ({where}): the ledger holds — {report.entries:,} entries, "
                f"{report.deals:,} deals; the signed tally of {report.projects:,} projects, "
                f"{report.amount} yuan, adds up; head {report.head[:16]}… ({seconds:.1f} s)"
            )
        else:
            self.stderr.write(f"{expo} ({where}): the ledger does NOT hold:")
            for problem in report.problems[:50]:
                self.stderr.write(f"  - {problem}")
            if len(report.problems) > 50:
                self.stderr.write(f"  … and {len(report.problems) - 50} more")
        if not report.ok:
            sys.exit(1)

    # --- import --------------------------------------------------------------------------------

    def _import(self, expo: str, *, file: str | None, atomic: bool, dry_run: bool, **options):
        if not file:
            raise CommandError("import needs the FILE to read (.csv or .xlsx).")
        edition = self._edition(expo)
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
        if report.errors:
            raise SystemExit(1)
