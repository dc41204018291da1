"""What the lanes page shows, and what its exports hold: the plan of an edition's gates for
expected arrivals from one source, the server-drawn chart, the tables, and the staff shifts.

The arrivals are one argument (`Arrivals`): the attendance forecast's (`forecast_arrivals`)
or an organiser's uploaded CSV (`uploaded_arrivals`); the forecast's are kept as the same CSV
text, so the page, chart and exports follow one path.

The page keeps what an organiser submitted in their session (`stash_put`): the arrivals file's
text, the target and the staff shifts solved for it. The lane plan is seeded, so the page and
both exports recompute it from those inputs and show the same plan; the shifts are kept as
solved, since CP-SAT within a time limit need not find the same optimum twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

from django.utils import timezone
from django.utils.translation import gettext as _

from smartexpo.planning.arrivals import arrivals_read
from smartexpo.planning.lanes import GatePlan, LanePlan, lane_plan, period_runs
from smartexpo.planning.shifts import Shift, ShiftPlan, staff_shifts
from smartexpo.venue.models import Expo

STASH = "planning.lanes"  # the session key: {edition slug: the last plan submitted}
SHIFT_TIME_LIMIT_S = 5.0  # per gate and day: a page must answer (the CLI allows 10 s)
MAX_GATE_PERIODS = 3_000  # about 5 s of planning on this machine; the CLI takes more


@dataclasses.dataclass(frozen=True)
class Arrivals:
    """Expected arrivals per gate and 15-minute period, and where they come from."""

    period_starts: list[dt.datetime]
    expected: dict[str, list[float]]
    source: str  # said on the page and in the PDF, e.g. the uploaded file's name


@dataclasses.dataclass(frozen=True)
class Target:
    wait_minutes: float = 10.0
    percentile: float = 95.0

    @property
    def label(self) -> str:
        return f"p{self.percentile:g}"


def uploaded_arrivals(*, expo: Expo, text: str, name: str, gates: dict[str, int]) -> Arrivals:
    """The arrivals of an organiser's CSV (the CLI's format); SmartExpoError("invalid") lists
    its bad lines."""
    starts, expected = arrivals_read(text, gates=gates, timezone=expo.timezone)
    return Arrivals(period_starts=starts, expected=expected, source=name)


def forecast_as_of_default(expo: Expo) -> dt.datetime:
    """When the page's forecast is made unless told: now before the edition's end; for an
    edition over, the eve of its opening (what planning it ahead would have known)."""
    now = timezone.now()
    if now < expo.ends_at:
        return now
    opening = dt.datetime.combine(expo.starts_on, expo.opens_at, tzinfo=expo.tz)
    return opening - dt.timedelta(days=1)


def _interval(value, places: int = 1) -> list[float]:
    return [round(value.mid, places), round(value.low, places), round(value.high, places)]


def forecast_arrivals(
    *, expo: Expo, as_of: dt.datetime, plan_for: str = "high"
) -> tuple[Arrivals, dict]:
    """The attendance forecast's arrivals to plan for (`forecast.PLAN_FOR`), and what the page
    shows of the forecast (plain values, kept in the session with the plan): the days,
    show-up rates and notes."""
    from smartexpo.planning.forecast import PLAN_FOR_HIGH, attendance_forecast

    forecast = attendance_forecast(expo=expo, as_of=as_of)
    local = as_of.astimezone(expo.tz)
    values = {"at": f"{local:%Y-%m-%d %H:%M}"}
    if plan_for == PLAN_FOR_HIGH:
        name = (
            _("the attendance forecast as of %(at)s, the upper end of its 80 %% intervals") % values
        )
    else:
        name = _("the attendance forecast as of %(at)s, the expected arrivals") % values
    text = forecast.arrivals_csv(plan_for)
    starts, expected = arrivals_read(
        text, gates=dict.fromkeys(forecast.arrivals, 1), timezone=expo.timezone
    )
    summary = {
        "as_of": local.isoformat(),
        "previous": forecast.previous.name if forecast.previous else None,
        "days": [
            {
                "day": d.day.isoformat(),
                "registered": d.registered,
                "final": _interval(d.registered_final),
                "admissions": _interval(d.admissions),
                "state": d.state,
                "so_far": d.admitted_so_far,
            }
            for d in forecast.days
        ],
        "show_up": [
            [s.ticket_type, s.kind, *_interval(s.rate, 4), s.basis] for s in forecast.show_up
        ],
        "notes": forecast.notes,
        "plan_for": plan_for,
        "csv": text,
    }
    return Arrivals(period_starts=starts, expected=expected, source=name), summary


def _states() -> dict[str, str]:
    return {
        "forecast": _("forecast"),
        "nowcast": _("under way: nowcast"),
        "counted": _("over: counted"),
    }


def _kinds() -> dict[str, str]:
    return {"first": _("opening day"), "middle": _("middle days"), "last": _("last day")}


def forecast_as_of_field(summary: dict) -> dt.datetime:
    """The kept forecast's instant as the form's field shows it (local wall clock)."""
    return dt.datetime.fromisoformat(summary["as_of"]).replace(tzinfo=None)


def forecast_shown(summary: dict | None) -> dict | None:
    """The kept forecast as the page's table shows it: dates and whole numbers."""
    if not summary:
        return None
    return {
        "as_of": dt.datetime.fromisoformat(summary["as_of"]),
        "previous": summary["previous"],
        "days": [
            {**d, "day": dt.date.fromisoformat(d["day"]), "state_label": _states()[d["state"]]}
            for d in summary["days"]
        ],
        "show_up": [
            {
                "type": t,
                "kind": _kinds()[k],
                "mid": m * 100,
                "low": lo * 100,
                "high": hi * 100,
                "learned": b == "previous",
            }
            for t, k, m, lo, hi, b in summary["show_up"]
        ],
        "notes": summary["notes"],
    }


