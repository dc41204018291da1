"""`smartexpo demo seed [--seed S]`: the Smart China Expo demo editions, idempotently.
`smartexpo demo history [--expo sce-2018]`: the 2018 edition's registrations and admissions.
`smartexpo demo clock [INSTANT | --off]`: the edition's demo clock (`venue.clock`)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from smartexpo.demo import editions as facts
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
        seed.add_argument(
            "--solve-seconds",
            type=float,
            default=30.0,
            help="Time limit of each business meeting session's solve (default 30; 0: do not "
            "solve)",
        )
        history = sub.add_parser(
            "history",
            help="The 2018 edition's history (idempotent): its visitors registered with their "
            "booking dates and its days played in the twin, the entrance gates' scans stored",
        )
        history.add_argument("--expo", default="sce-2018", help="Edition slug (default sce-2018)")
        history.add_argument("--seed", type=int, default=2018, help="Random seed (default 2018)")
        history.add_argument(
            "--visits",
            type=int,
            default=None,
            help="Visits expected over its days (default: the edition's expected visitors)",
        )
        history.add_argument("--quiet", action="store_true", help="Only the summary")
        login = sub.add_parser("login", help="Show (and create once) the demo organiser login")
        login.add_argument("--host", default="127.0.0.1")
        login.add_argument("--port", type=int, default=8000)
        clock = sub.add_parser(
            "clock",
            help="Show, set or clear the edition's demo clock: the time its scanners and live "
            "venue page run on",
        )
        clock.add_argument(
            "at",
            nargs="?",
            default=None,
            help="The instant the clock reads now, e.g. 2019-08-27T10:00 (the edition's local "
            "time) or 2019-08-27T10:00+08:00; it runs on at the real pace. Without it: show the "
            "clock",
        )
        clock.add_argument("--off", action="store_true", help="Back to the real time")
        clock.add_argument("--expo", default="sce-2019", help="Edition slug (default sce-2019)")

    def handle(self, *args, action, **options):
        if action == "seed":
            if not 0 <= options["visitors"] <= 2_000_000:
                raise CommandError("--visitors must be from 0 to 2,000,000.")
            self.seed(seed=options["seed"], quiet=options["quiet"])
            self.seed_deals(seed=options["seed"])
            self.seed_visitors(
                count=options["visitors"], seed=options["seed"], quiet=options["quiet"]
            )
            self.build_recommenders()
            self.seed_meetings(seed=options["seed"], solve_seconds=options["solve_seconds"])
        elif action == "history":
            self.history(
                slug=options["expo"],
                seed=options["seed"],
                visits=options["visits"],
                quiet=options["quiet"],
            )
        elif action == "login":
            self.login(host=options["host"], port=options["port"])
        elif action == "clock":
            self.clock(at=options["at"], off=options["off"], slug=options["expo"])

    def clock(self, *, at: str | None, off: bool, slug: str) -> None:
        from django.conf import settings

        from smartexpo.core.errors import SmartExpoError
        from smartexpo.demo.clock import EXAMPLE, clock_instant_parse, demo_ticket_for
        from smartexpo.venue.clock import edition_now
        from smartexpo.venue.models import Expo
        from smartexpo.venue.services import demo_clock_clear, demo_clock_set

        if at is not None and off:
            raise CommandError("Give an instant to set the demo clock, or --off, not both.")
        expo = Expo.objects.filter(slug=slug).first()
        if expo is None:
            raise CommandError(
                f"No edition {slug!r}. The demo's is sce-2019: run `smartexpo demo seed` first."
            )

        def reads() -> str:
            return f"{edition_now(expo).astimezone(expo.tz):%Y-%m-%d %H:%M:%S} ({expo.timezone})"

        if off:
            had = demo_clock_clear(expo=expo)
            state = "demo clock cleared" if had else "no demo clock was set"
            self.stdout.write(f"{slug}: {state}; the edition runs on the real time.")
            return
        if at is None:
            if expo.clock_offset is None:
                self.stdout.write(
                    f"{slug}: no demo clock; the edition runs on the real time, {reads()}. "
                    f"Set one with `smartexpo demo clock {EXAMPLE}`."
                )
            else:
                self.stdout.write(
                    f"{slug}: demo clock {reads()}, not the real time. "
                    "Clear it with `smartexpo demo clock --off`."
                )
            return
        try:
            demo_clock_set(expo=expo, at=clock_instant_parse(at, expo=expo))
        except SmartExpoError as exc:
            raise CommandError(exc.message) from None
        lines = [
            f"{slug}: demo clock set; it reads {reads()} and runs on at the real pace.",
            "The gate scanner dates its scans by it and the live venue page shows it "
            '(both say "demo clock"). `smartexpo demo clock --off` goes back to the real time.',
        ]
        if not expo.starts_on <= edition_now(expo).astimezone(expo.tz).date() <= expo.ends_on:
            lines.append(
                f"That is not a day of {slug} ({expo.starts_on} to {expo.ends_on}): its tickets "
                "are refused as not valid today."
            )
        ticket = demo_ticket_for(expo=expo, at=edition_now(expo))
        if ticket is not None:
            scanner = f"{settings.SMARTEXPO_BASE_URL}/expos/{slug}/scanner/"
            lines += [
                f"Try it: open {scanner}, sign in with the scanner token `smartexpo demo login` "
                f"prints, choose gate {ticket.gate}, direction In, and enter this demo visitor's "
                f"ticket code ({ticket.type_code}, serial {ticket.serial}):",
                f"  {ticket.secret}",
            ]
        self.stdout.write("\n".join(lines))

    def history(self, *, slug: str, seed: int, visits: int | None, quiet: bool) -> None:
        from smartexpo.core.errors import SmartExpoError
        from smartexpo.demo.history import MAX_VISITS, demo_history_seed
        from smartexpo.venue.models import Expo

        expo = Expo.objects.filter(slug=slug).first()
        if expo is None:
            raise CommandError(f"No edition {slug!r}: run `smartexpo demo seed` first.")
        if visits is None and not 1 <= expo.expected_visitors <= MAX_VISITS:
            raise CommandError(
                f"{slug} expects {expo.expected_visitors:,} visitors; give --visits "
                f"(from 1 to {MAX_VISITS:,})."
            )
        if visits is not None and not 1 <= visits <= MAX_VISITS:
            raise CommandError(f"--visits must be from 1 to {MAX_VISITS:,}.")
        started = time.monotonic()
        try:
            report = demo_history_seed(
                expo=expo,
                visits=visits,
                seed=seed,
                say=(lambda _m: None) if quiet else self.stdout.write,
            )
        except SmartExpoError as exc:
            raise CommandError(exc.message) from None
        if report.already:
            self.stdout.write(f"{slug}: the history is there (entrance scans); nothing to do.")
            return
        results = ", ".join(f"{k} {v:,}" for k, v in sorted(report.results.items()))
        steps = ", ".join(f"{label} {sec:.1f} s" for label, sec in report.seconds.items())
        self.stdout.write(
            f"{slug}: history of {report.registrations:,} registrations and {report.visits:,} "
            f"visits; {report.scans:,} entrance scans stored ({results or 'none'}) in "
            f"{time.monotonic() - started:.1f} s ({steps})."
        )

    def seed_visitors(self, *, count: int, seed: int, quiet: bool) -> None:
        from smartexpo.demo.programme import demo_audience_seed
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
        started = time.monotonic()
        audience = demo_audience_seed(expo=expo, seed=seed)
        self.stdout.write(
            f"sce-2019: {audience['confirmed']:,} seats reserved, {audience['waitlisted']:,} on "
            f"waiting lists and {audience['favourites']:,} sessions starred by the visitors "
            f"this run ({time.monotonic() - started:.1f} s)."
        )

    def seed_deals(self, *, seed: int) -> None:
        """The illustrative deals of both editions (`demo.deals`), after the exhibitors (some
        are parties) and the programme (its signing ceremonies): entered through the deals
        services, so every one is in the edition's hash chain."""
        from smartexpo.demo.deals import demo_deals_seed
        from smartexpo.venue.models import Expo

        for expo in Expo.objects.filter(slug__in=[ed.slug for ed in facts.EDITIONS]):
            started = time.monotonic()
            report = demo_deals_seed(expo=expo, seed=seed)
            if not report.planned:
                continue
            tally = report.totals
            self.stdout.write(
                f"{expo.slug}: illustrative deals: {tally['projects']:,} projects in force worth "
                f"{tally['amount']} yuan ({tally['at_expo']:,} signed at the expo), "
                f"{report.planned - tally['projects']:,} cancelled; {report.created:,} entered "
                f"and {report.moves:,} status moves this run, {report.entries:,} log entries "
                f"({time.monotonic() - started:.1f} s)."
            )

    def seed_meetings(self, *, seed: int, solve_seconds: float) -> None:
        """The illustrative business meetings of sce-2019 (`demo.meetings`), after the
        visitors (the buyers and investors among them take part) and the recommenders (the
        solver breaks ties by their reciprocal scores)."""
        from smartexpo.demo.meetings import demo_meetings_seed
        from smartexpo.venue.models import Expo

        expo = Expo.objects.get(slug="sce-2019")
        started = time.monotonic()
        report = demo_meetings_seed(
            expo=expo, seed=seed, solve=solve_seconds > 0, solve_seconds=solve_seconds or 1
        )
        self.stdout.write(
            f"sce-2019: illustrative business meetings: {report.participants:,} participants "
            f"({report.visitors:,} buyers and investors, {report.exhibitors:,} exhibitors), "
            f"{report.requests:,} requests ({report.written:,} written this run) "
            f"({time.monotonic() - started:.1f} s)."
        )
        for code, solved in report.solved.items():
            self.stdout.write(
                f"sce-2019: session {code} solved: {solved.get('status')}, "
                f"{solved.get('scheduled', 0):,} meetings in {solved.get('seconds', 0):.1f} s."
            )

    def build_recommenders(self) -> None:
        """Each demo edition's recommender, from what the seed just stored, so that the demo's
        agenda and portal show recommendations at once (in production: `smartexpo recs
        build`, nightly)."""
        from smartexpo.recommend.services.building import recommender_build
        from smartexpo.venue.models import Expo

        for expo in Expo.objects.filter(slug__in=[ed.slug for ed in facts.EDITIONS]):
            started = time.monotonic()
            model = recommender_build(expo=expo)
            self.stdout.write(
                f"{expo.slug}: recommender built from {model.visitors:,} visitors "
                f"({time.monotonic() - started:.1f} s)."
            )

    def login(self, *, host: str, port: int) -> None:
        from smartexpo.demo.login import (
            demo_door_scanner_token,
            demo_exhibitor_admin_ensure,
            demo_organiser_ensure,
            demo_scanner_token,
        )

        username, password = demo_organiser_ensure()
        scanner = demo_scanner_token()
        doors = demo_door_scanner_token()
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
                    f"  Room door token     {doors or '(seed the demo first)'}",
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
        if report.programme:
            p = report.programme
            self.stdout.write(
                f"sce-2019: illustrative programme of {p['forums']} forums, {p['sessions']} "
                f"sessions and {p['speakers']} speakers, published as release {p['version']}"
            )
        self.stdout.write(f"Demo seeded in {elapsed:.1f} s (seed {seed}).")
