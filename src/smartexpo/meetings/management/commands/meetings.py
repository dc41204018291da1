"""`smartexpo meetings solve <expo> <code> [--time-limit S] [--dry-run]`: schedule a meeting
session with the optimiser and print its report (docs/meeting-scheduling.md)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from smartexpo.core.errors import SmartExpoError
from smartexpo.meetings.models import MeetingSession
from smartexpo.meetings.services.solving import TIME_LIMIT_MAX, session_solve


class Command(BaseCommand):
    help = "Business meetings: schedule a session's accepted requests (`solve`)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["solve"])
        parser.add_argument("expo", help="Edition slug")
        parser.add_argument("code", help="Meeting session code")
        parser.add_argument(
            "--time-limit", type=float, default=60.0, help=f"Seconds (1–{TIME_LIMIT_MAX:.0f})"
        )
        parser.add_argument("--dry-run", action="store_true", help="Solve, write nothing")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")

    def handle(self, *args, action: str, expo: str, code: str, **options):
        limit = options["time_limit"]
        if not 1 <= limit <= TIME_LIMIT_MAX:
            raise CommandError(f"--time-limit must be between 1 and {TIME_LIMIT_MAX:.0f}.")
        session = (
            MeetingSession.objects.filter(expo__slug=expo, code=code)
            .select_related("expo", "zone")
            .first()
        )
        if session is None:
            raise CommandError(f"No meeting session {code!r} in edition {expo!r}.")
        try:
            report = session_solve(session=session, time_limit=limit, dry_run=options["dry_run"])
        except SmartExpoError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        if options["json"]:
            self.stdout.write(json.dumps(report, sort_keys=True))
            return
        greedy = report.get("greedy_weight") or 0
        gain = (report["weight"] / greedy - 1) * 100 if greedy else 0.0
        self.stdout.write(
            f"{expo}/{code}: {report['status']} — {report['scheduled']} of {report['requests']} "
            f"accepted requests scheduled in {report['seconds']:.1f} s"
            f"{' (dry run: nothing written)' if report['dry_run'] else ''}\n"
            f"  objective {report['objective']}, bound {report['bound']}, "
            f"gap {report['gap'] * 100:.2f} %\n"
            f"  weight {report['weight']} vs greedy {greedy} ({gain:+.1f} %), "
            f"moved {report['moved']}, idle gaps {report['idle_gaps']}"
        )
