"""The part of bench/eval_alerts.py that reads a run's database through the product's code.

Run as a child process with `SMARTEXPO_DATA_DIR` set to the run's data dir (Django's settings
read it once, so each run needs a process of its own):

    python bench/eval_alerts_db.py plan --visits N          # the twin's visits per day
    python bench/eval_alerts_db.py measure --out FILE.json [--time-days 1,4]

`plan` prints the arrival model's visits per day for N visits over the edition's days
(`demo.simulator.model.visits_plan`, what `smartexpo simulate --visitors N` splits them by), so
that a run simulated day by day gets each day's planned share. `measure` writes, as JSON:

* every live alert of a hall: `crowd.services.history_refresh`, then
  `crowd.selectors.alert_list` (the list the live page and `GET …/venue/alerts` show), with the
  hall's count and forecast peak on the minute boundaries 10, 5 and 1 minute before its raise
  and the pattern basis of its day (`crowd.predict.day_forecast`), for the diagnosis;
* every predicted alert of each day: `crowd.predict.predicted_alerts(expo=, day=)`, and the
  seconds each day took;
* the time of `crowd.predict.predicted_at(expo=, at=)` at every minute of the opening hours of
  the days asked for (the page's and the API's computation), and the number of predicted
  alerts at a few instants, which the API is checked against.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
django.setup()

import numpy as np  # noqa: E402

from smartexpo.crowd import predict, selectors, services  # noqa: E402
from smartexpo.crowd.periods import MINUTE_US, to_us  # noqa: E402
from smartexpo.demo.simulator import model  # noqa: E402
from smartexpo.demo.simulator.venue import venue_load  # noqa: E402
from smartexpo.venue.models import Expo, ZoneKind  # noqa: E402

EXPO = "sce-2019"
BEFORE = (10, 5, 1)  # minutes before a live alert's raise at which the forecast is read
PROBE_HOURS = (10, 13, 16)  # local hours of the instants the API is compared at


def _expo() -> Expo:
    expo = Expo.objects.filter(slug=EXPO).first()
    if expo is None:
        sys.exit(f"no edition {EXPO}: run `smartexpo demo seed` first")
    return expo


def plan(visits: int) -> dict:
    expo = _expo()
    venue = venue_load(expo=expo)
    days = range(len(venue.days))
    per_day = model.expected_admissions(
        plan=model.visits_plan(venue=venue, visitors=visits, days=days)
    )
    return {"days": [str(d) for d in venue.days], "visits": per_day, "tz": str(expo.tz)}


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _opening(expo: Expo, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = expo.tz
    return (
        dt.datetime.combine(day, expo.opens_at, tzinfo=tz),
        dt.datetime.combine(day, expo.closes_at, tzinfo=tz),
    )


def _live(expo: Expo, forecasts: dict) -> list[dict]:
    """Every live alert of a hall, with the forecast before it (for the diagnosis)."""
    end = dt.datetime.combine(expo.ends_on + dt.timedelta(days=2), dt.time(0), tzinfo=expo.tz)
    found = []
    for alert in selectors.alert_list(expo=expo, at=end):
        if alert.zone.kind != ZoneKind.HALL:
            continue
        row = {
            "hall": alert.zone.code,
            "period": alert.period.isoformat(),
            "reason": alert.reason,
            "raised": _iso(alert.raised_at),
            "end": _iso(alert.ends_at),
            "ended_by_reset": alert.ended_by_reset,
            "peak_count": alert.peak_count,
            "capacity": alert.zone.capacity,
        }
        fc = forecasts.get(alert.period)
        if fc is not None:
            k = next(i for i, h in enumerate(fc.halls) if h.id == alert.zone_id)
            row["basis"] = fc.basis[k] if fc.basis else None
            row["threshold"] = fc.halls[k].raise_at
            at = to_us(alert.raised_at) // MINUTE_US
            for before in BEFORE:
                # The last boundary at least `before` minutes before the raise.
                i = int(np.searchsorted(fc.minutes, at - before + 1)) - 1
                if i >= 0:
                    row[f"count_{before}"] = int(fc.counts[k, i])
                    row[f"peak_{before}"] = round(float(fc.peak[k, i]), 1)
        found.append(row)
    return found


def measure(time_days: list[int]) -> dict:
    expo = _expo()
    services.history_refresh(expo=expo)
    out: dict = {
        "days": [d.isoformat() for d in expo.days],
        "opens": expo.opens_at.isoformat(),
        "closes": expo.closes_at.isoformat(),
        "tz": str(expo.tz),
        "halls": 0,
        "predicted": [],
        "day_seconds": {},
    }
    forecasts = {}
    for day in expo.days:
        began = time.perf_counter()
        alerts = predict.predicted_alerts(expo=expo, day=day)
        out["day_seconds"][day.isoformat()] = time.perf_counter() - began
        forecasts[day] = predict.day_forecast(expo=expo, day=day)
        fc = forecasts[day]
        out["halls"] = len(fc.halls)
        # Each hall's highest count at a minute boundary that day, and its threshold: how near
        # a hall whose prediction never came got.
        out.setdefault("hall_peaks", {})[day.isoformat()] = {
            h.code: [int(fc.counts[k].max()) if fc.counts.size else 0, h.raise_at]
            for k, h in enumerate(fc.halls)
        }
        for a in alerts:
            out["predicted"].append(
                {
                    "hall": a.zone.code,
                    "period": a.period.isoformat(),
                    "basis": a.basis,
                    "raised": _iso(a.raised_at),
                    "expected": _iso(a.expected_at),
                    "end": _iso(a.cleared_at),
                    "ended_by_reset": a.ended_by_reset,
                }
            )
    out["live"] = _live(expo, forecasts)
    out["timings_ms"] = {}
    for number in time_days:
        day = expo.days[number - 1]
        opens, closes = _opening(expo, day)
        spent = []
        at = opens
        while at <= closes:
            began = time.perf_counter()
            predict.predicted_at(expo=expo, at=at)
            spent.append((time.perf_counter() - began) * 1000)
            at += dt.timedelta(minutes=1)
        out["timings_ms"][day.isoformat()] = spent
    out["probes"] = {}
    for day in expo.days:
        for hour in PROBE_HOURS:
            at = dt.datetime.combine(day, dt.time(hour, 7), tzinfo=expo.tz)
            out["probes"][at.isoformat()] = len(predict.predicted_at(expo=expo, at=at))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plan")
    p.add_argument("--visits", type=int, required=True)
    m = sub.add_parser("measure")
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--time-days", default="1,4", help="days (from 1) timed minute by minute")
    args = parser.parse_args()
    if args.command == "plan":
        print(json.dumps(plan(args.visits)))
        return 0
    days = [int(d) for d in args.time_days.split(",") if d.strip()]
    args.out.write_text(json.dumps(measure(days)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
