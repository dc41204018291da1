"""`smartexpo simulate`: the digital twin of the expo, live against the system or to Parquet."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

MAX_VISITORS = 2_000_000
DEFAULT_VISITORS = 50_000


def shock_parse(values: list[str], days: int) -> dict[int, float]:
    """`--shock DAY=FACTOR` values as {day index from 0: factor}; a CommandError for a value
    that is not one, a day the edition does not have, a factor out of range or a day twice."""
    from smartexpo.demo.simulator.showup import MAX_SHOCK

    shock: dict[int, float] = {}
    for value in values:
        day_text, sep, factor_text = value.partition("=")
        try:
            day, factor = int(day_text), float(factor_text)
        except ValueError:
            day = factor = None
        if not sep or day is None:
            raise CommandError(
                f"--shock {value!r}: give DAY=FACTOR, a day from 1 and a factor (e.g. 2=1.3)."
            )
        if not 1 <= day <= days:
            raise CommandError(f"--shock {value!r}: the day must be from 1 to {days}.")
        if not 0 < factor <= MAX_SHOCK:  # also refuses nan and inf
            raise CommandError(
                f"--shock {value!r}: the factor must be above 0 and at most {MAX_SHOCK:g}."
            )
        if day - 1 in shock:
            raise CommandError(f"--shock: day {day} is given twice.")
        shock[day - 1] = factor
    return shock


class Command(BaseCommand):
    help = (
        "Digital twin: simulate the expo's visitors (arrivals, gate queues, halls, booths, "
        "exits) and send their scans and sensor events to the system on an accelerated clock, "
        "or write them to a Parquet file with --dry-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--expo", default="sce-2019", help="Edition slug (default sce-2019)")
        parser.add_argument(
            "--visitors",
            type=int,
            default=None,
            help="Visits over the simulated days, split as the quotas are (default 50,000)",
        )
        parser.add_argument(
            "--show-up",
            action="store_true",
            help=(
                "Instead of --visitors: the registered tickets come, each with its ticket "
                "type's show-up rate on its days (nobody is registered to fill a day)"
            ),
        )
        parser.add_argument(
            "--shock",
            action="append",
            default=[],
            metavar="DAY=FACTOR",
            help=(
                "With --show-up: a demand shock, the show-up rates of day DAY (from 1) times "
                "FACTOR (e.g. 3=1.3: more visitors come than the registrations and usual "
                "show-up imply); may be repeated for other days"
            ),
        )
        parser.add_argument(
            "--days", type=int, default=None, help="Days to simulate (default: all of them)"
        )
        parser.add_argument(
            "--start-day", type=int, default=1, help="First day to simulate, from 1 (default 1)"
        )
        parser.add_argument(
            "--speed",
            type=float,
            default=600.0,
            help="Simulated seconds per wall-clock second (default 600: a day in 54 s)",
        )
        parser.add_argument("--seed", type=int, default=2019, help="Random seed (default 2019)")
        parser.add_argument(
            "--sensor-miss",
            type=float,
            default=0.001,
            help="Probability that a sensor misses an exit (default 0.001)",
        )
        parser.add_argument(
            "--booth-visits",
            choices=["interests", "area"],
            default="interests",
            help=(
                "What draws visitors to booths: their hidden interests, the ones their demo "
                "profile was declared from (default; sensors tag them ticket:<serial>), or "
                "floor area alone (tags v<n>)"
            ),
        )
        parser.add_argument(
            "--dry-run",
            metavar="OUT",
            default=None,
            help="Write the event stream to this Parquet file instead of sending it",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar")

    def handle(self, *args, **options):
        from smartexpo.core.errors import SmartExpoError
        from smartexpo.demo.simulator.stream import run_prepare
        from smartexpo.venue.models import Expo

        expo = Expo.objects.filter(slug=options["expo"]).first()
        if expo is None:
            raise CommandError(
                f"No edition {options['expo']!r}. The demo's is sce-2019: "
                "run `smartexpo demo seed` first."
            )
        days = self._days(options, len(expo.days))
        shock = self._mode(options, len(expo.days))
        self._check(options)
        out = Path(options["dry_run"]) if options["dry_run"] else None
        if out is not None and not out.parent.is_dir():
            raise CommandError(f"--dry-run: the directory {out.parent} does not exist.")
        started = time.monotonic()
        try:
            run = run_prepare(
                expo=expo,
                visitors=options["visitors"],
                days=days,
                seed=options["seed"],
                sensor_miss=options["sensor_miss"],
                say=self.stdout.write,
                booth_visits=options["booth_visits"],
                shock=shock,
            )
        except SmartExpoError as exc:
            raise CommandError(exc.message) from None
        except KeyboardInterrupt:
            # Registrations are written batch by batch, each batch whole or not at all.
            raise CommandError("Interrupted before the simulation started.") from None
        mode = " (show-up)" if options["show_up"] else ""
        self.stdout.write(
            f"{expo.slug}: {int(run.plan.sum()):,} visits{mode} over {len(days)} day(s), seed "
            f"{options['seed']}; admissions planned per day: "
            + ", ".join(
                f"{run.venue.days[d]} {n:,}"
                for d, n in zip(days, run.expected_admissions(), strict=True)
            )
            + f" (prepared in {time.monotonic() - started:.1f} s)."
        )
        if out is not None:
            self._dry_run(run, out, quiet=options["quiet"])
        else:
            self._live(run, speed=options["speed"], quiet=options["quiet"])

    def _days(self, options, count: int) -> range:
        start = options["start_day"]
        if not 1 <= start <= count:
            raise CommandError(f"--start-day must be from 1 to {count} (the edition's days).")
        days = options["days"] if options["days"] is not None else count - start + 1
        if not 1 <= days <= count - start + 1:
            raise CommandError(
                f"--days must be from 1 to {count - start + 1} "
                f"(the edition has {count} days, starting from day {start})."
            )
        return range(start - 1, start - 1 + days)

    def _mode(self, options, count: int) -> dict[int, float]:
        """Check --visitors, --show-up and --shock together; the shock by day index (from 0).
        In show-up mode `options["visitors"]` becomes None (the visits are drawn)."""
        if options["show_up"]:
            if options["visitors"] is not None:
                raise CommandError(
                    "--visitors and --show-up are alternatives: give one (--show-up draws the "
                    "visits from the registered tickets)."
                )
            return shock_parse(options["shock"], count)
        if options["shock"]:
            raise CommandError("--shock needs --show-up (it multiplies the show-up rates).")
        if options["visitors"] is None:
            options["visitors"] = DEFAULT_VISITORS
        return {}

    def _check(self, options) -> None:
        visitors = options["visitors"]
        if visitors is not None and not 1 <= visitors <= MAX_VISITORS:
            raise CommandError(f"--visitors must be from 1 to {MAX_VISITORS:,}.")
        speed = options["speed"]
        if not speed > 0 or speed == float("inf"):
            raise CommandError("--speed must be a number above 0 (600: a day in 54 s).")
        if not 0 <= options["sensor_miss"] <= 0.5:
            raise CommandError("--sensor-miss must be a probability from 0 to 0.5.")

    def _dry_run(self, run, out: Path, *, quiet: bool) -> None:
        from smartexpo.demo.simulator.stream import stream_write

        started = time.monotonic()
        if quiet:
            frame = stream_write(run=run, path=out)
        else:
            with Progress(
                TextColumn("[bold]Digital twin[/] {task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} days"),
                TimeElapsedColumn(),
            ) as bar:
                task = bar.add_task("generating", total=len(run.days))

                def progress(arrays, frame):
                    bar.update(task, advance=1, description=f"{arrays.day}: {frame.height:,}")

                frame = stream_write(run=run, path=out, progress=progress)
        scans = int((frame["source"] == "scan").sum())
        self.stdout.write(
            f"Wrote {frame.height:,} events ({frame.height - scans:,} sensor events, "
            f"{scans:,} scans) to {out} ({out.stat().st_size / 1e6:,.1f} MB) in "
            f"{time.monotonic() - started:.1f} s; nothing was sent."
        )

    def _live(self, run, *, speed: float, quiet: bool) -> None:
        from smartexpo.demo.simulator.live import LEAD_S, LiveStatus, live_run

        last = LiveStatus(days=len(run.days))
        if quiet:
            ticks = None
        else:
            day_s = (
                run.venue.closes.hour * 3600
                + run.venue.closes.minute * 60
                - run.venue.opens.hour * 3600
                - run.venue.opens.minute * 60
                + LEAD_S
            )
            bar = Progress(
                BarColumn(bar_width=12),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
            )
            task = bar.add_task("starting", total=day_s * len(run.days))

            def ticks(status: LiveStatus) -> None:
                bar.update(
                    task,
                    completed=status.simulated_s,
                    description=(
                        f"{status.clock:%a %d %b %H:%M} day {status.day}/{status.days} · "
                        f"admitted {status.admitted:,} · inside {status.inside:,} · "
                        f"events {status.events:,} · ×{status.speed:,.0f}"
                    ),
                )

        def remember(status: LiveStatus) -> None:
            nonlocal last
            last = status
            if ticks:
                ticks(status)

        try:
            with _terminate_as_interrupt():
                if quiet:
                    last = live_run(run=run, speed=speed, on_tick=remember)
                else:
                    with bar:
                        last = live_run(run=run, speed=speed, on_tick=remember)
        except KeyboardInterrupt:
            clock = f"{last.clock:%Y-%m-%d %H:%M}" if last.clock else "the start"
            self.stdout.write(f"Stopped at {clock} (simulated); the replay clock is cleared.")
        self._report(run, last)

    def _report(self, run, status) -> None:
        planned = dict(zip(run.days, run.expected_admissions(), strict=True))
        per_day = ", ".join(
            f"{day} {status.admitted_per_day.get(day, 0):,}/{planned[d]:,}"
            for d, day in ((d, run.venue.days[d]) for d in run.days)
        )
        self.stdout.write(
            f"Sent {status.scans:,} scans and {status.events:,} sensor events; admissions "
            f"(done/planned) {per_day}; {status.room_admitted:,} admissions at forum room "
            f"doors; {status.conflicts:,} scans answered other than admit, "
            f"{status.rejected:,} events rejected; mean speed ×{status.mean_speed:,.0f} "
            f"({status.simulated_s / 3600:,.1f} simulated hours in {status.wall_s:,.1f} s)."
        )


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (`timeout`, a service manager, `kill`) stops a live run as Ctrl-C does: the
    batch in flight finishes or rolls back whole, the replay clock is cleared, the report is
    printed. Only the main thread may set a handler; elsewhere the default stays."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
