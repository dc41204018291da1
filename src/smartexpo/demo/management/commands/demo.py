"""`smartexpo demo seed [--seed S]`: the Smart China Expo demo editions, idempotently."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from smartexpo.demo.seed import SEED_STEPS, demo_seed


class Command(BaseCommand):
    help = "Demo data: `seed` creates or refreshes the 2019 edition and the 2018 one before it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        seed = sub.add_parser("seed", help="Create or refresh the demo editions (idempotent)")
        seed.add_argument("--seed", type=int, default=2019, help="Random seed (default 2019)")
        seed.add_argument("--quiet", action="store_true", help="No progress bar")
        seed.add_argument(
            "--visitors",
            type=int,
            default=50_000,
            help="Registered visitors for the 2019 edition (default 50,000; 0 for none)",
        )
        login = sub.add_parser("login", help="Show (and create once) the demo organiser login")
        login.add_argument("--host", default="127.0.0.1")
        login.add_argument("--port", type=int, default=8000)

    def handle(self, *args, action, **options):
        if action == "seed":
            if not 0 <= options["visitors"] <= 2_000_000:
                raise CommandError("--visitors must be from 0 to 2,000,000.")
            self.seed(seed=options["seed"], quiet=options["quiet"])
            self.seed_visitors(
                count=options["visitors"], seed=options["seed"], quiet=options["quiet"]
            )
        elif action == "login":
            self.login(host=options["host"], port=options["port"])

    def seed_visitors(self, *, count: int, seed: int, quiet: bool) -> None:
        from smartexpo.demo.visitors import demo_visitors_seed
        from smartexpo.venue.models import Expo

        expo = Expo.objects.get(slug="sce-2019")
        started = time.monotonic()
        if quiet:
            created = demo_visitors_seed(expo=expo, count=count, seed=seed)
        else:
            with Progress(
                TextColumn("[bold]Registering demo visitors[/]"),
                BarColumn(),
                TextColumn("{task.completed:,}/{task.total:,}"),
                TimeElapsedColumn(),
            ) as bar:
                task = bar.add_task("", total=count)
                created = demo_visitors_seed(
                    expo=expo,
                    count=count,
                    seed=seed,
                    progress=lambda n: bar.update(task, advance=n),
                )
        elapsed = time.monotonic() - started
        self.stdout.write(f"sce-2019: {created:,} registered visitors ({elapsed:.1f} s).")

    def login(self, *, host: str, port: int) -> None:
        from smartexpo.demo.login import (
            demo_exhibitor_admin_ensure,
            demo_organiser_ensure,
            demo_scanner_token,
        )

        username, password = demo_organiser_ensure()
        scanner = demo_scanner_token()
        exhibitor = demo_exhibitor_admin_ensure()
        base = f"http://{host}:{port}"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "SmartExpo demo",
                    f"  Home (English)      {base}/",
                    f"  Home (中文)          {base}/zh-hans/",
                    f"  Exhibitors          {base}/expos/sce-2019/exhibitors/",
                    f"  Floor plan          {base}/expos/sce-2019/floor-plan/",
                    f"  Registration        {base}/expos/sce-2019/register/",
                    f"  API docs            {base}/api/v1/docs",
                    f"  Organiser admin     {base}/admin/",
                    f"  Organiser login     user {username}, password {password}",
                    f"  Live venue          {base}/expos/sce-2019/live/",
                    f"  Gate scanner        {base}/expos/sce-2019/scanner/",
                    f"  Scanner token       {scanner or '(seed the demo first)'}",
                    *self.exhibitor_lines(base, exhibitor),
                    "",
                ]
            )
        )

    @staticmethod
    def exhibitor_lines(base: str, exhibitor) -> list[str]:
        if exhibitor is None:
            return [f"  Exhibitor portal    {base}/portal/login/ (seed the demo first)"]
        email, password, path = exhibitor
        return [
            f"  Exhibitor portal    {base}{path}",
            f"  Exhibitor login     {email}, password {password}",
        ]

    def seed(self, *, seed: int, quiet: bool) -> None:
        started = time.monotonic()
        if quiet:
            report = demo_seed(seed=seed)
        else:
            with Progress(
                TextColumn("[bold]Seeding demo[/] {task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=None,
                transient=False,
            ) as bar:
                task = bar.add_task("", total=SEED_STEPS)

                def progress(label: str, advance: int) -> None:
                    bar.update(task, advance=advance, description=label)

                report = demo_seed(seed=seed, progress=progress)
        elapsed = time.monotonic() - started
        for slug in report.editions:
            self.stdout.write(
                f"{slug}: {report.exhibitors[slug]} exhibitors, {report.booths[slug]} booths"
            )
        self.stdout.write(f"Demo seeded in {elapsed:.1f} s (seed {seed}).")
