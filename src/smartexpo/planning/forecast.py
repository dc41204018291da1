"""The attendance forecast of an edition as of any instant before or during it: admissions
per day and arrivals per entrance gate and 15-minute period, each with an 80 % interval
(docs/planning.md, "The attendance forecast").

What it learns from, all read from the database (`planning.queries`):

* the edition's registrations booked by then, against the previous edition's booking curve
  at the same distance from the opening (`forecast_models.booking_multipliers`);
* the previous edition's show-up per ticket type and kind of day, from its tickets and its
  entrance gates' admissions (`forecast_models.show_up_fit`);
* the previous edition's arrival curve: its admitted entries per gate and 15 minutes after
  the opening, re-entries included, since every entry is somebody a lane serves;
* during the edition, the admissions so far: days over are counted, the day under way is
  nowcast (`forecast_models.nowcast_multiplier`).

Without a previous edition, or one without registrations or admissions, each missing part
falls back to the defaults below, and the forecast says which (`notes`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import defaultdict

import numpy as np
from django.utils.translation import gettext_noop

from smartexpo.core import stamps
from smartexpo.core.memo import HeadMemo
from smartexpo.core.notes import Note
from smartexpo.planning import queries
from smartexpo.planning.forecast_arrivals import (
    DayForecast,
    arrivals_build,
    closing_of,
    day_states,
    entrance_gates,
    opening_of,
    periods_of,
    uncensored,
)
from smartexpo.planning.forecast_models import (
    DRAWS,
    Interval,
    Multiplier,
    binomial_draws,
    booking_multipliers,
    logit_draws,
    rate_draws,
    show_up_fit,
)
from smartexpo.planning.lanes import PERIOD_S
from smartexpo.planning.queue_sim import LANE_SERVICE_S
from smartexpo.tickets.models import TicketType
from smartexpo.venue.models import Expo

DAY_S = 86_400
# What the lanes are planned for: the upper end of each period's 80 % interval by default.
# Planned for the expected count, a tenth of the twin's gate-periods missed the target on the
# day (more arrived than expected about as often as fewer); for the upper end, only those at
# the opening's rush that no number of lanes holds, for 4 % more lane-hours (bench/RESULTS.md).
PLAN_FOR_HIGH, PLAN_FOR_EXPECTED = "high", "expected"
PLAN_FOR = (PLAN_FOR_HIGH, PLAN_FOR_EXPECTED)
LANE_PERIOD = PERIOD_S / LANE_SERVICE_S  # people one lane scans in a period: 165

# --- the defaults (docs/planning.md lists them) ----------------------------------------------
# The share of an edition's registrations booked by this many days before its opening, for an
# edition without a previous one: free trade-show registration fills late, a fifth of it in
# the last week, and some visitors register on the days themselves (negative distances).
DEFAULT_BOOKED: tuple[tuple[float, float], ...] = (
    (90, 0.10),
    (60, 0.25),
    (30, 0.50),
    (14, 0.68),
    (7, 0.80),
    (1, 0.92),
    (0, 0.95),
    (-3, 1.0),
)
# The spread of a final count read off the default curve: a quarter either way is one
# standard deviation on the log scale (no edition of this one's to calibrate it).
DEFAULT_BOOKED_LOG_SD = 0.25
# Show-up of a registration on a day it is valid, for a type the previous edition did not
# have: (rate, 80 % interval). Free trade-show registration: 50–70 % come; a pass's holder
# comes on fewer of its days.
DEFAULT_SHOW_UP_DAY = (0.60, 0.50, 0.70)
DEFAULT_SHOW_UP_PASS = (0.45, 0.30, 0.60)


@dataclasses.dataclass(frozen=True)
class ShowUp:
    ticket_type: str
    kind: str
    rate: Interval
    basis: str  # "previous" (learned) or "default"


@dataclasses.dataclass(frozen=True)
class AttendanceForecast:
    """The forecast of `expo` as of `as_of`. `arrivals[gate]` has one Interval per period of
    `period_starts` (each day's opening hours, in 15-minute periods)."""

    expo: Expo
    as_of: dt.datetime
    previous: Expo | None
    days: list[DayForecast]
    show_up: list[ShowUp]
    period_starts: list[dt.datetime]
    arrivals: dict[str, list[Interval]]
    notes: list[str]

    def arrivals_csv(self, plan_for: str = PLAN_FOR_HIGH) -> str:
        """The arrivals to plan for in the lane plan's CSV format (`planning.arrivals`), in the
        edition's local time: each gate and period's upper end of the 80 % interval
        (`PLAN_FOR_HIGH`, the default) or its expected count (`PLAN_FOR_EXPECTED`)."""
        if plan_for not in PLAN_FOR:
            raise ValueError(f"plan_for must be one of {PLAN_FOR}")
        tz = self.expo.tz
        lines = ["gate,period_start,arrivals"]
        for gate, values in self.arrivals.items():
            for start, value in zip(self.period_starts, values, strict=True):
                count = value.high if plan_for == PLAN_FOR_HIGH else value.mid
                lines.append(f"{gate},{start.astimezone(tz):%Y-%m-%dT%H:%M},{count:.1f}")
        return "\n".join(lines) + "\n"


def day_kind(index: int, count: int) -> str:
    """The kind of an edition's day: show-up differs on the opening and the closing day."""
    if index == 0:
        return "first"
    return "last" if index == count - 1 else "middle"


# --- the previous edition's history ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class History:
    """What the forecast takes from the previous edition, already counted."""

    # type code -> per day of the previous edition, (its kind, {days before: ticket-days})
    day_bookings: dict[str, list[tuple[str, dict[int, int]]]]
    show_up: list[tuple[str, str, int, int]]  # (type, kind, valid, admitted)
    shares: dict[str, np.ndarray]  # gate code -> share of a day's entries per period
    entries_per_visit: float

    @property
    def bookings(self) -> dict[str, dict[int, int]]:
        """Type code -> {days before the opening: ticket-days}, over all the days."""
        out: dict[str, dict[int, int]] = {}
        for code, days in self.day_bookings.items():
            whole: dict[int, int] = defaultdict(int)
            for _kind, counts in days:
                for lead, n in counts.items():
                    whole[lead] += n
            out[code] = dict(whole)
        return out


def _types(expo: Expo) -> dict[int, tuple[str, bool]]:
    return {
        pk: (code, all_days)
        for pk, code, all_days in TicketType.objects.filter(expo=expo).values_list(
            "id", "code", "all_days"
        )
    }


# The previous edition's history is most of a forecast's cost (some 4 s of SQL at 770,000
# registrations), and an edition that is over hardly changes: each process keeps the last few,
# keyed by what they were read from (docs/caches.md).
HISTORIES_KEPT = 4
_histories = HeadMemo(HISTORIES_KEPT)


def history_of(previous: Expo) -> History:
    """`history_read(previous)`, kept while nothing it was read from has changed: the catalogue
    stamp (editions, ticket types, gates and their lanes) and the previous edition's
    ticket-days and scans (`queries.history_fingerprint`), both read before the history, so
    that a change committed meanwhile is a new key at the next call."""
    version = stamps.stamp_read()
    if version is None:  # a database without its stamp: nothing is kept
        return history_read(previous)
    head = (version, *queries.history_fingerprint(expo_id=previous.pk))
    return _histories.get(previous.pk, head, None, lambda: history_read(previous))


def history_read(previous: Expo) -> History:
    """The previous edition's bookings, show-up and arrival curve."""
    types = _types(previous)
    opening = opening_of(previous, previous.starts_on)
    by_day: dict[tuple[str, dt.date], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    valid: dict[tuple[str, dt.date], int] = defaultdict(int)
    for type_id, day, lead, n in queries.bookings(expo_id=previous.pk, opening=opening):
        code = types[type_id][0]
        by_day[(code, day)][lead] += n
        valid[(code, day)] += n
    gates = entrance_gates(previous)
    gate_ids = [g for g, _c, _l in gates]
    row_of = {g: i for i, (g, _c, _l) in enumerate(gates)}
    periods = periods_of(previous)
    totals = np.zeros((len(gates), periods))
    capacity = np.array([lanes for _g, _c, lanes in gates], dtype=np.float64) * LANE_PERIOD
    show_up, visits, entries = [], 0, 0
    days = previous.days
    for i, day in enumerate(days):
        start, end = opening_of(previous, day), closing_of(previous, day)
        counts = np.zeros_like(totals)
        for gate_id, k, n in queries.entries(
            expo_id=previous.pk, gate_ids=gate_ids, start=start, end=end
        ):
            counts[row_of[gate_id], min(max(k, 0), periods - 1)] += n
            entries += n
        totals += uncensored(counts, capacity)
        came = {
            types[t][0]: n
            for t, n in queries.admitted(
                expo_id=previous.pk, gate_ids=gate_ids, start=start, end=end
            )
        }
        visits += sum(came.values())
        for code, _all in types.values():
            if valid.get((code, day)):
                show_up.append(
                    (code, day_kind(i, len(days)), valid[(code, day)], came.get(code, 0))
                )
    whole = totals.sum()
    shares = {c: totals[i] / whole for i, (_g, c, _l) in enumerate(gates)} if whole else {}
    day_bookings: dict[str, list[tuple[str, dict[int, int]]]] = defaultdict(list)
    for i, day in enumerate(days):
        for code, _all in types.values():
            if (code, day) in by_day:
                day_bookings[code].append((day_kind(i, len(days)), dict(by_day[(code, day)])))
    return History(
        day_bookings=dict(day_bookings),
        show_up=show_up if visits else [],
        shares=shares,
        entries_per_visit=entries / visits if visits else 1.0,
    )


# --- the forecast ----------------------------------------------------------------------------


def _default_booked(lead: float) -> float:
    leads = [d for d, _s in DEFAULT_BOOKED][::-1]
    shares = [s for _d, s in DEFAULT_BOOKED][::-1]
    return float(np.interp(lead, leads, shares))


def _reference_rest(counts: dict[int, int], lead: float) -> float:
    """The reference's bookings after `lead` days before the opening (a part day by its
    share): what is still to come at that distance."""
    whole = math.ceil(lead)
    rest = sum(n for k, n in counts.items() if k < whole - 1)
    return rest + counts.get(whole - 1, 0) * (lead - whole + 1)


class _Builder:
    """The steps of one forecast, sharing the edition, the instant and the random draws."""

    def __init__(self, expo: Expo, as_of: dt.datetime, seed: int):
        self.expo, self.as_of = expo, as_of
        self.rng = np.random.default_rng(seed)
        self.notes: list[str] = []
        self.previous = expo.previous
        self.history = history_of(self.previous) if self.previous else None
        self.types = _types(expo)
        self.days = expo.days
        self.gates = entrance_gates(expo)
        # The day's entries per gate and period counted until `as_of`, once per day
        # (`forecast_arrivals.counted_entries`).
        self.counted: dict[dt.date, np.ndarray] = {}
        self.opening = opening_of(expo, expo.starts_on)
        self.lead = (self.opening - as_of).total_seconds() / DAY_S

    def registered(self) -> dict[tuple[str, dt.date], np.ndarray]:
        """Draws of the ticket-days each (type, day) will have, from those booked so far."""
        now: dict[tuple[str, dt.date], int] = defaultdict(int)
        observed: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for type_id, day, lead, n in queries.bookings(
            expo_id=self.expo.pk, opening=self.opening, until=self.as_of
        ):
            code = self.types[type_id][0]
            now[(code, day)] += n
            observed[code][lead] += n
        self.now = now
        reference = self.history.bookings if self.history else {}
        fitted = self._multipliers(observed, reference)
        out: dict[tuple[str, dt.date], np.ndarray] = {}
        for code, _all_days in self.types.values():
            cells = [(code, d) for d in self.days]
            have = np.array([now.get(c, 0) for c in cells], dtype=np.float64)
            if code in fitted:
                by_day = self._by_day(code, fitted[code])
                for i, cell in enumerate(cells):
                    out[cell] = have[i] + by_day[i]
                continue
            rest = self._rest(code, have.sum(), reference.get(code))
            # Ticket-days to come fall on the days as those booked so far do (a pass's evenly).
            split = have / have.sum() if have.sum() else np.full(len(cells), 1 / len(cells))
            for i, cell in enumerate(cells):
                out[cell] = have[i] + rest * split[i]
        return out

    def _by_day(self, code: str, multiplier: Multiplier) -> list[np.ndarray]:
        """Draws of the ticket-days of type `code` still to be booked for each day, when the
        type was learned: each day as the previous edition's day of its kind (opening, middle,
        last) from this distance on, scaled so that the days together are `m` times the
        previous edition's. A day ticket is booked up to its own morning, so what is still to
        come differs by day once the edition has begun; a split by the bookings so far would
        give the first day the others' on-site registrations. A type is only fitted against
        the previous edition's bookings of it, so it has days there, each with bookings."""
        days = self.history.day_bookings[code]
        kinds = {k for k, _c in days}
        total: dict[str, list[float]] = defaultdict(list)
        rest: dict[str, list[float]] = defaultdict(list)
        for kind, counts in days:
            total[kind].append(sum(counts.values()))
            rest[kind].append(_reference_rest(counts, self.lead))
        wanted = [
            next(k for k in (day_kind(i, len(self.days)), "last", "middle", "first") if k in kinds)
            for i in range(len(self.days))
        ]
        denominator = sum(float(np.mean(total[k])) for k in wanted)
        whole = sum(sum(c.values()) for _k, c in days)
        scale = multiplier.draws(self.rng) * whole / denominator
        return [
            self.rng.poisson(scale * float(np.mean(rest[k]))).astype(np.float64) for k in wanted
        ]

    def _multipliers(self, observed, reference) -> dict[str, Multiplier]:
        whole = math.ceil(self.lead)
        fit_obs, fit_ref = {}, {}
        for code, counts in observed.items():
            if code not in reference:
                continue
            leads = sorted(k for k in set(counts) | set(reference[code]) if k >= whole)
            fit_obs[code] = np.array([counts.get(k, 0) for k in leads], dtype=np.float64)
            fit_ref[code] = np.array([reference[code].get(k, 0) for k in leads], dtype=np.float64)
        return booking_multipliers(fit_obs, fit_ref)

    def _rest(self, code, have, reference) -> np.ndarray:
        """Draws of the ticket-days of type `code` still to be booked, for a type the
        previous edition's booking curve could not be fitted to (`_by_day` serves the others)."""
        if reference and not have and self.lead > 0:
            # Nothing booked yet: the previous edition's bookings from here on, as many as
            # the expected visitors say (both editions' figures) or as many as then.
            scale = 1.0
            prev_expected = self.previous.expected_visitors if self.previous else 0
            if self.expo.expected_visitors and prev_expected:
                scale = self.expo.expected_visitors / prev_expected
            self.notes.append(
                Note(
                    gettext_noop(
                        "No %(type)s registration yet: the previous edition's, scaled by the "
                        "expected visitors."
                    ),
                    {"type": code},
                )
            )
            draws = np.exp(self.rng.normal(math.log(scale), DEFAULT_BOOKED_LOG_SD, DRAWS))
            return draws * _reference_rest(reference, self.lead)
        if not have:
            return np.zeros(DRAWS)
        booked = _default_booked(self.lead)
        self.notes.append(
            Note(
                gettext_noop(
                    "%(type)s: no booking curve of a previous edition to compare with; the "
                    "default curve says %(share)d %% of the registrations are in by now."
                ),
                {"type": code, "share": round(booked * 100)},
            )
        )
        final = have / booked * np.exp(self.rng.normal(0.0, DEFAULT_BOOKED_LOG_SD, DRAWS))
        return np.maximum(final - have, 0.0)

    def show_up(self) -> tuple[dict[tuple[str, dt.date], np.ndarray], list[ShowUp]]:
        """Draws of each (type, day)'s show-up rate, and the rates as shown."""
        model = show_up_fit(self.history.show_up) if self.history else None
        if model is None:
            self.notes.append(
                Note(
                    gettext_noop(
                        "No previous edition's admissions to learn show-up from: default rates."
                    )
                )
            )
        rates, shown, seen = {}, [], set()
        for code, all_days in self.types.values():
            for i, day in enumerate(self.days):
                kind = day_kind(i, len(self.days))
                if model is not None and model.knows(code):
                    logit, se = model.logit(code, kind)
                    draws = logit_draws(logit, se, self.rng)
                    basis = "previous"
                else:
                    rate, low, high = DEFAULT_SHOW_UP_PASS if all_days else DEFAULT_SHOW_UP_DAY
                    draws = rate_draws(rate, low, high, self.rng)
                    basis = "default"
                    if model is not None:
                        self.notes.append(
                            Note(
                                gettext_noop(
                                    "%(type)s is new in this edition: default show-up rates."
                                ),
                                {"type": code},
                            )
                        )
                rates[(code, day)] = draws
                if (code, kind) not in seen:
                    seen.add((code, kind))
                    shown.append(ShowUp(code, kind, Interval.of(draws), basis))
        return rates, shown


def _dedupe(notes: list[str]) -> list[str]:
    return list(dict.fromkeys(notes))


def attendance_forecast(*, expo: Expo, as_of: dt.datetime, seed: int = 0) -> AttendanceForecast:
    """The forecast of `expo` as of `as_of` (aware); the same inputs give the same forecast."""
    build = _Builder(expo, as_of, seed)
    registered = build.registered()
    rates, shown = build.show_up()
    admissions = []
    for day in build.days:
        draws = np.zeros(DRAWS)
        for code, _all in build.types.values():
            draws += binomial_draws(np.rint(registered[(code, day)]), rates[(code, day)], build.rng)
        admissions.append(draws)
    days, admissions = day_states(build, registered, admissions)
    period_starts, arrivals = arrivals_build(build, admissions)
    return AttendanceForecast(
        expo=expo,
        as_of=as_of,
        previous=build.previous,
        days=days,
        show_up=shown,
        period_starts=period_starts,
        arrivals=arrivals,
        notes=_dedupe(build.notes),
    )
