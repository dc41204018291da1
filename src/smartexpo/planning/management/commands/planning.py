"""`smartexpo planning forecast --expo SLUG [--as-of WHEN] [--arrivals-csv OUT.csv]`: the
attendance forecast, admissions per day and arrivals per gate and 15 minutes with their 80 %
intervals (docs/planning.md).

`smartexpo planning lanes --expo SLUG (--arrivals FILE.csv | --forecast [WHEN])
[--wait-minutes 10] [--percentile 95] [--csv OUT.csv] [--shifts]`: the gate-lane plan for an
edition from expected arrivals per gate and 15-minute period, an organiser's file or the
forecast: the lanes to open per gate and period, the simulated wait, the lane-hours saved
against opening every lane, the periods where the target cannot be met, and with --shifts the
staff shifts that cover the lanes."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError
from smartexpo.planning.arrival_shape import FIRST_PERIOD_WAITING
from smartexpo.planning.arrivals import arrivals_read
from smartexpo.planning.exports import plan_csv
from smartexpo.planning.lanes import LanePlan, lane_plan
from smartexpo.planning.selectors import gate_lanes
from smartexpo.planning.shifts import staff_shifts
from smartexpo.venue.models import Expo


class Command(BaseCommand):
    help = (
        "Planning: the attendance forecast, the lanes to open per gate and 15 minutes, and "
        "the staff shifts for them."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        lanes = sub.add_parser(
            "lanes",
            help="Plan the lanes of each gate per 15 minutes from expected arrivals (CSV)",
        )
        lanes.add_argument("--expo", required=True, help="Edition slug, e.g. sce-2019")
        source = lanes.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--arrivals",
            help="CSV with the columns gate,period_start,arrivals (local time, 15-minute periods)",
        )
        source.add_argument(
            "--forecast",
            nargs="?",
            const="now",
            metavar="WHEN",
            help="Plan for the attendance forecast as of WHEN (default now; see forecast --as-of)",
        )
        lanes.add_argument("--wait-minutes", type=float, default=10.0, help="Default 10")
        lanes.add_argument(
            "--percentile",
            type=float,
            default=95.0,
            help="Share of arrivals (%%) that must wait less than --wait-minutes (default 95)",
        )
        lanes.add_argument("--csv", dest="out", help="Also write the plan to this CSV file")
        lanes.add_argument(
            "--shifts", action="store_true", help="Also plan staff shifts (one per open lane)"
        )
        lanes.add_argument(
            "--waiting-at-opening",
            type=float,
            default=FIRST_PERIOD_WAITING * 100,
            metavar="PERCENT",
            help=(
                "Share (%%) of a day's first period's arrivals who queued before the gates "
                f"opened, all there at once (default {FIRST_PERIOD_WAITING * 100:.1f}%%)"
            ),
        )
        lanes.add_argument("--seed", type=int, default=0, help="Seed of the simulated arrivals")
        lanes.add_argument(
            "--time-limit",
            type=float,
            default=10.0,
            help="Seconds the shift solver may take per gate and day (default 10)",
        )

        forecast = sub.add_parser(
            "forecast",
            help="The attendance forecast: admissions per day, arrivals per gate and 15 minutes",
        )
        forecast.add_argument("--expo", required=True, help="Edition slug, e.g. sce-2019")
        forecast.add_argument(
            "--as-of",
            default="now",
            help=(
                "The instant the forecast is made at: now (default), a local date (its "
                "opening time) or date and time, e.g. 2019-08-19 or 2019-08-26T11:00"
            ),
        )
        forecast.add_argument(
            "--arrivals-csv", help="Write the arrivals to plan for (the lanes command's input) here"
        )
        for parser_ in (lanes, forecast):
            parser_.add_argument(
                "--plan-for",
                choices=["high", "expected"],
                default="high",
                help=(
                    "The forecast's arrivals to plan for: the upper end of each period's 80 %% "
                    "interval (default) or the expected count"
                ),
            )

    def handle(self, *args, action, **options):
        if action == "lanes":
            self.lanes(**options)
        else:
            self.forecast(**options)

    def edition(self, slug: str) -> Expo:
        edition = Expo.objects.filter(slug=slug).first()
        if edition is None:
            raise CommandError(f"No edition {slug!r}.")
        return edition

    def as_of(self, text: str, edition: Expo) -> dt.datetime:
        """`now`, a local date (at the edition's opening time) or a local date and time."""
        if text == "now":
            return timezone.now()
        try:
            if len(text) == 10:
                day = dt.date.fromisoformat(text)
                return dt.datetime.combine(day, edition.opens_at, tzinfo=edition.tz)
            at = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"--as-of: {text!r} is not now, a date (2019-08-19) or a date and time "
                "(2019-08-26T11:00)."
            ) from None
        return at if at.tzinfo else at.replace(tzinfo=edition.tz)

    def forecast(self, *, expo, as_of, arrivals_csv, plan_for, **options):
        from smartexpo.planning.forecast import attendance_forecast

        edition = self.edition(expo)
        began = time.perf_counter()
        result = attendance_forecast(expo=edition, as_of=self.as_of(as_of, edition))
        elapsed = time.perf_counter() - began
        self.show_forecast(result)
        if arrivals_csv:
            try:
                Path(arrivals_csv).write_text(result.arrivals_csv(plan_for), encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{arrivals_csv}: {exc.strerror}.") from None
            self.stdout.write(f"Arrivals to plan for ({plan_for}) written to {arrivals_csv}.")
        self.stdout.write(f"\nComputed in {elapsed:.1f} s.")

    def show_forecast(self, result) -> None:
        tz = result.expo.tz
        basis = result.previous.slug if result.previous else "no previous edition"
        self.stdout.write(
            f"{result.expo.slug} as of {result.as_of.astimezone(tz):%Y-%m-%d %H:%M} "
            f"(learned from: {basis}); 80 % intervals."
        )
        self.stdout.write(
            f"  {'day':<10} {'registered':>10} {'expected by the day':>22} "
            f"{'admissions':>24}  state"
        )
        for d in result.days:
            final = f"{d.registered_final.mid:,.0f} ({d.registered_final.low:,.0f}–"
            final += f"{d.registered_final.high:,.0f})"
            came = f"{d.admissions.mid:,.0f} ({d.admissions.low:,.0f}–{d.admissions.high:,.0f})"
            state = d.state
            if d.admitted_so_far is not None:
                state += f", {d.admitted_so_far:,} admitted so far"
            self.stdout.write(
                f"  {d.day:%Y-%m-%d} {d.registered:>10,} {final:>22} {came:>24}  {state}"
            )
        self.stdout.write("\nShow-up per ticket type and kind of day:")
        for s in result.show_up:
            self.stdout.write(
                f"  {s.ticket_type:<18} {s.kind:<7} {s.rate.mid:.1%} "
                f"({s.rate.low:.1%}–{s.rate.high:.1%}) {s.basis}"
            )
        for note in result.notes:
            self.stdout.write(f"Note: {note}")

    def lanes(self, *, expo, arrivals, wait_minutes, percentile, out, shifts, seed, **options):
        if not 0 < wait_minutes <= 24 * 60:
            raise CommandError("--wait-minutes must be above 0 and at most 1440.")
        if not 0 < percentile < 100:
            raise CommandError("--percentile must lie strictly between 0 and 100.")
        if options["time_limit"] <= 0:
            raise CommandError("--time-limit must be above 0.")
        if not 0 <= options["waiting_at_opening"] <= 100:
            raise CommandError("--waiting-at-opening must lie between 0 and 100.")
        edition = self.edition(expo)
        gates = gate_lanes(expo=edition)
        began = time.perf_counter()
        if arrivals is None:
            from smartexpo.planning.forecast import attendance_forecast

            forecast = attendance_forecast(
                expo=edition, as_of=self.as_of(options["forecast"], edition)
            )
            self.show_forecast(forecast)
            self.stdout.write("")
            text = forecast.arrivals_csv(options["plan_for"])
            arrivals = f"the forecast ({options['plan_for']})"
        else:
            try:
                text = Path(arrivals).read_text(encoding="utf-8-sig")
            except OSError as exc:
                raise CommandError(f"{arrivals}: {exc.strerror}.") from None
            except UnicodeDecodeError:
                raise CommandError(f"{arrivals}: not a UTF-8 text file.") from None
        try:
            starts, expected = arrivals_read(text, gates=gates, timezone=edition.timezone)
        except SmartExpoError as exc:
            raise CommandError(f"{arrivals}: {exc.message}") from None
        empty = [code for code in expected if gates[code] == 0]
        if empty:
            raise CommandError(f"Gate {empty[0]} has no lanes installed: nothing to plan.")
        plan = lane_plan(
            gates={code: gates[code] for code in expected},
            period_starts=starts,
            expected=expected,
            wait_s=wait_minutes * 60,
            within=percentile / 100,
            seed=seed,
            waiting_at_opening=options["waiting_at_opening"] / 100,
        )
        self.show(plan, percentile=percentile, wait_minutes=wait_minutes)
        if out:
            self.write_csv(plan, out, percentile=percentile, tz=edition.tz)
        if shifts:
            self.show_shifts(plan, starts, time_limit=options["time_limit"])
        self.stdout.write(f"\nComputed in {time.perf_counter() - began:.1f} s.")

    def show(self, plan: LanePlan, *, percentile: float, wait_minutes: float) -> None:
        pct = f"p{percentile:g}"
        self.stdout.write(
            f"Target: {percentile:g} % of arrivals wait under {wait_minutes:g} min "
            f"(lanes scan 660 people an hour each). Method: {plan.method}."
        )
        for gate in plan.gates:
            self.stdout.write(f"\nGate {gate.gate} ({gate.installed} lanes installed)")
            self.stdout.write(f"  {'period':<17} {'expected':>9} {'lanes':>6} {pct + ' wait':>9}")
            for p in gate.periods:
                wait = "—" if p.p_wait_s is None else f"{p.p_wait_s / 60:.1f} min"
                note = "" if p.feasible else "  TARGET NOT MET with every lane open"
                self.stdout.write(
                    f"  {p.start:%Y-%m-%d %H:%M} {p.expected:>9.0f} {p.lanes:>6} {wait:>9}{note}"
                )
            self.stdout.write(
                f"  lane-hours {gate.lane_hours:.2f} of {gate.all_open_lane_hours:.2f} "
                "with every lane open"
            )
        self.stdout.write(
            f"\nLane-hours: {plan.lane_hours:.2f} planned, {plan.all_open_lane_hours:.2f} with "
            f"every lane open all day: {plan.saving:.0%} fewer."
        )
        if plan.infeasible:
            self.stdout.write(
                f"The target cannot be met in {len(plan.infeasible)} period(s), even with every "
                "lane of the gate open (the plan opens them all there):"
            )
            for code, start in plan.infeasible:
                self.stdout.write(f"  - gate {code}, {start:%Y-%m-%d %H:%M}")
            self.show_early(plan, pct)
        else:
            self.stdout.write("The target is met in every period of the simulation.")

    def show_early(self, plan: LanePlan, pct: str) -> None:
        if not plan.early:
            return
        self.stdout.write(
            "Opening the lanes early would serve the crowd waiting for the opening in time "
            "(the lanes per 15 minutes before it; the plan's periods stay as they are):"
        )
        for e in plan.early:
            lanes = ", ".join(str(c) for c in e.lanes)
            self.stdout.write(
                f"  - gate {e.gate}, {e.opening:%Y-%m-%d}: from {e.starts_at:%H:%M} "
                f"({lanes} lanes), {pct} wait then {e.p_wait_s / 60:.1f} min, "
                f"{e.lane_hours:.2f} lane-hours more"
            )

    def write_csv(self, plan: LanePlan, out: str, *, percentile: float, tz) -> None:
        # The lanes page's export: one format for both.
        try:
            Path(out).write_bytes(plan_csv(plan, percentile=f"p{percentile:g}", tz=tz))
        except OSError as exc:
            raise CommandError(f"{out}: {exc.strerror}.") from None
        self.stdout.write(f"Plan written to {out}.")

    def show_shifts(self, plan: LanePlan, starts, *, time_limit: float) -> None:
        self.stdout.write(
            "\nStaff shifts (one person per open lane; 4-8 h; a 30-minute break in shifts "
            "over 5 h, at least 2 h from either end):"
        )
        total_people = total_hours = 0.0
        for gate in plan.gates:
            result = staff_shifts(
                period_starts=starts,
                demand=[p.lanes for p in gate.periods],
                time_limit_s=time_limit,
            )
            self.stdout.write(
                f"\nGate {gate.gate}: {result.people} people, {result.staff_hours:.2f} "
                f"staff-hours ({result.status})"
            )
            if result.message:
                self.stdout.write(f"  NOT COVERED: {result.message}")
            for s in result.shifts:
                rest = "" if s.break_start is None else f", break {s.break_start:%H:%M}"
                self.stdout.write(
                    f"  {s.people:>3} × {s.start:%Y-%m-%d %H:%M}–{s.end:%H:%M} "
                    f"({s.hours:g} h{rest})"
                )
            total_people += result.people
            total_hours += result.staff_hours
        self.stdout.write(f"\nAll gates: {total_people:.0f} shifts, {total_hours:.2f} staff-hours.")
