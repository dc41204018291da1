"""The 2018 edition's history: what an attendance forecast for 2019 learns from.

`smartexpo demo history` gives sce-2018 the demo's ticket types, registers its visitors with
their booking instants (`demo.booking`) and plays all its days in the twin in show-up mode
(`simulator.showup`): the registered tickets that come are scanned in and out at the entrance
gates. Only those scans are stored, through the venue import (`streams.importing`), as an
offline sync would decide them: the admissions are the history; the sensor events (17 million
for 580,000 visits) and the forum doors' scans are not kept.

Idempotent: the registrations are the demo's visitors 0 … N − 1 (`demo_visitors_seed`), and
once the edition has entrance scans its history is there and a run does nothing.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter
from collections.abc import Callable

import polars as pl

from smartexpo.checkin.models import Scan
from smartexpo.core.errors import SmartExpoError
from smartexpo.demo.booking import ON_SITE, ON_SITE_DEFAULT
from smartexpo.demo.simulator.showup import show_up_rate
from smartexpo.demo.simulator.stream import day_arrays, entrance_scans_frame, run_prepare
from smartexpo.demo.visitors import TICKET_TYPES, demo_ticket_types, demo_visitors_seed
from smartexpo.streams.importing import stream_import
from smartexpo.tickets.models import DayQuota
from smartexpo.venue.models import Expo
from smartexpo.venue.selectors import entrance_gates

HISTORY_SLUG = "sce-2018"
HISTORY_SEED = 2018
# Quotas a little above the registrations they must hold: the type and day split of the
# demo's visitors is exact to within one (`visitors.smooth_round_robin`), this is the margin.
QUOTA_HEADROOM = 1.02
# At most this many visits: their registrations (about 1.3 each) must stay below the indexes
# the twin's own visitors start from (`visitors.TWIN_FIRST_INDEX`).
MAX_VISITS = 1_000_000

Say = Callable[[str], None]


@dataclasses.dataclass
class HistoryReport:
    """What a run did: registrations, visits drawn, entrance scans stored (by result), and
    seconds per step; `already` when the history was there and nothing was done."""

    already: bool = False
    registrations: int = 0
    visits: int = 0
    scans: int = 0
    results: Counter = dataclasses.field(default_factory=Counter)
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)


def _mix(days: int) -> dict[str, float]:
    """Each ticket type's share of the demo's visitors (`visitors.visitor_rows` splits them in
    proportion to the people the demo's quotas admit: a day ticket's quota on every day)."""
    people = {
        code: quota * (1 if all_days else days) for code, _e, _z, quota, all_days, _ in TICKET_TYPES
    }
    total = sum(people.values())
    return {code: n / total for code, n in people.items()}


def visits_per_registration(code: str, all_days: bool, days: int) -> float:
    """Expected visits of one registration of ticket type `code` over an edition of `days`
    days: a day ticket's show-up rate on its day (the days drawn evenly); a pass's rates
    summed over the days it was booked by (an on-site pass registers on one of the mornings,
    `demo.booking`, and cannot come before)."""
    rates = [show_up_rate(code, d, days) for d in range(days)]
    if not all_days:
        return sum(rates) / days
    on_site = ON_SITE.get(code, ON_SITE_DEFAULT)
    return sum(rate * ((1 - on_site) + on_site * (d + 1) / days) for d, rate in enumerate(rates))


def history_sizes(*, days: int, visits: int) -> tuple[int, dict[str, int]]:
    """(registrations, quota per day of each ticket type) for `visits` expected visits.

    The registrations are the demo's mix of visitors, as many as the expected visits divided by
    the mix's expected visits per registration (0.75 for three days: most are public-day
    tickets at 0.65, the passes come on several days). The quotas hold them: a day ticket's
    quota is its registrations over the days, a pass's its registrations, with
    `QUOTA_HEADROOM`. For 580,000 visits over 3 days: 768,715 registrations, public-day
    quotas of 232,324 a day."""
    mix = _mix(days)
    all_days = {code: a for code, _e, _z, _q, a, _zones in TICKET_TYPES}
    per = sum(share * visits_per_registration(c, all_days[c], days) for c, share in mix.items())
    registrations = round(visits / per)
    sizes = {
        code: math.ceil(registrations * share / (1 if all_days[code] else days) * QUOTA_HEADROOM)
        + 1
        for code, share in mix.items()
    }
    return registrations, sizes


def history_present(expo: Expo) -> bool:
    """Whether the edition has scans at its entrance gates: its history is there (the import
    is one transaction, so it is there whole). Not a count: `make demo` asks every time, and
    counting a million scans takes half a second."""
    return Scan.objects.filter(expo=expo, gate__in=entrance_gates(expo=expo)).exists()


def demo_history_seed(
    *, expo: Expo, visits: int | None = None, seed: int = HISTORY_SEED, say: Say = print
) -> HistoryReport:
    """Make the edition's history (see the module's docstring); nothing when it is there.
    `visits`: the visits expected over its days (default its `expected_visitors`)."""
    report = HistoryReport()
    if history_present(expo):
        report.already = True
        return report
    visits = expo.expected_visitors if visits is None else visits
    if visits < 1:
        raise ValueError("The history needs at least one expected visit.")
    if not entrance_gates(expo=expo):
        # Refused before anybody is registered: the twin would refuse it after.
        raise SmartExpoError(
            "invalid", f"{expo.slug} has no entrance gate into a venue zone: no admissions."
        )
    clock = time.monotonic()

    def lap(label: str) -> None:
        nonlocal clock
        now = time.monotonic()
        report.seconds[label] = now - clock
        clock = now

    days = len(expo.days)
    count, sizes = history_sizes(days=days, visits=visits)
    types = demo_ticket_types(expo)
    for code, size in sizes.items():
        # Only ever larger: a re-run with fewer visits keeps the registrations there are.
        DayQuota.objects.filter(ticket_type=types[code], size__lt=size).update(size=size)
    say(f"{expo.slug}: registering {count:,} demo visitors for {visits:,} expected visits.")
    report.registrations = demo_visitors_seed(expo=expo, count=count, seed=seed)
    lap("registering")
    run = run_prepare(
        expo=expo,
        visitors=None,
        days=range(days),
        seed=seed,
        sensor_miss=0.0,
        say=say,
        # Floor area: no sensor event is kept, so the visitors' interests need not be read.
        booth_visits="area",
    )
    # Its own ids: a full show-up stream of the same plan numbers its events otherwise.
    run = dataclasses.replace(run, mode="show-up:entrance")
    report.visits = int(run.plan.sum())
    say(
        f"{expo.slug}: {report.visits:,} visits drawn (show-up), per day "
        + ", ".join(f"{d} {int(n):,}" for d, n in zip(expo.days, run.plan.sum(axis=1), strict=True))
        + "."
    )
    frames, first_n = [], 0
    for i in range(days):
        frame = entrance_scans_frame(run, day_arrays(run, i), first_n)
        first_n += frame.height
        frames.append(frame)
    lap("simulating")
    imported = stream_import(expo=expo, frame=pl.concat(frames))
    lap("importing")
    report.scans = imported.scans
    report.results = imported.scan_results
    return report
