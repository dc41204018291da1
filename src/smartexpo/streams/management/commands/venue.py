"""`smartexpo venue import FILE --expo SLUG` and `smartexpo venue fold [--expo SLUG] [--watch]`."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from smartexpo.core.errors import SmartExpoError


class Command(BaseCommand):
    help = (
        "Venue intelligence: `import` a stream of sensor events and gate scans from Parquet "
        "(the batch path), `fold` pending movements into the occupancy history."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import", help="Import a Parquet stream (smartexpo simulate --dry-run)"
        )
        load.add_argument("file", type=Path)
        load.add_argument("--expo", default="sce-2019", help="Edition slug (default sce-2019)")
        load.add_argument("--quiet", action="store_true", help="No progress bar")
        fold = sub.add_parser("fold", help="Fold pending movements (serve does it every second)")
        fold.add_argument("--expo", help="Edition slug (default: every edition)")
        fold.add_argument("--watch", action="store_true", help="Keep folding every second")

    def handle(self, *args, action, **options):
        try:
            if action == "import":
                self.import_stream(options["file"], options["expo"], options["quiet"])
            else:
                self.fold(options["expo"], options["watch"])
        except SmartExpoError as exc:
            raise CommandError(exc.message) from None

    def import_stream(self, path: Path, slug: str, quiet: bool) -> None:
        from smartexpo.streams.importing import stream_import, stream_read
        from smartexpo.venue.selectors import expo_get

        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        expo = expo_get(slug=slug, published_only=False)
        started = time.monotonic()
        frame = stream_read(path)
        if quiet:
            report = stream_import(expo=expo, frame=frame)
        else:
            with Progress(
                TextColumn("[bold]Importing[/] {task.description}"),
                BarColumn(),
                TextColumn("{task.completed:,}/{task.total:,}"),
                TimeElapsedColumn(),
            ) as bar:
                tasks: dict[str, int] = {}

                def progress(label: str, done: int, total: int) -> None:
                    if label not in tasks:
                        tasks[label] = bar.add_task(label, total=total)
                    bar.update(tasks[label], completed=done)

                report = stream_import(expo=expo, frame=frame, progress=progress)
        elapsed = time.monotonic() - started
        rejected = ", ".join(f"{k} {v:,}" for k, v in sorted(report.rejected.items())) or "none"
        results = ", ".join(f"{k} {v:,}" for k, v in sorted(report.scan_results.items()))
        self.stdout.write(
            "\n".join(
                [
                    f"{path}: {report.rows:,} rows",
                    f"  sensor events: {report.accepted:,} stored, "
                    f"{report.duplicates:,} duplicates, rejected: {rejected}",
                    f"  gate scans: {report.scans:,} ({results or 'none'})",
                    f"  occupancy: {report.fold.movements:,} movements folded into "
                    f"{report.fold.minutes_written:,} zone-minutes, "
                    f"{report.fold.alerts_raised:,} alerts raised",
                    "  seconds: "
                    + ", ".join(f"{label} {sec:.1f}" for label, sec in report.seconds.items()),
                    f"Imported in {elapsed:.1f} s "
                    f"({(report.sensor_events + report.scans) / elapsed:,.0f} events/s).",
                ]
            )
        )

    def fold(self, slug: str | None, watch: bool) -> None:
        from smartexpo.crowd.folder import fold_all
        from smartexpo.venue.selectors import expo_get

        expo = expo_get(slug=slug, published_only=False) if slug else None
        while True:
            folded = fold_all(expo=expo)
            if folded or not watch:
                self.stdout.write(f"{folded:,} movements folded.")
            if not watch:
                return
            time.sleep(1)
