"""`smartexpo deals verify --expo SLUG [--url BASE] [--json]`: recompute an edition's deals
chain, check its tally's signature and totals, locally or against a server's public endpoints
(docs/deals-ledger.md). Exit status 0 when the ledger holds, 1 when it does not.

`smartexpo deals rotate-key --expo SLUG`: sign the tally with a new key from now on."""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from smartexpo.deals import verify
from smartexpo.deals.services.keys import deals_key_rotate
from smartexpo.venue.models import Expo


class Command(BaseCommand):
    help = "The deals ledger: verify an edition's chain and tally; rotate its deals key."
    # A verification reads the ledger and nothing else: the system checks would import every
    # app's views and admin first (seconds of a command a journalist may run in a loop).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "rotate-key"])
        parser.add_argument("--expo", required=True, help="Edition slug")
        parser.add_argument(
            "--url", help="Verify a server through its public API at this base URL instead"
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
            return
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
