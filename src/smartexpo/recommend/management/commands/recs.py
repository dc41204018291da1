"""`smartexpo recs build [--expo SLUG]`: build the editions' recommenders (docs/recommendations.md).

Run it nightly, or after a day of the expo: the servers serve the new model from their next
request. Without `--expo`, every edition is built.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from smartexpo.recommend.services.building import recommender_build
from smartexpo.venue.models import Expo


class Command(BaseCommand):
    help = (
        "Build an edition's recommender from its catalogue, programme, visitors and behaviour; "
        "the servers serve it from their next request."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["build"])
        parser.add_argument("--expo", help="Edition slug (default: every edition)")
        parser.add_argument("--quiet", action="store_true", help="No progress bar")

    def handle(self, *args, action: str, expo: str | None, quiet: bool, **options):
        editions = Expo.objects.order_by("starts_on", "id")
        if expo:
            editions = editions.filter(slug=expo)
            if not editions.exists():
                raise CommandError(f"No edition with slug {expo!r}.")
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=quiet,
        ) as progress:
            for edition in editions:
                task = progress.add_task(f"{edition.slug}: catalogue", total=None)

                def step(name, done, total, task=task, slug=edition.slug):
                    progress.update(
                        task, description=f"{slug}: {name}", completed=done, total=total
                    )

                row = recommender_build(expo=edition, progress=step)
                self.stdout.write(
                    f"{edition.slug}: built in {row.seconds:.1f} s — {row.exhibitors} exhibitors, "
                    f"{row.sessions} sessions, {row.visitors} visitors ({row.opted_in} sharing), "
                    f"{row.behaviour} behaviour rows."
                )
