"""Staff shifts for a lane plan: one person per open lane, in shifts the fewest staff-hours
can cover (OR-Tools CP-SAT).

The rules (docs/planning.md):
- a shift starts on a 15-minute boundary and lasts 4 to 8 hours, inside one day's periods;
- a shift longer than 5 hours has one 30-minute break, which starts at least 2 hours after the
  shift starts and ends at least 2 hours before it ends (so nobody works more than 5.5 hours
  in a row, and the break falls in the shift's middle);
- during a break the person does not count towards the lanes;
- every period has at least as many people at work (not on a break) as lanes open.

The model counts people per kind of shift (start, length, break start): an integer variable
each, a covering constraint per period, and the sum of shift lengths (paid hours, breaks
included) as the objective. CP-SAT proves the optimum of a day in well under a second on a
4-gate plan; `time_limit_s` bounds it, and a result that is only feasible says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from ortools.sat.python import cp_model

from smartexpo.planning.lanes import PERIOD_S, period_runs

PER_HOUR = 3600 // PERIOD_S
MIN_PERIODS, MAX_PERIODS = 4 * PER_HOUR, 8 * PER_HOUR
BREAK_OVER_PERIODS = 5 * PER_HOUR  # shifts longer than this have a break
BREAK_PERIODS = PER_HOUR // 2
BREAK_MARGIN_PERIODS = 2 * PER_HOUR  # the break keeps this far from either end


@dataclasses.dataclass(frozen=True)
class Shift:
    start: dt.datetime
    end: dt.datetime
    break_start: dt.datetime | None
    people: int

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclasses.dataclass(frozen=True)
class ShiftPlan:
    status: str  # "optimal", "feasible", "infeasible" or "unknown" (no answer in the time)
    shifts: list[Shift]
    message: str = ""

    @property
    def people(self) -> int:
        return sum(s.people for s in self.shifts)

    @property
    def staff_hours(self) -> float:
        """Paid hours: shift lengths, breaks included."""
        return sum(s.hours * s.people for s in self.shifts)

    @property
    def break_hours(self) -> float:
        return sum(BREAK_PERIODS / PER_HOUR * s.people for s in self.shifts if s.break_start)


def shift_kinds(periods: int) -> list[tuple[int, int, int | None]]:
    """(start, length, break offset or None) of every shift the rules allow in a day of
    `periods` periods."""
    kinds = []
    for length in range(MIN_PERIODS, min(MAX_PERIODS, periods) + 1):
        for start in range(periods - length + 1):
            if length <= BREAK_OVER_PERIODS:
                kinds.append((start, length, None))
                continue
            last = length - BREAK_MARGIN_PERIODS - BREAK_PERIODS
            for offset in range(BREAK_MARGIN_PERIODS, last + 1):
                kinds.append((start, length, offset))
    return kinds


def works(kind: tuple[int, int, int | None], period: int) -> bool:
    """Whether a person on this kind of shift is at work (present, not on a break)."""
    start, length, offset = kind
    if not start <= period < start + length:
        return False
    return offset is None or not start + offset <= period < start + offset + BREAK_PERIODS


def day_shifts(
    demand: Sequence[int], *, time_limit_s: float = 10.0, workers: int = 2
) -> tuple[str, list[tuple[tuple[int, int, int | None], int]]]:
    """Solve one day: (status, [(kind, people)]) covering `demand[k]` people in period k."""
    need = [int(d) for d in demand]
    if any(d < 0 for d in need):
        raise ValueError("demand must be non-negative")
    if not any(need):
        return "optimal", []
    kinds = shift_kinds(len(need))
    if not kinds:
        return "infeasible", []
    model = cp_model.CpModel()
    top = max(need)
    count = [model.new_int_var(0, top, f"x{i}") for i in range(len(kinds))]
    covering: list[list[int]] = [[] for _ in need]
    for i, (start, length, offset) in enumerate(kinds):
        for k in range(start, start + length):
            if works((start, length, offset), k):
                covering[k].append(i)
    for k, d in enumerate(need):
        if d:
            if not covering[k]:
                return "infeasible", []
            model.add(sum(count[i] for i in covering[k]) >= d)
    model.minimize(sum(length * count[i] for i, (_s, length, _b) in enumerate(kinds)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    # Measured on a 4-gate day: the presolve (mostly its symmetry detection among the many
    # kinds that differ only by their break) took 3 times longer than the search it saved.
    solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    name = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
    }.get(status, "unknown")
    if name not in ("optimal", "feasible"):
        return name, []
    chosen = [(kinds[i], solver.value(v)) for i, v in enumerate(count) if solver.value(v)]
    return name, chosen


def staff_shifts(
    *,
    period_starts: Sequence[dt.datetime],
    demand: Sequence[int],
    time_limit_s: float = 10.0,
    workers: int = 2,
) -> ShiftPlan:
    """Shifts covering `demand[k]` people at work in the 15-minute period starting at
    `period_starts[k]`; each day (a run of consecutive periods) is solved on its own."""
    starts = list(period_starts)
    if len(starts) != len(demand):
        raise ValueError("one demand per period")
    shifts: list[Shift] = []
    worst = "optimal"
    problems = []
    for run in period_runs(starts):
        status, chosen = day_shifts(
            demand[run.start : run.stop], time_limit_s=time_limit_s, workers=workers
        )
        if status not in ("optimal", "feasible"):
            day = starts[run.start]
            problems.append(
                f"{day:%Y-%m-%d %H:%M}: "
                + (
                    "no shift of 4 to 8 hours within the day's periods can cover its lanes"
                    if status == "infeasible"
                    else f"no solution within {time_limit_s:g} s"
                )
            )
            worst = status
            continue
        if status == "feasible" and worst == "optimal":
            worst = "feasible"
        for (start, length, offset), people in sorted(chosen):
            begin = starts[run.start + start]
            shifts.append(
                Shift(
                    start=begin,
                    end=begin + dt.timedelta(seconds=length * PERIOD_S),
                    break_start=None
                    if offset is None
                    else begin + dt.timedelta(seconds=offset * PERIOD_S),
                    people=people,
                )
            )
    return ShiftPlan(status=worst, shifts=shifts, message="; ".join(problems))