@dataclasses.dataclass(frozen=True)
class LanesResult:
    arrivals: Arrivals
    target: Target
    plan: LanePlan
    shifts: dict[str, ShiftPlan] | None  # by gate; None when not asked for


def lanes_result(
    *,
    arrivals: Arrivals,
    target: Target,
    gates: dict[str, int],
    shifts: dict[str, ShiftPlan] | bool = False,
) -> LanesResult:
    """The plan for `arrivals` (seeded: the same inputs, the same plan); `shifts` True solves
    the staff shifts, a dict reuses those already solved."""
    plan = lane_plan(
        gates={code: gates[code] for code in arrivals.expected},
        period_starts=arrivals.period_starts,
        expected=arrivals.expected,
        wait_s=target.wait_minutes * 60,
        within=target.percentile / 100,
        seed=0,
    )
    if shifts is True:
        shifts = {
            g.gate: staff_shifts(
                period_starts=arrivals.period_starts,
                demand=[p.lanes for p in g.periods],
                time_limit_s=SHIFT_TIME_LIMIT_S,
            )
            for g in plan.gates
        }
    return LanesResult(arrivals, target, plan, shifts or None)


# --- the session's stash ---------------------------------------------------------------------


def stash_key(*, expo: Expo, text: str, target: Target, shifts: bool) -> str:
    """A short digest of the inputs: the page's and exports' addresses carry it, so a link to
    an older plan is not answered with a newer one."""
    inputs = json.dumps([expo.slug, text, target.wait_minutes, target.percentile, shifts])
    return hashlib.sha256(inputs.encode()).hexdigest()[:16]


def _shift_json(plan: ShiftPlan) -> dict:
    return {
        "status": plan.status,
        "message": plan.message,
        "shifts": [
            [
                s.start.isoformat(),
                s.end.isoformat(),
                s.break_start and s.break_start.isoformat(),
                s.people,
            ]
            for s in plan.shifts
        ],
    }


def _shift_plan(data: dict) -> ShiftPlan:
    def at(text):
        return None if text is None else dt.datetime.fromisoformat(text)

    shifts = [Shift(at(a), at(b), at(c), people) for a, b, c, people in data["shifts"]]
    return ShiftPlan(status=data["status"], shifts=shifts, message=data["message"])


def stash_put(
    session,
    *,
    expo: Expo,
    text: str,
    name: str,
    target: Target,
    shifts: dict[str, ShiftPlan] | None,
    forecast: dict | None = None,
) -> str:
    """Keep the submitted inputs (and the shifts solved, if asked for; the forecast's summary
    when the arrivals are its) in the session; their key. The plan itself is not kept:
    `stash_result` recomputes it, seeded."""
    key = stash_key(expo=expo, text=text, target=target, shifts=shifts is not None)
    kept = dict(session.get(STASH, {}))
    kept[expo.slug] = {
        "key": key,
        "text": text,
        "name": name,
        "wait_minutes": target.wait_minutes,
        "percentile": target.percentile,
        "shifts": None
        if shifts is None
        else {code: _shift_json(plan) for code, plan in shifts.items()},
        # Its CSV is the kept text already.
        "forecast": None if forecast is None else {k: v for k, v in forecast.items() if k != "csv"},
    }
    session[STASH] = kept
    return key


def stash_get(session, *, expo: Expo, key: str) -> dict | None:
    """The inputs kept under `key` for the edition, or None (another or no plan kept)."""
    kept = session.get(STASH, {}).get(expo.slug)
    if not kept or not key or kept.get("key") != key:
        return None
    return kept


def stash_result(kept: dict, *, expo: Expo, gates: dict[str, int]) -> LanesResult:
    """The plan of kept inputs, recomputed (seeded, so it is the plan shown when they came)."""
    arrivals = uploaded_arrivals(expo=expo, text=kept["text"], name=kept["name"], gates=gates)
    target = Target(kept["wait_minutes"], kept["percentile"])
    shifts = kept["shifts"]
    solved = None if shifts is None else {c: _shift_plan(d) for c, d in shifts.items()}
    return lanes_result(arrivals=arrivals, target=target, gates=gates, shifts=solved or False)


# --- the chart ---------------------------------------------------------------------------------

BAR, DAY_GAP, PLOT_H, LEFT, TOP, BOTTOM = 6.0, 14.0, 120.0, 30.0, 10.0, 34.0
MIN_WIDTH = 640.0  # a short plan's bars widen, so its labels are not drawn huge


def gate_chart(gate: GatePlan, tz) -> dict:
    """One gate's chart, server-drawn as SVG: a bar per 15-minute period for the lanes open
    (red where the target cannot be met), a dashed line for the installed lanes, the hours
    along the bottom and each day's date under its first hour."""
    top = max(gate.installed, max((p.lanes for p in gate.periods), default=0), 1)
    scale = PLOT_H / top
    starts = [p.start for p in gate.periods]
    bars, ticks, days = [], [], []
    runs = period_runs(starts)
    room = MIN_WIDTH - LEFT - 6 - DAY_GAP * (len(runs) - 1)
    step = max(BAR, room / max(len(starts), 1))
    x = LEFT
    for run in runs:
        local = starts[run.start].astimezone(tz)
        days.append({"x": x, "label": f"{local:%m-%d}"})
        for k in run:
            p = gate.periods[k]
            at = p.start.astimezone(tz)
            h = p.lanes * scale
            wait = minutes(p.p_wait_s) or "—"
            bars.append(
                {
                    "x": x,
                    "y": TOP + PLOT_H - h,
                    "h": h,
                    "ok": p.feasible,
                    "tip": f"{at:%m-%d %H:%M} · {p.lanes}/{gate.installed} · "
                    f"{p.expected:.0f} · {wait} min",
                }
            )
            if at.minute == 0 and at.hour % 2 == 0:
                ticks.append({"x": x, "label": f"{at:%H}"})
            x += step
        x += DAY_GAP
    width = x - DAY_GAP + 6
    return {
        "width": width,
        "height": TOP + PLOT_H + BOTTOM,
        "bars": bars,
        "bar": step * 0.8,
        "ticks": ticks,
        "days": days,
        "installed_y": TOP + PLOT_H - gate.installed * scale,
        "installed": gate.installed,
        "top": top,
        "base_y": TOP + PLOT_H,
        "tick_y": TOP + PLOT_H + 12,
        "day_y": TOP + PLOT_H + 26,
        "left": LEFT,
        "right": width,
    }


# --- the tables ----------------------------------------------------------------------------------


def minutes(seconds: float | None) -> str:
    """A wait in minutes as the page, the CSV and the command print it ("" for nobody)."""
    return "" if seconds is None else f"{seconds / 60:.2f}"


def plan_rows(plan: LanePlan, tz):
    """(gate, local period start, expected, lanes, installed, percentile wait in minutes or "",
    target met): the CSV's rows (the page's and the command's)."""
    for gate in plan.gates:
        for p in gate.periods:
            yield (
                gate.gate,
                p.start.astimezone(tz),
                p.expected,
                p.lanes,
                gate.installed,
                minutes(p.p_wait_s),
                p.feasible,
            )


def early_shown(plan: LanePlan, tz) -> list[dict]:
    """The plan's early openings as the page lists them (local times, minutes, text)."""
    return [
        {
            "gate": e.gate,
            "opening": e.opening.astimezone(tz),
            "starts_at": e.starts_at.astimezone(tz),
            "lanes": ", ".join(str(c) for c in e.lanes),
            "wait": minutes(e.p_wait_s),
            "lane_hours": e.lane_hours,
        }
        for e in plan.early
    ]


def page_gates(result: LanesResult, tz) -> list[dict]:
    """Per gate: the chart, the rows of its table, its lane-hours and its shifts."""
    shown = []
    for gate in result.plan.gates:
        rows = [
            {
                "start": p.start.astimezone(tz),
                "expected": p.expected,
                "lanes": p.lanes,
                "wait": minutes(p.p_wait_s),
                "feasible": p.feasible,
            }
            for p in gate.periods
        ]
        shifts = result.shifts.get(gate.gate) if result.shifts else None
        shown.append(
            {
                "code": gate.gate,
                "installed": gate.installed,
                "lane_hours": gate.lane_hours,
                "all_open": gate.all_open_lane_hours,
                "chart": gate_chart(gate, tz),
                "rows": rows,
                "infeasible": sum(1 for p in gate.periods if not p.feasible),
                "shifts": shifts,
                "shift_rows": []
                if shifts is None
                else [
                    {
                        "start": s.start.astimezone(tz),
                        "end": s.end.astimezone(tz),
                        "break_start": s.break_start and s.break_start.astimezone(tz),
                        "people": s.people,
                        "hours": s.hours,
                    }
                    for s in shifts.shifts
                ],
            }
        )
    return shown


def gate_periods(arrivals: Arrivals) -> int:
    return len(arrivals.period_starts) * len(arrivals.expected)
